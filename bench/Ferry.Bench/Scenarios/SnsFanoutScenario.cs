using System.Diagnostics;
using System.Globalization;
using Ferry.Bench.Measurement;
using Ferry.Bench.Reporting;
using Ferry.Bench.Sns;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Scenarios;

/// <summary>
/// SNS fan-out into SQS: closed-loop publishers (Query protocol, SigV4; all driven from one thread by
/// <see cref="PolledLoop"/>) publish 1 KiB messages with two message
/// attributes to one standard topic that ten queues subscribe to with the JSON envelope (five without a filter, five
/// with a FilterPolicy every message matches), so every publish is delivered ten times. Every 100th publish also
/// carries <c>probe</c>=<c>1</c>, which an eleventh queue's filter selects; a long-polling consumer there measures
/// publish-to-queue latency. Publishes/s and publish latency, deliveries/s counted in the queues, CPU and RSS of the server.
/// </summary>
internal sealed class SnsFanoutScenario : IScenario
{
    // As in the sqs scenario: enough outstanding requests to saturate the server on a small machine.
    private const int DefaultConnections = 64;

    private const int FanoutQueueCount = 10;
    private const int FilteredQueueCount = 5;
    private const int DefaultProbeEvery = 100;

    // A fan-out queue is replaced once it holds this many messages (about 40 MB of 1 KiB messages in envelopes): at
    // 20,000 deliveries/s per queue that is a rotation every second, and the ten queues hold at most a few hundred
    // thousand messages at any time.
    private const int DefaultRotateAt = 20_000;

    // How often the queues are counted and rotated; a retired queue is deleted one check after its subscription.
    private static readonly TimeSpan s_checkInterval = TimeSpan.FromMilliseconds(500);

    // The probe consumer long-polls as SDK consumers do (the maximum wait) and takes up to a batch.
    private const int ProbeWaitSeconds = 20;

    // After the load, probes still on their way get this long before they count as not received.
    private static readonly TimeSpan s_probeGrace = TimeSpan.FromSeconds(5);

    /// <summary>The filter of the five filtered subscriptions: every published message matches it.</summary>
    public const string OrderFilterPolicy = """{"kind":["order"],"amount":[{"numeric":[">",0]}]}""";

    /// <summary>The probe queue's filter: only messages carrying <c>probe</c> = <c>1</c>.</summary>
    public const string ProbeFilterPolicy = """{"probe":["1"]}""";

    private const double TargetPublishesPerSecond = 20_000;
    private const double TargetDeliveriesPerSecond = 200_000;
    private const double TargetProbeP99Milliseconds = 10;

    public string Name => "sns-fanout";

    public string Description => "SNS Publish (Query, SigV4) of 1 KiB + 2 attributes to a topic fanning out to 10 SQS queues (5 filtered), plus a probe queue";

    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; } =
    [
        new("connections", DefaultConnections.ToString(CultureInfo.InvariantCulture)),
        new("body-bytes", SqsSupport.DefaultBodyBytes.ToString(CultureInfo.InvariantCulture)),
        new("probe-every", DefaultProbeEvery.ToString(CultureInfo.InvariantCulture)),
        new("rotate-at", DefaultRotateAt.ToString(CultureInfo.InvariantCulture)),
        SqsSupport.TargetsSetting,
        SqsSupport.DurabilitySetting,
    ];

    public async Task<ScenarioReport> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var load = new FanoutLoad(
            SqsSupport.Int(options, "connections", DefaultConnections, DefaultConnections),
            SqsSupport.Int(options, "body-bytes", SqsSupport.DefaultBodyBytes, SqsSupport.DefaultBodyBytes),
            SqsSupport.Int(options, "probe-every", DefaultProbeEvery, DefaultProbeEvery),
            SqsSupport.Int(options, "rotate-at", DefaultRotateAt, DefaultRotateAt),
            // 10 s after 15 s of warm-up per target: the publish path runs through much code that tiered compilation
            // is still recompiling after 3 s (measured: a third of the steady throughput).
            options.Duration(normal: 10, quick: 1),
            options.Warmup(normal: 15, quick: 0.5));
        if (load.Connections < 1 || load.ProbeEvery < 1 || load.RotateAt < 1)
        {
            throw new ArgumentException("--connections, --probe-every and --rotate-at must be at least 1.");
        }

        CultureInfo inv = CultureInfo.InvariantCulture;
        var report = new ScenarioReport(Name, "SNS fan-out: Publish → 10 SQS queues (JSON envelope), publish-to-queue latency from a probe queue");
        report.AddParameter("connections", load.Connections.ToString(inv));
        report.AddParameter("message", $"{load.BodyBytes} B + attributes kind=String order, amount=Number 1–1000");
        report.AddParameter("subscriptions", $"{FanoutQueueCount} queues with RawMessageDelivery=false, {FanoutQueueCount - FilteredQueueCount} unfiltered "
            + $"and {FilteredQueueCount} with FilterPolicy {OrderFilterPolicy}");
        report.AddParameter("probe", $"every {load.ProbeEvery}th publish also carries probe=String 1 → probe queue (FilterPolicy {ProbeFilterPolicy}), "
            + $"one consumer: ReceiveMessage ≤ {SqsSupport.MaxBatch}, WaitTimeSeconds={ProbeWaitSeconds}, "
            + "each batch deleted (DeleteMessageBatch, a second connection) while the next receive waits");
        report.AddParameter("deliveries", "counted with GetQueueAttributes (ApproximateNumberOfMessages + NotVisible of the 10 queues) at the start and end "
            + $"of the measured interval; a queue holding {load.RotateAt:N0} messages is replaced by a fresh subscribed queue, the old one unsubscribed, "
            + $"counted a last time and deleted {s_checkInterval.TotalMilliseconds:0} ms later (checks every {s_checkInterval.TotalMilliseconds:0} ms)");
        report.AddParameter("duration", $"{load.Duration.TotalSeconds:0.###} s");
        report.AddParameter("warmup", $"{load.Warmup.TotalSeconds:0.###} s");
        SqsSupport.AddCommonParameters(report, options, "service sns for SNS, sqs for SQS");

        foreach (string target in SqsSupport.Targets(options))
        {
            await SqsSupport.RunOnTargetAsync(target, options, report, server => RunTargetAsync(server, report, options, load, cancellationToken), cancellationToken);
        }

        report.Notes.Add("The publish row counts Publish calls, with their latency. The deliveries row counts messages that arrived in the 10 fan-out "
            + "queues over the interval between its two counts (its own seconds); it has no latency. The probe row counts probes received per second "
            + "and its latency is from the start of the Publish call to the ReceiveMessage response that returned the probe (queueing and the long "
            + "poll's wake-up included). CPU seconds and peak RSS are of the server process over the measured interval; the load generator runs on the "
            + "same cores.");
        AddTargetNotes(report, load);
        return report;
    }

    private static async Task RunTargetAsync(SqsServer server, ScenarioReport report, BenchOptions options, FanoutLoad load, CancellationToken cancellationToken)
    {
        string t = server.Target;
        await using SqsClient admin = await SqsClient.ConnectAsync(server.EndPoint, cancellationToken);
        await using SnsClient snsAdmin = await SnsClient.ConnectAsync(server.EndPoint, cancellationToken);
        await using SqsClient probeClient = await SqsClient.ConnectAsync(server.EndPoint, cancellationToken);
        await using SqsClient probeDeleter = await SqsClient.ConnectAsync(server.EndPoint, cancellationToken);
        SqsQueue probeQueue = await admin.CreateQueueAsync("ferry-bench-fanout-probe", cancellationToken);
        SnsTopic topic = await snsAdmin.CreateTopicAsync("ferry-bench-fanout", cancellationToken);
        await snsAdmin.SubscribeQueueAsync(topic, await admin.QueueArnAsync(probeQueue, cancellationToken), Subscription(ProbeFilterPolicy), cancellationToken);
        var subscriptions = new KeyValuePair<string, string>[FanoutQueueCount][];
        for (int i = 0; i < FanoutQueueCount; i++)
        {
            subscriptions[i] = Subscription(i < FanoutQueueCount - FilteredQueueCount ? null : OrderFilterPolicy);
        }

        SqsClient[] counters = await SqsClient.ConnectManyAsync(server.EndPoint, FanoutQueueCount, cancellationToken);
        FanoutQueues queues = await FanoutQueues.CreateAsync(admin, counters, snsAdmin, topic, "ferry-bench-fanout", subscriptions, cancellationToken);
        SnsClient[] publishers = [.. Enumerable.Range(0, load.Connections).Select(_ => SnsClient.CreatePolled(server.EndPoint))];
        var probe = new SnsProbe();
        using var stopProbe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task consumer = Task.Run(() => probe.ConsumeAsync(probeClient, probeDeleter, probeQueue, SqsSupport.MaxBatch, ProbeWaitSeconds, stopProbe.Token), CancellationToken.None);
        var window = new DeliveryWindow();
        try
        {
            options.Log.WriteLine($"sns-fanout: {t}: {load.Connections} publishers to {topic.Arn}, {FanoutQueueCount} queues + probe");
            // Worker 0 drives every publisher from one thread; worker 1 keeps the queues counted and bounded.
            Publish[] loops = [.. publishers.Select(client => new Publish(client, topic, load, probe))];
            LoadResult result = await ClosedLoop.RunAsync(
                2,
                (worker, latency, phase) => worker == 0
                    ? PolledLoop.RunAsync(loops, latency, phase)
                    : MaintainAsync(queues, load.RotateAt, window, phase, cancellationToken),
                load.Warmup,
                load.Duration,
                new ProcessSampler(server.ProcessId));

            long graceEnd = Stopwatch.GetTimestamp() + (long)(s_probeGrace.TotalSeconds * Stopwatch.Frequency);
            while (probe.Outstanding > 0 && Stopwatch.GetTimestamp() < graceEnd)
            {
                await Task.Delay(10, cancellationToken);
            }

            await stopProbe.CancelAsync();
            await consumer;

            LatencyHistogram publishes = result.Latency;
            report.Rows.Add(SqsSupport.Row(t, $"Publish {load.BodyBytes} B + 2 attributes", publishes.TotalCount, publishes, result.Seconds,
                publishes.TotalCount * load.BodyBytes, result.CpuSeconds, result.PeakResidentBytes));
            report.Rows.Add(SqsSupport.Counted(t, $"deliveries into {FanoutQueueCount} queues", window.Deliveries, window.Seconds,
                window.Deliveries * load.BodyBytes, result.CpuSeconds, result.PeakResidentBytes));
            report.Rows.Add(SqsSupport.Row(t, $"publish → probe queue (every {load.ProbeEvery}th publish)", probe.Received, probe.Latency, result.Seconds,
                null, result.CpuSeconds, result.PeakResidentBytes));
            double perPublish = window.Seconds > 0 && publishes.TotalCount > 0 ? window.Deliveries / window.Seconds / (publishes.TotalCount / result.Seconds) : 0;
            report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{t}: {publishes.TotalCount:N0} publishes in the measured interval; {window.Describe()}, {perPublish:0.00} per publish "
                + $"({FanoutQueueCount} expected); {probe.Sent:N0} probes published, {probe.Received:N0} received, {probe.Outstanding:N0} not received within "
                + $"{s_probeGrace.TotalSeconds:0} s of the end; {queues.Rotations:N0} queue rotations."));
        }
        finally
        {
            await stopProbe.CancelAsync();
            await consumer;
            foreach (SnsClient publisher in publishers)
            {
                await publisher.DisposeAsync();
            }

            foreach (SqsClient counter in counters)
            {
                await counter.DisposeAsync();
            }
        }
    }

    private static KeyValuePair<string, string>[] Subscription(string? filterPolicy) => filterPolicy is null
        ? [new("RawMessageDelivery", "false")]
        : [new("RawMessageDelivery", "false"), new("FilterPolicy", filterPolicy)];

    /// <summary>One publisher's closed loop: every <see cref="FanoutLoad.ProbeEvery"/>-th publish of all of them is a probe.</summary>
    private sealed class Publish(SnsClient client, SnsTopic topic, FanoutLoad load, SnsProbe probe) : IPolledOperation
    {
        public System.Net.Sockets.Socket? Socket => client.Socket;

        public void Start(long startTimestamp, bool measuring)
        {
            // One count over all publishers: every ProbeEvery-th publish is a probe, however few publishes a slow server completes.
            long n = probe.NextPublish();
            bool isProbe = n % load.ProbeEvery == 0;
            if (isProbe && measuring)
            {
                // Registered before the call: a server may deliver before it answers.
                probe.Expect(startTimestamp);
            }

            client.StartPublish(topic, startTimestamp, load.BodyBytes, amount: 1 + (n % 1000), isProbe);
        }

        public bool TryComplete() => client.TryCompletePublish();
    }

    private static async Task MaintainAsync(FanoutQueues queues, long rotateAt, DeliveryWindow window, LoadPhase phase, CancellationToken cancellationToken)
    {
        long nextCheck = Stopwatch.GetTimestamp();
        long checkTicks = (long)(s_checkInterval.TotalSeconds * Stopwatch.Frequency);
        while (phase.IsRunning)
        {
            if (phase.IsMeasuring && !window.Started)
            {
                await window.CountAsync(queues, cancellationToken);
            }

            if (Stopwatch.GetTimestamp() >= nextCheck)
            {
                await queues.MaintainAsync(rotateAt, cancellationToken);
                nextCheck = Stopwatch.GetTimestamp() + checkTicks;
            }

            await Task.Delay(5, cancellationToken);
        }

        if (window.Started)
        {
            await window.CountAsync(queues, cancellationToken);
        }
    }

    private static void AddTargetNotes(ScenarioReport report, FanoutLoad load)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        ResultRow? publishes = report.Rows.Find(r => r.Target == SqsServer.Ferry && r.Configuration.StartsWith("Publish", StringComparison.Ordinal));
        ResultRow? deliveries = report.Rows.Find(r => r.Target == SqsServer.Ferry && r.Configuration.StartsWith("deliveries", StringComparison.Ordinal));
        ResultRow? probe = report.Rows.Find(r => r.Target == SqsServer.Ferry && r.Configuration.StartsWith("publish → probe", StringComparison.Ordinal));
        string Rate(ResultRow? row, double target, string unit) => row is null
            ? "not measured"
            : row.OperationsPerSecond.ToString("N0", inv) + $" {unit} — " + SqsSupport.Verdict(row.OperationsPerSecond >= target);
        report.Notes.Add($"Target for Ferry: ≥ {TargetPublishesPerSecond:N0} publishes/s — {Rate(publishes, TargetPublishesPerSecond, "publishes/s")}.");
        report.Notes.Add($"Target for Ferry: ≥ {TargetDeliveriesPerSecond:N0} deliveries/s — {Rate(deliveries, TargetDeliveriesPerSecond, "deliveries/s")}.");
        string p99 = probe is null || probe.Operations == 0
            ? "not measured"
            : (probe.P99Nanoseconds / 1e6).ToString("0.00", inv) + " ms — " + SqsSupport.Verdict(probe.P99Nanoseconds < TargetProbeP99Milliseconds * 1e6);
        report.Notes.Add($"Target for Ferry: publish-to-queue p99 under {TargetProbeP99Milliseconds:0} ms — {p99}.");
        ResultRow? moto = report.Rows.Find(r => r.Target == SqsServer.Moto && r.Configuration.StartsWith("Publish", StringComparison.Ordinal));
        if (publishes is not null && moto is not null)
        {
            report.Notes.Add(moto.OperationsPerSecond > 0
                ? string.Create(inv, $"Ferry / moto: {publishes.OperationsPerSecond / moto.OperationsPerSecond:N0}× publishes/s.")
                : $"Ferry / moto: moto completed no Publish within the {load.Duration.TotalSeconds:0.###} s measured.");
        }
    }

    /// <summary>The load's settings, resolved from the options.</summary>
    private sealed record FanoutLoad(int Connections, int BodyBytes, int ProbeEvery, int RotateAt, TimeSpan Duration, TimeSpan Warmup);

    /// <summary>
    /// The deliveries counted between two counts of the fan-out queues, one when measuring starts and one when it
    /// stops; each count is timed at its midpoint.
    /// </summary>
    private sealed class DeliveryWindow
    {
        private readonly List<(long Messages, long At)> _counts = new(2);

        public bool Started => _counts.Count > 0;

        public long Deliveries => _counts.Count == 2 ? _counts[1].Messages - _counts[0].Messages : 0;

        public double Seconds => _counts.Count == 2 ? (double)(_counts[1].At - _counts[0].At) / Stopwatch.Frequency : 0;

        public async Task CountAsync(FanoutQueues queues, CancellationToken cancellationToken)
        {
            long before = Stopwatch.GetTimestamp();
            long messages = await queues.CountAsync(cancellationToken);
            _counts.Add((messages, before + ((Stopwatch.GetTimestamp() - before) / 2)));
        }

        public string Describe() => _counts.Count == 2
            ? string.Create(CultureInfo.InvariantCulture, $"{Deliveries:N0} deliveries counted over {Seconds:0.00} s")
            : "deliveries not counted (the server answered no count within the measured interval)";
    }
}

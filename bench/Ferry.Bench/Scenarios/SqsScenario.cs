using System.Diagnostics;
using System.Globalization;
using Ferry.Bench.Measurement;
using Ferry.Bench.Reporting;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Scenarios;

/// <summary>
/// SQS end to end over the JSON protocol, every request SigV4-signed: half of the connections produce
/// (SendMessageBatch of 10 × 1 KiB), half consume (ReceiveMessage of up to 10 with a 1 s long poll, then
/// DeleteMessageBatch of what arrived), all on one queue. Throughput is messages deleted per second; every
/// call type gets its own latency row, plus the time from a message's send to its deletion (from the
/// stamp in its body).
/// </summary>
internal sealed class SqsScenario : IScenario
{
    // 64 connections: as in http-baseline, enough outstanding requests to saturate the server on a small
    // machine, and about what a handful of services with SDK connection pools hold open against a broker.
    private const int DefaultConnections = 64;

    // Long polling of 1 s: consumers that find the queue empty wait for messages instead of spinning,
    // and still notice the end of the run within a second.
    private const int WaitSeconds = 1;

    private const double TargetMessagesPerSecond = 50_000;
    private const double TargetTimesMoto = 100;

    public string Name => "sqs";

    public string Description => "SQS send/receive/delete end to end (JSON 1.0, SigV4), producers and consumers on one queue";

    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; } =
    [
        new("connections", DefaultConnections.ToString(CultureInfo.InvariantCulture)),
        new("producers", "half of the connections"),
        new("body-bytes", SqsSupport.DefaultBodyBytes.ToString(CultureInfo.InvariantCulture)),
        SqsSupport.TargetsSetting,
        SqsSupport.DurabilitySetting,
    ];

    public async Task<ScenarioReport> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        int connections = SqsSupport.Int(options, "connections", DefaultConnections, DefaultConnections);
        int producers = SqsSupport.Int(options, "producers", connections / 2, connections / 2);
        int bodyBytes = SqsSupport.Int(options, "body-bytes", SqsSupport.DefaultBodyBytes, SqsSupport.DefaultBodyBytes);
        if (producers < 1 || producers >= connections)
        {
            throw new ArgumentException("--producers must leave at least one producer and one consumer connection.");
        }

        // 10 s after 15 s of warm-up, per target: tiered compilation (with dynamic PGO) is still recompiling the
        // request path after 3 s on two shared cores; measured after 3 s the server did a quarter fewer messages/s.
        TimeSpan duration = options.Duration(normal: 10, quick: 1);
        TimeSpan warmup = options.Warmup(normal: 15, quick: 0.5);

        var report = new ScenarioReport(Name, "SQS end to end: SendMessageBatch → ReceiveMessage → DeleteMessageBatch on one queue");
        report.AddParameter("connections", connections.ToString(CultureInfo.InvariantCulture));
        report.AddParameter("producers", producers.ToString(CultureInfo.InvariantCulture));
        report.AddParameter("backlog cap", (BacklogBatchesPerConnection * connections * SqsSupport.MaxBatch).ToString("N0", CultureInfo.InvariantCulture) + " messages");
        report.AddParameter("consumers", (connections - producers).ToString(CultureInfo.InvariantCulture));
        report.AddParameter("batch", $"{SqsSupport.MaxBatch} × {bodyBytes} B");
        report.AddParameter("receive", $"MaxNumberOfMessages={SqsSupport.MaxBatch}, WaitTimeSeconds={WaitSeconds}");
        report.AddParameter("duration", $"{duration.TotalSeconds:0.###} s");
        report.AddParameter("warmup", $"{warmup.TotalSeconds:0.###} s");
        SqsSupport.AddCommonParameters(report, options);

        foreach (string target in SqsSupport.Targets(options))
        {
            await SqsSupport.RunOnTargetAsync(
                target,
                options,
                report,
                server => RunTargetAsync(server, report, options, connections, producers, bodyBytes, warmup, duration, cancellationToken),
                cancellationToken);
        }

        report.Notes.Add("The end-to-end row counts messages deleted per second; its latency is from the start of the SendMessageBatch "
            + "call to the end of the DeleteMessageBatch call that removed the message (queueing included). The other rows count calls. "
            + "CPU seconds and peak RSS are of the server process over the measured interval (the same on every row of a target); the "
            + "load generator runs on the same cores.");
        AddTargetNotes(report);
        return report;
    }

    private static async Task RunTargetAsync(
        SqsServer server, ScenarioReport report, BenchOptions options, int connections, int producers, int bodyBytes,
        TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        SqsClient[] clients = await SqsClient.ConnectManyAsync(server.EndPoint, connections, cancellationToken);
        try
        {
            SqsQueue queue = await clients[0].CreateQueueAsync("ferry-bench-sqs", cancellationToken);
            var send = new LatencyHistogram[connections];
            var receive = new LatencyHistogram[connections];
            var delete = new LatencyHistogram[connections];
            var endToEnd = new LatencyHistogram[connections];
            long[] deleted = new long[connections];
            for (int i = 0; i < connections; i++)
            {
                send[i] = new LatencyHistogram();
                receive[i] = new LatencyHistogram();
                delete[i] = new LatencyHistogram();
                endToEnd[i] = new LatencyHistogram();
            }

            options.Log.WriteLine($"sqs: {server.Target}: {producers} producers, {connections - producers} consumers on {queue.Url}");
            using var backlog = new BacklogCredits(BacklogBatchesPerConnection * connections);
            LoadResult result = await ClosedLoop.RunAsync(
                connections,
                (worker, _, phase) => worker < producers
                    ? ProduceAsync(clients[worker], queue, bodyBytes, send[worker], backlog, phase)
                    : ConsumeAsync(clients[worker], queue, receive[worker], delete[worker], endToEnd[worker], deleted, worker, backlog, phase),
                warmup,
                duration,
                new ProcessSampler(server.ProcessId));

            (long visible, long notVisible) = await clients[0].CountMessagesAsync(queue, cancellationToken);
            long messages = deleted.Sum();
            LatencyHistogram sends = SqsSupport.Merge(send);
            string t = server.Target;
            report.Rows.Add(SqsSupport.Row(t, "end to end: messages deleted", messages, SqsSupport.Merge(endToEnd), result.Seconds, messages * bodyBytes, result.CpuSeconds, result.PeakResidentBytes));
            report.Rows.Add(SqsSupport.Row(t, $"SendMessageBatch {SqsSupport.MaxBatch} × {bodyBytes} B", sends.TotalCount, sends, result.Seconds, sends.TotalCount * SqsSupport.MaxBatch * bodyBytes, result.CpuSeconds, result.PeakResidentBytes));
            LatencyHistogram receives = SqsSupport.Merge(receive);
            report.Rows.Add(SqsSupport.Row(t, $"ReceiveMessage ≤ {SqsSupport.MaxBatch}, wait {WaitSeconds} s", receives.TotalCount, receives, result.Seconds, null, result.CpuSeconds, result.PeakResidentBytes));
            LatencyHistogram deletes = SqsSupport.Merge(delete);
            report.Rows.Add(SqsSupport.Row(t, "DeleteMessageBatch", deletes.TotalCount, deletes, result.Seconds, null, result.CpuSeconds, result.PeakResidentBytes));
            report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{t}: {sends.TotalCount * SqsSupport.MaxBatch:N0} messages sent and {messages:N0} deleted in the measured interval; "
                + $"{visible:N0} visible and {notVisible:N0} in flight left in the queue at the end."));
        }
        finally
        {
            foreach (SqsClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    // Sustained throughput, not an overrun: producers hold back while this many batches per connection wait in the
    // queue. 4 × 64 × 10 = 2,560 messages keeps every consumer's ReceiveMessage of 10 served, while a queue that
    // grew without bound would measure how fast producers fill it, with consumers starved of CPU.
    private const int BacklogBatchesPerConnection = 4;

    /// <summary>One credit per batch the backlog may still hold; deletes give credits back, ten messages each.</summary>
    private sealed class BacklogCredits(int batches) : IDisposable
    {
        private readonly SemaphoreSlim _credits = new(batches);
        private long _deletedSinceCredit;

        public async Task<bool> TakeAsync(LoadPhase phase)
        {
            while (phase.IsRunning)
            {
                if (await _credits.WaitAsync(50))
                {
                    return true;
                }
            }

            return false;
        }

        public void Deleted(int messages)
        {
            var total = Interlocked.Add(ref _deletedSinceCredit, messages);
            while (total >= SqsSupport.MaxBatch)
            {
                if (Interlocked.CompareExchange(ref _deletedSinceCredit, total - SqsSupport.MaxBatch, total) == total)
                {
                    _credits.Release();
                }

                total = Interlocked.Read(ref _deletedSinceCredit);
            }
        }

        public void Dispose() => _credits.Dispose();
    }

    private static async Task ProduceAsync(SqsClient client, SqsQueue queue, int bodyBytes, LatencyHistogram latency, BacklogCredits backlog, LoadPhase phase)
    {
        while (phase.IsRunning)
        {
            if (!await backlog.TakeAsync(phase))
            {
                return;
            }

            bool measuring = phase.IsMeasuring;
            long start = Stopwatch.GetTimestamp();
            await client.SendMessageBatchAsync(queue, SqsSupport.MaxBatch, start, bodyBytes);
            if (measuring)
            {
                latency.RecordSince(start);
            }
        }
    }

    private static async Task ConsumeAsync(
        SqsClient client, SqsQueue queue, LatencyHistogram receiveLatency, LatencyHistogram deleteLatency, LatencyHistogram endToEnd,
        long[] deleted, int worker, BacklogCredits backlog, LoadPhase phase)
    {
        var received = new ReceivedMessages();
        while (phase.IsRunning)
        {
            bool measuring = phase.IsMeasuring;
            long start = Stopwatch.GetTimestamp();
            await client.ReceiveMessageAsync(queue, SqsSupport.MaxBatch, WaitSeconds, received);
            if (measuring)
            {
                receiveLatency.RecordSince(start);
            }

            if (received.Count == 0)
            {
                continue;
            }

            start = Stopwatch.GetTimestamp();
            int count = await client.DeleteMessageBatchAsync(queue, received);
            backlog.Deleted(count);
            long now = Stopwatch.GetTimestamp();
            if (measuring)
            {
                deleteLatency.RecordTicks(now - start);
                deleted[worker] += count;
                for (int i = 0; i < received.Count; i++)
                {
                    if (received.Stamp(i) is long stamp and > 0)
                    {
                        endToEnd.RecordTicks(now - stamp);
                    }
                }
            }
        }
    }

    private static void AddTargetNotes(ScenarioReport report)
    {
        ResultRow? ferry = report.Rows.Find(r => r.Target == SqsServer.Ferry && r.Configuration.StartsWith("end to end", StringComparison.Ordinal));
        ResultRow? moto = report.Rows.Find(r => r.Target == SqsServer.Moto && r.Configuration.StartsWith("end to end", StringComparison.Ordinal));
        CultureInfo inv = CultureInfo.InvariantCulture;
        string measured = ferry is null ? "not measured" : ferry.OperationsPerSecond.ToString("N0", inv) + " messages/s — " + SqsSupport.Verdict(ferry.OperationsPerSecond >= TargetMessagesPerSecond);
        report.Notes.Add($"Target for Ferry on this machine: ≥ {TargetMessagesPerSecond:N0} messages/s end to end — {measured}.");
        string ratio = ferry is null || moto is null || moto.OperationsPerSecond <= 0
            ? "not measured (needs both rows)"
            : (ferry.OperationsPerSecond / moto.OperationsPerSecond).ToString("N0", inv) + "× — " + SqsSupport.Verdict(ferry.OperationsPerSecond >= TargetTimesMoto * moto.OperationsPerSecond);
        report.Notes.Add($"Target for Ferry: ≥ {TargetTimesMoto:0}× moto end to end — {ratio}.");
    }
}

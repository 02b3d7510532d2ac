using System.Diagnostics;
using System.Globalization;
using Ferry.Bench.Measurement;
using Ferry.Bench.Reporting;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Scenarios;

/// <summary>
/// A deep queue: N messages of 1 KiB sent with SendMessageBatch over many connections, then the server's
/// resident memory per queued message, and (Ferry only: moto keeps nothing across restarts) the time to
/// come back after SIGTERM and after SIGKILL — until <c>/health</c> answers and until the first ReceiveMessage
/// returns a message — with a check that the queue still holds all N.
/// </summary>
internal sealed class SqsBacklogScenario : IScenario
{
    private const int DefaultMessages = 1_000_000;
    private const int QuickMessages = 20_000;

    // moto keeps every message as Python objects and slows down as its queue grows: a small fill says enough.
    private const int DefaultMotoMessages = 10_000;
    private const int QuickMotoMessages = 1_000;

    private const int DefaultConnections = 32;

    // The server gets this long, idle, before each RSS reading: GC and allocator caches settle.
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(2);

    // The backlog at rest: long enough for a few rounds of the server's maintenance (every 5 s), which gives the
    // memory of a burst back to the system. The target is judged on this reading.
    private static readonly TimeSpan s_rest = TimeSpan.FromSeconds(20);

    private const double TargetBytesPerMessage = 200;

    public string Name => "sqs-backlog";

    public string Description => "SQS queue filled with N × 1 KiB: RSS per queued message, restart time after SIGTERM and SIGKILL";

    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; } =
    [
        new("messages", $"{DefaultMessages} (quick {QuickMessages})"),
        new("moto-messages", $"{DefaultMotoMessages} (quick {QuickMotoMessages})"),
        new("connections", DefaultConnections.ToString(CultureInfo.InvariantCulture)),
        new("restart", "term,kill"),
        new("body-bytes", SqsSupport.DefaultBodyBytes.ToString(CultureInfo.InvariantCulture)),
        SqsSupport.TargetsSetting,
        SqsSupport.DurabilitySetting,
    ];

    public async Task<ScenarioReport> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        int messages = SqsSupport.Int(options, "messages", DefaultMessages, QuickMessages);
        int motoMessages = Math.Min(messages, SqsSupport.Int(options, "moto-messages", DefaultMotoMessages, QuickMotoMessages));
        int connections = SqsSupport.Int(options, "connections", DefaultConnections, DefaultConnections);
        string[] restarts = options.List("restart", "term,kill");
        int bodyBytes = SqsSupport.Int(options, "body-bytes", SqsSupport.DefaultBodyBytes, SqsSupport.DefaultBodyBytes);
        if (restarts.Any(r => r is not ("term" or "kill")))
        {
            throw new ArgumentException("--restart takes term and/or kill.");
        }

        var report = new ScenarioReport(Name, "SQS backlog: memory per queued message and restart time");
        report.AddParameter("messages", messages.ToString("N0", CultureInfo.InvariantCulture));
        report.AddParameter("moto messages", motoMessages.ToString("N0", CultureInfo.InvariantCulture));
        report.AddParameter("fill", $"SendMessageBatch {SqsSupport.MaxBatch} × {bodyBytes} B over {connections} connections");
        report.AddParameter("restarts", string.Join(' ', restarts));
        report.AddParameter("settle before RSS readings", $"{s_settle.TotalSeconds:0} s");
        SqsSupport.AddCommonParameters(report, options);

        foreach (string target in SqsSupport.Targets(options))
        {
            int count = target == SqsServer.Moto ? motoMessages : messages;
            await SqsSupport.RunOnTargetAsync(
                target,
                options,
                report,
                server => RunTargetAsync(server, report, options, count, connections, restarts, bodyBytes, cancellationToken),
                cancellationToken);
        }

        report.Notes.Add("Fill rows count messages per second; latency is per SendMessageBatch call; CPU seconds and peak RSS are of the "
            + "server over the fill. Restart rows are single measurements shown in the latency columns, from the start of the new process; "
            + "their CPU seconds and peak RSS are of the new process up to the first message.");
        return report;
    }

    private static async Task RunTargetAsync(
        SqsServer server, ScenarioReport report, BenchOptions options, int messages, int connections, string[] restarts, int bodyBytes,
        CancellationToken cancellationToken)
    {
        string t = server.Target;
        CultureInfo inv = CultureInfo.InvariantCulture;
        SqsQueue queue;
        long before;
        await using (SqsClient admin = await SqsClient.ConnectAsync(server.EndPoint, cancellationToken))
        {
            queue = await admin.CreateQueueAsync("ferry-bench-backlog", cancellationToken);
            await Task.Delay(s_settle, cancellationToken);
            before = ProcessMetrics.ResidentBytes(server.ProcessId) ?? 0;
        }

        // Fill: workers take batches from a shared counter until N messages are sent.
        int batches = (messages + SqsSupport.MaxBatch - 1) / SqsSupport.MaxBatch;
        int next = -1;
        SqsClient[] clients = await SqsClient.ConnectManyAsync(server.EndPoint, connections, cancellationToken);
        var histograms = new LatencyHistogram[connections];
        var sampler = new ProcessSampler(server.ProcessId);
        sampler.Start(resetPeak: true);
        long fillStart = Stopwatch.GetTimestamp();
        long lastReport = fillStart;
        try
        {
            var workers = new Task[connections];
            for (int w = 0; w < connections; w++)
            {
                SqsClient client = clients[w];
                LatencyHistogram histogram = histograms[w] = new LatencyHistogram();
                workers[w] = Task.Run(
                    async () =>
                    {
                        int batch;
                        while ((batch = Interlocked.Increment(ref next)) < batches)
                        {
                            int count = Math.Min(SqsSupport.MaxBatch, messages - (batch * SqsSupport.MaxBatch));
                            long start = Stopwatch.GetTimestamp();
                            await client.SendMessageBatchAsync(queue, count, start, bodyBytes, cancellationToken);
                            histogram.RecordSince(start);
                            long now = Stopwatch.GetTimestamp();
                            long last = Volatile.Read(ref lastReport);
                            if (now - last > Stopwatch.Frequency * 5 && Interlocked.CompareExchange(ref lastReport, now, last) == last)
                            {
                                options.Log.WriteLine($"sqs-backlog: {t}: {Math.Min(messages, batch * SqsSupport.MaxBatch):N0} of {messages:N0} messages sent");
                            }
                        }
                    },
                    cancellationToken);
            }

            await Task.WhenAll(workers);
        }
        finally
        {
            foreach (SqsClient client in clients)
            {
                await client.DisposeAsync();
            }
        }

        double fillSeconds = Stopwatch.GetElapsedTime(fillStart).TotalSeconds;
        (double fillCpu, long? fillPeak) = sampler.Stop();
        LatencyHistogram fillLatency = SqsSupport.Merge(histograms);
        report.Rows.Add(SqsSupport.Row(t, $"fill {messages:N0} × {bodyBytes} B", messages, fillLatency, fillSeconds, (long)messages * bodyBytes, fillCpu, fillPeak));

        await Task.Delay(s_settle, cancellationToken);
        long after = ProcessMetrics.ResidentBytes(server.ProcessId) ?? 0;
        double perMessage = (after - before) / (double)messages;
        await Task.Delay(s_rest - s_settle, cancellationToken);
        long rest = ProcessMetrics.ResidentBytes(server.ProcessId) ?? 0;
        double perMessageAtRest = (rest - before) / (double)messages;
        string verdict = t == SqsServer.Ferry ? $" (target < {TargetBytesPerMessage:0} bytes: {SqsSupport.Verdict(perMessageAtRest < TargetBytesPerMessage)})" : string.Empty;
        report.Notes.Add(string.Create(inv,
            $"{t}: RSS {SqsSupport.Mib(before)} before the fill, {SqsSupport.Mib(after)} {s_settle.TotalSeconds:0} s after it ({perMessage:N0} bytes per queued message), "
            + $"{SqsSupport.Mib(rest)} with the backlog at rest {s_rest.TotalSeconds:0} s after it: {perMessageAtRest:N0} bytes per queued message{verdict}."));

        await using (SqsClient admin = await SqsClient.ConnectAsync(server.EndPoint, cancellationToken))
        {
            (long visible, long notVisible) = await admin.CountMessagesAsync(queue, cancellationToken);
            report.Notes.Add(string.Create(inv, $"{t}: after the fill the queue reports {visible + notVisible:N0} messages "
                + $"({(visible + notVisible == messages ? "equals N" : $"MISMATCH, expected {messages:N0}")})."));
        }

        if (t != SqsServer.Ferry)
        {
            if (restarts.Length > 0)
            {
                report.Notes.Add($"{t}: no restart measured — it keeps messages in memory only.");
            }

            return;
        }

        foreach (string restart in restarts)
        {
            bool kill = restart == "kill";
            string signal = kill ? "SIGKILL" : "SIGTERM";
            options.Log.WriteLine($"sqs-backlog: {t}: {signal} and restart on {server.DataDirectory}");
            TimeSpan stop = await server.StopAsync(kill, cancellationToken);
            await server.StartAgainAsync(cancellationToken);
            TimeSpan health = Stopwatch.GetElapsedTime(server.StartedAt);

            await using SqsClient client = await SqsClient.ConnectAsync(server.EndPoint, cancellationToken);
            SqsQueue again = await client.GetQueueUrlAsync(queue.Name, cancellationToken);
            var received = new ReceivedMessages();
            while (true)
            {
                // VisibilityTimeout=0: the message stays visible, so the count below still sees all N.
                await client.ReceiveMessageAsync(again, 1, 1, received, visibilityTimeout: 0, cancellationToken: cancellationToken);
                if (received.Count > 0)
                {
                    break;
                }

                if (Stopwatch.GetElapsedTime(server.StartedAt) > TimeSpan.FromMinutes(5))
                {
                    throw new TimeoutException($"{t}: no message received within 5 minutes of the restart.");
                }
            }

            TimeSpan firstMessage = Stopwatch.GetElapsedTime(server.StartedAt);
            double cpu = ProcessMetrics.CpuTime(server.ProcessId).TotalSeconds;
            long? peak = ProcessMetrics.PeakResidentBytes(server.ProcessId);
            (long visible, long notVisible) = await client.CountMessagesAsync(again, cancellationToken);
            report.Rows.Add(SqsSupport.Single(t, $"after {signal}: start → /health", health, cpu, peak));
            report.Rows.Add(SqsSupport.Single(t, $"after {signal}: start → first message", firstMessage, cpu, peak));
            report.Notes.Add(string.Create(inv,
                $"{t}: after {signal} (exit took {stop.TotalMilliseconds:N0} ms) the queue reports {visible + notVisible:N0} messages "
                + $"({(visible + notVisible == messages ? "equals N" : $"MISMATCH, expected {messages:N0}")})."));
        }
    }
}

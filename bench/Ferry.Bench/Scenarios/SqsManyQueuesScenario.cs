using System.Diagnostics;
using System.Globalization;
using Ferry.Bench.Measurement;
using Ferry.Bench.Reporting;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Scenarios;

/// <summary>
/// Many small queues, as SQS users have them: Q queues are created, then every connection repeatedly picks a
/// queue uniformly at random and runs one cycle on it — SendMessageBatch of 10 × 1 KiB, ReceiveMessage of up
/// to 10 (no wait), DeleteMessageBatch of what arrived.
/// </summary>
internal sealed class SqsManyQueuesScenario : IScenario
{
    private const int DefaultQueues = 10_000;
    private const int QuickQueues = 500;
    private const int DefaultConnections = 64;

    public string Name => "sqs-many-queues";

    public string Description => "SQS traffic spread uniformly over many queues (send batch, receive, delete per cycle)";

    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; } =
    [
        new("queues", $"{DefaultQueues} (quick {QuickQueues})"),
        new("connections", DefaultConnections.ToString(CultureInfo.InvariantCulture)),
        new("body-bytes", SqsSupport.DefaultBodyBytes.ToString(CultureInfo.InvariantCulture)),
        SqsSupport.TargetsSetting,
        SqsSupport.DurabilitySetting,
    ];

    public async Task<ScenarioReport> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        int queues = SqsSupport.Int(options, "queues", DefaultQueues, QuickQueues);
        int connections = SqsSupport.Int(options, "connections", DefaultConnections, DefaultConnections);
        int bodyBytes = SqsSupport.Int(options, "body-bytes", SqsSupport.DefaultBodyBytes, SqsSupport.DefaultBodyBytes);
        TimeSpan duration = options.Duration(normal: 10, quick: 1);
        TimeSpan warmup = options.Warmup(normal: 3, quick: 0.5);

        var report = new ScenarioReport(Name, "SQS over many queues: send batch → receive → delete on a random queue per cycle");
        report.AddParameter("queues", queues.ToString("N0", CultureInfo.InvariantCulture));
        report.AddParameter("connections", connections.ToString(CultureInfo.InvariantCulture));
        report.AddParameter("batch", $"{SqsSupport.MaxBatch} × {bodyBytes} B");
        report.AddParameter("receive", $"MaxNumberOfMessages={SqsSupport.MaxBatch}, WaitTimeSeconds=0");
        report.AddParameter("duration", $"{duration.TotalSeconds:0.###} s");
        report.AddParameter("warmup", $"{warmup.TotalSeconds:0.###} s");
        SqsSupport.AddCommonParameters(report, options);

        foreach (string target in SqsSupport.Targets(options))
        {
            await SqsSupport.RunOnTargetAsync(
                target,
                options,
                report,
                server => RunTargetAsync(server, report, options, queues, connections, bodyBytes, warmup, duration, cancellationToken),
                cancellationToken);
        }

        report.Notes.Add("The CreateQueue row is the set-up (all queues over all connections); its CPU and peak RSS are of that phase. "
            + "The end-to-end row counts messages deleted per second, with latency from the start of the send to the end of the delete; "
            + "the other rows count calls. CPU seconds and peak RSS of the traffic rows are of the server over the measured interval.");
        return report;
    }

    private static async Task RunTargetAsync(
        SqsServer server, ScenarioReport report, BenchOptions options, int queueCount, int connections, int bodyBytes,
        TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        string t = server.Target;
        SqsClient[] clients = await SqsClient.ConnectManyAsync(server.EndPoint, connections, cancellationToken);
        try
        {
            string[] names = [.. Enumerable.Range(0, queueCount).Select(i => $"ferry-bench-mq-{i:D5}")];
            options.Log.WriteLine($"sqs-many-queues: {t}: creating {queueCount:N0} queues");
            var create = new LatencyHistogram();
            var setup = new ProcessSampler(server.ProcessId);
            setup.Start(resetPeak: true);
            long createStart = Stopwatch.GetTimestamp();
            SqsQueue[] queues = await SqsSupport.CreateQueuesAsync(clients, names, create, cancellationToken);
            double createSeconds = Stopwatch.GetElapsedTime(createStart).TotalSeconds;
            (double createCpu, long? createPeak) = setup.Stop();
            report.Rows.Add(SqsSupport.Row(t, $"CreateQueue × {queueCount:N0}", create.TotalCount, create, createSeconds, null, createCpu, createPeak));

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

            options.Log.WriteLine($"sqs-many-queues: {t}: traffic over {connections} connections");
            LoadResult result = await ClosedLoop.RunAsync(
                connections,
                (worker, _, phase) => CycleAsync(clients[worker], queues, bodyBytes, worker, send[worker], receive[worker], delete[worker], endToEnd[worker], deleted, phase),
                warmup,
                duration,
                new ProcessSampler(server.ProcessId));

            long messages = deleted.Sum();
            double s = result.Seconds;
            report.Rows.Add(SqsSupport.Row(t, $"end to end over {queueCount:N0} queues: messages deleted", messages, SqsSupport.Merge(endToEnd), s, messages * bodyBytes, result.CpuSeconds, result.PeakResidentBytes));
            LatencyHistogram sends = SqsSupport.Merge(send);
            report.Rows.Add(SqsSupport.Row(t, $"SendMessageBatch {SqsSupport.MaxBatch} × {bodyBytes} B", sends.TotalCount, sends, s, sends.TotalCount * SqsSupport.MaxBatch * bodyBytes, result.CpuSeconds, result.PeakResidentBytes));
            LatencyHistogram receives = SqsSupport.Merge(receive);
            report.Rows.Add(SqsSupport.Row(t, $"ReceiveMessage ≤ {SqsSupport.MaxBatch}, no wait", receives.TotalCount, receives, s, null, result.CpuSeconds, result.PeakResidentBytes));
            LatencyHistogram deletes = SqsSupport.Merge(delete);
            report.Rows.Add(SqsSupport.Row(t, "DeleteMessageBatch", deletes.TotalCount, deletes, s, null, result.CpuSeconds, result.PeakResidentBytes));
        }
        finally
        {
            foreach (SqsClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task CycleAsync(
        SqsClient client, SqsQueue[] queues, int bodyBytes, int worker, LatencyHistogram sendLatency, LatencyHistogram receiveLatency,
        LatencyHistogram deleteLatency, LatencyHistogram endToEnd, long[] deleted, LoadPhase phase)
    {
        var random = new Random(worker); // a fixed seed per connection: every run visits the same queues
        var received = new ReceivedMessages();
        while (phase.IsRunning)
        {
            bool measuring = phase.IsMeasuring;
            SqsQueue queue = queues[random.Next(queues.Length)];
            long start = Stopwatch.GetTimestamp();
            await client.SendMessageBatchAsync(queue, SqsSupport.MaxBatch, start, bodyBytes);
            long received0 = Stopwatch.GetTimestamp();
            await client.ReceiveMessageAsync(queue, SqsSupport.MaxBatch, 0, received);
            long deleteStart = Stopwatch.GetTimestamp();
            int count = received.Count > 0 ? await client.DeleteMessageBatchAsync(queue, received) : 0;
            long end = Stopwatch.GetTimestamp();
            if (!measuring)
            {
                continue;
            }

            sendLatency.RecordTicks(received0 - start);
            receiveLatency.RecordTicks(deleteStart - received0);
            if (received.Count > 0)
            {
                deleteLatency.RecordTicks(end - deleteStart);
                deleted[worker] += count;
                for (int i = 0; i < received.Count; i++)
                {
                    if (received.Stamp(i) is long stamp and > 0)
                    {
                        endToEnd.RecordTicks(end - stamp);
                    }
                }
            }
        }
    }
}

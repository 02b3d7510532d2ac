using System.Diagnostics;
using System.Globalization;
using Ferry.Bench.Measurement;
using Ferry.Bench.Reporting;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Scenarios;

/// <summary>
/// Wake-up latency of long polling: K consumers wait in ReceiveMessage (WaitTimeSeconds=20) on an empty queue
/// while one producer sends one message at a fixed rate. Each message carries its sequence number; the latency
/// is from the end of its SendMessage call to the end of the ReceiveMessage call that returned it.
/// </summary>
internal sealed class SqsLongPollScenario : IScenario
{
    private const int DefaultConsumers = 16;
    private const int DefaultIntervalMicroseconds = 5000;
    private const int WaitSeconds = 20;

    // A stamp no sequence number reaches: tells a consumer to stop.
    private const long StopStamp = long.MaxValue;

    private const double TargetP99Milliseconds = 5;

    public string Name => "sqs-longpoll";

    public string Description => "SQS long-poll wake-up latency: K consumers waiting, one message sent every N µs";

    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; } =
    [
        new("consumers", DefaultConsumers.ToString(CultureInfo.InvariantCulture)),
        new("interval-us", DefaultIntervalMicroseconds.ToString(CultureInfo.InvariantCulture)),
        new("body-bytes", SqsSupport.DefaultBodyBytes.ToString(CultureInfo.InvariantCulture)),
        SqsSupport.TargetsSetting,
        SqsSupport.DurabilitySetting,
    ];

    public async Task<ScenarioReport> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        int consumers = SqsSupport.Int(options, "consumers", DefaultConsumers, DefaultConsumers);
        int intervalMicros = SqsSupport.Int(options, "interval-us", DefaultIntervalMicroseconds, DefaultIntervalMicroseconds);
        int bodyBytes = SqsSupport.Int(options, "body-bytes", SqsSupport.DefaultBodyBytes, SqsSupport.DefaultBodyBytes);
        TimeSpan duration = options.Duration(normal: 10, quick: 1);
        TimeSpan warmup = options.Warmup(normal: 2, quick: 0.3);

        var report = new ScenarioReport(Name, "SQS long-poll wake-up: SendMessage response → ReceiveMessage response");
        report.AddParameter("consumers", consumers.ToString(CultureInfo.InvariantCulture));
        report.AddParameter("receive", $"MaxNumberOfMessages=1, WaitTimeSeconds={WaitSeconds}");
        report.AddParameter("send interval", $"{intervalMicros} µs (fixed rate, one message at a time)");
        report.AddParameter("body", $"{bodyBytes} B");
        report.AddParameter("duration", $"{duration.TotalSeconds:0.###} s");
        report.AddParameter("warmup", $"{warmup.TotalSeconds:0.###} s");
        SqsSupport.AddCommonParameters(report, options);

        foreach (string target in SqsSupport.Targets(options))
        {
            await SqsSupport.RunOnTargetAsync(
                target,
                options,
                report,
                server => RunTargetAsync(server, report, options, consumers, intervalMicros, bodyBytes, warmup, duration, cancellationToken),
                cancellationToken);
        }

        report.Notes.Add("The wake-up row counts messages received per second (the send rate); its latency is from the end of the "
            + "SendMessage call to the end of the ReceiveMessage call that returned the message (0 if the receive answered first). "
            + "Consumers delete each message with DeleteMessage after recording it. CPU seconds and peak RSS are of the server process "
            + "over the measured interval.");
        ResultRow? ferry = report.Rows.Find(r => r.Target == SqsServer.Ferry && r.Configuration.StartsWith("wake-up", StringComparison.Ordinal));
        string measured = ferry is null
            ? "not measured"
            : (ferry.P99Nanoseconds / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " ms — " + SqsSupport.Verdict(ferry.P99Nanoseconds < TargetP99Milliseconds * 1e6);
        report.Notes.Add($"Target for Ferry: wake-up p99 under {TargetP99Milliseconds:0} ms — {measured}.");
        return report;
    }

    private static async Task RunTargetAsync(
        SqsServer server, ScenarioReport report, BenchOptions options, int consumers, int intervalMicros, int bodyBytes,
        TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        SqsClient[] clients = await SqsClient.ConnectManyAsync(server.EndPoint, consumers + 1, cancellationToken);
        try
        {
            SqsClient producer = clients[0];
            SqsQueue queue = await producer.CreateQueueAsync("ferry-bench-longpoll", cancellationToken);
            long interval = Stopwatch.Frequency * intervalMicros / 1_000_000;
            int warmupMessages = (int)(warmup.TotalMicroseconds / intervalMicros);
            int total = warmupMessages + Math.Max(1, (int)(duration.TotalMicroseconds / intervalMicros));
            long[] sent = new long[total];
            long[] received = new long[total];
            int receivedCount = 0;

            var consumerTasks = new Task[consumers];
            for (int c = 0; c < consumers; c++)
            {
                SqsClient client = clients[c + 1];
                consumerTasks[c] = Task.Run(
                    async () =>
                    {
                        var messages = new ReceivedMessages();
                        while (true)
                        {
                            await client.ReceiveMessageAsync(queue, 1, WaitSeconds, messages, cancellationToken: cancellationToken);
                            long now = Stopwatch.GetTimestamp();
                            if (messages.Count == 0)
                            {
                                continue;
                            }

                            long stamp = messages.Stamp(0);
                            await client.DeleteMessageAsync(queue, messages, 0, cancellationToken);
                            if (stamp == StopStamp)
                            {
                                return;
                            }

                            if (stamp >= 0 && stamp < total && Interlocked.CompareExchange(ref received[stamp], now, 0) == 0)
                            {
                                Interlocked.Increment(ref receivedCount);
                            }
                        }
                    },
                    cancellationToken);
            }

            // Let every consumer reach its long poll before the first message.
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            options.Log.WriteLine($"sqs-longpoll: {server.Target}: {consumers} consumers waiting, {total} messages at one per {intervalMicros} µs");

            var sendLatency = new LatencyHistogram();
            var sampler = new ProcessSampler(server.ProcessId);
            long begin = Stopwatch.GetTimestamp();
            long measuredStart = 0;
            for (int i = 0; i < total; i++)
            {
                if (i == warmupMessages)
                {
                    sampler.Start(resetPeak: true);
                    measuredStart = Stopwatch.GetTimestamp();
                }

                // Fixed rate: message i leaves at begin + i × interval (at once if the previous send ran late).
                long due = begin + (i * interval);
                while (Stopwatch.GetTimestamp() < due)
                {
                    long remaining = due - Stopwatch.GetTimestamp();
                    if (remaining > Stopwatch.Frequency / 500)
                    {
                        Thread.Sleep(1);
                    }
                    else
                    {
                        Thread.SpinWait(20);
                    }
                }

                long start = Stopwatch.GetTimestamp();
                await producer.SendMessageAsync(queue, i, bodyBytes, cancellationToken);
                sent[i] = Stopwatch.GetTimestamp();
                if (i >= warmupMessages)
                {
                    sendLatency.RecordTicks(sent[i] - start);
                }
            }

            double seconds = Stopwatch.GetElapsedTime(measuredStart).TotalSeconds;
            (double cpu, long? peak) = sampler.Stop();

            // Stragglers get a few seconds; then one stop message per consumer.
            long giveUp = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 5);
            while (Volatile.Read(ref receivedCount) < total && Stopwatch.GetTimestamp() < giveUp)
            {
                await Task.Delay(10, cancellationToken);
            }

            for (int c = 0; c < consumers; c++)
            {
                await producer.SendMessageAsync(queue, StopStamp, bodyBytes, cancellationToken);
            }

            Task all = Task.WhenAll(consumerTasks);
            if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(WaitSeconds + 10), cancellationToken)) != all)
            {
                throw new TimeoutException($"{server.Target}: consumers did not receive their stop messages.");
            }

            await all;

            var wakeUp = new LatencyHistogram();
            int early = 0;
            int missing = 0;
            for (int i = warmupMessages; i < total; i++)
            {
                if (received[i] == 0)
                {
                    missing++;
                    continue;
                }

                long ticks = received[i] - sent[i];
                if (ticks < 0)
                {
                    early++;
                }

                wakeUp.RecordTicks(Math.Max(0, ticks));
            }

            string t = server.Target;
            report.Rows.Add(SqsSupport.Row(t, $"wake-up: {consumers} consumers, 1 message / {intervalMicros} µs", wakeUp.TotalCount, wakeUp, seconds, wakeUp.TotalCount * (long)bodyBytes, cpu, peak));
            report.Rows.Add(SqsSupport.Row(t, $"SendMessage {bodyBytes} B", sendLatency.TotalCount, sendLatency, seconds, sendLatency.TotalCount * (long)bodyBytes, cpu, peak));
            report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{t}: {total - warmupMessages:N0} messages measured, {missing:N0} not received within 5 s of the last send, "
                + $"{early:N0} received before their SendMessage call returned."));
        }
        finally
        {
            foreach (SqsClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}

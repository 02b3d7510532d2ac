using System.Diagnostics;
using System.Globalization;
using Ferry.Bench.Measurement;
using Ferry.Bench.Reporting;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Scenarios;

/// <summary>What the SQS scenarios share: targets, server start and stop, settings, row building.</summary>
internal static class SqsSupport
{
    /// <summary>1 KiB: the size of a typical SQS message body in the wild (as in the journal scenario).</summary>
    public const int DefaultBodyBytes = 1024;

    /// <summary>SendMessageBatch and DeleteMessageBatch take at most 10 entries, ReceiveMessage returns at most 10.</summary>
    public const int MaxBatch = 10;

    public static readonly KeyValuePair<string, string> TargetsSetting = new("targets", $"{SqsServer.Ferry},{SqsServer.Moto}");

    public static readonly KeyValuePair<string, string> DurabilitySetting = new("durability", "fsync");

    public static string[] Targets(BenchOptions options) => options.List(TargetsSetting.Key, TargetsSetting.Value);

    public static string Durability(BenchOptions options) => options.Setting(DurabilitySetting.Key, DurabilitySetting.Value);

    public static int Int(BenchOptions options, string name, int normal, int quick) =>
        options.Settings.TryGetValue(name, out string? text)
            ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : options.Quick ? quick : normal;

    /// <summary>Adds the parameters every SQS scenario prints.</summary>
    /// <param name="report">The report.</param>
    /// <param name="options">The options the targets and durability come from.</param>
    /// <param name="services">The SigV4 services that sign the scenario's requests.</param>
    public static void AddCommonParameters(ScenarioReport report, BenchOptions options, string services = "service sqs")
    {
        report.AddParameter("targets", string.Join(' ', Targets(options)));
        report.AddParameter("ferry durability", Durability(options));
        report.AddParameter("signing", $"SigV4 ({services}) on every request");
    }

    /// <summary>
    /// Starts a fresh server of <paramref name="target"/>, runs <paramref name="run"/> against it and stops it
    /// (also on failure or cancellation). A target that answers the first CreateQueue with 404 does not serve
    /// SQS (yet): that is noted under the table instead of failing the whole run.
    /// </summary>
    public static async Task RunOnTargetAsync(
        string target, BenchOptions options, ScenarioReport report, Func<SqsServer, Task> run, CancellationToken cancellationToken)
    {
        options.Log.WriteLine($"{report.Name}: starting {target}");
        await using SqsServer server = await SqsServer.StartAsync(target, options.DataDirectory, Durability(options), options.Log, cancellationToken);
        options.Log.WriteLine($"{report.Name}: {target} (pid {server.ProcessId}) listening on {server.EndPoint}");
        try
        {
            await run(server);
        }
        catch (SqsException exception) when (exception.Action == "CreateQueue" && exception.StatusCode == 404)
        {
            options.Log.WriteLine($"{report.Name}: {target} does not serve SQS: {exception.Message}");
            report.Notes.Add($"{target}: not measured — it does not serve SQS ({exception.Message.Trim()}).");
        }
    }

    /// <summary>A row whose operations are counted apart from the latency histogram (e.g. messages vs calls).</summary>
    public static ResultRow Row(
        string target, string configuration, long operations, LatencyHistogram latency, double seconds, long? payloadBytes, double cpuSeconds, long? peakRss) =>
        new(
            target,
            configuration,
            operations,
            seconds,
            payloadBytes,
            latency.ValueAtPercentile(50),
            latency.ValueAtPercentile(99),
            latency.ValueAtPercentile(99.9),
            latency.Max,
            cpuSeconds,
            peakRss);

    /// <summary>A rate without latency (e.g. messages counted in queues): its latency columns show "—".</summary>
    public static ResultRow Counted(string target, string configuration, long operations, double seconds, long? payloadBytes, double cpuSeconds, long? peakRss) =>
        new(target, configuration, operations, seconds, payloadBytes, 0, 0, 0, 0, cpuSeconds, peakRss, HasLatency: false);

    /// <summary>A one-off measurement (no rate): the value fills the latency columns.</summary>
    public static ResultRow Single(string target, string configuration, TimeSpan value, double cpuSeconds, long? peakRss)
    {
        long nanoseconds = (long)(value.TotalMilliseconds * 1e6);
        return new ResultRow(target, configuration, 1, 0, null, nanoseconds, nanoseconds, nanoseconds, nanoseconds, cpuSeconds, peakRss);
    }

    public static LatencyHistogram Merge(IEnumerable<LatencyHistogram> histograms)
    {
        var merged = new LatencyHistogram();
        foreach (LatencyHistogram histogram in histograms)
        {
            merged.Add(histogram);
        }

        return merged;
    }

    public static void RecordSince(this LatencyHistogram histogram, long startTimestamp) => histogram.RecordTicks(Stopwatch.GetTimestamp() - startTimestamp);

    /// <summary>Creates one queue per name over the given clients (names dealt round-robin); the latency of each call is recorded.</summary>
    public static async Task<SqsQueue[]> CreateQueuesAsync(SqsClient[] clients, IReadOnlyList<string> names, LatencyHistogram latency, CancellationToken cancellationToken)
    {
        var queues = new SqsQueue[names.Count];
        var histograms = new LatencyHistogram[clients.Length];
        int next = -1;
        var workers = new Task[clients.Length];
        for (int w = 0; w < clients.Length; w++)
        {
            SqsClient client = clients[w];
            LatencyHistogram histogram = histograms[w] = new LatencyHistogram();
            workers[w] = Task.Run(
                async () =>
                {
                    int index;
                    while ((index = Interlocked.Increment(ref next)) < names.Count)
                    {
                        long start = Stopwatch.GetTimestamp();
                        queues[index] = await client.CreateQueueAsync(names[index], cancellationToken);
                        histogram.RecordSince(start);
                    }
                },
                cancellationToken);
        }

        await Task.WhenAll(workers);
        latency.Add(Merge(histograms));
        return queues;
    }

    public static string Verdict(bool met) => met ? "met" : "NOT met";

    public static string Mib(long? bytes) => bytes is long b ? (b / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB" : "—";
}

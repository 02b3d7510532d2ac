using System.Diagnostics;
using System.Globalization;
using Ferry.Bench.Measurement;
using Ferry.Bench.Reporting;
using Ferry.Storage;

namespace Ferry.Bench.Scenarios;

/// <summary>
/// Appends to Ferry's journal in-process, in a fresh directory per row, with 1, 16 and 256 concurrent
/// closed-loop appenders under each durability mode. Latency is from the call to the acknowledgement,
/// i.e. until the record is as durable as the mode promises.
/// </summary>
internal sealed class JournalScenario : IScenario
{
    // 1 KiB: the size of a typical SQS/Kinesis message body in the wild, and small enough that the
    // benchmark measures per-record cost (framing, group commit, fsync) rather than memcpy.
    private const int DefaultPayloadBytes = 1024;

    // Record type 1: any non-zero type is valid (0 is reserved by the journal); the journal stores it opaquely.
    private const ushort RecordType = 1;

    // After this many synchronously completed appends in a row a worker yields, so that 256 appenders
    // against a mode that never blocks (memory) still take turns instead of starving one another.
    private const int SynchronousBurst = 64;

    public string Name => "journal";

    public string Description => "1 KiB appends to Ferry's journal, in-process, per durability mode × concurrent appenders";

    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; } =
    [
        new("modes", "fsync,interval:10,none,memory"),
        new("appenders", "1,16,256"),
        new("payload", DefaultPayloadBytes.ToString(CultureInfo.InvariantCulture)),
    ];

    public async Task<ScenarioReport> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        string[] modes = options.List("modes", Settings[0].Value);
        int[] appenderCounts = options.IntList("appenders", Settings[1].Value);
        int payloadBytes = options.IntList("payload", Settings[2].Value)[0];

        // 12 rows by default: 3 s + 1 s each keeps the whole scenario near a minute; quick mode ~0.5 s a row.
        TimeSpan duration = options.Duration(normal: 3, quick: 0.3);
        TimeSpan warmup = options.Warmup(normal: 1, quick: 0.1);

        var report = new ScenarioReport(Name, "1 KiB appends to Ferry's journal (in-process)");
        report.AddParameter("payload", $"{payloadBytes} B");
        report.AddParameter("duration", $"{duration.TotalSeconds:0.###} s per row");
        report.AddParameter("warmup", $"{warmup.TotalSeconds:0.###} s per row");
        report.AddParameter("modes", string.Join(' ', modes));
        report.AddParameter("appenders", string.Join(' ', appenderCounts));
        report.AddParameter("data dir", options.DataDirectory);
        report.Notes.Add("Latency is from the AppendAsync call to its acknowledgement. CPU and peak RSS are of the benchmark "
            + "process, which hosts both the journal and the appenders.");

        byte[] payload = new byte[payloadBytes];
        new Random(42).NextBytes(payload); // fixed seed: every run writes the same bytes

        foreach (string mode in modes)
        {
            Durability durability = Durability.Parse(mode);
            foreach (int appenders in appenderCounts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                options.Log.WriteLine($"journal: {Configuration(mode, appenders)}");
                report.Rows.Add(await RunRowAsync(options.DataDirectory, mode, durability, appenders, payload, warmup, duration, cancellationToken));
            }
        }

        return report;
    }

    private static async Task<ResultRow> RunRowAsync(
        string dataDirectory, string mode, Durability durability, int appenders, byte[] payload, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        string directory = Path.Combine(dataDirectory, $"ferry-bench-journal-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            LoadResult result;
            await using (Journal journal = await Journal.OpenAsync(new JournalOptions { Directory = directory, Durability = durability }, cancellationToken))
            {
                result = await ClosedLoop.RunAsync(
                    appenders,
                    (worker, histogram, phase) => AppendLoopAsync(journal, (ulong)worker + 1, payload, histogram, phase),
                    warmup,
                    duration,
                    ProcessSampler.Self());
            }

            long bytes = result.Latency.TotalCount * payload.Length;
            return ResultRow.From(ResultRow.FerryTarget, Configuration(mode, appenders), result.Latency, result.Seconds, bytes, result.CpuSeconds, result.PeakResidentBytes);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Configuration(string mode, int appenders) => $"{mode}, {appenders} appender{(appenders == 1 ? "" : "s")}";

    private static async Task AppendLoopAsync(Journal journal, ulong resourceId, byte[] payload, LatencyHistogram histogram, LoadPhase phase)
    {
        int synchronous = 0;
        while (phase.IsRunning)
        {
            bool measuring = phase.IsMeasuring;
            long start = Stopwatch.GetTimestamp();
            ValueTask<RecordRef> append = journal.AppendAsync(RecordType, resourceId, payload);
            bool completedSynchronously = append.IsCompleted;
            await append;
            if (measuring)
            {
                histogram.RecordTicks(Stopwatch.GetTimestamp() - start);
            }

            if (!completedSynchronously)
            {
                synchronous = 0;
            }
            else if (++synchronous == SynchronousBurst)
            {
                synchronous = 0;
                await Task.Yield();
            }
        }
    }
}

using System.Globalization;
using System.Text;
using Ferry.Bench.Measurement;

namespace Ferry.Bench.Reporting;

/// <summary>One measured configuration of one target (Ferry or a peer such as redis-server).</summary>
/// <param name="HasLatency">False for a row that counts something without timing it: its latency columns show "—".</param>
internal sealed record ResultRow(
    string Target,
    string Configuration,
    long Operations,
    double Seconds,
    long? PayloadBytes,
    long P50Nanoseconds,
    long P99Nanoseconds,
    long P999Nanoseconds,
    long MaxNanoseconds,
    double CpuSeconds,
    long? PeakResidentBytes,
    bool HasLatency = true)
{
    /// <summary>The target name that ratios are taken against.</summary>
    public const string FerryTarget = "ferry";

    public double OperationsPerSecond => Seconds > 0 ? Operations / Seconds : 0;

    /// <summary>Payload throughput in MB/s (10^6 bytes), or null where the scenario moves no payload.</summary>
    public double? MegabytesPerSecond => PayloadBytes is long bytes && Seconds > 0 ? bytes / Seconds / 1e6 : null;

    public static ResultRow From(
        string target, string configuration, LatencyHistogram latency, double seconds, long? payloadBytes, double cpuSeconds, long? peakResidentBytes)
    {
        ArgumentNullException.ThrowIfNull(latency);
        return new ResultRow(
            target,
            configuration,
            latency.TotalCount,
            seconds,
            payloadBytes,
            latency.ValueAtPercentile(50),
            latency.ValueAtPercentile(99),
            latency.ValueAtPercentile(99.9),
            latency.Max,
            cpuSeconds,
            peakResidentBytes);
    }
}

/// <summary>The result of one scenario: its parameters and one row per (target, configuration).</summary>
internal sealed class ScenarioReport
{
    public ScenarioReport(string name, string title)
    {
        Name = name;
        Title = title;
    }

    public string Name { get; }

    public string Title { get; }

    public List<KeyValuePair<string, string>> Parameters { get; } = [];

    public List<ResultRow> Rows { get; } = [];

    public List<string> Notes { get; } = [];

    public void AddParameter(string name, string value) => Parameters.Add(new(name, value));

    public string ToMarkdown()
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(inv, $"### {Name} — {Title}\n\n");
        if (Parameters.Count > 0)
        {
            text.Append("Parameters: ");
            text.AppendJoin(", ", Parameters.Select(p => $"{p.Key}={p.Value}"));
            text.Append("\n\n");
        }

        text.Append("| target | configuration | ops/s | MB/s | p50 µs | p99 µs | p99.9 µs | max µs | CPU s | peak RSS MiB | vs Ferry |\n");
        text.Append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (ResultRow row in Rows)
        {
            ResultRow? ferry = Rows.Find(r => r.Target == ResultRow.FerryTarget && r.Configuration == row.Configuration);
            // A row without a measured interval (a one-off measurement such as a restart) has no rate to compare.
            bool hasRate = row.Seconds > 0;
            string ratio = hasRate && ferry is { OperationsPerSecond: > 0 } ? (row.OperationsPerSecond / ferry.OperationsPerSecond).ToString("0.00", inv) + "×" : "—";
            text.Append(inv, $"| {row.Target} | {row.Configuration} | ");
            text.Append(hasRate ? row.OperationsPerSecond.ToString("N0", inv) : "—");
            text.Append(" | ");
            text.Append(row.MegabytesPerSecond is double mb ? mb.ToString("0.0", inv) : "—");
            text.Append(row.HasLatency
                ? $" | {Micros(row.P50Nanoseconds)} | {Micros(row.P99Nanoseconds)} | {Micros(row.P999Nanoseconds)} | {Micros(row.MaxNanoseconds)}"
                : " | — | — | — | —");
            text.Append(inv, $" | {row.CpuSeconds:0.00} | ");
            text.Append(row.PeakResidentBytes is long rss ? (rss / 1048576.0).ToString("0", inv) : "—");
            text.Append(inv, $" | {ratio} |\n");
        }

        foreach (string note in Notes)
        {
            text.Append('\n').Append(note).Append('\n');
        }

        return text.ToString();
    }

    private static string Micros(long nanoseconds)
    {
        double micros = nanoseconds / 1000.0;
        // Three significant digits at most: the histogram keeps about two and a half.
        return micros switch
        {
            < 10 => micros.ToString("0.00", CultureInfo.InvariantCulture),
            < 100 => micros.ToString("0.0", CultureInfo.InvariantCulture),
            _ => micros.ToString("N0", CultureInfo.InvariantCulture),
        };
    }
}

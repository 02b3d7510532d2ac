using Ferry.Bench.Reporting;
using Ferry.Bench.Scenarios;

namespace Ferry.Bench.Tests;

/// <summary>Load runs measure time and CPU: they run alone, not beside other tests competing for two cores.</summary>
[CollectionDefinition(nameof(MeasurementCollection), DisableParallelization = true)]
public sealed class MeasurementCollection;

[Collection(nameof(MeasurementCollection))]
public sealed class ScenarioTests
{
    private static BenchOptions QuickOptions(params (string Name, string Value)[] settings) => new()
    {
        Quick = true,
        DurationSeconds = 0.3,
        WarmupSeconds = 0.1,
        Settings = settings.ToDictionary(s => s.Name, s => s.Value),
    };

    private static void AssertWellFormedTable(ScenarioReport report, int rows)
    {
        string markdown = report.ToMarkdown();
        string[] tableLines = [.. markdown.Split('\n').Where(line => line.StartsWith('|'))];
        Assert.Equal(rows + 2, tableLines.Length); // header, separator, one line per row
        Assert.StartsWith("| target | configuration | ops/s | MB/s | p50 µs | p99 µs | p99.9 µs |", tableLines[0], StringComparison.Ordinal);
        int columns = tableLines[0].Count(c => c == '|');
        Assert.All(tableLines, line => Assert.Equal(columns, line.Count(c => c == '|')));
        Assert.StartsWith($"### {report.Name} — ", markdown, StringComparison.Ordinal);
        Assert.Contains("Parameters: ", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_QuickRun_InMemoryAndFsyncModes_ReportsThroughputPerRow()
    {
        string dataDirectory = Directory.CreateTempSubdirectory("ferry-bench-test-").FullName;
        try
        {
            BenchOptions options = QuickOptions(("modes", "memory,fsync"), ("appenders", "1,16"));
            options = new BenchOptions
            {
                Quick = options.Quick,
                DurationSeconds = options.DurationSeconds,
                WarmupSeconds = options.WarmupSeconds,
                Settings = options.Settings,
                DataDirectory = dataDirectory,
            };
            ScenarioReport report = await new JournalScenario().RunAsync(options, CancellationToken.None);

            Assert.Equal(4, report.Rows.Count);
            Assert.All(report.Rows, row =>
            {
                Assert.Equal(ResultRow.FerryTarget, row.Target);
                Assert.True(row.OperationsPerSecond > 0, $"{row.Configuration}: no appends measured");
                Assert.True(row.MegabytesPerSecond > 0);
                Assert.True(row.P50Nanoseconds > 0 && row.P50Nanoseconds <= row.P99Nanoseconds && row.P99Nanoseconds <= row.MaxNanoseconds);
            });
            Assert.Equal(["memory, 1 appender", "memory, 16 appenders", "fsync, 1 appender", "fsync, 16 appenders"], report.Rows.Select(r => r.Configuration));
            AssertWellFormedTable(report, 4);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dataDirectory)); // each row's journal directory is deleted
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Theory]
    [InlineData("inprocess")]
    [InlineData("child")]
    public async Task HttpBaseline_QuickRun_ReportsRequestsPerSecond(string server)
    {
        // Quick-mode defaults (0.5 s warm-up, 1 s measured): the child process needs a moment to start.
        var options = new BenchOptions { Quick = true, Settings = new Dictionary<string, string> { ["connections"] = "8", ["server"] = server } };
        ScenarioReport report = await new HttpBaselineScenario().RunAsync(options, CancellationToken.None);

        ResultRow row = Assert.Single(report.Rows);
        Assert.True(row.OperationsPerSecond > 0);
        Assert.Null(row.MegabytesPerSecond);
        Assert.True(row.CpuSeconds > 0);
        Assert.True(row.PeakResidentBytes > 0);
        AssertWellFormedTable(report, 1);
    }

    [Fact]
    public async Task CommandLine_RunsNamedScenario_AndWritesTheTablesToOut()
    {
        string outFile = Path.Combine(Path.GetTempPath(), $"ferry-bench-{Guid.NewGuid():N}.md");
        try
        {
            using var output = new StringWriter();
            int exit = await BenchRunner.RunAsync(
                ["journal", "--quick", "--modes", "memory", "--appenders", "2", "--duration", "0.2", "--warmup", "0", "--out", outFile],
                output,
                TextWriter.Null,
                CancellationToken.None);

            Assert.Equal(0, exit);
            Assert.Contains("| ferry | memory, 2 appenders |", output.ToString(), StringComparison.Ordinal);
            Assert.Equal(output.ToString().Trim(), (await File.ReadAllTextAsync(outFile)).Trim());
        }
        finally
        {
            File.Delete(outFile);
        }
    }

    [Fact]
    public async Task CommandLine_RejectsUnknownScenarioAndSetting()
    {
        Assert.Equal(2, await BenchRunner.RunAsync(["nope"], TextWriter.Null, TextWriter.Null, CancellationToken.None));
        Assert.Equal(2, await BenchRunner.RunAsync(["journal", "--connections", "3"], TextWriter.Null, TextWriter.Null, CancellationToken.None));
    }

    [Fact]
    public void Ratio_IsTakenAgainstTheFerryRowOfTheSameConfiguration()
    {
        var report = new ScenarioReport("x", "y");
        report.Rows.Add(new ResultRow("ferry", "c", 1000, 1, null, 1000, 2000, 3000, 4000, 0.5, 1 << 20));
        report.Rows.Add(new ResultRow("redis-server", "c", 500, 1, null, 1000, 2000, 3000, 4000, 0.5, 1 << 20));
        report.Rows.Add(new ResultRow("moto_server", "other", 10, 1, null, 1000, 2000, 3000, 4000, 0.5, null));
        string markdown = report.ToMarkdown();
        Assert.Contains("| ferry | c | 1,000 | — | 1.00 | 2.00 | 3.00 | 4.00 | 0.50 | 1 | 1.00× |", markdown, StringComparison.Ordinal);
        Assert.Contains("| redis-server | c | 500 | — | 1.00 | 2.00 | 3.00 | 4.00 | 0.50 | 1 | 0.50× |", markdown, StringComparison.Ordinal);
        Assert.Contains("| moto_server | other | 10 | — | 1.00 | 2.00 | 3.00 | 4.00 | 0.50 | — | — |", markdown, StringComparison.Ordinal);
    }
}

using Ferry.Bench.Reporting;
using Ferry.Bench.Scenarios;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Tests;

public sealed class KinesisScenarioTests
{
    [Fact]
    public async Task Kinesis_QuickRun_AgainstFerry_MeasuresRecordsInAndOut()
    {
        var options = new BenchOptions
        {
            Quick = true,
            DurationSeconds = 1.5,
            WarmupSeconds = 0.5,
            DataDirectory = Path.GetTempPath(),
            Settings = new Dictionary<string, string> { ["targets"] = SqsServer.Ferry, ["producers"] = "2", ["shards"] = "2" },
        };
        ScenarioReport report = await new KinesisScenario().RunAsync(options, CancellationToken.None);
        Assert.Equal(2, report.Rows.Count);
        Assert.All(report.Rows, row => Assert.True(row.Operations > 0, $"{row.Configuration}: nothing measured"));
        Assert.Contains(report.Notes, note => note.StartsWith("Target ≥", StringComparison.Ordinal));
    }
}

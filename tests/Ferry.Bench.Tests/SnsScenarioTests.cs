using Ferry.Bench.Reporting;
using Ferry.Bench.Scenarios;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Tests;

/// <summary>A quick run of the SNS fan-out scenario against Ferry: a couple of seconds.</summary>
[Collection(nameof(MeasurementCollection))]
public sealed class SnsScenarioTests
{
    [Fact]
    public async Task SnsFanout_QuickRun_AgainstFerry_MeasuresPublishesDeliveriesAndProbes()
    {
        var options = new BenchOptions
        {
            Quick = true,
            DurationSeconds = 1,
            WarmupSeconds = 0.3,
            DataDirectory = Path.GetTempPath(),
            // A probe every 10th publish and a rotation at 200 messages: both paths run within the second.
            Settings = new Dictionary<string, string>
            {
                ["targets"] = SqsServer.Ferry,
                ["connections"] = "8",
                ["probe-every"] = "10",
                ["rotate-at"] = "200",
            },
        };
        ScenarioReport report = await new SnsFanoutScenario().RunAsync(options, CancellationToken.None);

        Assert.Equal(3, report.Rows.Count);
        Assert.All(report.Rows, row => Assert.True(row.Operations > 0 && row.CpuSeconds > 0 && row.PeakResidentBytes > 0, $"{row.Configuration}: nothing measured"));
        ResultRow publishes = report.Rows[0];
        Assert.StartsWith("Publish 1024 B", publishes.Configuration, StringComparison.Ordinal);
        Assert.True(publishes.P50Nanoseconds > 0 && publishes.P50Nanoseconds <= publishes.P99Nanoseconds);
        Assert.False(report.Rows[1].HasLatency);
        Assert.StartsWith("publish → probe queue", report.Rows[2].Configuration, StringComparison.Ordinal);
        Assert.True(report.Rows[2].P50Nanoseconds > 0);
        string note = Assert.Single(report.Notes, n => n.StartsWith("ferry: ", StringComparison.Ordinal));
        Assert.Contains(", 0 not received", note, StringComparison.Ordinal);
        Assert.DoesNotContain(" 0 queue rotations", note, StringComparison.Ordinal);
        Assert.Contains(report.Notes, n => n.StartsWith("Target for Ferry: ≥ 20,000 publishes/s", StringComparison.Ordinal));
        Assert.Contains("| — | — | — | — |", report.ToMarkdown(), StringComparison.Ordinal);
    }
}

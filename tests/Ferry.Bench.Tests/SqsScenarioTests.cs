using Ferry.Bench.Reporting;
using Ferry.Bench.Scenarios;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Tests;

/// <summary>A test that needs <c>moto_server</c> on the PATH; skipped where it is not installed.</summary>
public sealed class MotoFactAttribute : FactAttribute
{
    public MotoFactAttribute()
    {
        if (!SqsServer.MotoAvailable)
        {
            Skip = "moto_server is not on the PATH";
        }
    }
}

/// <summary>
/// A test that runs Ferry's SQS face; skipped until the source tree has one (a file named Sqs* under src/Ferry.Aws).
/// Once it exists these tests run, and fail if Ferry does not serve what the scenarios send.
/// </summary>
public sealed class FerrySqsFactAttribute : FactAttribute
{
    public FerrySqsFactAttribute()
    {
        string aws = Path.Combine(SqsServer.RepositoryRoot(), "src", "Ferry.Aws");
        if (!Directory.Exists(aws) || !Directory.EnumerateFiles(aws, "Sqs*.cs", SearchOption.AllDirectories).Any())
        {
            Skip = "Ferry has no SQS face yet (no src/Ferry.Aws/**/Sqs*.cs)";
        }
    }
}

/// <summary>Quick runs of the SQS scenarios against the real servers: a few seconds each.</summary>
[Collection(nameof(MeasurementCollection))]
public sealed class SqsScenarioTests
{
    private static BenchOptions Options(string target, double duration, double warmup, params (string Name, string Value)[] settings)
    {
        var all = settings.ToDictionary(s => s.Name, s => s.Value);
        all["targets"] = target;
        return new BenchOptions
        {
            Quick = true,
            DurationSeconds = duration,
            WarmupSeconds = warmup,
            DataDirectory = Path.GetTempPath(),
            Settings = all,
        };
    }

    private static void AssertMeasured(ScenarioReport report, string target, string configurationPrefix)
    {
        ResultRow row = Assert.Single(report.Rows, r => r.Target == target && r.Configuration.StartsWith(configurationPrefix, StringComparison.Ordinal));
        Assert.True(row.Operations > 0, $"{target} {row.Configuration}: nothing measured");
        Assert.True(row.P50Nanoseconds > 0 && row.P50Nanoseconds <= row.P99Nanoseconds && row.P99Nanoseconds <= row.MaxNanoseconds);
    }

    private static void AssertNoServerLeft(ScenarioReport report) =>
        Assert.DoesNotContain(report.Notes, note => note.Contains("not measured — it does not serve SQS", StringComparison.Ordinal));

    private static async Task Sqs(string target, int connections)
    {
        // moto answers a send batch in tens of milliseconds: few connections, or nothing completes in a second.
        ScenarioReport report = await new SqsScenario().RunAsync(Options(target, 1.5, 0.5, ("connections", connections.ToString(System.Globalization.CultureInfo.InvariantCulture))), CancellationToken.None);
        AssertNoServerLeft(report);
        Assert.Equal(4, report.Rows.Count);
        AssertMeasured(report, target, "end to end");
        AssertMeasured(report, target, "SendMessageBatch");
        AssertMeasured(report, target, "ReceiveMessage");
        AssertMeasured(report, target, "DeleteMessageBatch");
        Assert.All(report.Rows, row => Assert.True(row.CpuSeconds > 0 && row.PeakResidentBytes > 0));
        Assert.Contains(report.Notes, note => note.StartsWith("Target for Ferry on this machine", StringComparison.Ordinal));
    }

    private static async Task LongPoll(string target)
    {
        ScenarioReport report = await new SqsLongPollScenario().RunAsync(
            Options(target, 1, 0.2, ("consumers", "4"), ("interval-us", "10000")), CancellationToken.None);
        AssertNoServerLeft(report);
        AssertMeasured(report, target, "wake-up");
        AssertMeasured(report, target, "SendMessage");
        Assert.Contains(report.Notes, note => note.StartsWith($"{target}: ", StringComparison.Ordinal) && note.Contains(", 0 not received", StringComparison.Ordinal));
    }

    private static async Task Backlog(string target, int messages)
    {
        string n = messages.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ScenarioReport report = await new SqsBacklogScenario().RunAsync(
            Options(target, 1, 0, ("messages", n), ("moto-messages", n), ("connections", "8")), CancellationToken.None);
        AssertNoServerLeft(report);
        AssertMeasured(report, target, "fill");
        Assert.Contains(report.Notes, note => note.StartsWith($"{target}: RSS ", StringComparison.Ordinal) && note.Contains("bytes per queued message", StringComparison.Ordinal));
        Assert.Contains(report.Notes, note => note.StartsWith($"{target}: after the fill", StringComparison.Ordinal) && note.Contains("(equals N)", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Notes, note => note.Contains("MISMATCH", StringComparison.Ordinal));
        if (target == SqsServer.Ferry)
        {
            Assert.Equal(5, report.Rows.Count); // fill, then /health and first message after SIGTERM and after SIGKILL
            Assert.Equal(2, report.Notes.Count(note => note.Contains("after SIG", StringComparison.Ordinal) && note.Contains("(equals N)", StringComparison.Ordinal)));
        }
    }

    private static async Task ManyQueues(string target, int queues, int connections)
    {
        ScenarioReport report = await new SqsManyQueuesScenario().RunAsync(
            Options(target, 1, 0.3, ("queues", queues.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("connections", connections.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            CancellationToken.None);
        AssertNoServerLeft(report);
        AssertMeasured(report, target, "CreateQueue");
        AssertMeasured(report, target, "end to end");
        AssertMeasured(report, target, "SendMessageBatch");
        AssertMeasured(report, target, "ReceiveMessage");
        AssertMeasured(report, target, "DeleteMessageBatch");
    }

    [MotoFact]
    public Task Sqs_QuickRun_AgainstMoto() => Sqs(SqsServer.Moto, connections: 4);

    [MotoFact]
    public Task LongPoll_QuickRun_AgainstMoto() => LongPoll(SqsServer.Moto);

    [MotoFact]
    public Task Backlog_QuickRun_AgainstMoto() => Backlog(SqsServer.Moto, messages: 200);

    [MotoFact]
    public Task ManyQueues_QuickRun_AgainstMoto() => ManyQueues(SqsServer.Moto, queues: 20, connections: 4);

    [FerrySqsFact]
    public Task Sqs_QuickRun_AgainstFerry() => Sqs(SqsServer.Ferry, connections: 16);

    [FerrySqsFact]
    public Task LongPoll_QuickRun_AgainstFerry() => LongPoll(SqsServer.Ferry);

    [FerrySqsFact]
    public Task Backlog_QuickRun_AgainstFerry() => Backlog(SqsServer.Ferry, messages: 5_000);

    [FerrySqsFact]
    public Task ManyQueues_QuickRun_AgainstFerry() => ManyQueues(SqsServer.Ferry, queues: 200, connections: 16);

    [Fact]
    public async Task UnknownTarget_IsRejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => new SqsScenario().RunAsync(Options("nope", 0.1, 0), CancellationToken.None));
    }
}

using Xunit.Abstractions;

namespace Ferry.Torture.Tests;

/// <summary>The torture test's short mode, so that the test command runs it: the built server SIGKILLed 20 times under
/// mixed SQS, SNS, Kinesis and Redis load. <c>tests/torture.sh</c> runs the long mode.</summary>
public sealed class TortureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Server_KilledTwentyTimesUnderMixedLoad_KeepsEveryAcknowledgedOperation()
    {
        var report = await TortureRun.RunAsync(new TortureOptions { Kills = 20, Seed = 1 }, output.WriteLine);

        output.WriteLine(report.Summary());
        Assert.True(report.Passed, report.Summary());
        Assert.Equal(20, report.KillsSurvived);
    }
}

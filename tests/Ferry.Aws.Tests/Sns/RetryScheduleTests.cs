using Ferry.Aws.Sns.Delivery;

namespace Ferry.Aws.Tests.Sns;

public class RetryScheduleTests
{
    private static long[] Millis(RetrySchedule schedule) =>
        Enumerable.Range(1, schedule.TotalAttempts).Select(k => (long)schedule.DelayBefore(k).TotalMilliseconds).ToArray();

    private static RetrySchedule Parse(string subscriptionPolicy)
    {
        Assert.True(SnsDeliveryPolicy.TryParseSubscription(subscriptionPolicy, out var policy, out var error), error);
        return SnsDeliveryPolicy.Resolve(null, policy).Schedule;
    }

    [Fact]
    public void Default_IsFourAttemptsTwentySecondsApart()
    {
        var schedule = SnsEffectiveDeliveryPolicy.Default.Schedule;
        Assert.Same(RetrySchedule.Default, schedule);
        Assert.Equal(4, schedule.TotalAttempts);
        Assert.Equal([0L, 20_000, 20_000, 20_000], Millis(schedule));
        Assert.Equal(TimeSpan.FromSeconds(60), schedule.TotalRetryTime);
    }

    [Fact]
    public void AwsExample_MaxDelay40_Linear_Waits20Then30Then40()
    {
        // AWS: "Amazon SNS attempts the first retry after 20 seconds, the second retry after 30 seconds, and the
        // final retry after 40 seconds."
        Assert.Equal([0L, 20_000, 30_000, 40_000], Millis(Parse("""{"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":40,"numRetries":3}}""")));
    }

    // AWS's backoff graph: 10 retries from 5 to 260 seconds, one curve per function.
    [Theory]
    [InlineData("linear", new long[] { 5000, 33333, 61667, 90000, 118333, 146667, 175000, 203333, 231667, 260000 })]
    [InlineData("arithmetic", new long[] { 5000, 10667, 22000, 39000, 61667, 90000, 124000, 163667, 209000, 260000 })]
    [InlineData("geometric", new long[] { 5000, 7756, 12031, 18663, 28949, 44906, 69658, 108054, 167612, 260000 })]
    [InlineData("exponential", new long[] { 5000, 5499, 6497, 8493, 12485, 20470, 36438, 68376, 132250, 260000 })]
    public void BackoffFunctions_TenRetriesFrom5To260(string function, long[] retries)
    {
        var schedule = Parse($$$"""{"healthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":260,"numRetries":10,"backoffFunction":"{{{function}}}"}}""");
        Assert.Equal(11, schedule.TotalAttempts);
        Assert.Equal([0L, .. retries], Millis(schedule));
        Assert.Equal(TimeSpan.FromMilliseconds(retries.Sum()), schedule.TotalRetryTime);
    }

    [Fact]
    public void BackoffFunctions_AreOrderedBetweenTheEnds()
    {
        for (int j = 1; j < 9; j++)
        {
            double linear = RetrySchedule.BackoffSeconds(SnsBackoffFunction.Linear, 5, 260, j, 10);
            double arithmetic = RetrySchedule.BackoffSeconds(SnsBackoffFunction.Arithmetic, 5, 260, j, 10);
            double geometric = RetrySchedule.BackoffSeconds(SnsBackoffFunction.Geometric, 5, 260, j, 10);
            double exponential = RetrySchedule.BackoffSeconds(SnsBackoffFunction.Exponential, 5, 260, j, 10);
            Assert.True(linear > arithmetic && arithmetic > geometric && geometric > exponential, $"retry {j}");
        }
    }

    [Fact]
    public void AwsExample_FourPhases_ThreeImmediateTwoAtMinTenBackoffThirtyFiveAtMax()
    {
        var schedule = Parse("""
            {"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,"numNoDelayRetries":3,
             "numMinDelayRetries":2,"numMaxDelayRetries":35,"backoffFunction":"exponential"},"throttlePolicy":{"maxReceivesPerSecond":10}}
            """);
        long[] expected =
        [
            0, // the first attempt
            0, 0, 0, // immediate
            1000, 1000, // pre-backoff at minDelayTarget
            1000, 1115, 1346, 1808, 2732, 4579, 8274, 15663, 30442, 60000, // backoff, exponential from 1 to 60
            .. Enumerable.Repeat(60_000L, 35), // post-backoff at maxDelayTarget
        ];
        Assert.Equal(51, schedule.TotalAttempts);
        Assert.Equal(expected, Millis(schedule));
    }

    [Fact]
    public void PhasesWithoutBackoff_MinThenMax()
    {
        Assert.Equal(
            [0L, 0, 0, 10_000, 30_000, 30_000],
            Millis(Parse("""{"healthyRetryPolicy":{"minDelayTarget":10,"maxDelayTarget":30,"numRetries":5,"numNoDelayRetries":2,"numMinDelayRetries":1,"numMaxDelayRetries":2}}""")));
    }

    [Fact]
    public void SingleBackoffRetry_WaitsMinDelay()
    {
        Assert.Equal([0L, 10_000, 30_000], Millis(Parse("""{"healthyRetryPolicy":{"minDelayTarget":10,"maxDelayTarget":30,"numRetries":2,"numMaxDelayRetries":1,"backoffFunction":"geometric"}}""")));
    }

    [Fact]
    public void NoRetries_IsOneImmediateAttempt()
    {
        var schedule = Parse("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":0}}""");
        Assert.Equal(1, schedule.TotalAttempts);
        Assert.Equal([0L], Millis(schedule));
        Assert.Equal(TimeSpan.Zero, schedule.TotalRetryTime);
    }

    [Fact]
    public void EqualDelays_AreFlatWhateverTheFunction()
    {
        foreach (var function in new[] { "linear", "arithmetic", "geometric", "exponential" })
        {
            Assert.Equal([0L, 7000, 7000, 7000], Millis(Parse($$$"""{"healthyRetryPolicy":{"minDelayTarget":7,"maxDelayTarget":7,"numRetries":3,"backoffFunction":"{{{function}}}"}}""")));
        }
    }

    [Fact]
    public void TryGetDelayBefore_FalseOutsideTheAttempts()
    {
        var schedule = RetrySchedule.Default;
        Assert.True(schedule.TryGetDelayBefore(1, out var first));
        Assert.Equal(TimeSpan.Zero, first);
        Assert.True(schedule.TryGetDelayBefore(4, out var last));
        Assert.Equal(TimeSpan.FromSeconds(20), last);
        Assert.False(schedule.TryGetDelayBefore(5, out _));
        Assert.False(schedule.TryGetDelayBefore(0, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.DelayBefore(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.DelayBefore(0));
    }

    [Fact]
    public void MaxReceivesPerSecond_IsExposed()
    {
        Assert.True(SnsDeliveryPolicy.TryParseSubscription("""{"throttlePolicy":{"maxReceivesPerSecond":10}}""", out var policy, out _));
        var effective = SnsDeliveryPolicy.Resolve(null, policy);
        Assert.Equal(10, effective.MaxReceivesPerSecond);
        Assert.Same(RetrySchedule.Default, effective.Schedule);
        Assert.Null(SnsEffectiveDeliveryPolicy.Default.MaxReceivesPerSecond);
    }
}

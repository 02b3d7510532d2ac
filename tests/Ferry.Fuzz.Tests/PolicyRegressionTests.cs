using Ferry.Aws.Sns.Delivery;
using Ferry.Engine.Queues;
using Ferry.Engine.Topics.Filtering;

namespace Ferry.Fuzz.Tests;

/// <summary>Inputs the policy fuzzers found, each with the answer Ferry must give now.</summary>
public sealed class PolicyRegressionTests
{
    [Theory]
    [InlineData("""{"\uD800":["a"]}""")]
    [InlineData("""{"s":[{"prefix":"ba\uDC00s"}]}""")]
    public void FilterPolicy_EscapingALoneSurrogate_IsRefusedAsJsonThatDoesNotParse(string policy)
    {
        // Raw strings keep the escapes as text: \uD800 is valid JSON syntax that no string can hold.
        var error = Assert.Throws<FilterPolicyException>(() => FilterPolicy.Parse(policy, FilterPolicyScope.MessageAttributes));
        Assert.Equal("failed to parse JSON.", error.Message);
    }

    [Fact]
    public void FilterPolicy_BodyOrStringArrayEscapingALoneSurrogate_MatchesNothing()
    {
        var body = FilterPolicy.Parse("""{"a":[{"exists":true}]}""", FilterPolicyScope.MessageBody);
        Assert.False(body.Matches(new FilterMessage(null, """{"a":"\uD800"}""")));
        var attributes = FilterPolicy.Parse("""{"l":["x"]}""", FilterPolicyScope.MessageAttributes);
        Assert.False(attributes.Matches(new FilterMessage([new MessageAttribute("l", "String.Array", """["x","\uD800"]""", null)], "")));
    }

    [Fact]
    public void DeliveryPolicy_PhaseCountsWhoseSumOverflows_AreRefused()
    {
        const string policy = """
            {"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,"numNoDelayRetries":3,
             "numMinDelayRetries":9223372036854775807,"numMaxDelayRetries":35}}
            """;
        Assert.False(SnsDeliveryPolicy.TryParseSubscription(policy, out _, out var error));
        Assert.Equal(SnsDeliveryPolicyErrors.PhasesExceedRetries("healthyRetryPolicy"), error);
    }

    [Fact]
    public void DeliveryPolicy_NameEscapingALoneSurrogate_IsNotJson()
    {
        Assert.False(SnsDeliveryPolicy.TryParseTopic("""{"healthyRetryPolic\uD800y":{}}""", out _, out var error));
        Assert.Equal(SnsDeliveryPolicyErrors.NotJson, error);
    }

    [Fact]
    public void FilterPolicy_BodyNestedDeeplyUnderLongNames_IsNotFlattenedIntoHundredsOfMegabytes()
    {
        // 1,000 objects deep under 250-character names: 256 KB that flattened to 125 million characters of paths.
        var name = new string('a', 250);
        var body = string.Concat(Enumerable.Repeat("{\"" + name + "\":", 1000)) + "1" + new string('}', 1000);
        var policy = FilterPolicy.Parse("{\"" + name + "\":[1]}", FilterPolicyScope.MessageBody);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.False(policy.Matches(new FilterMessage(null, body)));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 40L * body.Length);
    }

    [Fact]
    public void FilterPolicy_BodyNestedModerately_StillMatchesItsDeepestKey()
    {
        var body = string.Concat(Enumerable.Repeat("{\"level\":", 100)) + "7" + new string('}', 100);
        var key = string.Join('.', Enumerable.Repeat("level", 100));
        Assert.True(FilterPolicy.Parse("{\"" + key + "\":[7]}", FilterPolicyScope.MessageBody).Matches(new FilterMessage(null, body)));
    }
}

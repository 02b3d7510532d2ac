using System.Text;
using Ferry.Engine.Queues;
using Ferry.Engine.Topics.Filtering;

namespace Ferry.Engine.Tests;

public class FilterPolicyTests
{
    [Theory]
    [MemberData(nameof(FilterPolicyCases.AttributeMatches), MemberType = typeof(FilterPolicyCases))]
    public void Matches_MessageAttributes_AsSnsDoes(string policy, string[] attributes, bool expected)
    {
        var compiled = FilterPolicy.Parse(policy, FilterPolicyScope.MessageAttributes);
        Assert.Equal(expected, compiled.Matches(new FilterMessage(Attributes(attributes), "body")));
    }

    [Theory]
    [MemberData(nameof(FilterPolicyCases.BodyMatches), MemberType = typeof(FilterPolicyCases))]
    public void Matches_MessageBody_AsSnsDoes(string policy, string body, bool expected)
    {
        var compiled = FilterPolicy.Parse(policy, FilterPolicyScope.MessageBody);
        Assert.Equal(expected, compiled.Matches(new FilterMessage(null, body)));
    }

    [Theory]
    [MemberData(nameof(FilterPolicyCases.Refusals), MemberType = typeof(FilterPolicyCases))]
    public void Parse_InvalidPolicy_RefusesInSnsWords(FilterPolicyScope scope, string policy, string message)
    {
        var e = Assert.Throws<FilterPolicyException>(() => FilterPolicy.Parse(policy, scope));
        Assert.Equal(message, e.Message);
        Assert.True(e.NamesFilterPolicy);
        Assert.Equal("FilterPolicy: " + message, e.InvalidParameterMessage);
    }

    [Fact]
    public void Parse_NestedPolicyInAttributeScope_IsRefusedWithoutNamingTheParameter()
    {
        var e = Assert.Throws<FilterPolicyException>(() =>
            FilterPolicy.Parse("""{"object":{"key":[{"prefix":"auto-"}]}}""", FilterPolicyScope.MessageAttributes));
        Assert.Equal("Filter policy scope MessageAttributes does not support nested filter policy", e.Message);
        Assert.False(e.NamesFilterPolicy);
        Assert.Equal(e.Message, e.InvalidParameterMessage);

        var inOr = Assert.Throws<FilterPolicyException>(() =>
            FilterPolicy.Parse("""{"$or":[{"a":{"b":["x"]}},{"c":["y"]}]}""", FilterPolicyScope.MessageAttributes));
        Assert.False(inOr.NamesFilterPolicy);

        Assert.Equal(FilterPolicyScope.MessageBody, FilterPolicy.Parse("""{"object":{"key":["x"]}}""", FilterPolicyScope.MessageBody).Scope);
    }

    [Theory]
    [InlineData(FilterPolicyCases.OrAtLimit)]
    [InlineData("""{"key_a":["1"],"key_b":["1"],"key_c":["1"],"key_d":["1"],"key_e":["1"]}""")]
    [InlineData("""{"a":[1],"$or":[{"b":[1],"c":[1]},{"d":[1],"e":[1]}]}""")]
    public void Parse_PolicyAtTheLimits_IsAccepted(string policy)
    {
        Assert.Equal(FilterPolicyScope.MessageAttributes, FilterPolicy.Parse(policy, FilterPolicyScope.MessageAttributes).Scope);
    }

    [Fact]
    public void Parse_ValuesAtTheLimits_AreAccepted()
    {
        FilterPolicy.Parse(FilterPolicyCases.ValuesPolicy(("key", 150)), FilterPolicyScope.MessageAttributes);
        FilterPolicy.Parse(FilterPolicyCases.ValuesPolicy(("a", 10), ("b", 15)), FilterPolicyScope.MessageAttributes);
        FilterPolicy.Parse("""{"n":[1000000000,-1000000000,{"numeric":[">=",-1e9,"<=",1e9]}]}""", FilterPolicyScope.MessageAttributes);
        FilterPolicy.Parse("""{"ip":[{"cidr":"10.0.0.0/31"},{"cidr":"::/127"},{"cidr":"10.0.0.0/+8"},{"cidr":"10.0.0.0/8/"}]}""", FilterPolicyScope.MessageAttributes);
        var nested = new StringBuilder();
        for (int i = 0; i < 60; i++)
        {
            nested.Append("{\"k\":");
        }

        nested.Append("[\"x\"]").Append('}', 60);
        FilterPolicy.Parse(nested.ToString(), FilterPolicyScope.MessageBody);
    }

    [Fact]
    public void Matches_OrPolicy_ExpandsEveryBranch()
    {
        var policy = FilterPolicy.Parse(FilterPolicyCases.OrAtLimit, FilterPolicyScope.MessageAttributes);
        Assert.True(policy.Matches(new FilterMessage(Attributes(["source|String|aws.test", "metricType|String|TestType3", "spaceId|Number|7"]), "")));
        Assert.False(policy.Matches(new FilterMessage(Attributes(["source|String|aws.test", "metricType|String|TestType3", "spaceId|Number|8"]), "")));
    }

    [Fact]
    public void FilterMessage_ParsesTheBodyOnceForManyPolicies()
    {
        var message = new FilterMessage(null, """{"a":"x","b":{"c":[1,2]}}""");
        var first = FilterPolicy.Parse("""{"a":["x"]}""", FilterPolicyScope.MessageBody);
        var second = FilterPolicy.Parse("""{"b":{"c":[2]}}""", FilterPolicyScope.MessageBody);
        Assert.True(first.Matches(message));
        Assert.True(second.Matches(new FilterMessage(null, """{"b":{"c":[2]}}"""))); // compiled before measuring
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(second.Matches(message));
        Assert.True(first.Matches(message));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Matches_StringAndNumberAttributes_DoesNotAllocate()
    {
        var policy = FilterPolicy.Parse("""
            {"store":["shop",{"prefix":"fa"}],"price":[{"numeric":[">",0,"<=",100]}],"kind":[{"anything-but":["x","y"]}],
             "ip":[{"cidr":"10.0.0.0/8"},"::1"],"name":[{"equals-ignore-case":"BOB"},{"suffix":"z"}]}
            """, FilterPolicyScope.MessageAttributes);
        var orPolicy = FilterPolicy.Parse("""
            {"$or":[{"missing":["a"]},{"count":[7,{"anything-but":[1,2,3]}],"gone":[{"exists":false}]}]}
            """, FilterPolicyScope.MessageAttributes);
        var message = new FilterMessage(
        [
            new MessageAttribute("store", "String", "fans", null),
            new MessageAttribute("price", "Number", "99.5", null),
            new MessageAttribute("kind", "String", "z", null),
            new MessageAttribute("ip", "String", "10.1.2.3", null),
            new MessageAttribute("name", "String.custom", "bob", null),
            new MessageAttribute("count", "Number", "7e0", null),
        ], "body");

        bool all = true;
        for (int i = 0; i < 100; i++)
        {
            all &= policy.Matches(message) && orPolicy.Matches(message);
        }

        // The runtime may allocate on this thread while it recompiles hot methods (tiering); a matcher that allocates
        // does so in every round, so the quietest of a few rounds must allocate nothing.
        long allocated = long.MaxValue;
        for (int round = 0; round < 5 && allocated != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++)
            {
                all &= policy.Matches(message) && orPolicy.Matches(message);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(all);
        Assert.Equal(0, allocated);
    }

    /// <summary>Attributes from <c>name|DataType|value</c>; a Binary value is base64.</summary>
    private static MessageAttribute[] Attributes(string[] specs) =>
    [
        .. specs.Select(spec =>
        {
            var parts = spec.Split('|', 3);
            return parts[1].StartsWith("Binary", StringComparison.Ordinal)
                ? new MessageAttribute(parts[0], parts[1], null, Convert.FromBase64String(parts[2]))
                : new MessageAttribute(parts[0], parts[1], parts[2], null);
        }),
    ];
}

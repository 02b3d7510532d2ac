using System.Text.Json;
using Ferry.Aws.Sqs;

namespace Ferry.Aws.Tests;

public class QueuePolicyLimitsTests
{
    private const string Arn = "arn:aws:sqs:us-east-1:000000000000:q";

    private static string Statement(string sid, object? action = null, object? principal = null, object? condition = null)
    {
        var statement = new Dictionary<string, object?>
        {
            ["Sid"] = sid,
            ["Effect"] = "Allow",
            ["Principal"] = principal ?? "*",
            ["Action"] = action ?? "sqs:SendMessage",
            ["Resource"] = Arn,
        };
        if (condition is not null)
        {
            statement["Condition"] = condition;
        }

        return JsonSerializer.Serialize(statement);
    }

    private static string Policy(params string[] statements) =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[" + string.Join(",", statements) + "]}";

    private static SqsException Refused(string policy)
    {
        var e = Assert.Throws<SqsException>(() => QueuePolicyLimits.Check(policy));
        Assert.Equal("OverLimit", e.Error.QueryCode);
        Assert.Equal(403, e.Error.HttpStatus);
        return e;
    }

    [Fact]
    public void AtEveryQuota_IsAccepted()
    {
        // 20 statements, one with 7 actions, 50 principals and 10 condition keys in all.
        var statements = new List<string>
        {
            Statement("s0", action: Enumerable.Range(0, 7).Select(i => $"sqs:A{i}").ToArray(),
                principal: new { AWS = Enumerable.Range(0, 31).Select(i => $"1111222233{i:D2}").ToArray() },
                condition: new Dictionary<string, object>
                {
                    ["StringEquals"] = Enumerable.Range(0, 6).ToDictionary(i => $"aws:k{i}", i => (object)"v"),
                    ["ArnLike"] = Enumerable.Range(0, 4).ToDictionary(i => $"aws:SourceArn{i}", i => (object)"arn:*"),
                }),
        };
        statements.AddRange(Enumerable.Range(1, 19).Select(i => Statement($"s{i}")));
        string policy = Policy([.. statements]);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(policy) <= QueuePolicyLimits.MaxBytes);
        QueuePolicyLimits.Check(policy);
    }

    [Fact]
    public void OverEightKiB_IsOverLimit()
    {
        string padding = new('x', QueuePolicyLimits.MaxBytes);
        var e = Refused("{\"Id\":\"" + padding + "\",\"Statement\":[]}");
        Assert.Equal("Submitted policy is over max allowed size.", e.Message);
    }

    [Fact]
    public void Size_CountsUtf8Bytes()
    {
        // 3,000 characters of three bytes each: under 8,192 characters, over 8,192 bytes.
        var e = Refused("{\"Id\":\"" + new string('€', 3000) + "\"}");
        Assert.Equal("Submitted policy is over max allowed size.", e.Message);
    }

    [Fact]
    public void TwentyOneStatements_IsOverLimit()
    {
        var e = Refused(Policy([.. Enumerable.Range(0, 21).Select(i => Statement($"s{i}"))]));
        Assert.Equal("21 statements were found in the submitted policy, max allowed is 20", e.Message);
    }

    [Fact]
    public void EightActionsInAStatement_IsOverLimit()
    {
        var e = Refused(Policy(Statement("a", action: Enumerable.Range(0, 10).Select(i => $"sqs:A{i}").ToArray())));
        Assert.Equal("10 actions were found in a statement from the submitted policy, max allowed is 7", e.Message);
    }

    [Fact]
    public void FiftyOnePrincipals_AcrossStatements_IsOverLimit()
    {
        var e = Refused(Policy(
            Statement("a", principal: new { AWS = Enumerable.Range(0, 30).Select(i => $"1111222233{i:D2}").ToArray() }),
            Statement("b", principal: new { AWS = Enumerable.Range(0, 20).Select(i => $"1111222244{i:D2}").ToArray(), Service = "sns.amazonaws.com" })));
        Assert.Equal("51 principals were found in the submitted policy, max allowed is 50", e.Message);
    }

    [Fact]
    public void ElevenConditions_IsOverLimit()
    {
        var e = Refused(Policy(
            Statement("a", condition: new { StringEquals = Enumerable.Range(0, 6).ToDictionary(i => $"aws:k{i}", i => "v") }),
            Statement("b", condition: new { ArnLike = Enumerable.Range(0, 5).ToDictionary(i => $"aws:s{i}", i => "arn:*") })));
        Assert.Equal("11 conditions were found in the submitted policy, max allowed is 10", e.Message);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sqs:*\"}}")]
    [InlineData("{\"Statement\":[1,\"x\",null]}")]
    [InlineData("{\"Statement\":[{\"Action\":{\"odd\":1},\"Principal\":[\"a\",\"b\"],\"Condition\":\"x\"}]}")]
    public void OddButSmallPolicies_AreNotRefusedForLimits(string policy) => QueuePolicyLimits.Check(policy);
}

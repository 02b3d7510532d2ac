using System.Text.Json;
using Ferry.Aws.Sns;

namespace Ferry.Aws.Tests.Sns;

public class TopicPolicyTests
{
    private static string Policy(params object[] actions) => JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Statement = actions.Select((a, i) => new { Sid = $"s{i}", Effect = "Allow", Principal = new { AWS = "*" }, Action = a, Resource = "arn:aws:sns:us-east-1:000000000000:t" }),
    });

    private static string Refused(string policy)
    {
        var e = Assert.Throws<SnsException>(() => TopicPolicy.Check(policy));
        Assert.Equal("InvalidParameter", e.Code);
        return e.Message;
    }

    [Theory]
    [InlineData("*")]
    [InlineData("sns:*")]
    [InlineData("SNS:Publish")]
    [InlineData("sns:publish")]
    [InlineData("sns:Get*")]
    [InlineData("sns:ListSubscriptionsByTopic")]
    [InlineData("SNS:Receive")]
    public void TopicActionsAndWildcards_AreInScope(string action) => TopicPolicy.Check(Policy(action, new[] { "sns:Subscribe", action }));

    [Theory]
    [InlineData("sqs:SendMessage")]
    [InlineData("sns:CreateTopic")]
    [InlineData("sns:SetSubscriptionAttributes")]
    [InlineData("Publish")]
    [InlineData("")]
    public void OtherActions_AreOutOfScope(string action) =>
        Assert.Equal("Invalid parameter: Policy statement action out of service scope!", Refused(Policy("sns:Publish", new[] { "sns:Subscribe", action })));

    [Fact]
    public void NotAction_IsCheckedToo() =>
        Assert.Equal("Invalid parameter: Policy statement action out of service scope!",
            Refused("{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"NotAction\":[\"sqs:*\"]}}"));

    [Fact]
    public void Quotas_AreEnforcedAtTheirEdges()
    {
        TopicPolicy.Check(Policy([.. Enumerable.Repeat<object>("sns:Publish", TopicPolicy.MaxStatements)]));
        Assert.Contains("101 statements", Refused(Policy([.. Enumerable.Repeat<object>("sns:Publish", TopicPolicy.MaxStatements + 1)])), StringComparison.Ordinal);

        string Padded(int bytes)
        {
            string head = "{\"Id\":\"";
            return head + new string('x', bytes - head.Length - 2) + "\"}";
        }

        TopicPolicy.Check(Padded(TopicPolicy.MaxBytes));
        Assert.Contains("30721 bytes", Refused(Padded(TopicPolicy.MaxBytes + 1)), StringComparison.Ordinal);

        string Principals(int n) => JsonSerializer.Serialize(new
        {
            Statement = new[] { new { Effect = "Allow", Principal = new { AWS = Enumerable.Range(0, n).Select(i => $"arn:aws:iam::{i:D12}:root").ToArray() }, Action = "sns:Publish" } },
        });
        TopicPolicy.Check(Principals(TopicPolicy.MaxPrincipals));
        Assert.Contains("201 principals", Refused(Principals(TopicPolicy.MaxPrincipals + 1)), StringComparison.Ordinal);
    }
}

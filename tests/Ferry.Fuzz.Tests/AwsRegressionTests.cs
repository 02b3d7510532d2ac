using System.Diagnostics;
using System.Text;
using System.Xml.Linq;
using Ferry.Fuzz.Tests.Http;
using Ferry.Fuzz.Tests.Seeds;

namespace Ferry.Fuzz.Tests;

/// <summary>Inputs the AWS fuzzers found, each with the answer Ferry must give now.</summary>
public sealed class AwsRegressionTests
{
    private static string Message(FuzzResponse response) =>
        XElement.Parse(response.Text).Descendants().First(e => e.Name.LocalName == "Message").Value;

    private static string Code(FuzzResponse response) =>
        XElement.Parse(response.Text).Descendants().First(e => e.Name.LocalName == "Code").Value;

    [Fact]
    public async Task SqsQuery_ControlCharacterEchoedInAnError_IsReplacedSoTheXmlParses()
    {
        var response = await HttpFuzz.SendAsync(AwsSeeds.Query("sqs",
            "Action=ListMessageMoveTasks&Version=2012-11-05&SourceArn=arn%3Aaws%1E-400Asqs%3Aus-east-1%3A000000000000%3Afuzz-dlq"));
        Assert.Equal(400, response.Status);
        Assert.StartsWith("Value arn:aws\uFFFD-400Asqs:us-east-1:000000000000:fuzz-dlq for parameter SourceArn is invalid.", Message(response));
    }

    [Fact]
    public async Task SnsQuery_ControlCharacterInAStoredEndpoint_IsReplacedWhenListed()
    {
        await using var host = await AwsHost.StartAsync(AwsSeeds.Setup);
        var subscribe = await host.SendAsync(FuzzRequest.Parse(AwsSeeds.Query("sns", "Action=Subscribe&Version=2010-03-31&TopicArn="
            + Uri.EscapeDataString(AwsSeeds.TopicArn) + "&Protocol=http&Endpoint=http%3A%2F%2F127.0.0.1%3A9%2Fa%10b")));
        Assert.Equal(200, subscribe.Status);
        var list = await host.SendAsync(FuzzRequest.Parse(AwsSeeds.Query("sns", "Action=ListSubscriptionsByTopic&Version=2010-03-31&TopicArn="
            + Uri.EscapeDataString(AwsSeeds.TopicArn))));
        Assert.Equal(200, list.Status);
        Assert.Contains(XElement.Parse(list.Text).Descendants(), e => e.Name.LocalName == "Endpoint" && e.Value == "http://127.0.0.1:9/a\uFFFDb");
    }

    [Fact]
    public async Task SqsQuery_DeleteMessage_WithAHandleOfCharactersOutsideBase64Url_IsReceiptHandleIsInvalid()
    {
        // 32 characters, like Ferry's handles, with ':' in them: the decoder threw and the answer was InternalError.
        var response = await HttpFuzz.SendAsync(AwsSeeds.Query("sqs", "Action=DeleteMessage&Version=2012-11-05&QueueUrl="
            + Uri.EscapeDataString(AwsSeeds.QueueUrl) + "&ReceiptHandle=Aus-east-1%3A000000000000%3Afuzz-dlq"));
        Assert.Equal(400, response.Status);
        Assert.Equal("ReceiptHandleIsInvalid", XElement.Parse(response.Text).Descendants().First(e => e.Name.LocalName == "Code").Value);
    }

    [Fact]
    public async Task SqsQuery_AddPermission_RefusesWhatAStatementCannotHold_SoThePolicyStaysSmall()
    {
        // An ActionName of 370,000 characters was stored in the queue's policy; from then on every change to the queue
        // rewrote it (an UntagQueue allocated 9 MB). SQS grants only its own actions, seven at most, to account ids.
        await using var host = await AwsHost.StartAsync(AwsSeeds.Setup);
        async Task<FuzzResponse> Add(string parameters) => await host.SendAsync(FuzzRequest.Parse(AwsSeeds.Query("sqs",
            "Action=AddPermission&Version=2012-11-05&QueueUrl=" + Uri.EscapeDataString(AwsSeeds.QueueUrl) + "&Label=l" + parameters)));

        var huge = await Add("&AWSAccountId.1=111122223333&ActionName.1=SendM" + Uri.EscapeDataString(string.Concat(Enumerable.Repeat("{\"a\":", 20_000))));
        Assert.Equal(400, huge.Status);
        Assert.Equal("InvalidParameterValue", Code(huge));
        Assert.StartsWith("Value SQS:SendM{\"a\":", Message(huge), StringComparison.Ordinal);

        var eight = await Add("&AWSAccountId.1=111122223333" + string.Concat(Enumerable.Range(1, 8).Select(i => $"&ActionName.{i}=SendMessage")));
        Assert.Equal("OverLimit", Code(eight));
        Assert.Equal("8 Actions were found, maximum allowed is 7.", Message(eight));

        var principal = await Add("&AWSAccountId.1=not-an-account&ActionName.1=SendMessage");
        Assert.Equal("InvalidParameterValue", Code(principal));
        Assert.Equal("Value not-an-account for parameter PrincipalId is invalid. Reason: Unable to verify.", Message(principal));

        var attributes = await host.SendAsync(FuzzRequest.Parse(AwsSeeds.Query("sqs", "Action=GetQueueAttributes&Version=2012-11-05&QueueUrl="
            + Uri.EscapeDataString(AwsSeeds.QueueUrl) + "&AttributeName.1=Policy")));
        Assert.DoesNotContain("Policy", attributes.Text, StringComparison.Ordinal);

        var granted = await Add("&AWSAccountId.1=111122223333&ActionName.1=SendMessage&ActionName.2=*");
        Assert.Equal(200, granted.Status);
    }

    [Fact]
    public async Task SnsQuery_TopicPolicyEscapingALoneSurrogate_IsRefused_SoAddPermissionCanRewriteThePolicy()
    {
        await using var host = await AwsHost.StartAsync(AwsSeeds.Setup);
        var topic = "&TopicArn=" + Uri.EscapeDataString(AwsSeeds.TopicArn);
        var set = await host.SendAsync(FuzzRequest.Parse(AwsSeeds.Query("sns", "Action=SetTopicAttributes&Version=2010-03-31" + topic
            + "&AttributeName=Policy&AttributeValue=" + Uri.EscapeDataString("{\"Statement\":[{\"Sid\":\"\\uD800\"}]}"))));
        Assert.Equal(400, set.Status);
        Assert.Equal("Invalid parameter: Policy: failed to parse JSON", Message(set));
        var add = await host.SendAsync(FuzzRequest.Parse(AwsSeeds.Query("sns", "Action=AddPermission&Version=2010-03-31" + topic
            + "&Label=l&AWSAccountId.member.1=111122223333&ActionName.member.1=Publish")));
        Assert.Equal(200, add.Status);
    }

    [Fact]
    public async Task SnsQuery_TopicPolicyRepeatingAName_IsRefused_SoAddPermissionCanRewriteThePolicy()
    {
        await using var host = await AwsHost.StartAsync(AwsSeeds.Setup);
        var topic = "&TopicArn=" + Uri.EscapeDataString(AwsSeeds.TopicArn);
        var set = await host.SendAsync(FuzzRequest.Parse(AwsSeeds.Query("sns", "Action=SetTopicAttributes&Version=2010-03-31" + topic
            + "&AttributeName=Policy&AttributeValue=" + Uri.EscapeDataString("{\"Version\":\"2012-10-17\",\"Version\":\"2008-10-17\"}"))));
        Assert.Equal(400, set.Status);
        Assert.Equal("Invalid parameter: Policy: failed to parse JSON", Message(set));
        var add = await host.SendAsync(FuzzRequest.Parse(AwsSeeds.Query("sns", "Action=AddPermission&Version=2010-03-31" + topic
            + "&Label=l&AWSAccountId.member.1=111122223333&ActionName.member.1=Publish")));
        Assert.Equal(200, add.Status);
    }

    [Theory]
    [InlineData("sqs", "Action=SendMessage&Version=2012-11-05&MessageBody=x&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Ffuzz", "MessageAttribute.{0}.Name=a{0}")]
    [InlineData("sns", "Action=Publish&Version=2010-03-31&Message=x&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Afuzz", "MessageAttributes.entry.{0}.Name=a{0}")]
    public async Task Query_HundredThousandMessageAttributes_AreBoundInLinearTimeAndRefused(string service, string action, string member)
    {
        // Binding scanned every key once per attribute (and again per list inside it): minutes of CPU for 3 MB.
        var body = new StringBuilder(action);
        for (var i = 1; i <= 100_000; i++)
        {
            body.Append('&').AppendFormat(System.Globalization.CultureInfo.InvariantCulture, member, i);
        }

        var clock = Stopwatch.StartNew();
        var response = await HttpFuzz.SendAsync(AwsSeeds.Query(service, body.ToString()));
        Assert.Equal(400, response.Status);
        Assert.Equal("Number of message attributes [100000] exceeds the allowed maximum [10].", Message(response));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("ListShards", "{{\"NextToken\":\"{0}\"}}", "fuzz\nnot-a-number\n\n\n")]
    [InlineData("ListShards", "{{\"NextToken\":\"{0}\"}}", "fuzz\n99999999999\n\n\n")]
    [InlineData("ListShards", "{{\"NextToken\":\"{0}\"}}", "fuzz\n0\nAT_TIMESTAMP\n\nsoon")]
    [InlineData("ListStreamConsumers", "{{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/fuzz\",\"NextToken\":\"{0}\"}}", "-1")]
    public async Task Kinesis_NextTokenWrittenByTheClient_IsInvalidArgument(string action, string body, string parts)
    {
        // A NextToken is base64 of its parts and the time it was issued: anyone can write one that has not expired.
        await using var host = await AwsHost.StartAsync(AwsSeeds.Setup);
        var issued = host.Clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(parts + "\n" + issued));
        var request = FuzzRequest.Parse(AwsSeeds.Json("Kinesis_20131202." + action, "application/x-amz-json-1.1", "kinesis",
            string.Format(System.Globalization.CultureInfo.InvariantCulture, body, token)));
        var response = await host.SendAsync(request);
        ResponseOracle.Check(request, response, host.Errors.Drain());
        Assert.Equal(400, response.Status);
        Assert.Equal("InvalidArgumentException", response.Headers["x-amzn-ErrorType"].ToString());
    }
}

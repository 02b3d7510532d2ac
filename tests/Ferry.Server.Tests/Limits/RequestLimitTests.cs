using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Aws;
using Xunit.Abstractions;

namespace Ferry.Server.Tests.Limits;

/// <summary>Hostile request bodies against the running server: too large, too deep, too many members.</summary>
[Collection(LimitsCollection.Name)]
public sealed class RequestLimitTests(LimitsServer server, ITestOutputHelper output)
{
    private const string SqsJson = "application/x-amz-json-1.0";
    private const string KinesisJson = "application/x-amz-json-1.1";
    private const string Form = "application/x-www-form-urlencoded";

    [Fact]
    public async Task ChunkedBodyOverTheLimit_Is413WithoutAServerError()
    {
        // No Content-Length to refuse up front: Kestrel counts the chunks as Ferry reads them.
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, server.Address.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + Form
            + "\r\nTransfer-Encoding: chunked\r\n\r\n"));
        var chunk = new byte[1 << 20];
        Array.Fill(chunk, (byte)'a');
        var head = Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n");
        try
        {
            for (long sent = 0; sent <= AwsLimits.MaxRequestBodyBytes; sent += chunk.Length)
            {
                await stream.WriteAsync(head);
                await stream.WriteAsync(chunk);
                await stream.WriteAsync("\r\n"u8.ToArray());
            }
        }
        catch (IOException)
        {
            // The server may answer and close before the last chunk.
        }

        var answer = new byte[256];
        var read = await stream.ReadAsync(answer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("HTTP/1.1 413 ", Encoding.ASCII.GetString(answer, 0, read), StringComparison.Ordinal);
        await server.AssertHealthyAsync();
    }

    public static TheoryData<string, string, string, string> DeepDocuments => new()
    {
        // Far deeper than any parser's limit, within the 8 MiB body limit.
        { "AmazonSQS.SendMessage", SqsJson, new string('[', 1_000_000), "SerializationException" },
        { "AmazonSQS.SendMessage", SqsJson, "{\"QueueUrl\":" + string.Concat(Enumerable.Repeat("{\"a\":", 500_000)), "SerializationException" },
        { "Kinesis_20131202.PutRecords", KinesisJson, "{\"Records\":" + new string('[', 1_000_000), "SerializationException" },
        { "Kinesis_20131202.CreateStream", KinesisJson, string.Concat(Enumerable.Repeat("{\"a\":", 500_000)), "SerializationException" },
    };

    [Theory]
    [MemberData(nameof(DeepDocuments))]
    public async Task DeeplyNestedJson_IsRefusedWithTheProtocolsError(string target, string contentType, string body, string error)
    {
        var (status, text) = await server.PostAsync(target, contentType, body);
        Assert.Equal(400, status);
        Assert.Contains(error, text, StringComparison.Ordinal);
        await server.AssertHealthyAsync();
    }

    [Fact]
    public async Task DeeplyNestedCbor_IsRefusedAsSerializationException()
    {
        // A CBOR array of one array of one array ... a million deep (0x81), as the SDK for Java's encoding.
        var body = new byte[1_000_001];
        Array.Fill(body, (byte)0x81);
        body[^1] = 0x01;
        var (status, text) = await server.PostAsync("Kinesis_20131202.PutRecords", "application/x-amz-cbor-1.1", body);
        Assert.Equal(400, status);
        Assert.Contains("SerializationException", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeeplyNestedFilterPolicy_IsRefusedAsInvalidParameter()
    {
        var policy = string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "[1]" + new string('}', 100_000);
        var topic = await CreateTopicAsync("deep");
        var (status, text) = await server.PostAsync(null, Form, "Action=Subscribe&Version=2010-03-31&TopicArn=" + Uri.EscapeDataString(topic)
            + "&Protocol=sqs&Endpoint=" + Uri.EscapeDataString("arn:aws:sqs:us-east-1:000000000000:deep")
            + "&Attributes.entry.1.key=FilterPolicy&Attributes.entry.1.value=" + Uri.EscapeDataString(policy));
        Assert.Equal(400, status);
        Assert.Contains("InvalidParameter", text, StringComparison.Ordinal);
    }

    /// <summary>100,000 message attributes: SQS and SNS take 10 a message. Refused quickly, with little memory.</summary>
    [Theory]
    [InlineData("sqs-query")]
    [InlineData("sqs-json")]
    [InlineData("sns-query")]
    public async Task HundredThousandMessageAttributes_AreRefusedQuickly(string face)
    {
        const int count = 100_000;
        var queueUrl = await CreateQueueAsync("attributes");
        var topic = await CreateTopicAsync("attributes");
        var body = new StringBuilder();
        string? target = null;
        var contentType = Form;
        switch (face)
        {
            case "sqs-query":
                body.Append("Action=SendMessage&Version=2012-11-05&MessageBody=x&QueueUrl=").Append(Uri.EscapeDataString(queueUrl));
                // Names alone: whole attributes would not fit in the body limit, and every name is one attribute to bind.
                for (var i = 1; i <= count; i++)
                {
                    body.Append(CultureInfo.InvariantCulture, $"&MessageAttribute.{i}.Name=a{i}");
                }

                break;
            case "sqs-json":
                (target, contentType) = ("AmazonSQS.SendMessage", SqsJson);
                body.Append("{\"QueueUrl\":\"").Append(queueUrl).Append("\",\"MessageBody\":\"x\",\"MessageAttributes\":{");
                for (var i = 1; i <= count; i++)
                {
                    body.Append(CultureInfo.InvariantCulture, $"{(i > 1 ? "," : "")}\"a{i}\":{{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
                }

                body.Append("}}");
                break;
            default:
                body.Append("Action=Publish&Version=2010-03-31&Message=x&TopicArn=").Append(Uri.EscapeDataString(topic));
                for (var i = 1; i <= count; i++)
                {
                    body.Append(CultureInfo.InvariantCulture, $"&MessageAttributes.entry.{i}.Name=a{i}");
                }

                break;
        }

        var bytes = Encoding.UTF8.GetBytes(body.ToString());
        Assert.True(bytes.Length <= AwsLimits.MaxRequestBodyBytes, $"{bytes.Length} bytes");
        var before = await server.ResidentBytesAsync();
        var clock = Stopwatch.StartNew();
        var (status, text) = await server.PostAsync(target, contentType, bytes);
        var elapsed = clock.Elapsed;
        var after = await server.ResidentBytesAsync();
        output.WriteLine($"{face}: {bytes.Length:N0} bytes refused in {elapsed.TotalMilliseconds:F0} ms, RSS {before / 1048576.0:F1} -> {after / 1048576.0:F1} MiB");
        output.WriteLine(text.Length > 400 ? text[..400] : text);
        Assert.Equal(400, status);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"took {elapsed}");
        Assert.True(after - before < 256L << 20, $"RSS grew by {(after - before) >> 20} MiB");
        await server.AssertHealthyAsync();
    }

    private async Task<string> CreateQueueAsync(string name)
    {
        var (status, text) = await server.PostAsync(null, Form, "Action=CreateQueue&Version=2012-11-05&QueueName=" + name);
        Assert.Equal(200, status);
        return $"{server.Address.GetLeftPart(UriPartial.Authority)}/000000000000/{name}";
    }

    private async Task<string> CreateTopicAsync(string name)
    {
        var (status, _) = await server.PostAsync(null, Form, "Action=CreateTopic&Version=2010-03-31&Name=" + name);
        Assert.Equal(200, status);
        return "arn:aws:sns:us-east-1:000000000000:" + name;
    }
}

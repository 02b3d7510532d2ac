using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ferry.Bench.Aws;
using Ferry.Bench.Sns;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Tests;

/// <summary>
/// The SNS requests the benchmark sends (exact form bodies and signatures) and the responses and envelopes it reads.
/// Expected bodies, canonical requests and signatures are botocore 1.43's (SigV4Auth, service sns, credentials test/test)
/// for the same calls.
/// </summary>
public sealed class SnsProtocolTests
{
    private const string TopicArn = "arn:aws:sns:us-east-1:000000000000:ferry-bench-fanout";
    private const string Host = "127.0.0.1:4566";

    // botocore's body for Publish(TopicArn, Message="0000000000001234abcd", MessageAttributes={kind: String order,
    // amount: Number 42, probe: String 1}).
    private const string PublishBody =
        "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Aferry-bench-fanout"
        + "&Message=0000000000001234abcd"
        + "&MessageAttributes.entry.1.Name=kind&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=order"
        + "&MessageAttributes.entry.2.Name=amount&MessageAttributes.entry.2.Value.DataType=Number&MessageAttributes.entry.2.Value.StringValue=42"
        + "&MessageAttributes.entry.3.Name=probe&MessageAttributes.entry.3.Value.DataType=String&MessageAttributes.entry.3.Value.StringValue=1";

    private static readonly DateTimeOffset s_time = DateTimeOffset.Parse("2026-11-21T15:52:15Z", CultureInfo.InvariantCulture);

    private static string Write(Action<ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void Publish_WithProbe_WritesTheFormBodyBotocoreWrites()
    {
        Assert.Equal(PublishBody, Write(o => SnsRequests.Publish(o, new SnsTopic(TopicArn), 0x1234, 20, 42, probe: true)));
    }

    [Fact]
    public void Publish_WithoutProbe_EndsAfterTheTwoAttributes()
    {
        string body = Write(o => SnsRequests.Publish(o, new SnsTopic(TopicArn), 0x1234, 20, 7, probe: false));
        Assert.EndsWith("&MessageAttributes.entry.2.Value.StringValue=7", body, StringComparison.Ordinal);
        Assert.DoesNotContain("probe", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_CanonicalRequest_IsBotocores()
    {
        var signer = new SigV4Signer(AwsRequestEncoder.AccessKeyId, AwsRequestEncoder.SecretAccessKey, AwsRequestEncoder.Region, "sns");
        var request = new SigV4Request("POST", "/", "", [new("Content-Type", SnsClient.ContentType), new("Host", Host)], Encoding.UTF8.GetBytes(PublishBody));
        signer.Authorization(request, "20261121T155215Z", out string canonicalRequest, out _);

        Assert.Equal(
            "POST\n/\n\n"
            + "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:127.0.0.1:4566\nx-amz-date:20261121T155215Z\n\n"
            + "content-type;host;x-amz-date\n"
            + "33f2b89215818c7fe0821c25491407aed5f498b39ce883e1adb649f7af9e757c",
            canonicalRequest);
    }

    [Fact]
    public void Encoder_SignsPublishAsBotocoreDoes_OverContentTypeHostAndDate()
    {
        var output = new ArrayBufferWriter<byte>();
        SnsClient.Encoder(Host).Write(output, "Publish", Encoding.UTF8.GetBytes(PublishBody), s_time);

        Assert.Equal(
            "POST / HTTP/1.1\r\n"
            + "Host: 127.0.0.1:4566\r\n"
            + "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
            + "X-Amz-Date: 20261121T155215Z\r\n"
            + "Authorization: AWS4-HMAC-SHA256 Credential=test/20261121/us-east-1/sns/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date, "
            + "Signature=9fa2c2153305da9d92cdc6ac00375ba0876f7af5b90c34559399ff8e67f7f3a7\r\n"
            + "Content-Length: 533\r\n"
            + "\r\n"
            + PublishBody,
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void SubscribeAndCreateTopic_EncodeAttributesAsBotocoreDoes()
    {
        Assert.Equal(
            "Action=Subscribe&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At&Protocol=sqs"
            + "&Endpoint=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aq"
            + "&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=false&Attributes.entry.2.key=FilterPolicy"
            + "&Attributes.entry.2.value=%7B%22kind%22%3A%5B%22order%22%5D%2C%22amount%22%3A%5B%7B%22numeric%22%3A%5B%22%3E%22%2C0%5D%7D%5D%7D",
            Write(o => SnsRequests.Subscribe(o, new SnsTopic("arn:aws:sns:us-east-1:000000000000:t"), "sqs", "arn:aws:sqs:us-east-1:000000000000:q",
                [new("RawMessageDelivery", "false"), new("FilterPolicy", """{"kind":["order"],"amount":[{"numeric":[">",0]}]}""")])));
        Assert.Equal("Action=CreateTopic&Version=2010-03-31&Name=ferry-bench-fanout", Write(o => SnsRequests.CreateTopic(o, "ferry-bench-fanout")));
    }

    [Fact]
    public void FormEncoding_KeepsUnreservedCharacters_SpaceAsPlus_RestAsUtf8Percent()
    {
        Assert.Equal("a+b~%2A%C3%A9%2B%26%3D%2F", Write(o => SnsForm.Encode(o, "a b~*é+&=/")));
        string long_ = new('é', 400);
        Assert.Equal(string.Concat(Enumerable.Repeat("%C3%A9", 400)), Write(o => SnsForm.Encode(o, long_)));
    }

    [Fact]
    public void Envelope_StampIsReadFromItsMessage()
    {
        string envelope = Envelope("00000000000000FFabcdef");
        Assert.True(SnsEnvelope.TryReadStamp(Encoding.UTF8.GetBytes(envelope), out long stamp));
        Assert.Equal(255, stamp);
        Assert.False(SnsEnvelope.TryReadStamp(Encoding.UTF8.GetBytes(Envelope("no stamp here")), out _));
        Assert.False(SnsEnvelope.TryReadStamp("00000000000000FF raw, not an envelope"u8, out _));
    }

    [Fact]
    public void ReceivedMessages_WithTheEnvelopeReader_ReadsStampsFromEscapedEnvelopes()
    {
        string response = JsonSerializer.Serialize(new
        {
            Messages = new[]
            {
                new { MessageId = "m1", ReceiptHandle = "rh-1", Body = Envelope("0000000000000010rest") },
                new { MessageId = "m2", ReceiptHandle = "rh-2", Body = Envelope("plain") },
            },
        });
        var received = new ReceivedMessages(SnsEnvelope.TryReadStamp);
        received.Parse(Encoding.UTF8.GetBytes(response));

        Assert.Equal(2, received.Count);
        Assert.Equal(16, received.Stamp(0));
        Assert.Equal(-1, received.Stamp(1));
        Assert.Equal("rh-2", received.ReceiptHandle(1));
    }

    [Fact]
    public void Responses_ReadElementsAndErrors()
    {
        Assert.Equal(TopicArn, SnsResponses.Element(Encoding.UTF8.GetBytes(
            $"""<CreateTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><CreateTopicResult><TopicArn>{TopicArn}</TopicArn></CreateTopicResult></CreateTopicResponse>"""),
            "TopicArn"));
        Assert.Equal(("NotFound", "Topic does not exist"), SnsResponses.Error(
            """<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error></ErrorResponse>"""u8));
        Assert.Equal((string.Empty, "not xml"), SnsResponses.Error("not xml"u8));
    }

    /// <summary>A notification in SNS's layout (spaces around the colons, Message as a JSON string).</summary>
    private static string Envelope(string message) =>
        "{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"5a8c1b9e-0000-4000-8000-000000000000\",\n  \"TopicArn\" : \"" + TopicArn + "\",\n"
        + "  \"Message\" : " + JsonSerializer.Serialize(message) + ",\n  \"Timestamp\" : \"2026-11-21T15:52:15.000Z\",\n"
        + "  \"MessageAttributes\" : {\"kind\":{\"Type\":\"String\",\"Value\":\"order\"}}\n}";
}

using System.Buffers;
using System.Globalization;
using System.Text;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Tests;

/// <summary>The SQS requests the benchmark sends (exact JSON and signed headers) and the responses it parses.</summary>
public sealed class SqsProtocolTests
{
    private static readonly SqsQueue s_queue = new("q", "http://127.0.0.1:4566/000000000000/q");

    private static string Write(Action<ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void SendMessageBatch_WritesEntriesWithIdsAndStampedBodies()
    {
        string json = Write(o => SqsRequests.SendMessageBatch(o, s_queue, 2, 0x1234, 20));
        Assert.Equal(
            "{\"QueueUrl\":\"http://127.0.0.1:4566/000000000000/q\",\"Entries\":["
            + "{\"Id\":\"0\",\"MessageBody\":\"0000000000001234abcd\"},"
            + "{\"Id\":\"1\",\"MessageBody\":\"0000000000001234abcd\"}]}",
            json);
    }

    [Fact]
    public void MessageBody_HasTheRequestedSize_AndItsStampReadsBack()
    {
        string body = Write(o => SqsRequests.MessageBody(o, long.MaxValue, 1024));
        Assert.Equal(1024, body.Length);
        Assert.StartsWith("7FFFFFFFFFFFFFFF", body, StringComparison.Ordinal);
        Assert.True(SqsRequests.TryReadStamp(Encoding.ASCII.GetBytes(body), out long stamp));
        Assert.Equal(long.MaxValue, stamp);
        Assert.False(SqsRequests.TryReadStamp("hello, world: not a stamp"u8, out _));
    }

    [Fact]
    public void ReceiveMessage_WritesLimitsAndOptionalVisibilityTimeout()
    {
        Assert.Equal(
            "{\"QueueUrl\":\"http://127.0.0.1:4566/000000000000/q\",\"MaxNumberOfMessages\":10,\"WaitTimeSeconds\":1}",
            Write(o => SqsRequests.ReceiveMessage(o, s_queue, 10, 1)));
        Assert.Equal(
            "{\"QueueUrl\":\"http://127.0.0.1:4566/000000000000/q\",\"MaxNumberOfMessages\":1,\"WaitTimeSeconds\":20,\"VisibilityTimeout\":0}",
            Write(o => SqsRequests.ReceiveMessage(o, s_queue, 1, 20, visibilityTimeout: 0)));
    }

    [Fact]
    public void DeleteMessageBatch_WritesReceiptHandlesAsReceived_EscapesIncluded()
    {
        var received = new ReceivedMessages();
        received.Parse("""{"Messages":[{"ReceiptHandle":"a+b\/c==","Body":"x"},{"ReceiptHandle":"h2","Body":"y"}]}"""u8);
        Assert.Equal(
            "{\"QueueUrl\":\"http://127.0.0.1:4566/000000000000/q\",\"Entries\":["
            + "{\"Id\":\"0\",\"ReceiptHandle\":\"a+b\\/c==\"},{\"Id\":\"1\",\"ReceiptHandle\":\"h2\"}]}",
            Write(o => SqsRequests.DeleteMessageBatch(o, s_queue, received)));
        Assert.Equal(
            "{\"QueueUrl\":\"http://127.0.0.1:4566/000000000000/q\",\"ReceiptHandle\":\"h2\"}",
            Write(o => SqsRequests.DeleteMessage(o, s_queue, received, 1)));
    }

    [Fact]
    public void CreateQueueAndGetQueueAttributes_EscapeStrings()
    {
        Assert.Equal("{\"QueueName\":\"a\\\"b\\\\c\\u0001\"}", Write(o => SqsRequests.CreateQueue(o, "a\"b\\c\u0001")));
        Assert.Equal(
            "{\"QueueUrl\":\"http://127.0.0.1:4566/000000000000/q\",\"AttributeNames\":[\"ApproximateNumberOfMessages\",\"All\"]}",
            Write(o => SqsRequests.GetQueueAttributes(o, s_queue, "ApproximateNumberOfMessages", "All")));
    }

    [Fact]
    public void Encoder_SignsAsBotocoreDoes_OverContentTypeHostDateAndTarget()
    {
        // Expected values from botocore 1.43 (SigV4Auth, service sqs, credentials test/test) for the same request.
        var encoder = new SqsRequestEncoder("127.0.0.1:4566");
        byte[] body = Encoding.UTF8.GetBytes(Write(o => SqsRequests.ReceiveMessage(o, s_queue, 10, 1)));
        var output = new ArrayBufferWriter<byte>();
        encoder.Write(output, "ReceiveMessage", body, DateTimeOffset.Parse("2026-11-21T15:52:15Z", CultureInfo.InvariantCulture));

        Assert.Equal(
            "POST / HTTP/1.1\r\n"
            + "Host: 127.0.0.1:4566\r\n"
            + "Content-Type: application/x-amz-json-1.0\r\n"
            + "X-Amz-Target: AmazonSQS.ReceiveMessage\r\n"
            + "X-Amz-Date: 20261121T155215Z\r\n"
            + "Authorization: AWS4-HMAC-SHA256 Credential=test/20261121/us-east-1/sqs/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            + "Signature=b38e28b46b6a7b5103d1de92f4e6e618185f671a898ee2372d025e0a1b7de96f\r\n"
            + "Content-Length: 96\r\n"
            + "\r\n"
            + "{\"QueueUrl\":\"http://127.0.0.1:4566/000000000000/q\",\"MaxNumberOfMessages\":10,\"WaitTimeSeconds\":1}",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void ReceivedMessages_ReadsHandlesAndStamps_SkippingOtherMembers()
    {
        var received = new ReceivedMessages();
        received.Parse("""
            {"Messages": [
              {"MessageId": "m1", "ReceiptHandle": "rh-1", "MD5OfBody": "x",
               "Attributes": {"SentTimestamp": "1"}, "MessageAttributes": {"a": {"DataType": "String", "StringValue": "v"}},
               "Body": "00000000000000FFrest"},
              {"Body": "not stamped", "ReceiptHandle": "rh\u002B2"}
            ], "Extra": [1, {"x": []}]}
            """u8);

        Assert.Equal(2, received.Count);
        Assert.Equal("rh-1", received.ReceiptHandle(0));
        Assert.Equal(255, received.Stamp(0));
        Assert.Equal("rh\\u002B2", received.ReceiptHandle(1)); // raw, as it will be written back
        Assert.Equal(-1, received.Stamp(1));

        received.Parse("{}"u8);
        Assert.Equal(0, received.Count);
        received.Parse("""{"Messages":[]}"""u8);
        Assert.Equal(0, received.Count);
    }

    [Fact]
    public void ReceivedMessages_ReadsAStampFromAnEscapedBody_AndGrowsPastTenMessages()
    {
        var json = new StringBuilder("{\"Messages\":[");
        for (int i = 0; i < 12; i++)
        {
            json.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? "," : "")}{{\"ReceiptHandle\":\"h{i}\",\"Body\":\"{i:X16}\\n\"}}");
        }

        json.Append("]}");
        var received = new ReceivedMessages();
        received.Parse(Encoding.UTF8.GetBytes(json.ToString()));
        Assert.Equal(12, received.Count);
        Assert.Equal(11, received.Stamp(11));
        Assert.Equal("h11", received.ReceiptHandle(11));
    }

    [Fact]
    public void ReceivedMessages_RejectsAMessageWithoutReceiptHandle()
    {
        var received = new ReceivedMessages();
        Assert.Throws<InvalidDataException>(() => received.Parse("""{"Messages":[{"Body":"x"}]}"""u8));
    }

    [Fact]
    public void BatchResult_CountsSuccessfulAndFailedEntries()
    {
        Assert.Equal((2, 0), SqsResponses.BatchResult("""{"Successful": [{"Id": "0", "MessageId": "a"}, {"Id": "1"}], "Failed": []}"""u8));
        Assert.Equal((0, 1), SqsResponses.BatchResult("""{"Failed":[{"Id":"0","SenderFault":true,"Code":"X","Message":"m"}]}"""u8));
        Assert.Equal((0, 0), SqsResponses.BatchResult("{}"u8));
    }

    [Fact]
    public void QueueUrlAttributesAndErrors_AreRead()
    {
        Assert.Equal("http://h/1/q", SqsResponses.QueueUrl("""{"QueueUrl": "http://h/1/q"}"""u8));
        Dictionary<string, string> attributes = SqsResponses.Attributes(
            """{"Attributes": {"ApproximateNumberOfMessages": "12", "ApproximateNumberOfMessagesNotVisible": "3"}}"""u8);
        Assert.Equal("12", attributes["ApproximateNumberOfMessages"]);
        Assert.Equal("3", attributes["ApproximateNumberOfMessagesNotVisible"]);
        Assert.Equal(("QueueDoesNotExist", "The specified queue does not exist."),
            SqsResponses.Error("""{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"""u8));
        Assert.Equal((string.Empty, "<html>"), SqsResponses.Error("<html>"u8));
    }
}

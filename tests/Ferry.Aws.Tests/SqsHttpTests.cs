using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Ferry.Aws.Sqs;

namespace Ferry.Aws.Tests;

/// <summary>Both protocols over a real loopback socket against a fake service.</summary>
public class SqsHttpTests : IClassFixture<SqsTestServer>
{
    private static readonly XNamespace Ns = "http://queue.amazonaws.com/doc/2012-11-05/";
    private readonly SqsTestServer _server;

    public SqsHttpTests(SqsTestServer server)
    {
        _server = server;
        _server.Service.Respond = null;
    }

    private async Task<HttpResponseMessage> Json(string action, string body, string path = "/")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/x-amz-json-1.0");
        request.Headers.Add("X-Amz-Target", "AmazonSQS." + action);
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc");
        return await _server.Client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> Query(string form, string path = "/") =>
        await _server.Client.PostAsync(path, new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"));

    private static async Task<JsonElement> JsonBody(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<XElement> XmlBody(HttpResponseMessage response) =>
        XElement.Parse(await response.Content.ReadAsStringAsync());

    [Fact]
    public async Task Json_SendMessage_ParsesRequestAndWritesResult()
    {
        _server.Service.Respond = (_, _) => new SendMessageResult { MessageId = "m-1", MD5OfMessageBody = "5d41402abc4b2a76b9719d911017c592", MD5OfMessageAttributes = "d18b8150d9da5a01635a01b07cf2495c" };
        var response = await Json("SendMessage", """
            {"QueueUrl":"http://h/1/q","MessageBody":"hello","DelaySeconds":5,
             "MessageAttributes":{"greeting":{"DataType":"String","StringValue":"hello"},"blob":{"DataType":"Binary","BinaryValue":"AAEC/w=="}},
             "MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"Root=1"}},
             "MessageGroupId":"g","MessageDeduplicationId":"d","Unknown":1}
            """);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-amz-json-1.0", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));
        Assert.NotNull(response.Content.Headers.ContentLength);
        var body = await JsonBody(response);
        Assert.Equal("m-1", body.GetProperty("MessageId").GetString());
        Assert.Equal("5d41402abc4b2a76b9719d911017c592", body.GetProperty("MD5OfMessageBody").GetString());
        Assert.False(body.TryGetProperty("SequenceNumber", out _));

        var request = _server.Service.Last<SendMessageRequest>();
        Assert.Equal("http://h/1/q", request.QueueUrl);
        Assert.Equal("hello", request.MessageBody);
        Assert.Equal(5, request.DelaySeconds);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, request.MessageAttributes!["blob"].BinaryValue);
        Assert.Equal("Root=1", request.MessageSystemAttributes!["AWSTraceHeader"].StringValue);
        Assert.Equal("g", request.MessageGroupId);
        var context = _server.Service.LastContext!;
        Assert.False(context.IsQueryProtocol);
        Assert.Equal("AKIDEXAMPLE", context.AccessKeyId);
        Assert.Equal("eu-west-1", context.Region);
        Assert.Equal(_server.Address.Authority, context.Host);
        Assert.Equal("http", context.Scheme);
    }

    [Fact]
    public async Task Json_ReceiveMessage_WritesMessages()
    {
        _server.Service.Respond = (_, _) => new ReceiveMessageResult
        {
            Messages =
            [
                new Message
                {
                    MessageId = "m", ReceiptHandle = "r", MD5OfBody = "x", Body = "a\r\nb",
                    Attributes = new() { ["SentTimestamp"] = "1" },
                    MessageAttributes = new() { ["bin"] = new() { DataType = "Binary", BinaryValue = [1, 2] } },
                },
            ],
        };
        var response = await Json("ReceiveMessage", """{"QueueUrl":"u","MaxNumberOfMessages":10,"WaitTimeSeconds":0,"VisibilityTimeout":3,"AttributeNames":["All"],"MessageSystemAttributeNames":["SenderId"],"MessageAttributeNames":[".*"],"ReceiveRequestAttemptId":"a"}""");
        var message = (await JsonBody(response)).GetProperty("Messages")[0];
        Assert.Equal("a\r\nb", message.GetProperty("Body").GetString());
        Assert.Equal("AQI=", message.GetProperty("MessageAttributes").GetProperty("bin").GetProperty("BinaryValue").GetString());
        Assert.Equal("1", message.GetProperty("Attributes").GetProperty("SentTimestamp").GetString());
        var request = _server.Service.Last<ReceiveMessageRequest>();
        Assert.Equal(10, request.MaxNumberOfMessages);
        Assert.Equal(["All"], request.AttributeNames!);
        Assert.Equal(["SenderId"], request.MessageSystemAttributeNames!);
        Assert.Equal([".*"], request.MessageAttributeNames!);
        Assert.Equal(3, request.VisibilityTimeout);
        Assert.Equal("a", request.ReceiveRequestAttemptId);
    }

    [Fact]
    public async Task Json_EmptyResult_IsAnEmptyObject()
    {
        var response = await Json("DeleteMessage", """{"QueueUrl":"u","ReceiptHandle":"r"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Json_ServiceError_HasTypeQueryErrorHeaderAndStatus()
    {
        _server.Service.Respond = (_, _) => SqsErrors.QueueDoesNotExist();
        var response = await Json("GetQueueUrl", """{"QueueName":"nope"}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue;Sender", response.Headers.GetValues("x-amzn-query-error").Single());
        var body = await JsonBody(response);
        Assert.Equal("com.amazonaws.sqs#QueueDoesNotExist", body.GetProperty("__type").GetString());
        Assert.Equal("The specified queue does not exist.", body.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"QueueUrl":5,"MessageBody":"x"}""")]
    [InlineData("""{"QueueUrl":"u","MessageBody":"x","DelaySeconds":"5"}""")]
    [InlineData("[]")]
    public async Task Json_Malformed_IsSerializationException(string body)
    {
        var response = await Json("SendMessage", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("com.amazon.coral.service#SerializationException", (await JsonBody(response)).GetProperty("__type").GetString());
    }

    [Fact]
    public async Task Json_UnknownAction_IsUnknownOperationException()
    {
        var response = await Json("Frobnicate", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("com.amazon.coral.service#UnknownOperationException", (await JsonBody(response)).GetProperty("__type").GetString());
    }

    [Fact]
    public async Task Json_MissingRequired_IsMissingParameter()
    {
        var response = await Json("DeleteQueue", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("MissingParameter;Sender", response.Headers.GetValues("x-amzn-query-error").Single());
        Assert.Equal("The request must contain the parameter QueueUrl.", (await JsonBody(response)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Json_UnexpectedException_IsInternalError500WithBody()
    {
        _server.Service.Respond = (_, _) => new InvalidOperationException("boom");
        var response = await Json("ListQueues", "{}");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("InternalError;Receiver", response.Headers.GetValues("x-amzn-query-error").Single());
        Assert.Equal("com.amazon.coral.service#InternalFailure", (await JsonBody(response)).GetProperty("__type").GetString());
    }

    [Fact]
    public async Task Json_Batch_TooManyEntries_BeforeTheService()
    {
        _server.Service.Respond = (_, _) => throw new InvalidOperationException("must not be called");
        string entries = string.Join(",", Enumerable.Range(0, 11).Select(i => $$"""{"Id":"e{{i}}","ReceiptHandle":"r"}"""));
        var response = await Json("DeleteMessageBatch", $$"""{"QueueUrl":"u","Entries":[{{entries}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("com.amazonaws.sqs#TooManyEntriesInBatchRequest", (await JsonBody(response)).GetProperty("__type").GetString());
    }

    [Fact]
    public async Task Json_BatchResult_WritesSuccessfulAndFailed()
    {
        _server.Service.Respond = (_, _) => new SendMessageBatchResult
        {
            Successful = [new() { Id = "a", MessageId = "m", MD5OfMessageBody = "x" }],
            Failed = [BatchResultErrorEntry.From("b", SqsErrors.InvalidParameterValueShape, "bad")],
        };
        var response = await Json("SendMessageBatch", """{"QueueUrl":"u","Entries":[{"Id":"a","MessageBody":"x"},{"Id":"b","MessageBody":"y","DelaySeconds":2}]}""");
        var body = await JsonBody(response);
        Assert.Equal("m", body.GetProperty("Successful")[0].GetProperty("MessageId").GetString());
        var failed = body.GetProperty("Failed")[0];
        Assert.True(failed.GetProperty("SenderFault").GetBoolean());
        Assert.Equal("InvalidParameterValue", failed.GetProperty("Code").GetString());
        Assert.Equal(2, _server.Service.Last<SendMessageBatchRequest>().Entries![1].DelaySeconds);
    }

    [Fact]
    public async Task Query_SendMessage_WithFlattenedAttributes()
    {
        _server.Service.Respond = (_, _) => new SendMessageResult { MessageId = "m-1", MD5OfMessageBody = "abc" };
        var response = await Query("Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fh%2F1%2Fq&MessageBody=hi+there%26%0D%0A"
            + "&MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=Number&MessageAttribute.1.Value.StringValue=42"
            + "&MessageAttribute.2.Name=b&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AAE%3D"
            + "&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String&MessageSystemAttribute.1.Value.StringValue=Root%3D1"
            + "&DelaySeconds=3");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType!.MediaType);
        var xml = await XmlBody(response);
        Assert.Equal(Ns + "SendMessageResponse", xml.Name);
        Assert.Equal("m-1", xml.Element(Ns + "SendMessageResult")!.Element(Ns + "MessageId")!.Value);
        Assert.NotEmpty(xml.Element(Ns + "ResponseMetadata")!.Element(Ns + "RequestId")!.Value);

        var request = _server.Service.Last<SendMessageRequest>();
        Assert.Equal("hi there&\r\n", request.MessageBody);
        Assert.Equal("42", request.MessageAttributes!["n"].StringValue);
        Assert.Equal("Number", request.MessageAttributes["n"].DataType);
        Assert.Equal(new byte[] { 0, 1 }, request.MessageAttributes["b"].BinaryValue);
        Assert.Equal("Root=1", request.MessageSystemAttributes!["AWSTraceHeader"].StringValue);
        Assert.Equal(3, request.DelaySeconds);
        Assert.True(_server.Service.LastContext!.IsQueryProtocol);
    }

    [Fact]
    public async Task Query_QueueUrlFromPath()
    {
        var response = await Query("Action=PurgeQueue&Version=2012-11-05", "/123456789012/orders");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string expected = $"http://{_server.Address.Authority}/123456789012/orders";
        Assert.Equal(expected, _server.Service.Last<PurgeQueueRequest>().QueueUrl);
        Assert.Equal(expected, _server.Service.LastContext!.QueueUrlFromPath);
        Assert.Equal(Ns + "PurgeQueueResponse", (await XmlBody(response)).Name);
    }

    [Fact]
    public async Task Query_Get_WithQueryString()
    {
        _server.Service.Respond = (_, _) => new ListQueuesResult { QueueUrls = ["http://h/1/a", "http://h/1/b"], NextToken = "t" };
        var response = await _server.Client.GetAsync("/?Action=ListQueues&Version=2012-11-05&QueueNamePrefix=a&MaxResults=5");
        var result = (await XmlBody(response)).Element(Ns + "ListQueuesResult")!;
        Assert.Equal(["http://h/1/a", "http://h/1/b"], result.Elements(Ns + "QueueUrl").Select(e => e.Value));
        Assert.Equal("t", result.Element(Ns + "NextToken")!.Value);
        Assert.Equal(5, _server.Service.Last<ListQueuesRequest>().MaxResults);
    }

    [Fact]
    public async Task Query_Error_IsErrorResponseXml()
    {
        _server.Service.Respond = (_, _) => SqsErrors.QueueDoesNotExist();
        var response = await Query("Action=GetQueueUrl&Version=2012-11-05&QueueName=nope");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var xml = await XmlBody(response);
        Assert.Equal(Ns + "ErrorResponse", xml.Name);
        var error = xml.Element(Ns + "Error")!;
        Assert.Equal("Sender", error.Element(Ns + "Type")!.Value);
        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue", error.Element(Ns + "Code")!.Value);
        Assert.Equal("The specified queue does not exist.", error.Element(Ns + "Message")!.Value);
        Assert.NotNull(error.Element(Ns + "Detail"));
        Assert.NotEmpty(xml.Element(Ns + "RequestId")!.Value);
    }

    [Fact]
    public async Task Query_UnknownAction_IsInvalidAction()
    {
        var response = await Query("Action=Frobnicate&Version=2012-11-05");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("InvalidAction", (await XmlBody(response)).Element(Ns + "Error")!.Element(Ns + "Code")!.Value);
    }

    [Fact]
    public async Task Query_BadInteger_IsInvalidParameterValue()
    {
        var response = await Query("Action=ReceiveMessage&Version=2012-11-05&QueueUrl=u&MaxNumberOfMessages=ten");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("InvalidParameterValue", (await XmlBody(response)).Element(Ns + "Error")!.Element(Ns + "Code")!.Value);
    }

    [Fact]
    public async Task Query_InternalError_IsReceiver500()
    {
        _server.Service.Respond = (_, _) => new InvalidOperationException("boom");
        var response = await Query("Action=ListQueues&Version=2012-11-05");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var error = (await XmlBody(response)).Element(Ns + "Error")!;
        Assert.Equal("Receiver", error.Element(Ns + "Type")!.Value);
        Assert.Equal("InternalError", error.Element(Ns + "Code")!.Value);
    }

    [Fact]
    public async Task Query_ReceiveMessage_EscapesCarriageReturnAndMarkup()
    {
        _server.Service.Respond = (_, _) => new ReceiveMessageResult
        {
            Messages = [new Message { MessageId = "m", ReceiptHandle = "r", MD5OfBody = "x", Body = "<a>&\"b\"\r\n",
                Attributes = new() { ["SenderId"] = "s" },
                MessageAttributes = new() { ["n"] = new() { DataType = "String", StringValue = "v" } } }],
        };
        var response = await Query("Action=ReceiveMessage&Version=2012-11-05&QueueUrl=u&AttributeName.1=All&MessageAttributeName.1=n&MessageSystemAttributeName.1=SenderId");
        string text = await response.Content.ReadAsStringAsync();
        Assert.Contains("&#xD;", text, StringComparison.Ordinal);
        var message = XElement.Parse(text).Element(Ns + "ReceiveMessageResult")!.Element(Ns + "Message")!;
        Assert.Equal("<a>&\"b\"\r\n", message.Element(Ns + "Body")!.Value);
        Assert.Equal("SenderId", message.Element(Ns + "Attribute")!.Element(Ns + "Name")!.Value);
        var attribute = message.Element(Ns + "MessageAttribute")!;
        Assert.Equal("n", attribute.Element(Ns + "Name")!.Value);
        Assert.Equal("v", attribute.Element(Ns + "Value")!.Element(Ns + "StringValue")!.Value);
        Assert.Equal("String", attribute.Element(Ns + "Value")!.Element(Ns + "DataType")!.Value);
        var request = _server.Service.Last<ReceiveMessageRequest>();
        Assert.Equal(["All"], request.AttributeNames!);
        Assert.Equal(["n"], request.MessageAttributeNames!);
        Assert.Equal(["SenderId"], request.MessageSystemAttributeNames!);
    }

    [Fact]
    public async Task Post_Health_IsNotAnAwsRequest()
    {
        var response = await _server.Client.PostAsync("/health", new StringContent(""));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("ok", await _server.Client.GetStringAsync("/health"));
    }

    [Fact]
    public async Task KinesisTarget_UnknownAction_IsAnsweredByTheKinesisFace()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{}") };
        request.Headers.Add("X-Amz-Target", "Kinesis_20131202.NoSuchAction");
        var response = await _server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task RawSocket_ChunkedJsonRequest_IsServed()
    {
        _server.Service.Respond = (_, _) => new GetQueueUrlResult { QueueUrl = "http://h/1/q" };
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _server.Address.Port);
        var stream = socket.GetStream();
        string body = """{"QueueName":"q"}""";
        string request = "POST / HTTP/1.1\r\nHost: localhost:4566\r\nX-Amz-Target: AmazonSQS.GetQueueUrl\r\n"
            + "Content-Type: application/x-amz-json-1.0\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + $"5\r\n{body[..5]}\r\n{body.Length - 5:x}\r\n{body[5..]}\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        string response = await new StreamReader(stream).ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 200 OK", response, StringComparison.Ordinal);
        Assert.EndsWith("""{"QueueUrl":"http://h/1/q"}""", response, StringComparison.Ordinal);
        Assert.Equal("localhost:4566", _server.Service.LastContext!.Host);
    }
}

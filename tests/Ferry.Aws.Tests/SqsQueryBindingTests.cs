using System.Xml.Linq;
using Ferry.Aws.Sqs;
using Ferry.Aws.Sqs.Query;

namespace Ferry.Aws.Tests;

/// <summary>Query parameters (botocore's flattened names) into request models, and result models into XML.</summary>
public class SqsQueryBindingTests
{
    private static readonly XNamespace Ns = SqsXml.Namespace;
    private static readonly SqsCallContext Context = new("req", "http", "localhost:4566") { IsQueryProtocol = true, QueueUrlFromPath = "http://localhost:4566/1/fromPath" };

    private static T Bind<T>(string form) => (T)SqsOperations.ByName[typeof(T).Name.Replace("Request", "", StringComparison.Ordinal)].BindQuery(QueryParameters.Parse(form), Context);

    private static XElement Result<T>(string action, T result)
        where T : class
    {
        return XElement.Parse(SqsXml.Response(action, "req", x => SqsXmlResults.Write(x, (dynamic)result))).Element(Ns + (action + "Result"))!;
    }

    [Theory]
    [InlineData("")]
    [InlineData("?a=1&b=2")]
    [InlineData("a=1&a=2&&b&=x&c=")]
    [InlineData("Message=a+b%20c%2Bd&x=%E2%82%AC%zz%&y=%C3&z=%2")]
    [InlineData("=only&k==v=w")]
    [InlineData("na+me%3D=v%26w&%41=decoded+name")]
    public void Parse_SplitsAndDecodesAsAspNetCore_FirstValueWins(string form)
    {
        var parsed = QueryParameters.Parse(form);
        var expected = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(form);

        Assert.Equal(expected.Count, parsed.Count);
        foreach (var (name, values) in expected)
        {
            Assert.Equal(values[0], parsed[name]);
        }
    }

    [Fact]
    public void Parse_NamesAreCaseSensitive()
    {
        // As AWS reads them; ParseQuery's dictionary would have merged the two names into the first one's spelling.
        var parsed = QueryParameters.Parse("A=upper&a=lower&A=again");

        Assert.Equal("upper", parsed["A"]);
        Assert.Equal("lower", parsed["a"]);
    }

    [Fact]
    public void AllActionsAreKnown() => Assert.Equal(23, SqsOperations.ByName.Count);

    [Fact]
    public void CreateQueue_AttributesAndTags()
    {
        var r = Bind<CreateQueueRequest>("QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=40&Attribute.2.Name=FifoQueue&Attribute.2.Value=true&Tag.1.Key=team&Tag.1.Value=core");
        Assert.Equal("q", r.QueueName);
        Assert.Equal("40", r.Attributes!["VisibilityTimeout"]);
        Assert.Equal("true", r.Attributes["FifoQueue"]);
        Assert.Equal("core", r.Tags!["team"]);
    }

    [Fact]
    public void QueueUrl_ParameterWinsOverPath()
    {
        Assert.Equal("http://x/1/q", Bind<DeleteQueueRequest>("QueueUrl=http%3A%2F%2Fx%2F1%2Fq").QueueUrl);
        Assert.Equal("http://localhost:4566/1/fromPath", Bind<DeleteQueueRequest>("").QueueUrl);
    }

    [Fact]
    public void Lists_AreOrderedByIndex()
    {
        var r = Bind<GetQueueAttributesRequest>("QueueUrl=u&AttributeName.2=QueueArn&AttributeName.1=All&AttributeName.10=Policy");
        Assert.Equal(["All", "QueueArn", "Policy"], r.AttributeNames!);
    }

    [Fact]
    public void Indices_AreEachIndexOnceAscending_AtEveryLevel()
    {
        var p = QueryParameters.Parse("A.3.Name=x&A.1.Value=y&A.3.Value=z&A.1.Name=w&A.10=v&A.2.B.7.C.5=u&A.2.B.1=t&A.x=s&B.2=r");
        Assert.Equal([1, 2, 3, 10], p.Indices("A"));
        Assert.Equal([1, 7], p.Indices("A.2.B"));
        Assert.Equal([5], p.Indices("A.2.B.7.C"));
        Assert.Equal([2], p.Indices("B"));
        Assert.Empty(p.Indices("A.3"));
        Assert.Empty(p.Indices("C"));
    }

    [Fact]
    public void Indices_OfManyMembersInAnyOrder_AreFoundOnce()
    {
        // In reverse order, three keys per member: each new index is the smallest yet.
        const int members = 50_000;
        var form = string.Join('&', Enumerable.Range(1, members).Reverse().SelectMany(i => new[] { $"M.{i}.Name=n{i}", $"M.{i}.Value.DataType=String", $"M.{i}.Value.StringValue=v" }));
        Assert.Equal(Enumerable.Range(1, members), QueryParameters.Parse(form).Indices("M"));
    }

    [Fact]
    public void MessageAttributes_EveryKindOfValue()
    {
        var p = QueryParameters.Parse("A.2.Name=s&A.2.Value.DataType=String&A.2.Value.StringValue=v"
            + "&A.1.Name=b&A.1.Value.DataType=Binary&A.1.Value.BinaryValue=AAE%3D"
            + "&A.3.Name=l&A.3.Value.DataType=String&A.3.Value.StringListValue.2=y&A.3.Value.StringListValue.1=x"
            + "&A.3.Value.BinaryListValue.1=Ag%3D%3D&A.4.Name=e");
        var map = p.MessageAttributes("A")!;
        Assert.Equal(["b", "e", "l", "s"], map.Keys.Order());
        Assert.Equal(("String", "v"), (map["s"].DataType, map["s"].StringValue));
        Assert.Null(map["s"].BinaryValue);
        Assert.Null(map["s"].StringListValues);
        Assert.Null(map["s"].BinaryListValues);
        Assert.Equal([0, 1], map["b"].BinaryValue!);
        Assert.Equal(["x", "y"], map["l"].StringListValues!);
        Assert.Equal([2], Assert.Single(map["l"].BinaryListValues!));
        Assert.Null(map["e"].DataType);
        Assert.Null(p.MessageAttributes("B"));

        var missingName = Assert.Throws<SqsException>(() => QueryParameters.Parse("A.1.Value.DataType=String").MessageAttributes("A"));
        Assert.Contains("A.1.Name", missingName.Message, StringComparison.Ordinal);
        var badBinary = Assert.Throws<SqsException>(() => QueryParameters.Parse("A.1.Name=b&A.1.Value.BinaryValue=%21").MessageAttributes("A"));
        Assert.Contains("A.1.Value.BinaryValue", badBinary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetQueueAttributes_TagQueue_UntagQueue_ListQueueTags()
    {
        Assert.Equal("5", Bind<SetQueueAttributesRequest>("QueueUrl=u&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5").Attributes!["DelaySeconds"]);
        Assert.Equal("v", Bind<TagQueueRequest>("QueueUrl=u&Tag.1.Key=k&Tag.1.Value=v").Tags!["k"]);
        Assert.Equal(["a", "b"], Bind<UntagQueueRequest>("QueueUrl=u&TagKey.1=a&TagKey.2=b").TagKeys!);
        Assert.Equal("u", Bind<ListQueueTagsRequest>("QueueUrl=u").QueueUrl);
    }

    [Fact]
    public void Permissions()
    {
        var add = Bind<AddPermissionRequest>("QueueUrl=u&Label=l&AWSAccountId.1=111&AWSAccountId.2=222&ActionName.1=SendMessage");
        Assert.Equal(["111", "222"], add.AWSAccountIds!);
        Assert.Equal(["SendMessage"], add.Actions!);
        Assert.Equal("l", Bind<RemovePermissionRequest>("QueueUrl=u&Label=l").Label);
    }

    [Fact]
    public void Batches()
    {
        var send = Bind<SendMessageBatchRequest>("QueueUrl=u&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x"
            + "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=y&SendMessageBatchRequestEntry.2.DelaySeconds=4"
            + "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=n&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=String&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=v"
            + "&SendMessageBatchRequestEntry.2.MessageGroupId=g&SendMessageBatchRequestEntry.2.MessageDeduplicationId=d");
        Assert.Equal(2, send.Entries!.Count);
        Assert.Equal("y", send.Entries[1].MessageBody);
        Assert.Equal(4, send.Entries[1].DelaySeconds);
        Assert.Equal("v", send.Entries[1].MessageAttributes!["n"].StringValue);
        Assert.Equal("g", send.Entries[1].MessageGroupId);
        Assert.Equal("d", send.Entries[1].MessageDeduplicationId);

        var delete = Bind<DeleteMessageBatchRequest>("QueueUrl=u&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=r");
        Assert.Equal("r", delete.Entries![0].ReceiptHandle);

        var change = Bind<ChangeMessageVisibilityBatchRequest>("QueueUrl=u&ChangeMessageVisibilityBatchRequestEntry.1.Id=a&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=r&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=9");
        Assert.Equal(9, change.Entries![0].VisibilityTimeout);
    }

    [Fact]
    public void MoveTasks_DeadLetterSources_GetQueueUrl_ChangeVisibility()
    {
        var start = Bind<StartMessageMoveTaskRequest>("SourceArn=s&DestinationArn=d&MaxNumberOfMessagesPerSecond=10");
        Assert.Equal(("s", "d", 10), (start.SourceArn, start.DestinationArn, start.MaxNumberOfMessagesPerSecond));
        Assert.Equal("t", Bind<CancelMessageMoveTaskRequest>("TaskHandle=t").TaskHandle);
        Assert.Equal(3, Bind<ListMessageMoveTasksRequest>("SourceArn=s&MaxResults=3").MaxResults);
        var dls = Bind<ListDeadLetterSourceQueuesRequest>("QueueUrl=u&NextToken=n&MaxResults=2");
        Assert.Equal(("n", 2), (dls.NextToken, dls.MaxResults));
        Assert.Equal("123", Bind<GetQueueUrlRequest>("QueueName=q&QueueOwnerAWSAccountId=123").QueueOwnerAWSAccountId);
        Assert.Equal(30, Bind<ChangeMessageVisibilityRequest>("QueueUrl=u&ReceiptHandle=r&VisibilityTimeout=30").VisibilityTimeout);
    }

    [Fact]
    public void Xml_Results()
    {
        Assert.Equal("http://q", Result("CreateQueue", new CreateQueueResult { QueueUrl = "http://q" }).Element(Ns + "QueueUrl")!.Value);
        Assert.Equal("http://q", Result("GetQueueUrl", new GetQueueUrlResult { QueueUrl = "http://q" }).Element(Ns + "QueueUrl")!.Value);
        var attributes = Result("GetQueueAttributes", new GetQueueAttributesResult { Attributes = new() { ["DelaySeconds"] = "0" } }).Element(Ns + "Attribute")!;
        Assert.Equal(("DelaySeconds", "0"), (attributes.Element(Ns + "Name")!.Value, attributes.Element(Ns + "Value")!.Value));
        var tag = Result("ListQueueTags", new ListQueueTagsResult { Tags = new() { ["k"] = "v" } }).Element(Ns + "Tag")!;
        Assert.Equal(("k", "v"), (tag.Element(Ns + "Key")!.Value, tag.Element(Ns + "Value")!.Value));
        Assert.Equal("http://dlq-source", Result("ListDeadLetterSourceQueues", new ListDeadLetterSourceQueuesResult { QueueUrls = ["http://dlq-source"] }).Element(Ns + "QueueUrl")!.Value);
        Assert.Equal("t", Result("StartMessageMoveTask", new StartMessageMoveTaskResult { TaskHandle = "t" }).Element(Ns + "TaskHandle")!.Value);
        Assert.Equal("12", Result("CancelMessageMoveTask", new CancelMessageMoveTaskResult { ApproximateNumberOfMessagesMoved = 12 }).Element(Ns + "ApproximateNumberOfMessagesMoved")!.Value);
        Assert.Equal("RUNNING", Result("ListMessageMoveTasks", new ListMessageMoveTasksResult { Results = [new() { Status = "RUNNING" }] })
            .Element(Ns + "ListMessageMoveTasksResultEntry")!.Element(Ns + "Status")!.Value);

        var deletes = Result("DeleteMessageBatch", new DeleteMessageBatchResult
        {
            Successful = [new() { Id = "a" }],
            Failed = [new() { Id = "b", SenderFault = true, Code = "ReceiptHandleIsInvalid", Message = "m" }],
        });
        Assert.Equal("a", deletes.Element(Ns + "DeleteMessageBatchResultEntry")!.Element(Ns + "Id")!.Value);
        var failed = deletes.Element(Ns + "BatchResultErrorEntry")!;
        Assert.Equal(("b", "true", "ReceiptHandleIsInvalid"), (failed.Element(Ns + "Id")!.Value, failed.Element(Ns + "SenderFault")!.Value, failed.Element(Ns + "Code")!.Value));
        Assert.Equal("c", Result("ChangeMessageVisibilityBatch", new ChangeMessageVisibilityBatchResult { Successful = [new() { Id = "c" }] })
            .Element(Ns + "ChangeMessageVisibilityBatchResultEntry")!.Element(Ns + "Id")!.Value);
        Assert.Equal("m", Result("SendMessageBatch", new SendMessageBatchResult { Successful = [new() { Id = "a", MessageId = "m", MD5OfMessageBody = "x" }] })
            .Element(Ns + "SendMessageBatchResultEntry")!.Element(Ns + "MessageId")!.Value);
    }

    [Fact]
    public void Xml_EmptyResult_HasOnlyMetadata()
    {
        var xml = XElement.Parse(SqsXml.Response("DeleteQueue", "req-1", null));
        Assert.Equal(Ns + "DeleteQueueResponse", xml.Name);
        Assert.Equal("req-1", xml.Element(Ns + "ResponseMetadata")!.Element(Ns + "RequestId")!.Value);
        Assert.Single(xml.Elements());
    }

    [Fact]
    public void Xml_Error_IsErrorResponse()
    {
        var xml = XElement.Parse(SqsXml.Error(SqsErrors.InternalErrorShape, "oops <&>", "req-2"));
        var error = xml.Element(Ns + "Error")!;
        Assert.Equal(("Receiver", "InternalError", "oops <&>"), (error.Element(Ns + "Type")!.Value, error.Element(Ns + "Code")!.Value, error.Element(Ns + "Message")!.Value));
        Assert.Equal("req-2", xml.Element(Ns + "RequestId")!.Value);
    }
}

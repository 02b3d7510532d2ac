using Ferry.Fuzz.Tests.Fuzzing;
using static Ferry.Fuzz.Tests.Seeds.AwsSeeds;

namespace Ferry.Fuzz.Tests.Seeds;

/// <summary>Valid SQS requests of every action, in AWS JSON 1.0 and in the Query protocol, as boto3 and the CLI send them.</summary>
internal static class SqsSeeds
{
    private const string Q = "'QueueUrl':'" + QueueUrl + "'";
    private const string F = "'QueueUrl':'" + FifoQueueUrl + "'";
    private const string Handle = "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a";

    /// <summary>An SQS JSON request; the body is written with single quotes for readability.</summary>
    private static byte[] Sqs(string action, string body) =>
        AwsSeeds.Json("AmazonSQS." + action, "application/x-amz-json-1.0", "sqs", body.Replace('\'', '"'));

    public static readonly byte[][] Json =
    [
        Sqs("CreateQueue", "{'QueueName':'fuzz-new','Attributes':{'VisibilityTimeout':'60','DelaySeconds':'5','MaximumMessageSize':'1024'},'tags':{'team':'a'}}"),
        Sqs("CreateQueue", "{'QueueName':'fuzz-new.fifo','Attributes':{'FifoQueue':'true','DeduplicationScope':'messageGroup','FifoThroughputLimit':'perMessageGroupId'}}"),
        Sqs("DeleteQueue", "{'QueueUrl':'http://localhost:4566/000000000000/fuzz-new'}"),
        Sqs("GetQueueUrl", "{'QueueName':'fuzz','QueueOwnerAWSAccountId':'000000000000'}"),
        Sqs("ListQueues", "{'QueueNamePrefix':'fu','MaxResults':10,'NextToken':'abc'}"),
        Sqs("GetQueueAttributes", "{" + Q + ",'AttributeNames':['All','ApproximateNumberOfMessages','RedrivePolicy']}"),
        Sqs("SetQueueAttributes", "{" + Q + ",'Attributes':{'VisibilityTimeout':'30','RedriveAllowPolicy':'{\\'redrivePermission\\':\\'allowAll\\'}','Policy':'{}'}}"),
        Sqs("PurgeQueue", "{'QueueUrl':'http://localhost:4566/000000000000/fuzz-dlq'}"),
        Sqs("SendMessage", "{" + Q + ",'MessageBody':'hello','DelaySeconds':0,'MessageAttributes':{'a':{'DataType':'String','StringValue':'x'},"
            + "'b':{'DataType':'Number','StringValue':'1.5'},'c':{'DataType':'Binary','BinaryValue':'AAEC'},'Ferry-Priority':{'DataType':'Number','StringValue':'5'}},"
            + "'MessageSystemAttributes':{'AWSTraceHeader':{'DataType':'String','StringValue':'Root=1-5759e988-bd862e3fe1be46a994272793'}}}"),
        Sqs("SendMessage", "{" + F + ",'MessageBody':'hello','MessageGroupId':'g1','MessageDeduplicationId':'d1'}"),
        Sqs("SendMessage", "{" + Q + ",'MessageBody':'later','MessageAttributes':{'Ferry-DeliverAt':{'DataType':'String','StringValue':'2026-12-24T18:00:00Z'}}}"),
        Sqs("SendMessageBatch", "{" + Q + ",'Entries':[{'Id':'a','MessageBody':'1'},{'Id':'b','MessageBody':'2','DelaySeconds':1,"
            + "'MessageAttributes':{'k':{'DataType':'String','StringValue':'v'}}}]}"),
        Sqs("SendMessageBatch", "{" + F + ",'Entries':[{'Id':'a','MessageBody':'1','MessageGroupId':'g'},{'Id':'b','MessageBody':'2','MessageGroupId':'g','MessageDeduplicationId':'x'}]}"),
        Sqs("ReceiveMessage", "{" + Q + ",'MaxNumberOfMessages':10,'VisibilityTimeout':30,'WaitTimeSeconds':0,'MessageAttributeNames':['All'],"
            + "'MessageSystemAttributeNames':['All'],'AttributeNames':['ApproximateReceiveCount']}"),
        Sqs("ReceiveMessage", "{" + F + ",'MaxNumberOfMessages':1,'WaitTimeSeconds':2,'ReceiveRequestAttemptId':'attempt-1'}"),
        Sqs("DeleteMessage", "{" + Q + ",'ReceiptHandle':'" + Handle + "'}"),
        Sqs("DeleteMessageBatch", "{" + Q + ",'Entries':[{'Id':'a','ReceiptHandle':'" + Handle + "'},{'Id':'b','ReceiptHandle':'x'}]}"),
        Sqs("ChangeMessageVisibility", "{" + Q + ",'ReceiptHandle':'" + Handle + "','VisibilityTimeout':10}"),
        Sqs("ChangeMessageVisibilityBatch", "{" + Q + ",'Entries':[{'Id':'a','ReceiptHandle':'" + Handle + "','VisibilityTimeout':5}]}"),
        Sqs("TagQueue", "{" + Q + ",'Tags':{'a':'1','b':'2'}}"),
        Sqs("UntagQueue", "{" + Q + ",'TagKeys':['a']}"),
        Sqs("ListQueueTags", "{" + Q + "}"),
        Sqs("ListDeadLetterSourceQueues", "{'QueueUrl':'http://localhost:4566/000000000000/fuzz-dlq','MaxResults':5}"),
        Sqs("StartMessageMoveTask", "{'SourceArn':'" + DlqArn + "','DestinationArn':'" + QueueArn + "','MaxNumberOfMessagesPerSecond':10}"),
        Sqs("CancelMessageMoveTask", "{'TaskHandle':'eyJ0YXNrSWQiOiJhIn0='}"),
        Sqs("ListMessageMoveTasks", "{'SourceArn':'" + DlqArn + "','MaxResults':3}"),
        Sqs("AddPermission", "{" + Q + ",'Label':'l','AWSAccountIds':['111122223333'],'Actions':['SendMessage']}"),
        Sqs("RemovePermission", "{" + Q + ",'Label':'l'}"),
    ];

    private static readonly string EQ = Uri.EscapeDataString(QueueUrl);
    private static readonly string EF = Uri.EscapeDataString(FifoQueueUrl);

    private static byte[] SqsQuery(string action, string parameters) =>
        Query("sqs", "Action=" + action + "&Version=2012-11-05" + parameters);

    public static readonly byte[][] QueryRequests =
    [
        SqsQuery("CreateQueue", "&QueueName=fuzz-q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=40&Tag.1.Key=team&Tag.1.Value=a"),
        SqsQuery("DeleteQueue", "&QueueUrl=" + Uri.EscapeDataString("http://localhost:4566/000000000000/fuzz-q")),
        SqsQuery("GetQueueUrl", "&QueueName=fuzz"),
        SqsQuery("ListQueues", "&QueueNamePrefix=f&MaxResults=2"),
        SqsQuery("GetQueueAttributes", "&QueueUrl=" + EQ + "&AttributeName.1=All&AttributeName.2=QueueArn"),
        SqsQuery("SetQueueAttributes", "&QueueUrl=" + EQ + "&Attribute.1.Name=DelaySeconds&Attribute.1.Value=0&Attribute.2.Name=MessageRetentionPeriod&Attribute.2.Value=86400"),
        SqsQuery("PurgeQueue", "&QueueUrl=" + EQ),
        SqsQuery("SendMessage", "&QueueUrl=" + EQ + "&MessageBody=hi%20there&DelaySeconds=1&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String"
            + "&MessageAttribute.1.Value.StringValue=x&MessageAttribute.2.Name=b&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AAEC"
            + "&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String&MessageSystemAttribute.1.Value.StringValue=Root%3D1"),
        SqsQuery("SendMessage", "&QueueUrl=" + EF + "&MessageBody=x&MessageGroupId=g&MessageDeduplicationId=d"),
        SqsQuery("SendMessageBatch", "&QueueUrl=" + EQ + "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=1"
            + "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=2&SendMessageBatchRequestEntry.2.DelaySeconds=3"
            + "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=k&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=Number"
            + "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=12"),
        SqsQuery("ReceiveMessage", "&QueueUrl=" + EQ + "&MaxNumberOfMessages=10&VisibilityTimeout=0&WaitTimeSeconds=1&AttributeName.1=All&MessageAttributeName.1=All"),
        SqsQuery("DeleteMessage", "&QueueUrl=" + EQ + "&ReceiptHandle=" + Handle),
        SqsQuery("DeleteMessageBatch", "&QueueUrl=" + EQ + "&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=" + Handle),
        SqsQuery("ChangeMessageVisibility", "&QueueUrl=" + EQ + "&ReceiptHandle=" + Handle + "&VisibilityTimeout=5"),
        SqsQuery("ChangeMessageVisibilityBatch", "&QueueUrl=" + EQ + "&ChangeMessageVisibilityBatchRequestEntry.1.Id=a"
            + "&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=" + Handle + "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=9"),
        SqsQuery("TagQueue", "&QueueUrl=" + EQ + "&Tag.1.Key=a&Tag.1.Value=b"),
        SqsQuery("UntagQueue", "&QueueUrl=" + EQ + "&TagKey.1=a"),
        SqsQuery("ListQueueTags", "&QueueUrl=" + EQ),
        SqsQuery("ListDeadLetterSourceQueues", "&QueueUrl=" + Uri.EscapeDataString("http://localhost:4566/000000000000/fuzz-dlq")),
        SqsQuery("StartMessageMoveTask", "&SourceArn=" + Uri.EscapeDataString(DlqArn) + "&MaxNumberOfMessagesPerSecond=5"),
        SqsQuery("ListMessageMoveTasks", "&SourceArn=" + Uri.EscapeDataString(DlqArn)),
        SqsQuery("CancelMessageMoveTask", "&TaskHandle=abc"),
        SqsQuery("AddPermission", "&QueueUrl=" + EQ + "&Label=l&AWSAccountId.1=111122223333&ActionName.1=SendMessage"),
        SqsQuery("RemovePermission", "&QueueUrl=" + EQ + "&Label=l"),
        // The queue's own URL as the path, and a GET with the parameters in the query string.
        Query("sqs", "Action=SendMessage&MessageBody=to-path", "/000000000000/fuzz"),
        Http.FuzzRequest.Format("GET /000000000000/fuzz?Action=ReceiveMessage&Version=2012-11-05&MaxNumberOfMessages=2", [], ""),
        // A presigned URL: the signature in the query string, as the SDKs' presigners write it.
        Http.FuzzRequest.Format("GET /000000000000/fuzz?Action=GetQueueAttributes&AttributeName.1=All&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%2Fsqs%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900"
            + "&X-Amz-SignedHeaders=host&X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", [], ""),
    ];

    public static readonly Grammar JsonGrammar = Grammar.Of(
        [
            "\"QueueUrl\"", "\"QueueName\"", "\"MessageBody\"", "\"Entries\"", "\"Id\"", "\"ReceiptHandle\"", "\"Attributes\"",
            "\"MessageAttributes\"", "\"DataType\"", "\"StringValue\"", "\"BinaryValue\"", "\"StringListValues\"", "\"BinaryListValues\"",
            "\"MaxNumberOfMessages\"", "\"WaitTimeSeconds\"", "\"VisibilityTimeout\"", "\"DelaySeconds\"", "\"MessageGroupId\"",
            "\"MessageDeduplicationId\"", "\"Tags\"", "\"TagKeys\"", "\"MaxResults\"", "\"NextToken\"", "\"AttributeNames\"",
            "AmazonSQS.SendMessage", "AmazonSQS.ReceiveMessage", "AmazonSQS.CreateQueue", "AmazonSQS.SendMessageBatch", "AmazonSQS.Nope",
            "application/x-amz-json-1.0", "application/json", "application/x-www-form-urlencoded", "RedrivePolicy", "FifoQueue",
            "Ferry-Priority", "Ferry-DeliverAt", "All", "fuzz.fifo", "fuzz-dlq",
        ],
        Grammar.JsonNestings,
        1 << 20);

    public static readonly Grammar QueryGrammar = Grammar.Of(
        [
            "Action=", "Version=2012-11-05", "Version=2010-03-31", "QueueUrl=", "QueueName=", "MessageBody=", "&", "=", ".1", ".Name", ".Value",
            "Attribute.1.Name=", "MessageAttribute.1.Value.DataType=", "MessageAttribute.1.Value.StringValue=", "MessageAttribute.1.Value.BinaryValue=",
            "MessageAttribute.1.Value.StringListValue.1=", "SendMessageBatchRequestEntry.1.Id=", "DeleteMessageBatchRequestEntry.1.ReceiptHandle=",
            "Tag.1.Key=", "TagKey.1=", "AttributeName.1=", "MaxNumberOfMessages=", "WaitTimeSeconds=", "VisibilityTimeout=", "DelaySeconds=",
            "SendMessage", "ReceiveMessage", "CreateQueue", "Publish", "Subscribe", "/sqs/", "/sns/", "Content-Type", "text/plain",
            "application/x-www-form-urlencoded", "GET /", "POST /", "/000000000000/fuzz", "Authorization", "RedrivePolicy", "FifoQueue",
        ],
        [("%7B%22a%22%3A", "%7D"), ("%5B", "%5D")],
        1 << 20);
}

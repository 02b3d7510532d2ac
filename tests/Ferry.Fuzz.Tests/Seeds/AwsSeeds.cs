using Ferry.Fuzz.Tests.Http;

namespace Ferry.Fuzz.Tests.Seeds;

/// <summary>
/// Building blocks of the AWS seeds: requests framed as SDKs frame them (JSON with its X-Amz-Target, Query as a form
/// body), SigV4 headers, and the resources every HTTP target starts with, so that mutations reach the engine rather
/// than stopping at "does not exist".
/// </summary>
internal static class AwsSeeds
{
    public const string Account = "000000000000";
    public const string QueueUrl = "http://" + AwsHost.Authority + "/" + Account + "/fuzz";
    public const string FifoQueueUrl = "http://" + AwsHost.Authority + "/" + Account + "/fuzz.fifo";
    public const string QueueArn = "arn:aws:sqs:us-east-1:" + Account + ":fuzz";
    public const string DlqArn = "arn:aws:sqs:us-east-1:" + Account + ":fuzz-dlq";
    public const string TopicArn = "arn:aws:sns:us-east-1:" + Account + ":fuzz";
    public const string FifoTopicArn = "arn:aws:sns:us-east-1:" + Account + ":fuzz.fifo";
    public const string StreamArn = "arn:aws:kinesis:us-east-1:" + Account + ":stream/fuzz";

    /// <summary>A SigV4 Authorization header for <paramref name="service"/>, as an SDK signs.</summary>
    public static string Authorization(string service, string signedHeaders = "content-type;host;x-amz-date;x-amz-target") =>
        $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/{service}/aws4_request, SignedHeaders={signedHeaders}, "
        + "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    /// <summary>An AWS JSON request: POST /, its Content-Type and X-Amz-Target, a signature.</summary>
    public static byte[] Json(string target, string contentType, string service, string body) =>
        FuzzRequest.Format("POST /", [
            ("Content-Type", contentType),
            ("X-Amz-Target", target),
            ("X-Amz-Date", "20260101T000000Z"),
            ("Authorization", Authorization(service)),
        ], body);

    /// <summary>A Query request: a form body on POST to <paramref name="path"/>.</summary>
    public static byte[] Query(string service, string body, string path = "/") =>
        FuzzRequest.Format("POST " + path, [
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            ("X-Amz-Date", "20260101T000000Z"),
            ("Authorization", Authorization(service, "content-type;host;x-amz-date")),
        ], body);

    /// <summary>What every HTTP target's host holds before the first input: queues (standard, FIFO, a dead-letter
    /// queue), topics with a filtered subscription, a stream with two shards and a record in it.</summary>
    public static readonly byte[][] Setup =
    [
        Query("sqs", "Action=CreateQueue&Version=2012-11-05&QueueName=fuzz-dlq"),
        Query("sqs", "Action=CreateQueue&Version=2012-11-05&QueueName=fuzz&Attribute.1.Name=RedrivePolicy&Attribute.1.Value="
            + Uri.EscapeDataString("{\"deadLetterTargetArn\":\"" + DlqArn + "\",\"maxReceiveCount\":\"3\"}")),
        Query("sqs", "Action=CreateQueue&Version=2012-11-05&QueueName=fuzz.fifo&Attribute.1.Name=FifoQueue&Attribute.1.Value=true"
            + "&Attribute.2.Name=ContentBasedDeduplication&Attribute.2.Value=true"),
        Query("sqs", "Action=SendMessage&Version=2012-11-05&QueueUrl=" + Uri.EscapeDataString(QueueUrl) + "&MessageBody=first"),
        Query("sns", "Action=CreateTopic&Version=2010-03-31&Name=fuzz"),
        Query("sns", "Action=CreateTopic&Version=2010-03-31&Name=fuzz.fifo&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true"),
        Query("sns", "Action=Subscribe&Version=2010-03-31&TopicArn=" + Uri.EscapeDataString(TopicArn) + "&Protocol=sqs&Endpoint="
            + Uri.EscapeDataString(QueueArn) + "&Attributes.entry.1.key=FilterPolicy&Attributes.entry.1.value="
            + Uri.EscapeDataString("{\"kind\":[\"a\",{\"prefix\":\"b\"}],\"n\":[{\"numeric\":[\">\",0,\"<=\",100]}]}")),
        Json("Kinesis_20131202.CreateStream", "application/x-amz-json-1.1", "kinesis", "{\"StreamName\":\"fuzz\",\"ShardCount\":2}"),
        Json("Kinesis_20131202.PutRecord", "application/x-amz-json-1.1", "kinesis",
            "{\"StreamName\":\"fuzz\",\"Data\":\"aGVsbG8=\",\"PartitionKey\":\"a\"}"),
    ];
}

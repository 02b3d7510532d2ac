using Ferry.Fuzz.Tests.Fuzzing;
using static Ferry.Fuzz.Tests.Seeds.AwsSeeds;

namespace Ferry.Fuzz.Tests.Seeds;

/// <summary>Valid Kinesis requests of every action, as JSON 1.1 (boto3, the CLI) and as CBOR (the SDK for Java).</summary>
internal static class KinesisSeeds
{
    private const string JsonType = "application/x-amz-json-1.1";
    private const string CborType = "application/x-amz-cbor-1.1";

    /// <summary>Action and body of each seed, bodies with single quotes for readability.</summary>
    private static readonly (string Action, string Body)[] Bodies =
    [
        ("CreateStream", "{'StreamName':'fuzz-k','ShardCount':3,'Tags':{'a':'b'}}"),
        ("CreateStream", "{'StreamName':'fuzz-od','StreamModeDetails':{'StreamMode':'ON_DEMAND'}}"),
        ("DeleteStream", "{'StreamName':'fuzz-k','EnforceConsumerDeletion':true}"),
        ("DescribeStream", "{'StreamName':'fuzz','Limit':10,'ExclusiveStartShardId':'shardId-000000000000'}"),
        ("DescribeStreamSummary", "{'StreamARN':'" + StreamArn + "'}"),
        ("ListStreams", "{'Limit':5,'ExclusiveStartStreamName':'a'}"),
        ("ListShards", "{'StreamName':'fuzz','MaxResults':100,'ShardFilter':{'Type':'AT_TIMESTAMP','Timestamp':1790000000.5}}"),
        ("ListShards", "{'NextToken':'AAAAAAAAAAE=','MaxResults':2}"),
        ("PutRecord", "{'StreamName':'fuzz','Data':'aGVsbG8gd29ybGQ=','PartitionKey':'pk','ExplicitHashKey':'170141183460469231731687303715884105728'}"),
        ("PutRecord", "{'StreamARN':'" + StreamArn + "','Data':'','PartitionKey':'\\u00e9','SequenceNumberForOrdering':'1'}"),
        ("PutRecords", "{'StreamName':'fuzz','Records':[{'Data':'YQ==','PartitionKey':'a'},{'Data':'Yg==','PartitionKey':'b','ExplicitHashKey':'0'}]}"),
        ("GetShardIterator", "{'StreamName':'fuzz','ShardId':'shardId-000000000000','ShardIteratorType':'TRIM_HORIZON'}"),
        ("GetShardIterator", "{'StreamName':'fuzz','ShardId':'shardId-000000000001','ShardIteratorType':'AT_SEQUENCE_NUMBER',"
            + "'StartingSequenceNumber':'49000000000000000000000000000000000000000000000000000000'}"),
        ("GetShardIterator", "{'StreamName':'fuzz','ShardId':'shardId-000000000000','ShardIteratorType':'AT_TIMESTAMP','Timestamp':1790000000}"),
        ("GetRecords", "{'ShardIterator':'AAAAAAAAAAGl2cFz0ipgv8VjSXxEp5DRbAEbx9zXn8yq0IqOQZp7rYtq','Limit':100}"),
        ("SplitShard", "{'StreamName':'fuzz','ShardToSplit':'shardId-000000000000','NewStartingHashKey':'85070591730234615865843651857942052864'}"),
        ("MergeShards", "{'StreamName':'fuzz','ShardToMerge':'shardId-000000000000','AdjacentShardToMerge':'shardId-000000000001'}"),
        ("UpdateShardCount", "{'StreamName':'fuzz','TargetShardCount':4,'ScalingType':'UNIFORM_SCALING'}"),
        ("UpdateStreamMode", "{'StreamARN':'" + StreamArn + "','StreamModeDetails':{'StreamMode':'PROVISIONED'}}"),
        ("IncreaseStreamRetentionPeriod", "{'StreamName':'fuzz','RetentionPeriodHours':48}"),
        ("DecreaseStreamRetentionPeriod", "{'StreamName':'fuzz','RetentionPeriodHours':24}"),
        ("AddTagsToStream", "{'StreamName':'fuzz','Tags':{'k':'v','k2':''}}"),
        ("RemoveTagsFromStream", "{'StreamName':'fuzz','TagKeys':['k']}"),
        ("ListTagsForStream", "{'StreamName':'fuzz','Limit':10,'ExclusiveStartTagKey':'a'}"),
        ("TagResource", "{'ResourceARN':'" + StreamArn + "','Tags':{'x':'y'}}"),
        ("UntagResource", "{'ResourceARN':'" + StreamArn + "','TagKeys':['x']}"),
        ("ListTagsForResource", "{'ResourceARN':'" + StreamArn + "'}"),
        ("RegisterStreamConsumer", "{'StreamARN':'" + StreamArn + "','ConsumerName':'c'}"),
        ("DescribeStreamConsumer", "{'StreamARN':'" + StreamArn + "','ConsumerName':'c'}"),
        ("ListStreamConsumers", "{'StreamARN':'" + StreamArn + "','MaxResults':10}"),
        ("DeregisterStreamConsumer", "{'StreamARN':'" + StreamArn + "','ConsumerName':'c'}"),
        ("StartStreamEncryption", "{'StreamName':'fuzz','EncryptionType':'KMS','KeyId':'alias/aws/kinesis'}"),
        ("StopStreamEncryption", "{'StreamName':'fuzz','EncryptionType':'KMS','KeyId':'alias/aws/kinesis'}"),
        ("DescribeLimits", "{}"),
        ("EnableEnhancedMonitoring", "{'StreamName':'fuzz','ShardLevelMetrics':['IncomingBytes','ALL']}"),
        ("DisableEnhancedMonitoring", "{'StreamName':'fuzz','ShardLevelMetrics':['ALL']}"),
        ("SubscribeToShard", "{'ConsumerARN':'x','ShardId':'shardId-000000000000'}"),
    ];

    private static string Body(string body) => body.Replace('\'', '"');

    public static readonly byte[][] JsonRequests =
        [.. Bodies.Select(b => AwsSeeds.Json("Kinesis_20131202." + b.Action, JsonType, "kinesis", Body(b.Body)))];

    /// <summary>The same requests in CBOR; the body bytes follow the empty line as they are.</summary>
    public static readonly byte[][] CborRequests =
        [.. Bodies.Select(b => Http.FuzzRequest.Format("POST /", [
            ("Content-Type", CborType),
            ("X-Amz-Target", "Kinesis_20131202." + b.Action),
            ("Authorization", Authorization("kinesis")),
        ], CborEncoder.FromJson(Body(b.Body))))];

    private static readonly string[] Words =
    [
        "\"StreamName\"", "\"StreamARN\"", "\"ShardCount\"", "\"Data\"", "\"PartitionKey\"", "\"ExplicitHashKey\"", "\"Records\"",
        "\"ShardIterator\"", "\"ShardIteratorType\"", "\"StartingSequenceNumber\"", "\"Timestamp\"", "\"Limit\"", "\"NextToken\"",
        "\"ShardId\"", "\"TargetShardCount\"", "\"NewStartingHashKey\"", "\"RetentionPeriodHours\"", "\"Tags\"", "\"TagKeys\"",
        "\"ConsumerName\"", "\"StreamModeDetails\"", "\"ShardFilter\"", "\"MaxResults\"", "TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER",
        "AFTER_SEQUENCE_NUMBER", "AT_TIMESTAMP", "ON_DEMAND", "PROVISIONED", "shardId-000000000000", "shardId-999999999999",
        "Kinesis_20131202.PutRecords", "Kinesis_20131202.GetRecords", "Kinesis_20131202.CreateStream", "Kinesis_20131202.ListShards",
        JsonType, CborType, "application/json",
    ];

    public static readonly Grammar JsonGrammar = Grammar.Of(Words, Grammar.JsonNestings, 1 << 20);

    /// <summary>CBOR's containers: an indefinite map with a key, an indefinite array, one-element definite arrays, tags.</summary>
    public static readonly Grammar CborGrammar = Grammar.Of(
        [.. Words, "\u00bf", "\u009f", "\u00ff", "\u0061a", "\u0064Data", "\u005f\u0041a\u00ff", "\u007f\u0061a\u00ff"],
        [("\u00bf\u0061a", "\u00ff"), ("\u009f", "\u00ff"), ("\u0081", ""), ("\u00c1", ""), ("\u00a1\u0061a", "")],
        1 << 20,
        System.Text.Encoding.Latin1);
}

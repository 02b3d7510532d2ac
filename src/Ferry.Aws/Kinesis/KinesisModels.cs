#pragma warning disable SA1402, CA1819 // Wire models: one file, arrays as the JSON shapes have them.
using System.Text.Json.Serialization;

namespace Ferry.Aws.Kinesis;

// Requests and results of Kinesis's control-plane actions, named and shaped as botocore's model has them
// (kinesis/2013-12-02). Timestamps are epoch seconds (doubles); the record actions have their own codec
// (KinesisRecordsCodec) for speed.

internal sealed class KinesisEmptyResult;

internal class StreamRef
{
    public string? StreamName { get; set; }
    public string? StreamARN { get; set; }
}

internal sealed class StreamModeDetails
{
    public string? StreamMode { get; set; }
}

internal sealed class CreateStreamRequest
{
    public string? StreamName { get; set; }
    public int? ShardCount { get; set; }
    public StreamModeDetails? StreamModeDetails { get; set; }
    public Dictionary<string, string>? Tags { get; set; }
}

internal sealed class DeleteStreamRequest : StreamRef
{
    public bool? EnforceConsumerDeletion { get; set; }
}

internal sealed class DescribeStreamRequest : StreamRef
{
    public int? Limit { get; set; }
    public string? ExclusiveStartShardId { get; set; }
}

internal sealed class HashKeyRange
{
    public required string StartingHashKey { get; set; }
    public required string EndingHashKey { get; set; }
}

internal sealed class SequenceNumberRange
{
    public required string StartingSequenceNumber { get; set; }
    public string? EndingSequenceNumber { get; set; }
}

internal sealed class ShardModel
{
    public required string ShardId { get; set; }
    public string? ParentShardId { get; set; }
    public string? AdjacentParentShardId { get; set; }
    public required HashKeyRange HashKeyRange { get; set; }
    public required SequenceNumberRange SequenceNumberRange { get; set; }
}

internal sealed class EnhancedMetrics
{
    public List<string> ShardLevelMetrics { get; set; } = [];
}

internal sealed class StreamDescription
{
    public required string StreamName { get; set; }
    public required string StreamARN { get; set; }
    public required string StreamStatus { get; set; }
    public required StreamModeDetails StreamModeDetails { get; set; }
    public required List<ShardModel> Shards { get; set; }
    public bool HasMoreShards { get; set; }
    public int RetentionPeriodHours { get; set; }
    public double StreamCreationTimestamp { get; set; }
    public required List<EnhancedMetrics> EnhancedMonitoring { get; set; }
    public string? EncryptionType { get; set; }
    public string? KeyId { get; set; }
}

internal sealed class DescribeStreamResult
{
    public required StreamDescription StreamDescription { get; set; }
}

internal sealed class StreamDescriptionSummary
{
    public required string StreamName { get; set; }
    public required string StreamARN { get; set; }
    public required string StreamStatus { get; set; }
    public required StreamModeDetails StreamModeDetails { get; set; }
    public int RetentionPeriodHours { get; set; }
    public double StreamCreationTimestamp { get; set; }
    public required List<EnhancedMetrics> EnhancedMonitoring { get; set; }
    public string? EncryptionType { get; set; }
    public string? KeyId { get; set; }
    public int OpenShardCount { get; set; }
    public int ConsumerCount { get; set; }
}

internal sealed class DescribeStreamSummaryResult
{
    public required StreamDescriptionSummary StreamDescriptionSummary { get; set; }
}

internal sealed class ListStreamsRequest
{
    public int? Limit { get; set; }
    public string? ExclusiveStartStreamName { get; set; }
    public string? NextToken { get; set; }
}

internal sealed class StreamSummary
{
    public required string StreamName { get; set; }
    public required string StreamARN { get; set; }
    public required string StreamStatus { get; set; }
    public required StreamModeDetails StreamModeDetails { get; set; }
    public double StreamCreationTimestamp { get; set; }
}

internal sealed class ListStreamsResult
{
    public required List<string> StreamNames { get; set; }
    public bool HasMoreStreams { get; set; }
    public string? NextToken { get; set; }
    public required List<StreamSummary> StreamSummaries { get; set; }
}

internal sealed class ShardFilter
{
    public string? Type { get; set; }
    public string? ShardId { get; set; }
    public double? Timestamp { get; set; }
}

internal sealed class ListShardsRequest : StreamRef
{
    public string? NextToken { get; set; }
    public string? ExclusiveStartShardId { get; set; }
    public int? MaxResults { get; set; }
    public double? StreamCreationTimestamp { get; set; }
    public ShardFilter? ShardFilter { get; set; }
}

internal sealed class ListShardsResult
{
    public required List<ShardModel> Shards { get; set; }
    public string? NextToken { get; set; }
}

internal sealed class GetShardIteratorRequest : StreamRef
{
    public string? ShardId { get; set; }
    public string? ShardIteratorType { get; set; }
    public string? StartingSequenceNumber { get; set; }
    public double? Timestamp { get; set; }
}

internal sealed class GetShardIteratorResult
{
    public required string ShardIterator { get; set; }
}

internal sealed class SplitShardRequest : StreamRef
{
    public string? ShardToSplit { get; set; }
    public string? NewStartingHashKey { get; set; }
}

internal sealed class MergeShardsRequest : StreamRef
{
    public string? ShardToMerge { get; set; }
    public string? AdjacentShardToMerge { get; set; }
}

internal sealed class UpdateShardCountRequest : StreamRef
{
    public int? TargetShardCount { get; set; }
    public string? ScalingType { get; set; }
}

internal sealed class UpdateShardCountResult
{
    public required string StreamName { get; set; }
    public int CurrentShardCount { get; set; }
    public int TargetShardCount { get; set; }
    public required string StreamARN { get; set; }
}

internal sealed class UpdateStreamModeRequest
{
    public string? StreamARN { get; set; }
    public StreamModeDetails? StreamModeDetails { get; set; }
}

internal sealed class RetentionRequest : StreamRef
{
    public int? RetentionPeriodHours { get; set; }
}

internal sealed class AddTagsToStreamRequest : StreamRef
{
    public Dictionary<string, string>? Tags { get; set; }
}

internal sealed class RemoveTagsFromStreamRequest : StreamRef
{
    public List<string>? TagKeys { get; set; }
}

internal sealed class ListTagsForStreamRequest : StreamRef
{
    public string? ExclusiveStartTagKey { get; set; }
    public int? Limit { get; set; }
}

internal sealed class TagModel
{
    public required string Key { get; set; }
    public string? Value { get; set; }
}

internal sealed class ListTagsForStreamResult
{
    public required List<TagModel> Tags { get; set; }
    public bool HasMoreTags { get; set; }
}

internal sealed class TagResourceRequest
{
    public Dictionary<string, string>? Tags { get; set; }
    public string? ResourceARN { get; set; }
}

internal sealed class UntagResourceRequest
{
    public List<string>? TagKeys { get; set; }
    public string? ResourceARN { get; set; }
}

internal sealed class ListTagsForResourceRequest
{
    public string? ResourceARN { get; set; }
}

internal sealed class ListTagsForResourceResult
{
    public required List<TagModel> Tags { get; set; }
}

internal sealed class ConsumerRequest
{
    public string? StreamARN { get; set; }
    public string? ConsumerName { get; set; }
    public string? ConsumerARN { get; set; }
    public Dictionary<string, string>? Tags { get; set; }
}

internal sealed class ConsumerModel
{
    public required string ConsumerName { get; set; }
    public required string ConsumerARN { get; set; }
    public required string ConsumerStatus { get; set; }
    public double ConsumerCreationTimestamp { get; set; }
    public string? StreamARN { get; set; }
}

internal sealed class RegisterStreamConsumerResult
{
    public required ConsumerModel Consumer { get; set; }
}

internal sealed class DescribeStreamConsumerResult
{
    public required ConsumerModel ConsumerDescription { get; set; }
}

internal sealed class ListStreamConsumersRequest
{
    public string? StreamARN { get; set; }
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
    public double? StreamCreationTimestamp { get; set; }
}

internal sealed class ListStreamConsumersResult
{
    public required List<ConsumerModel> Consumers { get; set; }
    public string? NextToken { get; set; }
}

internal sealed class EncryptionRequest : StreamRef
{
    public string? EncryptionType { get; set; }
    public string? KeyId { get; set; }
}

internal sealed class DescribeLimitsResult
{
    public int ShardLimit { get; set; }
    public int OpenShardCount { get; set; }
    public int OnDemandStreamCount { get; set; }
    public int OnDemandStreamCountLimit { get; set; }
}

internal sealed class MonitoringRequest : StreamRef
{
    public List<string>? ShardLevelMetrics { get; set; }
}

internal sealed class MonitoringResult
{
    public required string StreamName { get; set; }
    public required List<string> CurrentShardLevelMetrics { get; set; }
    public required List<string> DesiredShardLevelMetrics { get; set; }
    public required string StreamARN { get; set; }
}

internal sealed class PutRecordRequest : StreamRef
{
    public byte[]? Data { get; set; }
    public string? PartitionKey { get; set; }
    public string? ExplicitHashKey { get; set; }
    public string? SequenceNumberForOrdering { get; set; }
}

internal sealed class PutRecordResult
{
    public required string ShardId { get; set; }
    public required string SequenceNumber { get; set; }
    public string? EncryptionType { get; set; }
}

/// <summary>Source-generated JSON metadata for the control-plane models: no reflection at run time.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(KinesisEmptyResult))]
[JsonSerializable(typeof(CreateStreamRequest))]
[JsonSerializable(typeof(DeleteStreamRequest))]
[JsonSerializable(typeof(DescribeStreamRequest))]
[JsonSerializable(typeof(DescribeStreamResult))]
[JsonSerializable(typeof(StreamRef))]
[JsonSerializable(typeof(DescribeStreamSummaryResult))]
[JsonSerializable(typeof(ListStreamsRequest))]
[JsonSerializable(typeof(ListStreamsResult))]
[JsonSerializable(typeof(ListShardsRequest))]
[JsonSerializable(typeof(ListShardsResult))]
[JsonSerializable(typeof(GetShardIteratorRequest))]
[JsonSerializable(typeof(GetShardIteratorResult))]
[JsonSerializable(typeof(SplitShardRequest))]
[JsonSerializable(typeof(MergeShardsRequest))]
[JsonSerializable(typeof(UpdateShardCountRequest))]
[JsonSerializable(typeof(UpdateShardCountResult))]
[JsonSerializable(typeof(UpdateStreamModeRequest))]
[JsonSerializable(typeof(RetentionRequest))]
[JsonSerializable(typeof(AddTagsToStreamRequest))]
[JsonSerializable(typeof(RemoveTagsFromStreamRequest))]
[JsonSerializable(typeof(ListTagsForStreamRequest))]
[JsonSerializable(typeof(ListTagsForStreamResult))]
[JsonSerializable(typeof(TagResourceRequest))]
[JsonSerializable(typeof(UntagResourceRequest))]
[JsonSerializable(typeof(ListTagsForResourceRequest))]
[JsonSerializable(typeof(ListTagsForResourceResult))]
[JsonSerializable(typeof(ConsumerRequest))]
[JsonSerializable(typeof(RegisterStreamConsumerResult))]
[JsonSerializable(typeof(DescribeStreamConsumerResult))]
[JsonSerializable(typeof(ListStreamConsumersRequest))]
[JsonSerializable(typeof(ListStreamConsumersResult))]
[JsonSerializable(typeof(EncryptionRequest))]
[JsonSerializable(typeof(DescribeLimitsResult))]
[JsonSerializable(typeof(MonitoringRequest))]
[JsonSerializable(typeof(MonitoringResult))]
[JsonSerializable(typeof(PutRecordRequest))]
[JsonSerializable(typeof(PutRecordResult))]
internal sealed partial class KinesisJsonContext : JsonSerializerContext;

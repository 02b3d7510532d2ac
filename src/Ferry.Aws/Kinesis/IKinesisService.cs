using Ferry.Engine.Streams;

namespace Ferry.Aws.Kinesis;

/// <summary>The records of one PutRecord or PutRecords call, parsed into one arena (partition keys and data).</summary>
internal sealed class PutRecordsInput
{
    public string? StreamName { get; set; }
    public string? StreamARN { get; set; }
    public List<StreamPutEntry> Entries { get; } = [];
    public byte[] Arena { get; set; } = [];
    public int ArenaLength { get; set; }
}

/// <summary>What a put produced: the stream (to format shard ids and sequence numbers) and one result per record.</summary>
internal readonly record struct PutRecordsOutcome(DataStream Stream, StreamPutResult[] Results);

/// <summary>What GetRecords read, and the iterator to continue with (null at the end of a closed shard).</summary>
internal readonly record struct GetRecordsOutcome(StreamReadResult Read, string? NextShardIterator);

/// <summary>
/// The semantics of Kinesis Data Streams behind both encodings (JSON 1.1 and CBOR): one method per action of the
/// 2013-12-02 API. Every AWS error is thrown as <see cref="KinesisException"/>; anything else becomes InternalFailure.
/// </summary>
internal interface IKinesisService
{
    ValueTask<KinesisEmptyResult> CreateStreamAsync(CreateStreamRequest request, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> DeleteStreamAsync(DeleteStreamRequest request, CancellationToken cancellationToken);
    ValueTask<DescribeStreamResult> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken);
    ValueTask<DescribeStreamSummaryResult> DescribeStreamSummaryAsync(StreamRef request, CancellationToken cancellationToken);
    ValueTask<ListStreamsResult> ListStreamsAsync(ListStreamsRequest request, CancellationToken cancellationToken);
    ValueTask<ListShardsResult> ListShardsAsync(ListShardsRequest request, CancellationToken cancellationToken);
    ValueTask<PutRecordsOutcome> PutRecordsAsync(PutRecordsInput request, CancellationToken cancellationToken);
    ValueTask<GetShardIteratorResult> GetShardIteratorAsync(GetShardIteratorRequest request, CancellationToken cancellationToken);
    ValueTask<GetRecordsOutcome> GetRecordsAsync(string? shardIterator, int? limit, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> SplitShardAsync(SplitShardRequest request, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> MergeShardsAsync(MergeShardsRequest request, CancellationToken cancellationToken);
    ValueTask<UpdateShardCountResult> UpdateShardCountAsync(UpdateShardCountRequest request, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> UpdateStreamModeAsync(UpdateStreamModeRequest request, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> IncreaseStreamRetentionPeriodAsync(RetentionRequest request, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> DecreaseStreamRetentionPeriodAsync(RetentionRequest request, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> AddTagsToStreamAsync(AddTagsToStreamRequest request, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> RemoveTagsFromStreamAsync(RemoveTagsFromStreamRequest request, CancellationToken cancellationToken);
    ValueTask<ListTagsForStreamResult> ListTagsForStreamAsync(ListTagsForStreamRequest request, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> TagResourceAsync(TagResourceRequest request, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken);
    ValueTask<ListTagsForResourceResult> ListTagsForResourceAsync(ListTagsForResourceRequest request, CancellationToken cancellationToken);
    ValueTask<RegisterStreamConsumerResult> RegisterStreamConsumerAsync(ConsumerRequest request, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> DeregisterStreamConsumerAsync(ConsumerRequest request, CancellationToken cancellationToken);
    ValueTask<DescribeStreamConsumerResult> DescribeStreamConsumerAsync(ConsumerRequest request, CancellationToken cancellationToken);
    ValueTask<ListStreamConsumersResult> ListStreamConsumersAsync(ListStreamConsumersRequest request, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> StartStreamEncryptionAsync(EncryptionRequest request, CancellationToken cancellationToken);
    ValueTask<KinesisEmptyResult> StopStreamEncryptionAsync(EncryptionRequest request, CancellationToken cancellationToken);
    ValueTask<DescribeLimitsResult> DescribeLimitsAsync(CancellationToken cancellationToken);
    ValueTask<MonitoringResult> EnableEnhancedMonitoringAsync(MonitoringRequest request, CancellationToken cancellationToken);
    ValueTask<MonitoringResult> DisableEnhancedMonitoringAsync(MonitoringRequest request, CancellationToken cancellationToken);
}

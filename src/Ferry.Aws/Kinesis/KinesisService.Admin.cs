using System.Globalization;
using Ferry.Engine;
using Ferry.Engine.Streams;

namespace Ferry.Aws.Kinesis;

internal sealed partial class KinesisService
{
    public ValueTask<KinesisEmptyResult> SplitShardAsync(SplitShardRequest request, CancellationToken cancellationToken)
    {
        if (request.ShardToSplit is null)
        {
            throw KinesisException.Missing("shardToSplit");
        }

        if (request.NewStartingHashKey is null)
        {
            throw KinesisException.Missing("newStartingHashKey");
        }

        if (!UInt128.TryParse(request.NewStartingHashKey, NumberStyles.None, CultureInfo.InvariantCulture, out var at))
        {
            throw KinesisException.Validation(request.NewStartingHashKey, "newStartingHashKey", "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})");
        }

        var stream = Resolve(request.StreamName, request.StreamARN);
        RequireShardCapacity(1);
        return Run(stream.SplitShardAsync(request.ShardToSplit, at));
    }

    public ValueTask<KinesisEmptyResult> MergeShardsAsync(MergeShardsRequest request, CancellationToken cancellationToken)
    {
        if (request.ShardToMerge is null)
        {
            throw KinesisException.Missing("shardToMerge");
        }

        if (request.AdjacentShardToMerge is null)
        {
            throw KinesisException.Missing("adjacentShardToMerge");
        }

        var stream = Resolve(request.StreamName, request.StreamARN);
        return Run(stream.MergeShardsAsync(request.ShardToMerge, request.AdjacentShardToMerge));
    }

    private void RequireShardCapacity(int more)
    {
        var open = Broker.OpenShardCount();
        if ((long)open + more > ShardLimit)
        {
            throw KinesisException.LimitExceeded(
                $"This request would exceed the shard limit for the account {Account} in {Broker.Options.Region}. Current shard count for the account: {open}. Limit: {ShardLimit}. Number of additional shards that would have resulted from this request: {more}. Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.");
        }
    }

    public async ValueTask<UpdateShardCountResult> UpdateShardCountAsync(UpdateShardCountRequest request, CancellationToken cancellationToken)
    {
        var target = request.TargetShardCount ?? throw KinesisException.Missing("targetShardCount");
        if (request.ScalingType is null)
        {
            throw KinesisException.Missing("scalingType");
        }

        if (request.ScalingType != "UNIFORM_SCALING")
        {
            throw KinesisException.Validation(request.ScalingType, "scalingType", "Member must satisfy enum value set: [UNIFORM_SCALING]");
        }

        if (target < 1)
        {
            throw KinesisException.Validation(target.ToString(CultureInfo.InvariantCulture), "targetShardCount", "Member must have value greater than or equal to 1");
        }

        var stream = Resolve(request.StreamName, request.StreamARN);
        var current = stream.OpenShardCount;
        if (target > current * 2 || target * 2 < current)
        {
            throw KinesisException.InvalidArgument(
                $"UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: {current} Target shard count: {target}");
        }

        RequireShardCapacity(Math.Max(0, target - current));
        await Run(stream.UpdateShardCountAsync(target)).ConfigureAwait(false);
        return new UpdateShardCountResult { StreamName = stream.Name, CurrentShardCount = current, TargetShardCount = target, StreamARN = stream.Arn };
    }

    public ValueTask<KinesisEmptyResult> UpdateStreamModeAsync(UpdateStreamModeRequest request, CancellationToken cancellationToken)
    {
        if (request.StreamARN is null)
        {
            throw KinesisException.Missing("streamARN");
        }

        var mode = ParseMode(request.StreamModeDetails?.StreamMode, "streamModeDetails.streamMode");
        var stream = Resolve(null, request.StreamARN);
        return Run(stream.UpdateAsync(s =>
        {
            s.RequireActive();
            if (s.Mode == mode)
            {
                throw new EngineException(EngineError.InvalidArgument, $"Stream {s.Name} under account {Account} is already in {ModeName(mode)} mode.");
            }

            s.SetMode(mode);
            s.BeginUpdating();
        }));
    }

    public ValueTask<KinesisEmptyResult> IncreaseStreamRetentionPeriodAsync(RetentionRequest request, CancellationToken cancellationToken) =>
        ChangeRetention(request, increase: true);

    public ValueTask<KinesisEmptyResult> DecreaseStreamRetentionPeriodAsync(RetentionRequest request, CancellationToken cancellationToken) =>
        ChangeRetention(request, increase: false);

    private ValueTask<KinesisEmptyResult> ChangeRetention(RetentionRequest request, bool increase)
    {
        var hours = request.RetentionPeriodHours ?? throw KinesisException.Missing("retentionPeriodHours");
        var stream = Resolve(request.StreamName, request.StreamARN);
        if (hours < DataStream.MinRetentionHours)
        {
            throw KinesisException.InvalidArgument(
                $"Minimum allowed retention period is {DataStream.MinRetentionHours} hours. Requested retention period ({hours} hours) is too short.");
        }

        if (hours > DataStream.MaxRetentionHours)
        {
            throw KinesisException.InvalidArgument(
                $"Maximum allowed retention period is {DataStream.MaxRetentionHours} hours. Requested retention period ({hours} hours) is too long.");
        }

        return Run(stream.UpdateAsync(s =>
        {
            s.RequireActive();
            if (increase && hours < s.RetentionHours)
            {
                throw new EngineException(EngineError.InvalidArgument,
                    $"Requested retention period ({hours} hours) for stream {s.Name} can not be shorter than existing retention period ({s.RetentionHours} hours). Use DecreaseRetentionPeriod API.");
            }

            if (!increase && hours > s.RetentionHours)
            {
                throw new EngineException(EngineError.InvalidArgument,
                    $"Requested retention period ({hours} hours) for stream {s.Name} can not be longer than existing retention period ({s.RetentionHours} hours). Use IncreaseRetentionPeriod API.");
            }

            s.SetRetention(hours);
        }));
    }

    private ValueTask<KinesisEmptyResult> ChangeTags(DataStream stream, IReadOnlyDictionary<string, string>? add, IReadOnlyCollection<string>? remove) =>
        Run(stream.UpdateAsync(s =>
        {
            var tags = new Dictionary<string, string>(s.Tags, StringComparer.Ordinal);
            foreach (var k in remove ?? [])
            {
                tags.Remove(k);
            }

            foreach (var (k, v) in add ?? new Dictionary<string, string>())
            {
                tags[k] = v;
            }

            if (tags.Count > MaxTagsPerStream)
            {
                throw new EngineException(EngineError.InvalidArgument,
                    $"Failed to add tags to stream {s.Name} under account {Account} because a given stream cannot have more than {MaxTagsPerStream} tags associated with it.");
            }

            s.SetTags(tags);
        }));

    public ValueTask<KinesisEmptyResult> AddTagsToStreamAsync(AddTagsToStreamRequest request, CancellationToken cancellationToken)
    {
        if (request.Tags is null)
        {
            throw KinesisException.Missing("tags");
        }

        ValidateTags(request.Tags);
        return ChangeTags(Resolve(request.StreamName, request.StreamARN), request.Tags, null);
    }

    public ValueTask<KinesisEmptyResult> RemoveTagsFromStreamAsync(RemoveTagsFromStreamRequest request, CancellationToken cancellationToken) =>
        ChangeTags(Resolve(request.StreamName, request.StreamARN), null, request.TagKeys ?? throw KinesisException.Missing("tagKeys"));

    public ValueTask<ListTagsForStreamResult> ListTagsForStreamAsync(ListTagsForStreamRequest request, CancellationToken cancellationToken)
    {
        var stream = Resolve(request.StreamName, request.StreamARN);
        var limit = request.Limit ?? 50;
        var tags = stream.Tags.OrderBy(t => t.Key, StringComparer.Ordinal)
            .Where(t => request.ExclusiveStartTagKey is null || string.CompareOrdinal(t.Key, request.ExclusiveStartTagKey) > 0).ToList();
        return ValueTask.FromResult(new ListTagsForStreamResult
        {
            Tags = [.. tags.Take(limit).Select(t => new TagModel { Key = t.Key, Value = t.Value })],
            HasMoreTags = tags.Count > limit,
        });
    }

    private DataStream ResolveResource(string? arn)
    {
        if (arn is null)
        {
            throw KinesisException.Missing("resourceARN");
        }

        if (!arn.StartsWith("arn:", StringComparison.Ordinal) || !arn.Contains(":stream/", StringComparison.Ordinal))
        {
            throw KinesisException.InvalidArgument($"Invalid ARN: {arn}.");
        }

        return Resolve(null, arn[..(arn.IndexOf("/consumer/", StringComparison.Ordinal) is var c and >= 0 ? c : arn.Length)]);
    }

    public ValueTask<KinesisEmptyResult> TagResourceAsync(TagResourceRequest request, CancellationToken cancellationToken)
    {
        var stream = ResolveResource(request.ResourceARN);
        ValidateTags(request.Tags ?? throw KinesisException.Missing("tags"));
        return ChangeTags(stream, request.Tags, null);
    }

    public ValueTask<KinesisEmptyResult> UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken) =>
        ChangeTags(ResolveResource(request.ResourceARN), null, request.TagKeys ?? throw KinesisException.Missing("tagKeys"));

    public ValueTask<ListTagsForResourceResult> ListTagsForResourceAsync(ListTagsForResourceRequest request, CancellationToken cancellationToken)
    {
        var stream = ResolveResource(request.ResourceARN);
        return ValueTask.FromResult(new ListTagsForResourceResult
        {
            Tags = [.. stream.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new TagModel { Key = t.Key, Value = t.Value })],
        });
    }

    private static ConsumerModel Consumer(DataStream stream, StreamConsumer c, bool withStream) => new()
    {
        ConsumerName = c.Name,
        ConsumerARN = c.Arn,
        ConsumerStatus = "ACTIVE",
        ConsumerCreationTimestamp = c.CreatedAt,
        StreamARN = withStream ? stream.Arn : null,
    };

    /// <summary>The consumer a request names by ConsumerARN, or by StreamARN and ConsumerName.</summary>
    private (DataStream Stream, StreamConsumer Consumer) ResolveConsumer(ConsumerRequest request)
    {
        DataStream stream;
        if (request.ConsumerARN is { } arn)
        {
            var at = arn.IndexOf("/consumer/", StringComparison.Ordinal);
            if (at < 0)
            {
                throw KinesisException.InvalidArgument($"Invalid ConsumerARN: {arn}.");
            }

            stream = Resolve(null, arn[..at]);
            return (stream, stream.Consumers.FirstOrDefault(c => c.Arn == arn)
                ?? throw KinesisException.NotFound($"Consumer {arn} under account {Account} not found."));
        }

        if (request.StreamARN is null || request.ConsumerName is null)
        {
            throw KinesisException.InvalidArgument("Either ConsumerARN or both StreamARN and ConsumerName should be provided.");
        }

        stream = Resolve(null, request.StreamARN);
        return (stream, stream.Consumers.FirstOrDefault(c => c.Name == request.ConsumerName)
            ?? throw KinesisException.NotFound($"Consumer {request.ConsumerName} under stream {stream.Name} under account {Account} not found."));
    }

    public async ValueTask<RegisterStreamConsumerResult> RegisterStreamConsumerAsync(ConsumerRequest request, CancellationToken cancellationToken)
    {
        var name = request.ConsumerName ?? throw KinesisException.Missing("consumerName");
        if (name.Length is 0 or > 128 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            throw KinesisException.Validation(name, "consumerName", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        }

        var stream = Resolve(null, request.StreamARN ?? throw KinesisException.Missing("streamARN"));
        StreamConsumer? added = null;
        await Run(stream.UpdateAsync(s =>
        {
            if (s.Consumers.Any(c => c.Name == name))
            {
                throw new EngineException(EngineError.ResourceInUse, $"Consumer {name} under stream {s.Name} under account {Account} already exists.");
            }

            if (s.Consumers.Count >= MaxConsumers)
            {
                throw new EngineException(EngineError.LimitExceeded, $"Stream {s.Name} under account {Account} already has {MaxConsumers} registered consumers.");
            }

            added = s.AddConsumer(name);
        })).ConfigureAwait(false);
        return new RegisterStreamConsumerResult { Consumer = Consumer(stream, added!, withStream: false) };
    }

    public ValueTask<KinesisEmptyResult> DeregisterStreamConsumerAsync(ConsumerRequest request, CancellationToken cancellationToken)
    {
        var (stream, consumer) = ResolveConsumer(request);
        return Run(stream.UpdateAsync(s => s.RemoveConsumer(consumer)));
    }

    public ValueTask<DescribeStreamConsumerResult> DescribeStreamConsumerAsync(ConsumerRequest request, CancellationToken cancellationToken)
    {
        var (stream, consumer) = ResolveConsumer(request);
        return ValueTask.FromResult(new DescribeStreamConsumerResult { ConsumerDescription = Consumer(stream, consumer, withStream: true) });
    }

    public ValueTask<ListStreamConsumersResult> ListStreamConsumersAsync(ListStreamConsumersRequest request, CancellationToken cancellationToken)
    {
        var stream = Resolve(null, request.StreamARN ?? throw KinesisException.Missing("streamARN"));
        var max = request.MaxResults ?? 100;
        var skip = 0;
        if (request.NextToken is { } token && !int.TryParse(DecodeToken(token, 1)[0], NumberStyles.None, CultureInfo.InvariantCulture, out skip))
        {
            // A token is only base64, so a client can write one.
            throw KinesisException.InvalidArgument("Invalid NextToken.");
        }

        var all = stream.Consumers;
        var page = all.Skip(skip).Take(max).ToList();
        return ValueTask.FromResult(new ListStreamConsumersResult
        {
            Consumers = [.. page.Select(c => Consumer(stream, c, withStream: false))],
            NextToken = skip + page.Count < all.Count ? EncodeToken((skip + page.Count).ToString(CultureInfo.InvariantCulture)) : null,
        });
    }

    public ValueTask<KinesisEmptyResult> StartStreamEncryptionAsync(EncryptionRequest request, CancellationToken cancellationToken) =>
        ChangeEncryption(request, start: true);

    public ValueTask<KinesisEmptyResult> StopStreamEncryptionAsync(EncryptionRequest request, CancellationToken cancellationToken) =>
        ChangeEncryption(request, start: false);

    private ValueTask<KinesisEmptyResult> ChangeEncryption(EncryptionRequest request, bool start)
    {
        if (request.EncryptionType is null)
        {
            throw KinesisException.Missing("encryptionType");
        }

        if (request.EncryptionType is not ("KMS" or "NONE"))
        {
            throw KinesisException.Validation(request.EncryptionType, "encryptionType", "Member must satisfy enum value set: [KMS, NONE]");
        }

        if (request.KeyId is null)
        {
            throw KinesisException.Missing("keyId");
        }

        var stream = Resolve(request.StreamName, request.StreamARN);
        return Run(stream.UpdateAsync(s =>
        {
            s.RequireActive();
            s.SetEncryption(start ? request.EncryptionType : "NONE", start ? request.KeyId : null);
            s.BeginUpdating();
        }));
    }

    public ValueTask<DescribeLimitsResult> DescribeLimitsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(new DescribeLimitsResult
    {
        ShardLimit = ShardLimit,
        OpenShardCount = Broker.OpenShardCount(),
        OnDemandStreamCount = Broker.ListStreams().Count(s => s.Mode == StreamMode.OnDemand),
        OnDemandStreamCountLimit = OnDemandStreamLimit,
    });

    private static readonly string[] AllMetrics =
        ["IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords", "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"];

    public ValueTask<MonitoringResult> EnableEnhancedMonitoringAsync(MonitoringRequest request, CancellationToken cancellationToken) =>
        ChangeMonitoring(request, enable: true);

    public ValueTask<MonitoringResult> DisableEnhancedMonitoringAsync(MonitoringRequest request, CancellationToken cancellationToken) =>
        ChangeMonitoring(request, enable: false);

    private async ValueTask<MonitoringResult> ChangeMonitoring(MonitoringRequest request, bool enable)
    {
        var metrics = request.ShardLevelMetrics ?? throw KinesisException.Missing("shardLevelMetrics");
        foreach (var m in metrics)
        {
            if (m != "ALL" && !AllMetrics.Contains(m))
            {
                throw KinesisException.Validation(m, "shardLevelMetrics", "Member must satisfy enum value set: [" + string.Join(", ", AllMetrics) + ", ALL]");
            }
        }

        var wanted = metrics.Contains("ALL") ? AllMetrics : [.. metrics];
        var stream = Resolve(request.StreamName, request.StreamARN);
        List<string> before = [], after = [];
        await Run(stream.UpdateAsync(s =>
        {
            before = [.. s.ShardLevelMetrics];
            after = enable ? [.. before.Union(wanted)] : [.. before.Except(wanted)];
            s.SetShardLevelMetrics(after);
        })).ConfigureAwait(false);
        return new MonitoringResult { StreamName = stream.Name, StreamARN = stream.Arn, CurrentShardLevelMetrics = before, DesiredShardLevelMetrics = after };
    }
}

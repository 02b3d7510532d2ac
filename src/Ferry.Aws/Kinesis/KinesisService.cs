using System.Globalization;
using System.Text;
using Ferry.Engine;
using Ferry.Engine.Streams;

namespace Ferry.Aws.Kinesis;

/// <summary>Ferry's Kinesis: the wire models mapped onto the engine's streams, with Kinesis's rules and wording.</summary>
internal sealed partial class KinesisService(Func<Broker> broker) : IKinesisService
{
    /// <summary>The default shard limit of an account in the large regions.</summary>
    internal const int ShardLimit = 500;

    /// <summary>An ON_DEMAND stream starts with 4 shards, as Kinesis's does.</summary>
    private const int OnDemandShards = 4;

    /// <summary>On-demand streams an account may have.</summary>
    private const int OnDemandStreamLimit = 50;

    /// <summary>Next tokens expire after 300 seconds, as Kinesis's do.</summary>
    private const long NextTokenLifetimeMs = 300_000;

    private const int MaxStreamNameLength = 128;
    private const int MaxTagsPerStream = 50;
    private const int MaxConsumers = 20;

    private Broker Broker => broker();

    private string Account => Broker.Options.AccountId;

    private long NowMs => Broker.NowMilliseconds;

    private static async ValueTask<KinesisEmptyResult> Run(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            throw KinesisException.From(e);
        }

        return new KinesisEmptyResult();
    }

    internal static void ValidateStreamName(string? name, string member = "streamName")
    {
        if (name is null)
        {
            throw KinesisException.Missing(member);
        }

        if (name.Length is 0 or > MaxStreamNameLength)
        {
            throw KinesisException.Validation(name, member, $"Member must have length {(name.Length == 0 ? "greater than or equal to 1" : "less than or equal to 128")}");
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                throw KinesisException.Validation(name, member, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
            }
        }
    }

    /// <summary>The stream a request names by StreamName or StreamARN; ResourceNotFound when none; DELETING ones only if asked.</summary>
    private DataStream Resolve(string? name, string? arn, bool allowDeleting = false)
    {
        DataStream? stream;
        if (arn is not null)
        {
            if (!arn.StartsWith("arn:", StringComparison.Ordinal) || !arn.Contains(":stream/", StringComparison.Ordinal))
            {
                throw KinesisException.Validation(arn, "streamARN", "Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
            }

            var streamName = arn[(arn.IndexOf(":stream/", StringComparison.Ordinal) + 8)..];
            if (name is not null && name != streamName)
            {
                throw KinesisException.InvalidArgument("StreamARN and StreamName refer to different streams.");
            }

            stream = Broker.FindStreamByArn(arn);
            name = streamName;
        }
        else if (name is not null)
        {
            ValidateStreamName(name);
            stream = Broker.FindStream(name);
        }
        else
        {
            throw KinesisException.InvalidArgument("Either StreamName or StreamARN should be provided.");
        }

        if (stream is null || (stream.IsDeleted && !allowDeleting))
        {
            throw KinesisException.NotFound($"Stream {name} under account {Account} not found.");
        }

        return stream;
    }

    private static string StatusName(StreamStatus status) => status switch
    {
        StreamStatus.Creating => "CREATING",
        StreamStatus.Deleting => "DELETING",
        StreamStatus.Updating => "UPDATING",
        _ => "ACTIVE",
    };

    private static string ModeName(StreamMode mode) => mode == StreamMode.OnDemand ? "ON_DEMAND" : "PROVISIONED";

    private static StreamMode ParseMode(string? mode, string member) => mode switch
    {
        "ON_DEMAND" => StreamMode.OnDemand,
        "PROVISIONED" => StreamMode.Provisioned,
        null => throw KinesisException.Missing(member),
        _ => throw KinesisException.Validation(mode, member, "Member must satisfy enum value set: [ON_DEMAND, PROVISIONED]"),
    };

    private static double Seconds(long ms) => ms / 1000.0;

    internal static ShardModel ShardModel(DataStream stream, Shard shard) => new()
    {
        ShardId = shard.Id,
        ParentShardId = shard.ParentIndex is { } p ? StreamSequence.ShardId(p) : null,
        AdjacentParentShardId = shard.AdjacentParentIndex is { } a ? StreamSequence.ShardId(a) : null,
        HashKeyRange = new HashKeyRange
        {
            StartingHashKey = shard.StartingHashKey.ToString(CultureInfo.InvariantCulture),
            EndingHashKey = shard.EndingHashKey.ToString(CultureInfo.InvariantCulture),
        },
        SequenceNumberRange = new SequenceNumberRange
        {
            StartingSequenceNumber = stream.SequenceNumber(shard.StartingCounter, shard.Index),
            EndingSequenceNumber = shard.EndingCounter is { } end ? stream.SequenceNumber(end, shard.Index) : null,
        },
    };

    private static List<EnhancedMetrics> Monitoring(DataStream stream) => [new EnhancedMetrics { ShardLevelMetrics = [.. stream.ShardLevelMetrics] }];

    public ValueTask<KinesisEmptyResult> CreateStreamAsync(CreateStreamRequest request, CancellationToken cancellationToken)
    {
        ValidateStreamName(request.StreamName);
        var mode = request.StreamModeDetails is { } details ? ParseMode(details.StreamMode, "streamModeDetails.streamMode") : StreamMode.Provisioned;
        int shards;
        if (mode == StreamMode.OnDemand)
        {
            if (request.ShardCount is not null)
            {
                throw KinesisException.InvalidArgument("ShardCount is not supported for streams in ON_DEMAND mode.");
            }

            if (Broker.ListStreams().Count(s => s.Mode == StreamMode.OnDemand) >= OnDemandStreamLimit)
            {
                throw KinesisException.LimitExceeded($"This request would exceed the on-demand stream limit for the account {Account} in {Broker.Options.Region}.");
            }

            shards = OnDemandShards;
        }
        else
        {
            shards = request.ShardCount ?? throw KinesisException.InvalidArgument("ShardCount must be provided for streams in PROVISIONED mode.");
            if (shards < 1)
            {
                throw KinesisException.Validation(shards.ToString(CultureInfo.InvariantCulture), "shardCount", "Member must have value greater than or equal to 1");
            }
        }

        ValidateTags(request.Tags);
        return Run(Broker.CreateStreamAsync(request.StreamName!, shards, mode, request.Tags, ShardLimit));
    }

    private static void ValidateTags(Dictionary<string, string>? tags)
    {
        if (tags is null)
        {
            return;
        }

        if (tags.Count > MaxTagsPerStream)
        {
            throw KinesisException.InvalidArgument($"Failed to add tags to stream. A stream cannot have more than {MaxTagsPerStream} tags.");
        }

        foreach (var (k, v) in tags)
        {
            if (k.Length is 0 or > 128 || v.Length > 256)
            {
                throw KinesisException.InvalidArgument("Some tags contain invalid characters or exceed the length limits: a tag key has 1 to 128 characters, a value at most 256.");
            }
        }
    }

    public ValueTask<KinesisEmptyResult> DeleteStreamAsync(DeleteStreamRequest request, CancellationToken cancellationToken)
    {
        var stream = Resolve(request.StreamName, request.StreamARN);
        return Run(Broker.DeleteStreamAsync(stream, request.EnforceConsumerDeletion == true));
    }

    public ValueTask<DescribeStreamResult> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken)
    {
        var stream = Resolve(request.StreamName, request.StreamARN, allowDeleting: true);
        var limit = request.Limit ?? 100;
        if (limit is < 1 or > 10000)
        {
            throw KinesisException.Validation(limit.ToString(CultureInfo.InvariantCulture), "limit", $"Member must have value {(limit < 1 ? "greater than or equal to 1" : "less than or equal to 10000")}");
        }

        var shards = stream.IsDeleted ? [] : stream.Shards;
        var after = -1;
        if (request.ExclusiveStartShardId is { } start && StreamSequence.TryParseShardId(start, out var index))
        {
            after = index;
        }

        var page = shards.Where(s => s.Index > after).ToList();
        return ValueTask.FromResult(new DescribeStreamResult
        {
            StreamDescription = new StreamDescription
            {
                StreamName = stream.Name,
                StreamARN = stream.Arn,
                StreamStatus = StatusName(stream.Status),
                StreamModeDetails = new StreamModeDetails { StreamMode = ModeName(stream.Mode) },
                Shards = [.. page.Take(limit).Select(s => ShardModel(stream, s))],
                HasMoreShards = page.Count > limit,
                RetentionPeriodHours = stream.RetentionHours,
                StreamCreationTimestamp = Seconds(stream.CreatedAt),
                EnhancedMonitoring = Monitoring(stream),
                EncryptionType = stream.EncryptionType ?? "NONE",
                KeyId = stream.KeyId,
            },
        });
    }

    public ValueTask<DescribeStreamSummaryResult> DescribeStreamSummaryAsync(StreamRef request, CancellationToken cancellationToken)
    {
        var stream = Resolve(request.StreamName, request.StreamARN, allowDeleting: true);
        return ValueTask.FromResult(new DescribeStreamSummaryResult
        {
            StreamDescriptionSummary = new StreamDescriptionSummary
            {
                StreamName = stream.Name,
                StreamARN = stream.Arn,
                StreamStatus = StatusName(stream.Status),
                StreamModeDetails = new StreamModeDetails { StreamMode = ModeName(stream.Mode) },
                RetentionPeriodHours = stream.RetentionHours,
                StreamCreationTimestamp = Seconds(stream.CreatedAt),
                EnhancedMonitoring = Monitoring(stream),
                EncryptionType = stream.EncryptionType ?? "NONE",
                KeyId = stream.KeyId,
                OpenShardCount = stream.IsDeleted ? 0 : stream.OpenShardCount,
                ConsumerCount = stream.Consumers.Count,
            },
        });
    }

    private string EncodeToken(params string[] parts) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('\n', [.. parts, NowMs.ToString(CultureInfo.InvariantCulture)])));

    /// <summary>Decodes a token of <paramref name="count"/> parts (its issue time aside); expired after 300 s.</summary>
    private string[] DecodeToken(string token, int count)
    {
        string[] parts;
        try
        {
            parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('\n');
        }
        catch (FormatException)
        {
            throw KinesisException.InvalidArgument("Invalid NextToken.");
        }

        if (parts.Length != count + 1 || !long.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var issued))
        {
            throw KinesisException.InvalidArgument("Invalid NextToken.");
        }

        if (NowMs - issued > NextTokenLifetimeMs)
        {
            throw new KinesisException("ExpiredNextTokenException", "The timestamp of the NextToken is expired.");
        }

        return parts[..^1];
    }

    public ValueTask<ListStreamsResult> ListStreamsAsync(ListStreamsRequest request, CancellationToken cancellationToken)
    {
        var limit = request.Limit ?? 100;
        if (limit is < 1 or > 10000)
        {
            throw KinesisException.Validation(limit.ToString(CultureInfo.InvariantCulture), "limit", $"Member must have value {(limit < 1 ? "greater than or equal to 1" : "less than or equal to 10000")}");
        }

        var after = request.ExclusiveStartStreamName;
        if (request.NextToken is { } token)
        {
            after = DecodeToken(token, 1)[0];
        }

        var streams = Broker.ListStreams().Where(s => after is null || string.CompareOrdinal(s.Name, after) > 0).ToList();
        var page = streams.Take(limit).ToList();
        var more = streams.Count > limit;
        return ValueTask.FromResult(new ListStreamsResult
        {
            StreamNames = [.. page.Select(s => s.Name)],
            HasMoreStreams = more,
            NextToken = more ? EncodeToken(page[^1].Name) : null,
            StreamSummaries = [.. page.Select(s => new StreamSummary
            {
                StreamName = s.Name,
                StreamARN = s.Arn,
                StreamStatus = StatusName(s.Status),
                StreamModeDetails = new StreamModeDetails { StreamMode = ModeName(s.Mode) },
                StreamCreationTimestamp = Seconds(s.CreatedAt),
            })],
        });
    }

    public ValueTask<ListShardsResult> ListShardsAsync(ListShardsRequest request, CancellationToken cancellationToken)
    {
        var max = request.MaxResults ?? 1000;
        if (max is < 1 or > 10000)
        {
            throw KinesisException.Validation(max.ToString(CultureInfo.InvariantCulture), "maxResults", $"Member must have value {(max < 1 ? "greater than or equal to 1" : "less than or equal to 10000")}");
        }

        DataStream stream;
        var after = -1;
        var filter = request.ShardFilter;
        if (request.NextToken is { } token)
        {
            if (request.StreamName is not null || request.ExclusiveStartShardId is not null || request.StreamCreationTimestamp is not null)
            {
                throw KinesisException.InvalidArgument("NextToken and StreamName, ExclusiveStartShardId or StreamCreationTimestamp cannot be provided together.");
            }

            var parts = DecodeToken(token, 5);
            // A token is only base64, so a client can write one: every part is checked like input.
            double timestamp = 0;
            if (!int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out after)
                || (parts[4].Length > 0 && !double.TryParse(parts[4], NumberStyles.Float, CultureInfo.InvariantCulture, out timestamp)))
            {
                throw KinesisException.InvalidArgument("Invalid NextToken.");
            }

            stream = Resolve(parts[0], null);
            filter = parts[2].Length == 0 ? null : new ShardFilter
            {
                Type = parts[2],
                ShardId = parts[3].Length == 0 ? null : parts[3],
                Timestamp = parts[4].Length == 0 ? null : timestamp,
            };
        }
        else
        {
            stream = Resolve(request.StreamName, request.StreamARN);
            if (request.ExclusiveStartShardId is { } start && StreamSequence.TryParseShardId(start, out var index))
            {
                after = index;
            }
        }

        IEnumerable<Shard> shards = stream.Shards;
        if (filter is not null)
        {
            shards = Filter(stream, shards, filter);
        }

        var list = shards.Where(s => s.Index > after).ToList();
        var page = list.Take(max).ToList();
        return ValueTask.FromResult(new ListShardsResult
        {
            Shards = [.. page.Select(s => ShardModel(stream, s))],
            NextToken = list.Count > max
                ? EncodeToken(stream.Name, page[^1].Index.ToString(CultureInfo.InvariantCulture), filter?.Type ?? "", filter?.ShardId ?? "",
                    filter?.Timestamp?.ToString("R", CultureInfo.InvariantCulture) ?? "")
                : null,
        });
    }

    private IEnumerable<Shard> Filter(DataStream stream, IEnumerable<Shard> shards, ShardFilter filter)
    {
        switch (filter.Type)
        {
            case "AFTER_SHARD_ID":
            {
                if (!StreamSequence.TryParseShardId(filter.ShardId ?? throw KinesisException.InvalidArgument("ShardId must be provided with the AFTER_SHARD_ID filter."), out var index))
                {
                    index = -1;
                }

                return shards.Where(s => s.Index > index);
            }

            case "AT_TRIM_HORIZON":
            {
                // The shards open at the trim horizon: those of the oldest retained time.
                var horizon = NowMs - (stream.RetentionHours * 3_600_000L);
                return shards.Where(s => s.OpenedAt <= horizon ? s.ClosedAt is null || s.ClosedAt >= horizon : s.ParentIndex is null);
            }

            case "FROM_TRIM_HORIZON":
                return shards;
            case "AT_LATEST":
                return shards.Where(s => s.IsOpen);
            case "AT_TIMESTAMP":
            case "FROM_TIMESTAMP":
            {
                var ms = (long)((filter.Timestamp ?? throw KinesisException.InvalidArgument($"Timestamp must be provided with the {filter.Type} filter.")) * 1000);
                var first = stream.Shards.Where(s => s.ParentIndex is null).Min(s => (long?)s.OpenedAt) ?? 0;
                ms = Math.Max(ms, first);
                return filter.Type == "AT_TIMESTAMP"
                    ? shards.Where(s => s.OpenedAt <= ms && (s.ClosedAt is null || s.ClosedAt > ms))
                    : shards.Where(s => s.ClosedAt is null || s.ClosedAt > ms);
            }

            case null:
                throw KinesisException.Missing("shardFilter.type");
            default:
                throw KinesisException.Validation(filter.Type, "shardFilter.type",
                    "Member must satisfy enum value set: [AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AFTER_SHARD_ID, AT_TIMESTAMP, AT_LATEST, FROM_TIMESTAMP]");
        }
    }
}

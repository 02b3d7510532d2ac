using System.Globalization;
using Ferry.Engine;
using Ferry.Engine.Streams;

namespace Ferry.Aws.Kinesis;

internal sealed partial class KinesisService
{
    public async ValueTask<PutRecordsOutcome> PutRecordsAsync(PutRecordsInput request, CancellationToken cancellationToken)
    {
        var stream = Resolve(request.StreamName, request.StreamARN);
        try
        {
            var results = await stream.PutRecordsAsync(request.Entries, request.Arena.AsMemory(0, request.ArenaLength)).ConfigureAwait(false);
            return new PutRecordsOutcome(stream, results);
        }
        catch (EngineException e)
        {
            throw KinesisException.From(e);
        }
    }

    public ValueTask<GetShardIteratorResult> GetShardIteratorAsync(GetShardIteratorRequest request, CancellationToken cancellationToken)
    {
        if (request.ShardId is null)
        {
            throw KinesisException.Missing("shardId");
        }

        var type = request.ShardIteratorType switch
        {
            "AT_SEQUENCE_NUMBER" => IteratorStart.AtSequenceNumber,
            "AFTER_SEQUENCE_NUMBER" => IteratorStart.AfterSequenceNumber,
            "TRIM_HORIZON" => IteratorStart.TrimHorizon,
            "LATEST" => IteratorStart.Latest,
            "AT_TIMESTAMP" => IteratorStart.AtTimestamp,
            null => throw KinesisException.Missing("shardIteratorType"),
            _ => throw KinesisException.Validation(request.ShardIteratorType, "shardIteratorType",
                "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, AT_TIMESTAMP, TRIM_HORIZON, LATEST]"),
        };
        var stream = Resolve(request.StreamName, request.StreamARN);
        if (!StreamSequence.TryParseShardId(request.ShardId, out var index) || stream.FindShard(index) is not { } shard)
        {
            throw KinesisException.NotFound($"Shard {request.ShardId} in stream {stream.Name} under account {Account} does not exist");
        }

        if (type is IteratorStart.AtSequenceNumber or IteratorStart.AfterSequenceNumber && request.StartingSequenceNumber is null)
        {
            throw KinesisException.InvalidArgument($"The StartingSequenceNumber must be provided for ShardIteratorType {request.ShardIteratorType}.");
        }

        if (type == IteratorStart.AtTimestamp && request.Timestamp is null)
        {
            throw KinesisException.InvalidArgument("The timestampInMillis parameter cannot be null for ShardIteratorType AT_TIMESTAMP.");
        }

        if (request.StartingSequenceNumber is { } seq && (seq.Length == 0 || seq.Length > 128 || !seq.All(char.IsAsciiDigit)))
        {
            throw KinesisException.Validation(seq, "startingSequenceNumber", "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})");
        }

        try
        {
            var counter = stream.StartCounter(shard, type, request.StartingSequenceNumber, request.Timestamp is { } ts ? (long)(ts * 1000) : null);
            return ValueTask.FromResult(new GetShardIteratorResult { ShardIterator = stream.EncodeIterator(shard.Index, counter) });
        }
        catch (EngineException e)
        {
            throw KinesisException.From(e);
        }
    }

    public ValueTask<GetRecordsOutcome> GetRecordsAsync(string? shardIterator, int? limit, CancellationToken cancellationToken)
    {
        if (shardIterator is null)
        {
            throw KinesisException.Missing("shardIterator");
        }

        if (shardIterator.Length is 0 or > 512)
        {
            throw KinesisException.Validation(shardIterator, "shardIterator", "Member must have length less than or equal to 512");
        }

        var max = limit ?? 10000;
        if (max is < 1 or > 10000)
        {
            throw KinesisException.Validation(max.ToString(CultureInfo.InvariantCulture), "limit", $"Member must have value {(max < 1 ? "greater than or equal to 1" : "less than or equal to 10000")}");
        }

        try
        {
            var (stream, shard, counter) = Broker.ResolveIterator(shardIterator);
            var read = stream.Read(shard, counter, max);
            var next = read.NextCounter is { } n ? stream.EncodeIterator(shard.Index, n) : null;
            return ValueTask.FromResult(new GetRecordsOutcome(read, next));
        }
        catch (EngineException e)
        {
            throw KinesisException.From(e);
        }
    }
}

using Ferry.Engine.Streams;

namespace Ferry.Engine;

public sealed partial class Broker
{
    private StreamsModule Streams => Module<StreamsModule>();

    /// <summary>Unix milliseconds on the broker's clock.</summary>
    public long NowMilliseconds => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The stream with this name (also while DELETING), or null.</summary>
    public DataStream? FindStream(string name) => Streams.Find(name);

    /// <summary>The stream an ARN names (<c>arn:aws:kinesis:&lt;region&gt;:&lt;account&gt;:stream/&lt;name&gt;</c>), or null.</summary>
    public DataStream? FindStreamByArn(string arn)
    {
        var prefix = $"arn:aws:kinesis:{Options.Region}:{Options.AccountId}:stream/";
        if (!arn.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var name = arn[prefix.Length..];
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        return FindStream(slash < 0 ? name : name[..slash]);
    }

    /// <summary>The stream that issued an iterator, with the iterator's shard and position.</summary>
    /// <exception cref="EngineException">InvalidArgument, ExpiredIterator, or ResourceNotFound for a deleted stream.</exception>
    public (DataStream Stream, Shard Shard, long Counter) ResolveIterator(string iterator)
    {
        if (!DataStream.TryPeekIteratorStream(iterator, out var id))
        {
            throw DataStream.InvalidIterator();
        }

        var stream = Streams.FindById(id) ?? throw DataStream.InvalidIterator();
        var (shard, counter) = stream.DecodeIterator(iterator);
        return (stream, shard, counter);
    }

    /// <summary>Streams that are not being deleted, sorted by name.</summary>
    public IReadOnlyList<DataStream> ListStreams() => Streams.List();

    /// <summary>Open shards across every stream (the account's shard limit counts them).</summary>
    public int OpenShardCount() => Streams.OpenShardTotal();

    /// <summary>Creates a stream with <paramref name="shardCount"/> shards over equal hash-key ranges; CREATING at first.</summary>
    /// <exception cref="EngineException">ResourceInUse when the name is taken; LimitExceeded past <paramref name="shardLimit"/>.</exception>
    public Task<DataStream> CreateStreamAsync(string name, int shardCount, StreamMode mode, IReadOnlyDictionary<string, string>? tags, int shardLimit) =>
        Streams.CreateAsync(name, shardCount, mode, tags, shardLimit);

    /// <summary>Deletes a stream; it is described as DELETING for a moment, its records are released at once.</summary>
    public Task DeleteStreamAsync(DataStream stream, bool enforceConsumerDeletion) => Streams.DeleteAsync(stream, enforceConsumerDeletion);
}

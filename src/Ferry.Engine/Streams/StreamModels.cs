using System.Buffers;

namespace Ferry.Engine.Streams;

/// <summary>ON_DEMAND or PROVISIONED.</summary>
public enum StreamMode
{
    Provisioned,
    OnDemand,
}

/// <summary>CREATING, DELETING, ACTIVE, UPDATING.</summary>
public enum StreamStatus
{
    Creating,
    Deleting,
    Active,
    Updating,
}

/// <summary>A registered enhanced fan-out consumer.</summary>
public sealed record StreamConsumer(string Name, string Arn, long CreatedAt);

/// <summary>One record to put: its partition key and data are slices of the call's arena.</summary>
/// <param name="KeyOffset">Where the partition key's UTF-8 bytes start in the arena.</param>
/// <param name="KeyLength">Their length.</param>
/// <param name="DataOffset">Where the data starts in the arena.</param>
/// <param name="DataLength">Its length.</param>
/// <param name="ExplicitHashKey">Overrides the partition key's hash when set.</param>
public readonly record struct StreamPutEntry(int KeyOffset, int KeyLength, int DataOffset, int DataLength, UInt128? ExplicitHashKey);

/// <summary>The outcome of one put record: its shard and counter, or the error that refused it.</summary>
public readonly record struct StreamPutResult(int ShardIndex, long Counter, EngineError? Error, string? Message)
{
    public bool Succeeded => Error is null;
}

/// <summary>A record read from a shard: slices of the read's buffers.</summary>
public readonly record struct StreamRecordView(long Counter, long ArrivedAt, ReadOnlyMemory<byte> PartitionKey, ReadOnlyMemory<byte> Data);

/// <summary>What GetRecords read: records (valid until disposed), where to continue, and lineage at a shard's end.</summary>
public sealed class StreamReadResult : IDisposable
{
    private readonly List<byte[]> _buffers = [];

    internal StreamReadResult(DataStream stream, Shard shard)
    {
        Stream = stream;
        Shard = shard;
    }

    public DataStream Stream { get; }

    public Shard Shard { get; }

    public List<StreamRecordView> Records { get; } = [];

    /// <summary>The counter to continue from, or null when the shard is closed and fully read.</summary>
    public long? NextCounter { get; internal set; }

    public long MillisBehindLatest { get; internal set; }

    /// <summary>The shards that replaced a closed shard, reported once its end is reached.</summary>
    public IReadOnlyList<Shard>? ChildShards { get; internal set; }

    internal byte[] Rent(int size)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        _buffers.Add(buffer);
        return buffer;
    }

    public void Dispose()
    {
        foreach (var b in _buffers)
        {
            ArrayPool<byte>.Shared.Return(b);
        }

        _buffers.Clear();
        Records.Clear();
    }
}

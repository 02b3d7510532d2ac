using Ferry.Storage;

namespace Ferry.Engine.Streams;

/// <summary>One shard: a contiguous range of the 128-bit hash-key space, its lineage, and the index of its records.</summary>
/// <remarks>Guarded by its stream's <see cref="DataStream.Gate"/>.</remarks>
public sealed class Shard
{
    internal Shard(int index, UInt128 startingHashKey, UInt128 endingHashKey, int? parent, int? adjacentParent, long startingCounter, long openedAt)
    {
        Index = index;
        StartingHashKey = startingHashKey;
        EndingHashKey = endingHashKey;
        ParentIndex = parent;
        AdjacentParentIndex = adjacentParent;
        StartingCounter = startingCounter;
        OpenedAt = openedAt;
    }

    public int Index { get; }

    public string Id => StreamSequence.ShardId(Index);

    public UInt128 StartingHashKey { get; }

    public UInt128 EndingHashKey { get; }

    public int? ParentIndex { get; }

    public int? AdjacentParentIndex { get; }

    /// <summary>No record of the shard has a smaller counter.</summary>
    public long StartingCounter { get; }

    /// <summary>Set when the shard closed (split, merge, scaling): no record of the shard has a larger counter.</summary>
    public long? EndingCounter { get; internal set; }

    /// <summary>Unix milliseconds.</summary>
    public long OpenedAt { get; }

    /// <summary>Unix milliseconds, when closed.</summary>
    public long? ClosedAt { get; internal set; }

    public bool IsOpen => EndingCounter is null;

    /// <summary>The shards that replaced this one when it closed.</summary>
    internal List<int> Children { get; } = [];

    internal ChunkedLog<ShardEntry> Entries { get; } = new();

    internal ChunkedLog<ShardBatch> Batches { get; } = new();

    /// <summary>Entries before this absolute index are durable and may be read; the rest are still being committed.</summary>
    internal long Visible { get; set; }

    // Per-second write accounting, when shard limits are enforced.
    internal long WindowSecond { get; set; }

    internal long WindowBytes { get; set; }

    internal int WindowRecords { get; set; }

    internal bool Contains(UInt128 hash) => hash >= StartingHashKey && hash <= EndingHashKey;

    /// <summary>The absolute index of the first entry whose counter is at least <paramref name="counter"/> (End if none).</summary>
    internal long FirstAtOrAfter(long counter)
    {
        long lo = Entries.First, hi = Entries.End;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (Entries[mid].Counter < counter)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The absolute index of the first entry that arrived at or after <paramref name="ms"/> (End if none).</summary>
    internal long FirstArrivedAtOrAfter(long ms)
    {
        long lo = Entries.First, hi = Entries.End;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (Entries[mid].ArrivedAt < ms)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Drops entries before <paramref name="index"/> and releases every batch wholly before it, exactly once.</summary>
    internal void TrimBefore(long index, Journal journal)
    {
        Entries.TrimBefore(index);
        while (Batches.Count > 0 && Batches[Batches.First].LastEntry < Entries.First)
        {
            journal.Release(Batches[Batches.First].Ref);
            Batches.TrimBefore(Batches.First + 1);
        }
    }

    /// <summary>Releases every batch (the stream was deleted).</summary>
    internal void ReleaseAll(Journal journal)
    {
        for (var b = Batches.First; b < Batches.End; b++)
        {
            journal.Release(Batches[b].Ref);
        }

        Batches.Reset(Batches.End);
        Entries.Reset(Entries.End);
        Visible = Entries.End;
    }
}

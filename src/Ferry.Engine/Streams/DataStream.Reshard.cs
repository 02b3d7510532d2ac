using Ferry.Storage;

namespace Ferry.Engine.Streams;

public sealed partial class DataStream
{
    /// <summary>Splits an open shard at <paramref name="newStartingHashKey"/>: it closes, and two children open.</summary>
    public Task SplitShardAsync(string shardId, UInt128 newStartingHashKey) => ReshardAsync(now =>
    {
        var shard = OpenShard(shardId);
        if (newStartingHashKey <= shard.StartingHashKey || newStartingHashKey > shard.EndingHashKey)
        {
            throw new EngineException(EngineError.InvalidArgument,
                $"NewStartingHashKey {newStartingHashKey} used in SplitShard() on shard {shard.Id} in stream {Name} under account {Broker.Options.AccountId} is not both greater than one plus the shard's StartingHashKey {shard.StartingHashKey} and less than the shard's EndingHashKey {shard.EndingHashKey}.");
        }

        Split(shard, newStartingHashKey, now);
    });

    /// <summary>Merges two adjacent open shards into one.</summary>
    public Task MergeShardsAsync(string shardId, string adjacentShardId) => ReshardAsync(now =>
    {
        var shard = OpenShard(shardId);
        var adjacent = OpenShard(adjacentShardId);
        if (!Adjacent(shard, adjacent) && !Adjacent(adjacent, shard))
        {
            throw new EngineException(EngineError.InvalidArgument,
                $"Shards {shard.Id} and {adjacent.Id} in stream {Name} under account {Broker.Options.AccountId} are not an adjacent pair of shards eligible for merging");
        }

        Merge(shard, adjacent, now);
    });

    /// <summary>UNIFORM_SCALING: splits and merges until <paramref name="target"/> open shards cover equal ranges.</summary>
    /// <remarks>Shards are split at every target boundary inside them, then neighbours within one target range are merged
    /// pairwise: every new shard has at most two parents, as Kinesis's lineage requires, and intermediate shards
    /// created on the way close at once, empty.</remarks>
    public Task UpdateShardCountAsync(int target) => ReshardAsync(now =>
    {
        var step = UInt128.MaxValue / (UInt128)target;
        UInt128 Boundary(int j) => j == 0 ? UInt128.Zero : step * (UInt128)j;
        for (var j = 1; j < target; j++)
        {
            var b = Boundary(j);
            var shard = Route(b);
            if (shard.StartingHashKey != b)
            {
                Split(shard, b, now);
            }
        }

        for (var j = 0; j < target; j++)
        {
            var from = Boundary(j);
            while (true)
            {
                var group = _open.Where(s => s.StartingHashKey >= from && (j == target - 1 || s.EndingHashKey < Boundary(j + 1))).ToList();
                if (group.Count <= 1)
                {
                    break;
                }

                Merge(group[0], group[1], now);
            }
        }
    });

    /// <summary>Whether <paramref name="high"/> starts right after <paramref name="low"/> ends (without wrapping past 2^128-1).</summary>
    private static bool Adjacent(Shard low, Shard high) => low.EndingHashKey != UInt128.MaxValue && low.EndingHashKey + 1 == high.StartingHashKey;

    private Shard OpenShard(string shardId)
    {
        if (!StreamSequence.TryParseShardId(shardId, out var index) || index >= AllShards.Count)
        {
            throw new EngineException(EngineError.ResourceNotFound,
                $"Could not find shard {shardId} in stream {Name} under account {Broker.Options.AccountId}.");
        }

        var shard = AllShards[index];
        if (!shard.IsOpen)
        {
            throw new EngineException(EngineError.ResourceInUse,
                $"Shard {shard.Id} in stream {Name} under account {Broker.Options.AccountId} has already been merged or split, and thus is not eligible for merging or splitting.");
        }

        return shard;
    }

    private async Task ReshardAsync(Action<long> change)
    {
        ValueTask<RecordRef> durable;
        Broker.EnterWrite();
        try
        {
            lock (Gate)
            {
                var now = Now;
                ThrowIfNotActive(now);
                change(now);
                UpdatingUntil = now + (long)Broker.Options.StreamTransitionDelay.TotalMilliseconds;
                durable = AppendDescriptor(RecordType.StreamShardsChanged);
            }
        }
        finally
        {
            Broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    private void Split(Shard shard, UInt128 at, long now)
    {
        Close(shard, now);
        Open(shard.StartingHashKey, at - 1, shard.Index, null, now);
        Open(at, shard.EndingHashKey, shard.Index, null, now);
        RebuildRouting();
    }

    private void Merge(Shard shard, Shard adjacent, long now)
    {
        Close(shard, now);
        Close(adjacent, now);
        var low = shard.StartingHashKey < adjacent.StartingHashKey ? shard : adjacent;
        var high = low == shard ? adjacent : shard;
        Open(low.StartingHashKey, high.EndingHashKey, shard.Index, adjacent.Index, now);
        RebuildRouting();
    }

    /// <summary>Closes a shard: its ending counter is reserved, so it exceeds every record of the shard.</summary>
    private void Close(Shard shard, long now)
    {
        shard.EndingCounter = ++Counter;
        shard.ClosedAt = now;
    }

    private void Open(UInt128 start, UInt128 end, int parent, int? adjacentParent, long now)
    {
        var child = new Shard(AllShards.Count, start, end, parent, adjacentParent, Counter + 1, now);
        AllShards.Add(child);
        AllShards[parent].Children.Add(child.Index);
        if (adjacentParent is { } a)
        {
            AllShards[a].Children.Add(child.Index);
        }
    }

    /// <summary>Creates the initial shards, splitting the hash-key space evenly. Caller holds <see cref="Gate"/>.</summary>
    internal void CreateShards(int count, long now)
    {
        var step = UInt128.MaxValue / (UInt128)count;
        for (var i = 0; i < count; i++)
        {
            var start = step * (UInt128)i;
            var end = i == count - 1 ? UInt128.MaxValue : (step * (UInt128)(i + 1)) - 1;
            AllShards.Add(new Shard(i, start, end, null, null, Counter + 1, now));
        }

        RebuildRouting();
    }
}

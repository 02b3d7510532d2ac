using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.Streams;

/// <summary>
/// One Kinesis data stream: its shards over the hash-key space, their record indexes, and its settings.
/// </summary>
/// <remarks>
/// <para>All state is guarded by <see cref="Gate"/>; streams never contend with each other. As for queues, a journal
/// append is issued inside the critical section (holding <see cref="Broker.EnterWrite"/>) that changes the state it
/// records, and durability is awaited outside it.</para>
/// <para>A put appends one journal record per shard it touches, holding that shard's records of the call; the shard
/// indexes each record (sequence counter, arrival time, batch, offset: 32 bytes) and keeps the body in the journal.
/// Indexed records become readable only once durable (<see cref="Shard.Visible"/>): the journal is durable in
/// order, so a durable batch proves every earlier one durable too. Retention trims a shard's front and releases
/// each batch once its last record is gone.</para>
/// </remarks>
public sealed partial class DataStream
{
    /// <summary>Kinesis's minimum and maximum retention.</summary>
    public const int MinRetentionHours = 24;
    public const int MaxRetentionHours = 8760;

    internal readonly object Gate = new();
    private readonly StreamsModule _module;
    private Shard[] _open = [];

    internal DataStream(StreamsModule module, ulong id, string name, long createdAt, byte[] key)
    {
        _module = module;
        Id = id;
        Name = name;
        CreatedAt = createdAt;
        Key = key;
    }

    public ulong Id { get; }

    public string Name { get; }

    /// <summary>Unix milliseconds.</summary>
    public long CreatedAt { get; }

    /// <summary>The key of the iterators' keyed check; persisted, so iterators survive a restart.</summary>
    internal byte[] Key { get; }

    public string Arn => _module.StreamArn(Name);

    /// <summary>The last sequence counter handed out (stream-wide).</summary>
    internal long Counter { get; set; }

    /// <summary>The latest arrival time given, so arrival times never go back within a shard.</summary>
    private long _lastArrival;

    internal List<Shard> AllShards { get; } = [];

    public int RetentionHours { get; internal set; } = MinRetentionHours;

    public StreamMode Mode { get; internal set; }

    public string? EncryptionType { get; internal set; }

    public string? KeyId { get; internal set; }

    public IReadOnlyList<string> ShardLevelMetrics { get; internal set; } = [];

    public IReadOnlyDictionary<string, string> Tags { get; internal set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyList<StreamConsumer> Consumers { get; internal set; } = [];

    /// <summary>Unix milliseconds: CREATING until then.</summary>
    internal long ActiveAt { get; set; }

    /// <summary>Unix milliseconds: UPDATING until then.</summary>
    internal long UpdatingUntil { get; set; }

    internal long? DeletedAt { get; set; }

    public bool IsDeleted => DeletedAt is not null;

    private Broker Broker => _module.BrokerRef;

    private Journal Journal => Broker.Journal;

    internal long Now => Broker.Time.GetUtcNow().ToUnixTimeMilliseconds();

    public StreamStatus Status
    {
        get
        {
            var now = Now;
            lock (Gate)
            {
                return DeletedAt is not null ? StreamStatus.Deleting
                    : now < ActiveAt ? StreamStatus.Creating
                    : now < UpdatingUntil ? StreamStatus.Updating
                    : StreamStatus.Active;
            }
        }
    }

    /// <summary>Every shard whose records are not all past retention, in index order (closed ones included).</summary>
    public IReadOnlyList<Shard> Shards
    {
        get
        {
            var cutoff = Now - (RetentionHours * 3_600_000L);
            lock (Gate)
            {
                return [.. AllShards.Where(s => s.ClosedAt is not { } closed || closed >= cutoff)];
            }
        }
    }

    public int OpenShardCount
    {
        get
        {
            lock (Gate)
            {
                return _open.Length;
            }
        }
    }

    public Shard? FindShard(int index)
    {
        lock (Gate)
        {
            return index >= 0 && index < AllShards.Count ? AllShards[index] : null;
        }
    }

    /// <summary>Shards that replaced <paramref name="shard"/>.</summary>
    public IReadOnlyList<Shard> ChildrenOf(Shard shard)
    {
        lock (Gate)
        {
            return [.. shard.Children.Select(i => AllShards[i])];
        }
    }

    /// <summary>The sequence number of a record of this stream.</summary>
    public string SequenceNumber(long counter, int shardIndex) => StreamSequence.Format(counter, shardIndex, CreatedAt);

    /// <summary>Rebuilds the sorted array of open shards that routing searches. Caller holds <see cref="Gate"/>.</summary>
    internal void RebuildRouting()
    {
        _open = [.. AllShards.Where(s => s.IsOpen).OrderBy(s => s.StartingHashKey)];
    }

    private Shard Route(UInt128 hash)
    {
        var open = _open;
        int lo = 0, hi = open.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (open[mid].StartingHashKey <= hash)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return open[lo];
    }

    internal EngineException NotFound() => _module.StreamNotFound(Name);

    /// <summary>Puts and reads need the stream ACTIVE or UPDATING. Caller holds <see cref="Gate"/>.</summary>
    private void ThrowIfNotWritable(long now)
    {
        if (DeletedAt is not null || now < ActiveAt)
        {
            throw NotFound();
        }
    }

    /// <summary>Resharding and mode changes need the stream ACTIVE. Caller holds <see cref="Gate"/>.</summary>
    private void ThrowIfNotActive(long now)
    {
        if (DeletedAt is not null)
        {
            throw NotFound();
        }

        if (now < ActiveAt || now < UpdatingUntil)
        {
            var state = now < ActiveAt ? "CREATING" : "UPDATING";
            throw new EngineException(EngineError.ResourceInUse,
                $"Stream {Name} under account {Broker.Options.AccountId} not ACTIVE, instead in state {state}");
        }
    }

    // --- persistence of the descriptor (everything but the records) -------------------------------------------

    /// <summary>Writes settings, counter and shard table: the payload of StreamCreated/Updated/ShardsChanged.</summary>
    internal void WriteDescriptor(PayloadWriter w)
    {
        w.U64(Id);
        w.String(Name);
        w.I64(CreatedAt);
        w.Bytes(Key);
        w.I32(RetentionHours);
        w.U8((byte)Mode);
        w.String(EncryptionType);
        w.String(KeyId);
        w.I32(ShardLevelMetrics.Count);
        foreach (var m in ShardLevelMetrics)
        {
            w.String(m);
        }

        w.StringMap(Tags);
        w.I32(Consumers.Count);
        foreach (var c in Consumers)
        {
            w.String(c.Name);
            w.String(c.Arn);
            w.I64(c.CreatedAt);
        }

        w.I64(ActiveAt);
        w.I64(UpdatingUntil);
        w.I64(Counter);
        w.I64(_lastArrival);
        w.I32(AllShards.Count);
        foreach (var s in AllShards)
        {
            w.I32(s.Index);
            w.U64((ulong)(s.StartingHashKey >> 64));
            w.U64((ulong)s.StartingHashKey);
            w.U64((ulong)(s.EndingHashKey >> 64));
            w.U64((ulong)s.EndingHashKey);
            w.I32(s.ParentIndex ?? -1);
            w.I32(s.AdjacentParentIndex ?? -1);
            w.I64(s.StartingCounter);
            w.I64(s.EndingCounter ?? -1);
            w.I64(s.OpenedAt);
            w.I64(s.ClosedAt ?? -1);
        }
    }

    /// <summary>Reads a descriptor's identity: enough to create the stream before <see cref="ApplyDescriptor"/>.</summary>
    internal static (ulong Id, string Name, long CreatedAt, byte[] Key) ReadIdentity(ref PayloadReader r) =>
        (r.U64(), r.RequiredString(), r.I64(), r.Bytes());

    /// <summary>Applies the rest of a descriptor; existing shards keep their indexes, new ones are added.</summary>
    internal void ApplyDescriptor(ref PayloadReader r)
    {
        RetentionHours = r.I32();
        Mode = (StreamMode)r.U8();
        EncryptionType = r.String();
        KeyId = r.String();
        var metrics = new string[r.I32()];
        for (var i = 0; i < metrics.Length; i++)
        {
            metrics[i] = r.RequiredString();
        }

        ShardLevelMetrics = metrics;
        Tags = r.StringMap() ?? new Dictionary<string, string>(StringComparer.Ordinal);
        var consumers = new StreamConsumer[r.I32()];
        for (var i = 0; i < consumers.Length; i++)
        {
            consumers[i] = new StreamConsumer(r.RequiredString(), r.RequiredString(), r.I64());
        }

        Consumers = consumers;
        ActiveAt = r.I64();
        UpdatingUntil = r.I64();
        Counter = Math.Max(Counter, r.I64());
        _lastArrival = Math.Max(_lastArrival, r.I64());
        var count = r.I32();
        for (var i = 0; i < count; i++)
        {
            var index = r.I32();
            var start = ((UInt128)r.U64() << 64) | r.U64();
            var end = ((UInt128)r.U64() << 64) | r.U64();
            var parent = r.I32();
            var adjacent = r.I32();
            var startingCounter = r.I64();
            var endingCounter = r.I64();
            var openedAt = r.I64();
            var closedAt = r.I64();
            if (index < AllShards.Count)
            {
                var existing = AllShards[index];
                existing.EndingCounter = endingCounter < 0 ? null : endingCounter;
                existing.ClosedAt = closedAt < 0 ? null : closedAt;
                continue;
            }

            if (index != AllShards.Count)
            {
                throw new InvalidDataException($"Stream {Name}: shard {index} follows shard {AllShards.Count - 1} in the journal.");
            }

            var shard = new Shard(index, start, end, parent < 0 ? null : parent, adjacent < 0 ? null : adjacent, startingCounter, openedAt)
            {
                EndingCounter = endingCounter < 0 ? null : endingCounter,
                ClosedAt = closedAt < 0 ? null : closedAt,
            };
            AllShards.Add(shard);
            foreach (var p in new[] { shard.ParentIndex, shard.AdjacentParentIndex })
            {
                if (p is { } pi && pi < AllShards.Count && !AllShards[pi].Children.Contains(index))
                {
                    AllShards[pi].Children.Add(index);
                }
            }
        }

        RebuildRouting();
    }

    /// <summary>Appends the descriptor as <paramref name="type"/>. Caller holds the write gate and <see cref="Gate"/>.</summary>
    internal ValueTask<RecordRef> AppendDescriptor(RecordType type)
    {
        using var w = new PayloadWriter(512);
        WriteDescriptor(w);
        var durable = Journal.AppendAsync((ushort)type, Id, w.WrittenSpan, out var record);
        Journal.Release(record);
        return durable;
    }

    /// <summary>Changes settings under the stream's lock and records them; completes when durable.</summary>
    /// <param name="change">Checks and applies the change; throws <see cref="EngineException"/> to refuse it.</param>
    public async Task UpdateAsync(Action<DataStream> change)
    {
        ValueTask<RecordRef> durable;
        Broker.EnterWrite();
        try
        {
            lock (Gate)
            {
                if (DeletedAt is not null)
                {
                    throw NotFound();
                }

                change(this);
                durable = AppendDescriptor(RecordType.StreamUpdated);
            }
        }
        finally
        {
            Broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    /// <summary>Throws ResourceInUse unless the stream is ACTIVE (for changes made through <see cref="UpdateAsync"/>).</summary>
    public void RequireActive() => ThrowIfNotActive(Now);

    /// <summary>Marks the stream UPDATING for the transition delay (inside <see cref="UpdateAsync"/>).</summary>
    public void BeginUpdating() => UpdatingUntil = Now + (long)Broker.Options.StreamTransitionDelay.TotalMilliseconds;

    /// <summary>Appends a consumer (inside <see cref="UpdateAsync"/>).</summary>
    public StreamConsumer AddConsumer(string name)
    {
        var createdAt = Now / 1000;
        var consumer = new StreamConsumer(name, $"{Arn}/consumer/{name}:{createdAt}", createdAt);
        Consumers = [.. Consumers, consumer];
        return consumer;
    }

    /// <summary>Removes a consumer (inside <see cref="UpdateAsync"/>).</summary>
    public void RemoveConsumer(StreamConsumer consumer) => Consumers = [.. Consumers.Where(c => c != consumer)];

    /// <summary>Sets tags (inside <see cref="UpdateAsync"/>).</summary>
    public void SetTags(IReadOnlyDictionary<string, string> tags) => Tags = tags;

    /// <summary>Sets retention (inside <see cref="UpdateAsync"/>).</summary>
    public void SetRetention(int hours) => RetentionHours = hours;

    /// <summary>Sets the mode (inside <see cref="UpdateAsync"/>).</summary>
    public void SetMode(StreamMode mode) => Mode = mode;

    /// <summary>Records encryption settings (inside <see cref="UpdateAsync"/>).</summary>
    public void SetEncryption(string? type, string? keyId)
    {
        EncryptionType = type;
        KeyId = keyId;
    }

    /// <summary>Records enhanced monitoring (inside <see cref="UpdateAsync"/>).</summary>
    public void SetShardLevelMetrics(IReadOnlyList<string> metrics) => ShardLevelMetrics = metrics;

    /// <summary>The arrival time for records put now: never earlier than the last one. Caller holds <see cref="Gate"/>.</summary>
    private long NextArrival(long now) => _lastArrival = Math.Max(_lastArrival, now);
}

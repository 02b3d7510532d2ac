using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.RedisStreams;

public sealed partial class RedisStreams
{
    private static ConsumerGroup GroupOrThrow(RedisStream stream, string group) =>
        stream.Groups.GetValueOrDefault(group) ?? throw StreamException.NoGroup(stream.Key, group);

    /// <summary>XGROUP words its NOGROUP error differently from XPENDING and XCLAIM.</summary>
    private static ConsumerGroup XGroupOrThrow(RedisStream stream, string group) =>
        stream.Groups.GetValueOrDefault(group) ?? throw new StreamException($"NOGROUP No such consumer group '{group}' for key name '{stream.Key}'");

    /// <summary>XGROUP CREATE; <paramref name="id"/> null is $ (the stream's last id).</summary>
    /// <exception cref="StreamException">No key without MKSTREAM; BUSYGROUP.</exception>
    public async Task CreateGroupAsync(string key, string group, StreamId? id, bool mkStream, long? entriesRead)
    {
        ValueTask<RecordRef> durable;
        _broker.EnterWrite();
        try
        {
            var stream = Find(key);
            if (stream is null)
            {
                if (!mkStream)
                {
                    throw new StreamException(StreamException.XGroupKeyMustExist);
                }

                // Creating the key is a change WATCH sees, as Redis signals it; adding a group to a stream is not.
                stream = GetOrCreate(default, key);
                Touch(key);
            }

            lock (stream.Gate)
            {
                if (stream.Groups.ContainsKey(group))
                {
                    throw new StreamException("BUSYGROUP Consumer Group name already exists");
                }

                var g = new ConsumerGroup(group) { LastId = id ?? stream.LastId, EntriesRead = entriesRead ?? (id is null ? stream.EntriesAdded : -1) };
                if (id is { } given && given == StreamId.Zero && entriesRead is null)
                {
                    g.EntriesRead = 0;
                }

                stream.Groups.Add(group, g);
                durable = AppendGroupState(RedisRecordType.GroupCreated, stream, g);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    private ValueTask<RecordRef> AppendGroupState(RedisRecordType type, RedisStream stream, ConsumerGroup g)
    {
        using var w = new PayloadWriter();
        w.String(g.Name);
        WriteId(w, g.LastId);
        w.I64(g.EntriesRead);
        var durable = Journal.AppendAsync((ushort)type, stream.Id, w.WrittenSpan, out var record);
        Journal.Release(record);
        return durable;
    }

    /// <summary>XGROUP SETID; <paramref name="id"/> null is $.</summary>
    public async Task SetGroupIdAsync(string key, string group, StreamId? id, long? entriesRead)
    {
        ValueTask<RecordRef> durable;
        var stream = Find(key) ?? throw new StreamException(StreamException.XGroupKeyMustExist);
        _broker.EnterWrite();
        try
        {
            lock (stream.Gate)
            {
                var g = XGroupOrThrow(stream, group);
                g.LastId = id ?? stream.LastId;
                g.EntriesRead = entriesRead ?? (id is null ? stream.EntriesAdded : -1);
                durable = AppendGroupState(RedisRecordType.GroupIdSet, stream, g);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    /// <summary>XGROUP DESTROY: true if the group existed.</summary>
    public async Task<bool> DestroyGroupAsync(string key, string group)
    {
        ValueTask<RecordRef> durable;
        var stream = Find(key) ?? throw new StreamException(StreamException.XGroupKeyMustExist);
        _broker.EnterWrite();
        try
        {
            lock (stream.Gate)
            {
                if (!stream.Groups.Remove(group))
                {
                    return false;
                }

                using var w = new PayloadWriter();
                w.String(group);
                durable = Journal.AppendAsync((ushort)RedisRecordType.GroupDestroyed, stream.Id, w.WrittenSpan, out var record);
                Journal.Release(record);
                stream.WakeAll();
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
        return true;
    }

    /// <summary>XGROUP CREATECONSUMER: true if it was created.</summary>
    public async Task<bool> CreateConsumerAsync(string key, string group, string consumer)
    {
        var durable = default(DurableTail);
        bool created;
        var stream = Find(key) ?? throw new StreamException(StreamException.XGroupKeyMustExist);
        _broker.EnterWrite();
        try
        {
            lock (stream.Gate)
            {
                var g = XGroupOrThrow(stream, group);
                created = EnsureConsumer(stream, g, consumer, Now, ref durable) is { created: true };
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.Task.ConfigureAwait(false);
        return created;
    }

    /// <summary>Finds or creates (and journals) a consumer. Caller holds the gates.</summary>
    private (Consumer consumer, bool created) EnsureConsumer(RedisStream stream, ConsumerGroup g, string name, long now, ref DurableTail durable)
    {
        if (g.Consumers.TryGetValue(name, out var existing))
        {
            existing.SeenTime = now;
            return (existing, false);
        }

        var consumer = new Consumer(name) { SeenTime = now };
        g.Consumers.Add(name, consumer);
        using var w = new PayloadWriter();
        w.String(g.Name);
        w.String(name);
        w.I64(now);
        durable.Add(Journal.AppendAsync((ushort)RedisRecordType.ConsumerCreated, stream.Id, w.WrittenSpan, out var record));
        Journal.Release(record);
        return (consumer, true);
    }

    /// <summary>XGROUP DELCONSUMER: the number of pending entries it had.</summary>
    public async Task<long> DeleteConsumerAsync(string key, string group, string consumer)
    {
        ValueTask<RecordRef> durable;
        long pending;
        var stream = Find(key) ?? throw new StreamException(StreamException.XGroupKeyMustExist);
        _broker.EnterWrite();
        try
        {
            lock (stream.Gate)
            {
                var g = XGroupOrThrow(stream, group);
                if (!g.Consumers.Remove(consumer, out var c))
                {
                    return 0;
                }

                pending = c.Pending.Count;
                foreach (var p in c.Pending)
                {
                    g.Pel.Remove(p);
                }

                using var w = new PayloadWriter();
                w.String(group);
                w.String(consumer);
                durable = Journal.AppendAsync((ushort)RedisRecordType.ConsumerDeleted, stream.Id, w.WrittenSpan, out var record);
                Journal.Release(record);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
        return pending;
    }

    /// <summary>XREADGROUP: for each key, new entries (position null, i.e. &gt;) or the consumer's own pending entries
    /// after an id. Blocks like <see cref="ReadAsync"/> when every key asks for new entries.</summary>
    /// <exception cref="StreamException">NOGROUP for a missing key or group.</exception>
    public async Task<List<StreamReadResult>?> ReadGroupAsync(string group, string consumer, IReadOnlyList<string> keys, IReadOnlyList<StreamId?> positions,
        long count, TimeSpan? block, bool noAck, CancellationToken cancellationToken)
    {
        var deadline = block is { } b && b > TimeSpan.Zero ? _broker.Time.GetUtcNow() + b : DateTimeOffset.MaxValue;
        var canBlock = block is not null && positions.All(p => p is null);
        while (true)
        {
            var streams = new RedisStream[keys.Count];
            for (var i = 0; i < keys.Count; i++)
            {
                var s = Find(keys[i]);
                if (s is null)
                {
                    throw new StreamException($"NOGROUP No such key '{keys[i]}' or consumer group '{group}' in XREADGROUP with GROUP option");
                }

                lock (s.Gate)
                {
                    if (!s.Groups.ContainsKey(group))
                    {
                        throw new StreamException($"NOGROUP No such key '{keys[i]}' or consumer group '{group}' in XREADGROUP with GROUP option");
                    }
                }

                streams[i] = s;
            }

            List<StreamReadResult>? results = null;
            var durable = default(DurableTail);
            var waiter = canBlock ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
            var registered = new List<(RedisStream? Stream, string Key)>();
            var taken = new List<(StreamId, RecordRef?)>();
            for (var i = 0; i < keys.Count; i++)
            {
                var stream = streams[i];
                taken.Clear();
                _broker.EnterWrite();
                try
                {
                    lock (stream.Gate)
                    {
                        if (stream.IsDeleted || !stream.Groups.TryGetValue(group, out var g))
                        {
                            throw new StreamException($"NOGROUP No such key '{keys[i]}' or consumer group '{group}' in XREADGROUP with GROUP option");
                        }

                        var now = Now;
                        var (c, _) = EnsureConsumer(stream, g, consumer, now, ref durable);
                        if (positions[i] is { } after)
                        {
                            if (ReadHistory(stream, g, c, after, count, now, taken) is { } redelivered)
                            {
                                durable.Add(redelivered);
                            }
                        }
                        else
                        {
                            var d = DeliverNew(stream, g, c, count, noAck, now, taken);
                            if (taken.Count > 0)
                            {
                                durable.Add(d);
                            }
                            else if (waiter is not null)
                            {
                                stream.Waiters.Add(waiter);
                                registered.Add((stream, keys[i]));
                            }
                        }
                    }
                }
                finally
                {
                    _broker.ExitWrite();
                }

                if (taken.Count > 0 || positions[i] is not null)
                {
                    var entries = new List<StreamEntry>(taken.Count);
                    foreach (var (id, record) in taken)
                    {
                        entries.Add(record is { } r ? Load(id, r) : new StreamEntry(id, null));
                    }

                    (results ??= []).Add(new StreamReadResult(keys[i], entries));
                }
            }

            await durable.Task.ConfigureAwait(false);
            if (results is not null || waiter is null)
            {
                Unregister(waiter, registered);
                return results;
            }

            if (!await WaitForEntriesAsync(waiter, registered, deadline, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    /// <summary>The consumer's pending entries after <paramref name="after"/>, deleted entries with no fields. As in
    /// Redis, each entry still in the stream counts one more delivery, delivered now; that is journalled.</summary>
    private ValueTask<RecordRef>? ReadHistory(RedisStream stream, ConsumerGroup g, Consumer c, StreamId after, long count, long now, List<(StreamId, RecordRef?)> taken)
    {
        if (!after.TryIncrement(out var from))
        {
            return null;
        }

        var redelivered = 0;
        foreach (var p in c.Pending.GetViewBetween(new PendingEntry(from, null!), new PendingEntry(StreamId.Max, null!)))
        {
            if (count > 0 && taken.Count >= count)
            {
                break;
            }

            var i = stream.IndexOf(p.Id);
            if (i >= 0)
            {
                p.DeliveryTime = now;
                p.DeliveryCount++;
                redelivered++;
                taken.Add((p.Id, stream.Slot(i).Record));
            }
            else
            {
                taken.Add((p.Id, null));
            }
        }

        if (redelivered == 0)
        {
            return null;
        }

        using var w = new PayloadWriter(32 + (redelivered * 16));
        w.String(g.Name);
        w.String(c.Name);
        w.I64(now);
        w.I32(redelivered);
        foreach (var (id, record) in taken)
        {
            if (record is not null)
            {
                WriteId(w, id);
            }
        }

        var durable = Journal.AppendAsync((ushort)RedisRecordType.EntriesRedelivered, stream.Id, w.WrittenSpan, out var journalled);
        Journal.Release(journalled);
        return durable;
    }

    /// <summary>Delivers committed entries after the group's last id and journals it. Caller holds the gates.</summary>
    private ValueTask<RecordRef> DeliverNew(RedisStream stream, ConsumerGroup g, Consumer c, long count, bool noAck, long now, List<(StreamId, RecordRef?)> taken)
    {
        if (!g.LastId.TryIncrement(out var from))
        {
            return default;
        }

        for (var i = stream.LowerBound(from); i < stream.SlotCount && (count <= 0 || taken.Count < count); i++)
        {
            ref var slot = ref stream.Slot(i);
            if (!slot.Committed)
            {
                break;
            }

            if (!slot.Deleted)
            {
                taken.Add((slot.Id, slot.Record));
            }
        }

        if (taken.Count == 0)
        {
            return default;
        }

        g.LastId = taken[^1].Item1;
        if (g.EntriesRead >= 0)
        {
            g.EntriesRead += taken.Count;
        }

        c.ActiveTime = now;
        using var w = new PayloadWriter(64 + (taken.Count * 16));
        w.String(g.Name);
        w.String(c.Name);
        w.I64(now);
        WriteId(w, g.LastId);
        w.I64(g.EntriesRead);
        w.Bool(noAck);
        w.I32(taken.Count);
        foreach (var (id, _) in taken)
        {
            WriteId(w, id);
            if (!noAck)
            {
                Deliver(g, c, id, now);
            }
        }

        var durable = Journal.AppendAsync((ushort)RedisRecordType.EntriesDelivered, stream.Id, w.WrittenSpan, out var record);
        Journal.Release(record);
        return durable;
    }

    /// <summary>Adds or moves a pending entry to <paramref name="c"/> as delivered once, now: as in Redis, an entry
    /// delivered as new again (after XGROUP SETID, or one XCLAIM FORCE put in the list) starts its count again.</summary>
    private static void Deliver(ConsumerGroup g, Consumer c, StreamId id, long now)
    {
        var p = g.FindPending(id);
        if (p is null)
        {
            p = new PendingEntry(id, c);
            g.Pel.Add(p);
        }
        else if (p.Consumer != c)
        {
            p.Consumer.Pending.Remove(p);
            p.Consumer = c;
        }

        c.Pending.Add(p);
        p.DeliveryTime = now;
        p.DeliveryCount = 1;
    }

    /// <summary>XACK: the number of ids that were pending.</summary>
    public ValueTask<long> AckAsync(string key, string group, IReadOnlyList<StreamId> ids)
    {
        var stream = Find(key);
        if (stream is null)
        {
            return ValueTask.FromResult(0L);
        }

        var acked = new List<StreamId>(ids.Count);
        ValueTask<RecordRef> durable;
        _broker.EnterWrite();
        try
        {
            lock (stream.Gate)
            {
                if (stream.IsDeleted || !stream.Groups.TryGetValue(group, out var g))
                {
                    return ValueTask.FromResult(0L);
                }

                foreach (var id in ids)
                {
                    if (g.FindPending(id) is { } p)
                    {
                        g.Pel.Remove(p);
                        p.Consumer.Pending.Remove(p);
                        acked.Add(id);
                    }
                }

                if (acked.Count == 0)
                {
                    return ValueTask.FromResult(0L);
                }

                durable = AppendIds(RedisRecordType.EntriesAcked, stream.Id, group, acked);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        if (durable.IsCompletedSuccessfully)
        {
            return ValueTask.FromResult((long)acked.Count);
        }

        return AwaitCount(durable, acked.Count);

        static async ValueTask<long> AwaitCount(ValueTask<RecordRef> durable, long count)
        {
            await durable.ConfigureAwait(false);
            return count;
        }
    }

    /// <summary>XPENDING summary.</summary>
    public PendingSummary Pending(string key, string group)
    {
        var stream = Find(key) ?? throw StreamException.NoGroup(key, group);
        lock (stream.Gate)
        {
            var g = GroupOrThrow(stream, group);
            if (g.Pel.Count == 0)
            {
                return new PendingSummary(0, null, null, []);
            }

            var consumers = g.Consumers.Values.Where(c => c.Pending.Count > 0).OrderBy(c => c.Name, StringComparer.Ordinal)
                .Select(c => (c.Name, (long)c.Pending.Count)).ToList();
            return new PendingSummary(g.Pel.Count, g.Pel.Min!.Id, g.Pel.Max!.Id, consumers);
        }
    }

    /// <summary>XPENDING's extended form.</summary>
    public List<PendingInfo> PendingRange(string key, string group, long minIdleMs, StreamId start, StreamId end, long count, string? consumer)
    {
        var stream = Find(key) ?? throw StreamException.NoGroup(key, group);
        var result = new List<PendingInfo>();
        lock (stream.Gate)
        {
            var g = GroupOrThrow(stream, group);
            SortedSet<PendingEntry> set;
            if (consumer is null)
            {
                set = g.Pel;
            }
            else if (!g.Consumers.TryGetValue(consumer, out var c))
            {
                return result;
            }
            else
            {
                set = c.Pending;
            }

            var now = Now;
            foreach (var p in ConsumerGroup.PendingBetween(set, start, end))
            {
                if (result.Count >= count)
                {
                    break;
                }

                var idle = now - p.DeliveryTime;
                if (idle < minIdleMs)
                {
                    continue;
                }

                result.Add(new PendingInfo(p.Id, p.Consumer.Name, idle, p.DeliveryCount));
            }
        }

        return result;
    }

    /// <summary>XCLAIM: entries (or only ids with JUSTID) now owned by <paramref name="consumer"/>.</summary>
    public async Task<List<StreamEntry>> ClaimAsync(string key, string group, string consumer, long minIdleMs, IReadOnlyList<StreamId> ids, ClaimOptions options)
    {
        var stream = Find(key) ?? throw StreamException.NoGroup(key, group);
        var claimed = new List<(StreamId, RecordRef)>();
        var durable = default(DurableTail);
        _broker.EnterWrite();
        try
        {
            lock (stream.Gate)
            {
                var g = GroupOrThrow(stream, group);
                var now = Now;
                var deliveryTime = options.IdleMs is { } idle ? now - idle : options.TimeMs ?? now;
                var (c, _) = EnsureConsumer(stream, g, consumer, now, ref durable);
                var changes = new List<PendingEntry>();
                var removed = new List<StreamId>();
                var lastIdChanged = false;
                if (options.LastId is { } lastId && lastId > g.LastId)
                {
                    g.LastId = lastId;
                    lastIdChanged = true;
                }

                foreach (var id in ids)
                {
                    var index = stream.IndexOf(id);
                    var p = g.FindPending(id);
                    if (p is null)
                    {
                        if (!options.Force || index < 0)
                        {
                            continue;
                        }

                        // FORCE: a new pending entry counts one delivery already, as Redis creates it.
                        p = new PendingEntry(id, c) { DeliveryCount = 1 };
                        g.Pel.Add(p);
                        c.Pending.Add(p);
                    }
                    else if (index < 0)
                    {
                        g.Pel.Remove(p);
                        p.Consumer.Pending.Remove(p);
                        removed.Add(id);
                        continue;
                    }
                    else if (minIdleMs > 0 && now - p.DeliveryTime < minIdleMs)
                    {
                        continue;
                    }

                    Claim(c, p, deliveryTime, options.RetryCount, options.JustId, now);
                    changes.Add(p);
                    claimed.Add((id, stream.Slot(index).Record));
                }

                if (changes.Count > 0 || removed.Count > 0 || lastIdChanged)
                {
                    durable.Add(AppendClaims(stream, g, c, now, lastIdChanged, changes, removed));
                }
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.Task.ConfigureAwait(false);
        var entries = new List<StreamEntry>(claimed.Count);
        foreach (var (id, record) in claimed)
        {
            entries.Add(options.JustId ? new StreamEntry(id, null) : Load(id, record));
        }

        return entries;
    }

    private static void Claim(Consumer c, PendingEntry p, long deliveryTime, long? retryCount, bool justId, long now)
    {
        if (p.Consumer != c)
        {
            p.Consumer.Pending.Remove(p);
            p.Consumer = c;
            c.Pending.Add(p);
        }

        p.DeliveryTime = deliveryTime;
        if (retryCount is { } rc)
        {
            p.DeliveryCount = rc;
        }
        else if (!justId)
        {
            p.DeliveryCount++;
        }

        c.ActiveTime = now;
    }

    private ValueTask<RecordRef> AppendClaims(RedisStream stream, ConsumerGroup g, Consumer c, long now, bool lastIdChanged, List<PendingEntry> changes, List<StreamId> removed)
    {
        using var w = new PayloadWriter(64 + (changes.Count * 32) + (removed.Count * 16));
        w.String(g.Name);
        w.String(c.Name);
        w.I64(now);
        w.Bool(lastIdChanged);
        WriteId(w, g.LastId);
        w.I32(changes.Count);
        foreach (var p in changes)
        {
            WriteId(w, p.Id);
            w.I64(p.DeliveryTime);
            w.I64(p.DeliveryCount);
        }

        w.I32(removed.Count);
        foreach (var id in removed)
        {
            WriteId(w, id);
        }

        var durable = Journal.AppendAsync((ushort)RedisRecordType.EntriesClaimed, stream.Id, w.WrittenSpan, out var record);
        Journal.Release(record);
        return durable;
    }

    /// <summary>XAUTOCLAIM: claims up to <paramref name="count"/> entries idle for at least <paramref name="minIdleMs"/>,
    /// scanning the PEL from <paramref name="start"/> (at most count × 10 entries).</summary>
    public async Task<AutoClaimResult> AutoClaimAsync(string key, string group, string consumer, long minIdleMs, StreamId start, long count, bool justId)
    {
        var stream = Find(key) ?? throw StreamException.NoGroup(key, group);
        var claimed = new List<(StreamId, RecordRef)>();
        var removed = new List<StreamId>();
        var next = StreamId.Zero;
        var durable = default(DurableTail);
        _broker.EnterWrite();
        try
        {
            lock (stream.Gate)
            {
                var g = GroupOrThrow(stream, group);
                var now = Now;
                var (c, _) = EnsureConsumer(stream, g, consumer, now, ref durable);
                var attempts = count * 10;
                var changes = new List<PendingEntry>();
                var examined = ConsumerGroup.PendingBetween(g.Pel, start, StreamId.Max).ToList();
                var at = 0;
                // As in Redis, an entry found deleted (and reported as such) counts against COUNT like a claimed one.
                for (; at < examined.Count && attempts > 0 && changes.Count + removed.Count < count; at++, attempts--)
                {
                    var p = examined[at];
                    var index = stream.IndexOf(p.Id);
                    if (index < 0)
                    {
                        g.Pel.Remove(p);
                        p.Consumer.Pending.Remove(p);
                        removed.Add(p.Id);
                        continue;
                    }

                    if (minIdleMs > 0 && now - p.DeliveryTime < minIdleMs)
                    {
                        continue;
                    }

                    Claim(c, p, now, null, justId, now);
                    changes.Add(p);
                    claimed.Add((p.Id, stream.Slot(index).Record));
                }

                next = at < examined.Count ? examined[at].Id : StreamId.Zero;
                if (changes.Count > 0 || removed.Count > 0)
                {
                    durable.Add(AppendClaims(stream, g, c, now, false, changes, removed));
                }
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.Task.ConfigureAwait(false);
        var entries = new List<StreamEntry>(claimed.Count);
        foreach (var (id, record) in claimed)
        {
            entries.Add(justId ? new StreamEntry(id, null) : Load(id, record));
        }

        return new AutoClaimResult(next, entries, removed);
    }
}

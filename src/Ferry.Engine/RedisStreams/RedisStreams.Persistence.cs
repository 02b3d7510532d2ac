using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.RedisStreams;

public sealed partial class RedisStreams
{
    /// <summary>Version 2 added each stream's expiry; version 1 is still read.</summary>
    private const byte SnapshotVersion = 2;

    /// <summary>Writes every stream, entry index, group, consumer and pending entry.</summary>
    internal void WriteSnapshot(PayloadWriter w) => CaptureSnapshot()(w);

    /// <summary>
    /// Captures every stream for a checkpoint while the checkpoint gate is held exclusively, and returns what writes
    /// them afterwards. Only the small parts are written now (each stream's fields, groups, consumers and pending
    /// entries); the entry slots of a long stream are read from its chunks afterwards, while writers go on. Writing
    /// a stream of millions of entries under the gate held every writer of Ferry off for seconds.
    /// </summary>
    internal Action<PayloadWriter> CaptureSnapshot()
    {
        var groups = new PayloadWriter();
        List<(ulong Id, string Key, StreamId LastId, StreamId MaxDeletedId, long EntriesAdded, long ExpiresAt, RedisStream.SlotsCapture Slots, int GroupsAt, int GroupsEnd)> streams;
        ulong nextId;
        lock (_catalogGate)
        {
            nextId = _nextId;
            streams = new(_byId.Count);
            foreach (var s in _byId.Values)
            {
                lock (s.Gate)
                {
                    var at = groups.Length;
                    WriteGroups(groups, s);
                    streams.Add((s.Id, s.Key, s.LastId, s.MaxDeletedId, s.EntriesAdded, s.ExpiresAt, s.CaptureSlots(), at, groups.Length));
                }
            }
        }

        return w =>
        {
            // Slots.Write gives its chunks back however it ends; the captures not reached are given back below.
            var reached = 0;
            try
            {
                w.U8(SnapshotVersion);
                w.U64(nextId);
                w.I32(streams.Count);
                foreach (var s in streams)
                {
                    w.U64(s.Id);
                    w.String(s.Key);
                    WriteId(w, s.LastId);
                    WriteId(w, s.MaxDeletedId);
                    w.I64(s.EntriesAdded);
                    w.I64(s.ExpiresAt);
                    reached++;
                    s.Slots.Write(w, WriteId);
                    w.Raw(groups.WrittenSpan[s.GroupsAt..s.GroupsEnd]);
                }
            }
            finally
            {
                for (var i = reached; i < streams.Count; i++)
                {
                    streams[i].Slots.Release();
                }

                groups.Dispose();
            }
        };
    }

    private static void WriteGroups(PayloadWriter w, RedisStream s)
    {
        w.I32(s.Groups.Count);
        foreach (var g in s.Groups.Values)
        {
            w.String(g.Name);
            WriteId(w, g.LastId);
            w.I64(g.EntriesRead);
            w.I32(g.Consumers.Count);
            foreach (var c in g.Consumers.Values)
            {
                w.String(c.Name);
                w.I64(c.SeenTime);
                w.I64(c.ActiveTime);
            }

            w.I32(g.Pel.Count);
            foreach (var p in g.Pel)
            {
                WriteId(w, p.Id);
                w.String(p.Consumer.Name);
                w.I64(p.DeliveryTime);
                w.I64(p.DeliveryCount);
            }
        }
    }

    internal void ReadSnapshot(ref PayloadReader r)
    {
        var version = r.U8();
        if (version is not (1 or SnapshotVersion))
        {
            throw new InvalidDataException($"The Redis streams section of the checkpoint has version {version}, which this Ferry does not read.");
        }

        _nextId = r.U64();
        var streams = r.I32();
        for (var i = 0; i < streams; i++)
        {
            var s = new RedisStream(r.U64(), r.RequiredString())
            {
                LastId = ReadId(ref r),
                MaxDeletedId = ReadId(ref r),
                EntriesAdded = r.I64(),
            };
            if (version >= 2)
            {
                s.ExpiresAt = r.I64();
            }

            var entries = r.I32();
            for (var e = 0; e < entries; e++)
            {
                s.Append(ReadId(ref r), new RecordRef(r.I64(), r.I32()), committed: true);
            }

            var groups = r.I32();
            for (var gi = 0; gi < groups; gi++)
            {
                var g = new ConsumerGroup(r.RequiredString()) { LastId = ReadId(ref r), EntriesRead = r.I64() };
                var consumers = r.I32();
                for (var ci = 0; ci < consumers; ci++)
                {
                    var c = new Consumer(r.RequiredString()) { SeenTime = r.I64(), ActiveTime = r.I64() };
                    g.Consumers.Add(c.Name, c);
                }

                var pending = r.I32();
                for (var pi = 0; pi < pending; pi++)
                {
                    var id = ReadId(ref r);
                    var owner = ReplayConsumer(g, r.RequiredString(), 0);
                    var p = new PendingEntry(id, owner) { DeliveryTime = r.I64(), DeliveryCount = r.I64() };
                    g.Pel.Add(p);
                    owner.Pending.Add(p);
                }

                s.Groups.Add(g.Name, g);
            }

            _byId.Add(s.Id, s);
            _byKey.Add(s.Key, s);
        }
    }

    private static Consumer ReplayConsumer(ConsumerGroup g, string name, long seen)
    {
        if (!g.Consumers.TryGetValue(name, out var c))
        {
            c = new Consumer(name) { SeenTime = seen };
            g.Consumers.Add(name, c);
        }

        return c;
    }

    /// <summary>Applies one record after the checkpoint; releases it unless it is an entry that is kept.</summary>
    internal void Replay(in JournalRecord record)
    {
        var type = (RedisRecordType)record.Type;
        var r = new PayloadReader(record.Payload.Span);
        if (type == RedisRecordType.StreamCreated)
        {
            var key = r.RequiredString();
            if (!_byId.ContainsKey(record.ResourceId))
            {
                if (_byKey.Remove(key, out var stale))
                {
                    _byId.Remove(stale.Id);
                }

                var s = new RedisStream(record.ResourceId, key);
                _byId.Add(s.Id, s);
                _byKey.Add(key, s);
            }

            _nextId = Math.Max(_nextId, record.ResourceId + 1);
            Journal.Release(record.Ref);
            return;
        }

        if (!_byId.TryGetValue(record.ResourceId, out var stream))
        {
            // A record of a stream deleted later in the history.
            Journal.Release(record.Ref);
            return;
        }

        switch (type)
        {
            case RedisRecordType.StreamDeleted:
                _byId.Remove(stream.Id);
                _byKey.Remove(stream.Key);
                foreach (var slot in stream.LiveSlots())
                {
                    Journal.Release(slot.Record);
                }

                break;

            case RedisRecordType.EntryAdded:
                ReplayEntry(stream, record, ref r);
                return;

            case RedisRecordType.EntriesDeleted:
            {
                var n = r.I32();
                for (var i = 0; i < n; i++)
                {
                    var index = stream.IndexOf(ReadId(ref r));
                    if (index >= 0)
                    {
                        Journal.Release(stream.Slot(index).Record);
                        stream.Delete(index);
                    }
                }

                break;
            }

            case RedisRecordType.StreamTrimmed:
            {
                var firstKept = ReadId(ref r);
                stream.RemoveBefore(stream.LowerBound(firstKept), Journal.Release);
                stream.MaxDeletedId = ReadId(ref r);
                break;
            }

            case RedisRecordType.StreamRenamed:
            {
                var to = r.RequiredString();
                _byKey.Remove(stream.Key);
                if (_byKey.Remove(to, out var overwritten))
                {
                    // Not expected (the destination's deletion comes first), but a key names one stream.
                    _byId.Remove(overwritten.Id);
                }

                stream.Key = to;
                _byKey.Add(to, stream);
                break;
            }

            case RedisRecordType.ExpirySet:
                stream.ExpiresAt = r.I64();
                break;

            case RedisRecordType.StreamIdSet:
                stream.LastId = ReadId(ref r);
                stream.EntriesAdded = r.I64();
                stream.MaxDeletedId = ReadId(ref r);
                break;

            case RedisRecordType.GroupCreated:
            case RedisRecordType.GroupIdSet:
            {
                var name = r.RequiredString();
                if (!stream.Groups.TryGetValue(name, out var g))
                {
                    g = new ConsumerGroup(name);
                    stream.Groups.Add(name, g);
                }

                g.LastId = ReadId(ref r);
                g.EntriesRead = r.I64();
                break;
            }

            case RedisRecordType.GroupDestroyed:
                stream.Groups.Remove(r.RequiredString());
                break;

            case RedisRecordType.ConsumerCreated:
            {
                if (stream.Groups.TryGetValue(r.RequiredString(), out var g))
                {
                    var name = r.RequiredString();
                    ReplayConsumer(g, name, r.I64());
                }

                break;
            }

            case RedisRecordType.ConsumerDeleted:
            {
                if (stream.Groups.TryGetValue(r.RequiredString(), out var g) && g.Consumers.Remove(r.RequiredString(), out var c))
                {
                    foreach (var p in c.Pending)
                    {
                        g.Pel.Remove(p);
                    }
                }

                break;
            }

            case RedisRecordType.EntriesDelivered:
            {
                if (!stream.Groups.TryGetValue(r.RequiredString(), out var g))
                {
                    break;
                }

                var c = ReplayConsumer(g, r.RequiredString(), 0);
                var now = r.I64();
                g.LastId = ReadId(ref r);
                g.EntriesRead = r.I64();
                var noAck = r.Bool();
                var n = r.I32();
                c.SeenTime = c.ActiveTime = now;
                for (var i = 0; i < n; i++)
                {
                    var id = ReadId(ref r);
                    if (!noAck)
                    {
                        Deliver(g, c, id, now);
                    }
                }

                break;
            }

            case RedisRecordType.EntriesAcked:
            {
                if (!stream.Groups.TryGetValue(r.RequiredString(), out var g))
                {
                    break;
                }

                var n = r.I32();
                for (var i = 0; i < n; i++)
                {
                    if (g.FindPending(ReadId(ref r)) is { } p)
                    {
                        g.Pel.Remove(p);
                        p.Consumer.Pending.Remove(p);
                    }
                }

                break;
            }

            case RedisRecordType.EntriesRedelivered:
            {
                if (!stream.Groups.TryGetValue(r.RequiredString(), out var g))
                {
                    break;
                }

                var c = ReplayConsumer(g, r.RequiredString(), 0);
                var now = r.I64();
                c.SeenTime = now;
                var n = r.I32();
                for (var i = 0; i < n; i++)
                {
                    if (g.FindPending(ReadId(ref r)) is { } p)
                    {
                        p.DeliveryTime = now;
                        p.DeliveryCount++;
                    }
                }

                break;
            }

            case RedisRecordType.EntriesClaimed:
            {
                if (!stream.Groups.TryGetValue(r.RequiredString(), out var g))
                {
                    break;
                }

                var c = ReplayConsumer(g, r.RequiredString(), 0);
                var now = r.I64();
                c.SeenTime = now;
                var lastIdChanged = r.Bool();
                var lastId = ReadId(ref r);
                if (lastIdChanged)
                {
                    g.LastId = lastId;
                }

                var n = r.I32();
                for (var i = 0; i < n; i++)
                {
                    var id = ReadId(ref r);
                    var p = g.FindPending(id);
                    if (p is null)
                    {
                        p = new PendingEntry(id, c);
                        g.Pel.Add(p);
                        c.Pending.Add(p);
                    }
                    else if (p.Consumer != c)
                    {
                        p.Consumer.Pending.Remove(p);
                        p.Consumer = c;
                        c.Pending.Add(p);
                    }

                    p.DeliveryTime = r.I64();
                    p.DeliveryCount = r.I64();
                    c.ActiveTime = now;
                }

                var m = r.I32();
                for (var i = 0; i < m; i++)
                {
                    if (g.FindPending(ReadId(ref r)) is { } p)
                    {
                        g.Pel.Remove(p);
                        p.Consumer.Pending.Remove(p);
                    }
                }

                break;
            }

            default:
                throw new InvalidDataException($"Record type {record.Type} at position {record.Ref.Position} is not a Redis stream record.");
        }

        Journal.Release(record.Ref);
    }

    private void ReplayEntry(RedisStream stream, in JournalRecord record, ref PayloadReader r)
    {
        var id = ReadId(ref r);
        var index = stream.IndexOf(id);
        if (index >= 0)
        {
            // A copy made by compaction supersedes the original.
            var reference = stream.Slot(index).Record;
            Journal.ReplayAgain(ref reference, record);
            stream.Slot(index).Record = reference;
            return;
        }

        if (record.IsRelocated || id <= stream.LastId && stream.SlotCount > 0 && id <= stream.Slot(stream.SlotCount - 1).Id)
        {
            // The copy of an entry deleted or trimmed before the copy's position was replayed.
            Journal.Release(record.Ref);
            return;
        }

        stream.Append(id, record.Ref, committed: true);
        if (id > stream.LastId)
        {
            stream.LastId = id;
        }

        stream.EntriesAdded++;
    }

    /// <summary>Compaction asks whether an entry record is still referenced.</summary>
    internal bool IsLive(in JournalRecord record)
    {
        if (record.Type != (ushort)RedisRecordType.EntryAdded)
        {
            return false;
        }

        var r = new PayloadReader(record.Payload.Span);
        var id = ReadId(ref r);
        RedisStream? stream;
        lock (_catalogGate)
        {
            stream = _byId.GetValueOrDefault(record.ResourceId);
        }

        if (stream is null)
        {
            return false;
        }

        lock (stream.Gate)
        {
            var i = stream.IndexOf(id);
            return i >= 0 && stream.Slot(i).Record == record.Ref;
        }
    }

    internal bool TryRelocate(in JournalRecord record, RecordRef newRef)
    {
        if (record.Type != (ushort)RedisRecordType.EntryAdded)
        {
            return false;
        }

        var r = new PayloadReader(record.Payload.Span);
        var id = ReadId(ref r);
        RedisStream? stream;
        lock (_catalogGate)
        {
            stream = _byId.GetValueOrDefault(record.ResourceId);
        }

        if (stream is null)
        {
            return false;
        }

        lock (stream.Gate)
        {
            var i = stream.IndexOf(id);
            if (i >= 0 && stream.Slot(i).Record == record.Ref)
            {
                stream.Slot(i).Record = newRef;
                return true;
            }

            return false;
        }
    }
}

/// <summary>Helpers for durability tasks that a later append in the same critical section supersedes.</summary>
internal static class DurableTasks
{
    /// <summary>Consumes a durability task nobody awaits, so that its pooled completion is recycled.</summary>
    public static void Forget(this ValueTask<RecordRef> task)
    {
        if (task.IsCompleted)
        {
            try
            {
                _ = task.GetAwaiter().GetResult();
            }
            catch (JournalException)
            {
                // The awaited later append reports the same failure.
            }

            return;
        }

        var awaiter = task.ConfigureAwait(false).GetAwaiter();
        awaiter.UnsafeOnCompleted(() =>
        {
            try
            {
                _ = awaiter.GetResult();
            }
            catch (JournalException)
            {
            }
        });
    }
}

/// <summary>The durability of the last of several appends made in one critical section: awaiting it covers them all,
/// since the journal makes records durable in order.</summary>
internal struct DurableTail
{
    private ValueTask<RecordRef> _last;

    /// <summary>Records a later append; the earlier one is covered by it.</summary>
    public void Add(ValueTask<RecordRef> later)
    {
        _last.Forget();
        _last = later;
    }

    public readonly ValueTask<RecordRef> Task => _last;
}

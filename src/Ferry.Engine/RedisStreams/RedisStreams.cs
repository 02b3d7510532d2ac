using System.Text;
using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.RedisStreams;

/// <summary>
/// The Redis keyspace of streams: entries, consumer groups and their pending entries lists, durable in the journal.
/// </summary>
/// <remarks>
/// <para>Keys are binary; they are held as Latin-1 strings, whose chars map one to one onto bytes.</para>
/// <para>Each stream's state is guarded by its own gate; the catalog of keys by <c>_catalogGate</c>. As for queues,
/// every change appends its record inside the critical section under <see cref="Broker.EnterWrite"/>, and the
/// caller awaits durability after leaving it. An added entry is visible to readers only once its record is durable,
/// so no reader sees an entry that a crash could take back.</para>
/// <para>Only ids and record references stay in memory; fields are read back from the journal.</para>
/// </remarks>
public sealed partial class RedisStreams
{
    /// <summary>Redis trims with ~ only whole radix-tree nodes of stream-node-max-entries (100 by default) entries.</summary>
    public const int NodeSize = 100;

    private readonly Broker _broker;
    private readonly object _catalogGate = new();
    private readonly Dictionary<string, RedisStream> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, RedisStream> _byId = [];
    private readonly Dictionary<string, List<TaskCompletionSource>> _keyWaiters = new(StringComparer.Ordinal);
    private ulong _nextId = 1;

    internal RedisStreams(Broker broker) => _broker = broker;

    private Journal Journal => _broker.Journal;

    private long Now => _broker.Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Turns key bytes into the key string (Latin-1: binary safe).</summary>
    public static string KeyOf(ReadOnlySpan<byte> key) => Encoding.Latin1.GetString(key);

    /// <summary>The number of keys that have not expired.</summary>
    public int Count
    {
        get
        {
            lock (_catalogGate)
            {
                var now = Now;
                return _byKey.Values.Count(s => Alive(s, now));
            }
        }
    }

    /// <summary>Every key that has not expired, in no particular order.</summary>
    public List<string> Keys()
    {
        lock (_catalogGate)
        {
            var now = Now;
            return [.. _byKey.Values.Where(s => Alive(s, now)).Select(s => s.Key)];
        }
    }

    public bool Exists(string key) => Find(key) is not null;

    /// <summary>Whether the stream at <paramref name="key"/> exists and has the consumer group <paramref name="group"/>.</summary>
    public bool HasGroup(string key, string group)
    {
        if (Find(key) is not { } stream)
        {
            return false;
        }

        lock (stream.Gate)
        {
            return !stream.IsDeleted && stream.Groups.ContainsKey(group);
        }
    }

    private RedisStream? Find(string key)
    {
        lock (_catalogGate)
        {
            return FindLocked(key);
        }
    }

    /// <summary>The stream at <paramref name="key"/> unless missing or expired. Caller holds the catalog's lock.</summary>
    private RedisStream? FindLocked(string key) => _byKey.TryGetValue(key, out var s) && Alive(s) ? s : null;

    /// <summary>Whether the stream's key has not expired by <paramref name="now"/>. Caller holds the catalog's lock.</summary>
    private static bool Alive(RedisStream stream, long now) => stream.ExpiresAt == 0 || stream.ExpiresAt > now;

    /// <summary>Whether the stream's key has not expired (the clock is read only for a key with an expiry).</summary>
    private bool Alive(RedisStream stream) => stream.ExpiresAt == 0 || stream.ExpiresAt > Now;

    private RedisStream? Find(ReadOnlySpan<byte> key)
    {
        Span<char> chars = key.Length <= 256 ? stackalloc char[key.Length] : new char[key.Length];
        Encoding.Latin1.GetChars(key, chars);
        lock (_catalogGate)
        {
            return _byKey.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var s) && Alive(s) ? s : null;
        }
    }

    /// <summary>The stream, created (and its creation appended) if missing. Caller holds <see cref="Broker.EnterWrite"/>.</summary>
    private RedisStream GetOrCreate(ReadOnlySpan<byte> keyBytes, string? key)
    {
        lock (_catalogGate)
        {
            key ??= KeyOf(keyBytes);
            if (_byKey.TryGetValue(key, out var existing))
            {
                if (Alive(existing))
                {
                    return existing;
                }

                // An expired key is gone: a new stream takes its place.
                RemoveLocked(existing).Forget();
            }

            var stream = new RedisStream(_nextId++, key);
            using var w = new PayloadWriter();
            w.String(key);
            Journal.AppendAsync((ushort)RedisRecordType.StreamCreated, stream.Id, w.WrittenSpan, out var record).Forget();
            Journal.Release(record);
            _byKey.Add(key, stream);
            _byId.Add(stream.Id, stream);
            WakeKeyWaiters(key);
            return stream;
        }
    }

    /// <summary>Wakes the readers blocked on a missing <paramref name="key"/>, which now exists. Caller holds the
    /// catalog's lock.</summary>
    private void WakeKeyWaiters(string key)
    {
        if (_keyWaiters.Remove(key, out var waiters))
        {
            foreach (var waiter in waiters)
            {
                waiter.TrySetResult();
            }
        }
    }

    /// <summary>Deletes keys (DEL); returns how many existed (had not expired).</summary>
    public async Task<long> DeleteKeysAsync(IReadOnlyList<string> keys)
    {
        long deleted = 0;
        ValueTask<RecordRef> durable = default;
        _broker.EnterWrite();
        try
        {
            lock (_catalogGate)
            {
                var now = Now;
                foreach (var key in keys)
                {
                    if (_byKey.TryGetValue(key, out var stream))
                    {
                        durable = RemoveLocked(stream);
                        if (Alive(stream, now))
                        {
                            deleted++;
                            Touch(key);
                        }
                    }
                }
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
        return deleted;
    }

    /// <summary>Removes a stream and appends its deletion; returns when that is durable. Caller holds
    /// <see cref="Broker.EnterWrite"/> and the catalog's lock.</summary>
    private ValueTask<RecordRef> RemoveLocked(RedisStream stream)
    {
        _byKey.Remove(stream.Key);
        _byId.Remove(stream.Id);
        DropStream(stream);
        var durable = Journal.AppendAsync((ushort)RedisRecordType.StreamDeleted, stream.Id, [], out var record);
        Journal.Release(record);
        return durable;
    }

    /// <summary>Deletes every key (FLUSHALL, FLUSHDB).</summary>
    public Task<long> FlushAsync()
    {
        List<string> all;
        lock (_catalogGate)
        {
            all = [.. _byKey.Keys];
        }

        return DeleteKeysAsync(all);
    }

    private void DropStream(RedisStream stream)
    {
        lock (stream.Gate)
        {
            stream.IsDeleted = true;
            foreach (var slot in stream.LiveSlots())
            {
                Journal.Release(slot.Record);
            }

            stream.WakeAll();
        }
    }

    private static void ThrowIfDeleted(RedisStream stream)
    {
        if (stream.IsDeleted)
        {
            throw new StreamDeletedException();
        }
    }

    /// <summary>The stream went away between the lookup and the lock; the caller looks it up again.</summary>
    private sealed class StreamDeletedException : Exception
    {
    }

    /// <summary>XLEN: 0 for a missing key.</summary>
    public long Length(string key)
    {
        if (Find(key) is not { } stream)
        {
            return 0;
        }

        lock (stream.Gate)
        {
            return stream.Length;
        }
    }

    // ---------------------------------------------------------------- XADD

    /// <summary>XADD: appends an entry (and trims); completes with its id once durable, or null when NOMKSTREAM
    /// found no stream.</summary>
    /// <exception cref="StreamException">The id is not greater than the stream's top item, or 0-0.</exception>
    public ValueTask<StreamId?> AddAsync<TFields>(ReadOnlySpan<byte> key, AddIdSpec idSpec, bool noMkStream, TrimSpec trim, TFields fields)
        where TFields : IStreamFields
    {
        RedisStream? stream;
        StreamId id;
        ValueTask<RecordRef> durable;
        while (true)
        {
            stream = Find(key);
            if (stream is null && noMkStream)
            {
                return ValueTask.FromResult<StreamId?>(null);
            }

            _broker.EnterWrite();
            try
            {
                stream ??= GetOrCreate(key, null);
                lock (stream.Gate)
                {
                    if (stream.IsDeleted)
                    {
                        continue;
                    }

                    id = NextId(stream, idSpec);
                    durable = AppendEntry(stream, id, fields, out var record);
                    stream.Append(id, record, committed: false);
                    stream.LastId = id;
                    stream.EntriesAdded++;
                    if (trim.Strategy != TrimStrategy.None)
                    {
                        Trim(stream, trim);
                    }

                    Touch(stream.Key);
                }
            }
            finally
            {
                _broker.ExitWrite();
            }

            break;
        }

        if (durable.IsCompletedSuccessfully)
        {
            Commit(stream, id);
            return ValueTask.FromResult<StreamId?>(id);
        }

        return AddCompletion.Start(stream, id, durable);
    }

    private ValueTask<RecordRef> AppendEntry<TFields>(RedisStream stream, StreamId id, TFields fields, out RecordRef record)
        where TFields : IStreamFields
    {
        var length = 16 + 4;
        for (var i = 0; i < fields.Count; i++)
        {
            length += 4 + fields[i].Length;
        }

        using var w = new PayloadWriter(length);
        w.U64(id.Ms);
        w.U64(id.Seq);
        w.I32(fields.Count);
        for (var i = 0; i < fields.Count; i++)
        {
            w.Bytes(fields[i]);
        }

        return Journal.AppendAsync((ushort)RedisRecordType.EntryAdded, stream.Id, w.WrittenSpan, out record);
    }

    private StreamId NextId(RedisStream stream, AddIdSpec spec)
    {
        var last = stream.LastId;
        if (spec.Auto)
        {
            var ms = (ulong)Math.Max(0, Now);
            if (ms > last.Ms)
            {
                return new StreamId(ms, 0);
            }

            if (!last.TryIncrement(out var next))
            {
                throw new StreamException("ERR The stream has exhausted the last possible ID, unable to add more items");
            }

            return next;
        }

        StreamId id;
        if (spec.AutoSeq)
        {
            if (spec.Id.Ms == last.Ms)
            {
                if (last.Seq == ulong.MaxValue)
                {
                    throw TopItem();
                }

                id = new StreamId(last.Ms, last.Seq + 1);
            }
            else if (spec.Id.Ms > last.Ms)
            {
                id = new StreamId(spec.Id.Ms, 0);
            }
            else
            {
                throw TopItem();
            }
        }
        else
        {
            id = spec.Id;
        }

        if (id == StreamId.Zero)
        {
            throw new StreamException("ERR The ID specified in XADD must be greater than 0-0");
        }

        if (id <= last)
        {
            throw TopItem();
        }

        return id;

        static StreamException TopItem() => new("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    }

    /// <summary>The entry's record is durable: readers may see it.</summary>
    internal static void Commit(RedisStream stream, StreamId id)
    {
        lock (stream.Gate)
        {
            var i = stream.LowerBoundFromEnd(id);
            if (i < stream.SlotCount && stream.Slot(i).Id == id)
            {
                stream.Slot(i).Committed = true;
            }

            stream.WakeAll();
        }
    }

    // ---------------------------------------------------------------- XTRIM / XDEL / XSETID

    /// <summary>XTRIM: returns how many entries went.</summary>
    public async Task<long> TrimAsync(string key, TrimSpec trim)
    {
        if (Find(key) is not { } stream)
        {
            return 0;
        }

        long removed;
        ValueTask<RecordRef> durable = default;
        _broker.EnterWrite();
        try
        {
            lock (stream.Gate)
            {
                if (stream.IsDeleted)
                {
                    return 0;
                }

                removed = Trim(stream, trim, out durable);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
        return removed;
    }

    private long Trim(RedisStream stream, TrimSpec trim) => Trim(stream, trim, out _);

    /// <summary>Removes entries from the head as the spec says and appends the trim record. Caller holds the gates.</summary>
    private long Trim(RedisStream stream, TrimSpec trim, out ValueTask<RecordRef> durable)
    {
        durable = default;
        // The number of slots from the head to remove.
        var cut = 0;
        long live = 0;
        var limit = trim.Approximate ? (trim.Limit > 0 ? trim.Limit : NodeSize * 100L) : long.MaxValue;
        if (trim.Strategy == TrimStrategy.MaxLen)
        {
            var excess = stream.Length - trim.MaxLen;
            if (trim.Approximate)
            {
                excess = excess / NodeSize * NodeSize;
            }

            excess = Math.Min(excess, limit);
            while (live < excess && cut < stream.SlotCount)
            {
                if (!stream.Slot(cut).Deleted)
                {
                    live++;
                }

                cut++;
            }
        }
        else
        {
            var end = stream.LowerBound(trim.MinId);
            var candidates = 0L;
            for (var i = 0; i < end; i++)
            {
                if (!stream.Slot(i).Deleted)
                {
                    candidates++;
                }
            }

            var wanted = trim.Approximate ? Math.Min(candidates / NodeSize * NodeSize, limit) : candidates;
            while (live < wanted && cut < end)
            {
                if (!stream.Slot(cut).Deleted)
                {
                    live++;
                }

                cut++;
            }
        }

        if (cut == 0)
        {
            return 0;
        }

        Touch(stream.Key);
        var firstKept = cut < stream.SlotCount ? stream.Slot(cut).Id : (stream.LastId.TryIncrement(out var n) ? n : StreamId.Max);
        var removed = stream.RemoveBefore(cut, Journal.Release);
        using var w = new PayloadWriter();
        w.U64(firstKept.Ms);
        w.U64(firstKept.Seq);
        w.U64(stream.MaxDeletedId.Ms);
        w.U64(stream.MaxDeletedId.Seq);
        durable = Journal.AppendAsync((ushort)RedisRecordType.StreamTrimmed, stream.Id, w.WrittenSpan, out var record);
        Journal.Release(record);
        return removed;
    }

    /// <summary>XDEL: returns how many of the ids existed.</summary>
    public async Task<long> DeleteEntriesAsync(string key, IReadOnlyList<StreamId> ids)
    {
        if (Find(key) is not { } stream)
        {
            return 0;
        }

        var deleted = new List<StreamId>(ids.Count);
        ValueTask<RecordRef> durable = default;
        _broker.EnterWrite();
        try
        {
            lock (stream.Gate)
            {
                if (stream.IsDeleted)
                {
                    return 0;
                }

                foreach (var id in ids)
                {
                    var i = stream.IndexOf(id);
                    if (i >= 0)
                    {
                        Journal.Release(stream.Slot(i).Record);
                        stream.Delete(i);
                        deleted.Add(id);
                    }
                }

                if (deleted.Count > 0)
                {
                    durable = AppendIds(RedisRecordType.EntriesDeleted, stream.Id, null, deleted);
                    Touch(stream.Key);
                }
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
        return deleted.Count;
    }

    private ValueTask<RecordRef> AppendIds(RedisRecordType type, ulong streamId, string? group, List<StreamId> ids)
    {
        using var w = new PayloadWriter(16 + (ids.Count * 16));
        if (group is not null)
        {
            w.String(group);
        }

        w.I32(ids.Count);
        foreach (var id in ids)
        {
            w.U64(id.Ms);
            w.U64(id.Seq);
        }

        var durable = Journal.AppendAsync((ushort)type, streamId, w.WrittenSpan, out var record);
        Journal.Release(record);
        return durable;
    }

    /// <summary>XSETID.</summary>
    /// <exception cref="StreamException">No such key; the id is smaller than the top item; bad ENTRIESADDED or MAXDELETEDID.</exception>
    public async Task SetIdAsync(string key, StreamId lastId, long? entriesAdded, StreamId? maxDeletedId)
    {
        ValueTask<RecordRef> durable;
        var stream = Find(key) ?? throw new StreamException("ERR no such key");
        _broker.EnterWrite();
        try
        {
            lock (stream.Gate)
            {
                if (stream.IsDeleted)
                {
                    throw new StreamException("ERR no such key");
                }

                if (entriesAdded is { } added && added < stream.Length)
                {
                    throw new StreamException("ERR The entries_added specified in XSETID is smaller than the target stream length");
                }

                if (stream.Length > 0)
                {
                    // As in Redis, the id may go back to the last entry still in the stream, not below it.
                    List<(StreamId, RecordRef)> top = [];
                    CollectRange(stream, StreamId.Zero, StreamId.Max, 1, reverse: true, top);
                    if (top.Count > 0 && lastId < top[0].Item1)
                    {
                        throw new StreamException("ERR The ID specified in XSETID is smaller than the target stream top item");
                    }
                }

                if (maxDeletedId is { } md && lastId < md)
                {
                    throw new StreamException("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                }

                stream.LastId = lastId;
                stream.EntriesAdded = entriesAdded ?? stream.EntriesAdded;
                // As in Redis, MAXDELETEDID 0-0 leaves the max deleted id as it was.
                stream.MaxDeletedId = maxDeletedId is { } given && given != StreamId.Zero ? given : stream.MaxDeletedId;
                using var w = new PayloadWriter();
                WriteId(w, stream.LastId);
                w.I64(stream.EntriesAdded);
                WriteId(w, stream.MaxDeletedId);
                durable = Journal.AppendAsync((ushort)RedisRecordType.StreamIdSet, stream.Id, w.WrittenSpan, out var record);
                Journal.Release(record);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    private static void WriteId(PayloadWriter w, StreamId id)
    {
        w.U64(id.Ms);
        w.U64(id.Seq);
    }

    private static StreamId ReadId(ref PayloadReader r) => new(r.U64(), r.U64());

    // ---------------------------------------------------------------- reading

    /// <summary>Reads an entry's fields from the journal; a record that went away reads as a missing entry.</summary>
    private StreamEntry Load(StreamId id, RecordRef record)
    {
        try
        {
            return new StreamEntry(id, Journal.Read(record));
        }
        catch (JournalException)
        {
            return new StreamEntry(id, null);
        }
    }

    /// <summary>XRANGE / XREVRANGE over committed entries, inclusive bounds; count &lt; 0 for no limit.</summary>
    public List<StreamEntry> Range(string key, StreamId start, StreamId end, long count, bool reverse)
    {
        var refs = new List<(StreamId, RecordRef)>();
        if (Find(key) is { } stream && start <= end && count != 0)
        {
            lock (stream.Gate)
            {
                CollectRange(stream, start, end, count, reverse, refs);
            }
        }

        var entries = new List<StreamEntry>(refs.Count);
        foreach (var (id, record) in refs)
        {
            entries.Add(Load(id, record));
        }

        return entries;
    }

    private static void CollectRange(RedisStream stream, StreamId start, StreamId end, long count, bool reverse, List<(StreamId, RecordRef)> into)
    {
        if (!reverse)
        {
            for (var i = stream.LowerBound(start); i < stream.SlotCount && (count < 0 || into.Count < count); i++)
            {
                ref var slot = ref stream.Slot(i);
                if (slot.Id > end || !slot.Committed)
                {
                    break;
                }

                if (!slot.Deleted)
                {
                    into.Add((slot.Id, slot.Record));
                }
            }

            return;
        }

        var last = end == StreamId.Max ? stream.SlotCount : stream.LowerBound(end.TryIncrement(out var after) ? after : end);
        for (var i = last - 1; i >= 0 && (count < 0 || into.Count < count); i--)
        {
            ref var slot = ref stream.Slot(i);
            if (slot.Id < start)
            {
                break;
            }

            if (!slot.Deleted && slot.Committed)
            {
                into.Add((slot.Id, slot.Record));
            }
        }
    }

    /// <summary>XREAD: entries after each position; blocks up to <paramref name="block"/> (null: do not block;
    /// zero: forever) until some arrive. Null when nothing arrived.</summary>
    public async Task<List<StreamReadResult>?> ReadAsync(IReadOnlyList<string> keys, IReadOnlyList<ReadPosition> positions, long count,
        TimeSpan? block, CancellationToken cancellationToken)
    {
        var after = new StreamId[keys.Count];
        var useLastEntry = new bool[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            after[i] = positions[i].After;
            if (positions[i].Kind == ReadPositionKind.Last)
            {
                var s = Find(keys[i]);
                if (s is null)
                {
                    after[i] = StreamId.Zero;
                }
                else
                {
                    lock (s.Gate)
                    {
                        after[i] = s.LastId;
                    }
                }
            }

            useLastEntry[i] = positions[i].Kind == ReadPositionKind.LastEntry;
        }

        var deadline = block is { } b && b > TimeSpan.Zero ? _broker.Time.GetUtcNow() + b : DateTimeOffset.MaxValue;
        while (true)
        {
            List<StreamReadResult>? results = null;
            var waiter = block is null ? null : new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var registered = new List<(RedisStream? Stream, string Key)>();
            for (var i = 0; i < keys.Count; i++)
            {
                var refs = new List<(StreamId, RecordRef)>();
                var stream = Find(keys[i]);
                if (stream is null)
                {
                    if (waiter is not null)
                    {
                        lock (_catalogGate)
                        {
                            if (FindLocked(keys[i]) is not null)
                            {
                                waiter.TrySetResult();
                            }
                            else
                            {
                                if (!_keyWaiters.TryGetValue(keys[i], out var list))
                                {
                                    _keyWaiters[keys[i]] = list = [];
                                }

                                list.Add(waiter);
                                registered.Add((null, keys[i]));
                            }
                        }
                    }

                    continue;
                }

                lock (stream.Gate)
                {
                    if (useLastEntry[i])
                    {
                        CollectRange(stream, StreamId.Zero, StreamId.Max, 1, reverse: true, refs);
                        useLastEntry[i] = false;
                        if (refs.Count == 0)
                        {
                            after[i] = stream.LastId;
                        }
                    }
                    else if (after[i].TryIncrement(out var from))
                    {
                        CollectRange(stream, from, StreamId.Max, count <= 0 ? -1 : count, reverse: false, refs);
                    }

                    if (refs.Count == 0 && waiter is not null)
                    {
                        stream.Waiters.Add(waiter);
                        registered.Add((stream, keys[i]));
                    }
                }

                if (refs.Count > 0)
                {
                    var entries = new List<StreamEntry>(refs.Count);
                    foreach (var (id, record) in refs)
                    {
                        entries.Add(Load(id, record));
                    }

                    (results ??= []).Add(new StreamReadResult(keys[i], entries));
                }
            }

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

    /// <summary>A blocking read found nothing: waits for an XADD to one of its keys, until the deadline.</summary>
    /// <returns>True to read again, false when the deadline passed (the read answers nil).</returns>
    private async ValueTask<bool> WaitForEntriesAsync(TaskCompletionSource waiter, List<(RedisStream? Stream, string Key)> registered,
        DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var remaining = deadline - _broker.Time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            Unregister(waiter, registered);
            return false;
        }

        try
        {
            await (deadline == DateTimeOffset.MaxValue
                ? waiter.Task.WaitAsync(cancellationToken)
                : waiter.Task.WaitAsync(remaining, _broker.Time, cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            Unregister(waiter, registered);
        }
    }

    private void Unregister(TaskCompletionSource? waiter, List<(RedisStream? Stream, string Key)> registered)
    {
        if (waiter is null)
        {
            return;
        }

        foreach (var (stream, key) in registered)
        {
            if (stream is not null)
            {
                lock (stream.Gate)
                {
                    stream.Waiters.Remove(waiter);
                }
            }
            else
            {
                lock (_catalogGate)
                {
                    if (_keyWaiters.TryGetValue(key, out var list))
                    {
                        list.Remove(waiter);
                        if (list.Count == 0)
                        {
                            _keyWaiters.Remove(key);
                        }
                    }
                }
            }
        }

        registered.Clear();
    }

    /// <summary>Wakes every blocked reader (shutdown).</summary>
    internal void ReleaseWaiters()
    {
        lock (_catalogGate)
        {
            foreach (var stream in _byId.Values)
            {
                lock (stream.Gate)
                {
                    stream.WakeAll();
                }
            }

            foreach (var list in _keyWaiters.Values)
            {
                foreach (var waiter in list)
                {
                    waiter.TrySetResult();
                }
            }

            _keyWaiters.Clear();
        }
    }
}

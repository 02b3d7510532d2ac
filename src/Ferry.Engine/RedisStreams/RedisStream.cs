using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.RedisStreams;

/// <summary>One Redis stream: its entries in id order (index slots pointing into the journal), its groups, and the
/// readers blocked on it. Guarded by <see cref="Gate"/>.</summary>
internal sealed class RedisStream(ulong id, string key)
{
    /// <summary>Slots per chunk once a stream outgrows its first array: 4,096 slots of 32 bytes, on the large object
    /// heap, which the collector does not copy.</summary>
    internal const int ChunkSize = 1 << ChunkShift;

    private const int ChunkShift = 12;
    private const int ChunkMask = ChunkSize - 1;

    internal readonly object Gate = new();

    // The slots, in id order, from position _head to _end of the concatenated chunks. A short stream has one array
    // that doubles up to ChunkSize (compacting its deleted slots as it grows); a longer one has chunks of ChunkSize,
    // all full but the last, and grows a chunk at a time. A single doubled array copied every slot at each doubling
    // and touched twice the memory it kept: in a stream growing by millions, that copy and its page faults took a
    // tenth of the RESP loop's time.
    private EntrySlot[][] _chunks = [new EntrySlot[16]];
    private int[] _deletedIn = new int[1];
    private int _chunkCount = 1;
    private int _head;
    private int _end;

    /// <summary>A chunk dropped by trimming, kept for the next one the stream needs: a capped stream
    /// (XADD MAXLEN) reuses its memory instead of asking for more.</summary>
    private EntrySlot[]? _spare;

    /// <summary>Checkpoint captures still reading this stream's chunks (<see cref="CaptureSlots"/>): while there are
    /// any, no chunk is reused or compacted in place, and the ids deleted since are kept.</summary>
    private int _captures;

    /// <summary>Ids deleted while a capture reads the chunks: they were live when it was taken.</summary>
    private HashSet<StreamId>? _deletedSinceCapture;

    public ulong Id { get; } = id;

    /// <summary>The stream's key; changed by RENAME under the catalog's lock.</summary>
    public string Key { get; set; } = key;

    public StreamId LastId;

    public StreamId MaxDeletedId;

    public long EntriesAdded;

    /// <summary>Live entries (not deleted, not trimmed), committed or not.</summary>
    public long Length;

    public bool IsDeleted;

    /// <summary>When the key expires, in Unix milliseconds; 0 for never. Guarded by the catalog's lock.</summary>
    public long ExpiresAt;

    public Dictionary<string, ConsumerGroup> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>Readers blocked in XREAD or XREADGROUP on this stream; woken when an entry becomes visible.</summary>
    public List<TaskCompletionSource> Waiters { get; } = [];

    public int SlotCount => _end - _head;

    /// <summary>Chunks holding the slots (tests: the memory a stream keeps).</summary>
    internal int ChunkCount => _chunkCount;

    public ref EntrySlot Slot(int index) => ref At(_head + index);

    private ref EntrySlot At(int position) => ref _chunks[position >> ChunkShift][position & ChunkMask];

    /// <summary>Appends a slot (ids only grow).</summary>
    public int Append(StreamId id, RecordRef record, bool committed)
    {
        if (_end == Capacity)
        {
            Grow();
        }

        At(_end) = new EntrySlot { Id = id, Record = record, Committed = committed };
        Length++;
        return _end++ - _head;
    }

    private int Capacity => _chunkCount == 1 ? _chunks[0].Length : _chunkCount * ChunkSize;

    private void Grow()
    {
        if (_chunks[0].Length < ChunkSize)
        {
            Compact(grow: true);
            return;
        }

        if (_chunkCount > 1 && _deletedIn[_chunkCount - 1] == ChunkSize)
        {
            // The last chunk's every slot was deleted: it is the new one.
            RemoveChunk(_chunkCount - 1);
            _end -= ChunkSize;
        }

        if (_chunkCount == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunkCount * 2);
            Array.Resize(ref _deletedIn, _chunkCount * 2);
        }

        _chunks[_chunkCount] = _spare ?? new EntrySlot[ChunkSize];
        _deletedIn[_chunkCount] = 0;
        _spare = null;
        _chunkCount++;
    }

    /// <summary>The first slot index whose id is &gt;= <paramref name="id"/>.</summary>
    public int LowerBound(StreamId id) => LowerBound(id, _head, _end);

    private int LowerBound(StreamId id, int lo, int hi)
    {
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (At(mid).Id < id)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo - _head;
    }

    /// <summary>As <see cref="LowerBound(StreamId)"/>, searching back from the newest slot: a recent id is found in
    /// a few steps, where a search of the whole stream would touch a slot in every part of it.</summary>
    public int LowerBoundFromEnd(StreamId id)
    {
        var hi = _end;
        var step = 1;
        while (hi - step > _head && id <= At(hi - step).Id)
        {
            hi -= step;
            step <<= 1;
        }

        return LowerBound(id, Math.Max(_head, hi - step), hi);
    }

    /// <summary>The slot index of <paramref name="id"/> if it is a live entry, else -1.</summary>
    public int IndexOf(StreamId id)
    {
        var i = LowerBound(id);
        return i < SlotCount && Slot(i).Id == id && !Slot(i).Deleted ? i : -1;
    }

    /// <summary>Marks a slot deleted; the caller releases its record. Slot indexes after it may change.</summary>
    public void Delete(int index)
    {
        var position = _head + index;
        ref var slot = ref At(position);
        // Before the flag: a capture that sees the flag and then takes the gate finds the id here.
        _deletedSinceCapture?.Add(slot.Id);
        slot.Deleted = true;
        Length--;
        if (slot.Id > MaxDeletedId)
        {
            MaxDeletedId = slot.Id;
        }

        // A chunk between the first and the last whose every slot is deleted goes, as Redis frees a node of its
        // stream once every entry in it is deleted.
        var chunk = position >> ChunkShift;
        if (_chunkCount > 1 && ++_deletedIn[chunk] == ChunkSize && chunk > 0 && chunk < _chunkCount - 1)
        {
            RemoveChunk(chunk);
            _end -= ChunkSize;
        }

        DropDeletedHead();
    }

    /// <summary>Removes entries before slot <paramref name="index"/> (trimming); returns how many live ones went.
    /// Calls <paramref name="release"/> for each removed live record.</summary>
    public long RemoveBefore(int index, Action<RecordRef> release)
    {
        long removed = 0;
        for (var p = _head; p < _head + index; p++)
        {
            ref var slot = ref At(p);
            // Trimming, unlike XDEL, leaves the max deleted id alone, as in Redis.
            if (!slot.Deleted)
            {
                release(slot.Record);
                removed++;
                Length--;
            }
        }

        _head += index;
        DropDeletedHead();
        return removed;
    }

    /// <summary>The first and last live entries' ids, or null when empty.</summary>
    public (StreamId First, StreamId Last)? Bounds()
    {
        int first = -1, last = -1;
        for (var i = 0; i < SlotCount; i++)
        {
            if (!Slot(i).Deleted)
            {
                first = i;
                break;
            }
        }

        for (var i = SlotCount - 1; i >= 0; i--)
        {
            if (!Slot(i).Deleted)
            {
                last = i;
                break;
            }
        }

        return first < 0 ? null : (Slot(first).Id, Slot(last).Id);
    }

    public IEnumerable<EntrySlot> LiveSlots()
    {
        for (var i = 0; i < SlotCount; i++)
        {
            var slot = Slot(i);
            if (!slot.Deleted)
            {
                yield return slot;
            }
        }
    }

    /// <summary>Wakes every blocked reader. Caller holds <see cref="Gate"/>.</summary>
    public void WakeAll()
    {
        foreach (var waiter in Waiters)
        {
            waiter.TrySetResult();
        }

        Waiters.Clear();
    }

    private void DropDeletedHead()
    {
        while (_head < _end && At(_head).Deleted)
        {
            _head++;
        }

        if (_head == _end)
        {
            while (_chunkCount > 1)
            {
                RemoveChunk(_chunkCount - 1);
            }

            if (_captures > 0)
            {
                // A capture may still read the first chunk: the stream starts again in a new array.
                _chunks[0] = new EntrySlot[16];
            }

            _deletedIn[0] = 0;
            _head = _end = 0;
            return;
        }

        while (_head >= ChunkSize)
        {
            RemoveChunk(0);
            _head -= ChunkSize;
            _end -= ChunkSize;
        }

        if (_chunkCount == 1 && _head > 1024 && _head > _chunks[0].Length / 2 && _captures == 0)
        {
            Compact(grow: false);
        }
    }

    /// <summary>Takes chunk <paramref name="chunk"/> out of the list, keeping it as the spare; the caller moves
    /// <c>_head</c> and <c>_end</c>.</summary>
    private void RemoveChunk(int chunk)
    {
        if (_captures == 0)
        {
            _spare ??= _chunks[chunk];
        }

        _chunkCount--;
        Array.Copy(_chunks, chunk + 1, _chunks, chunk, _chunkCount - chunk);
        Array.Copy(_deletedIn, chunk + 1, _deletedIn, chunk, _chunkCount - chunk);
        _chunks[_chunkCount] = null!;
    }

    /// <summary>
    /// What a checkpoint needs of the slots, taken while writers are held off, cheaply: a stream with a single array
    /// has its live slots copied; a longer one lends its chunks, which are read afterwards (<see cref="SlotsCapture"/>),
    /// while writers go on. Caller holds <see cref="Gate"/>.
    /// </summary>
    internal SlotsCapture CaptureSlots()
    {
        if (_chunkCount == 1)
        {
            var copy = new EntrySlot[Length];
            var n = 0;
            for (var p = _head; p < _end && n < copy.Length; p++)
            {
                if (!At(p).Deleted)
                {
                    copy[n++] = At(p);
                }
            }

            return new SlotsCapture(null, [copy], 0, n);
        }

        _captures++;
        _deletedSinceCapture ??= [];
        return new SlotsCapture(this, _chunks[.._chunkCount], _head, _end);
    }

    /// <summary>Whether a slot deleted since a capture was taken was live then.</summary>
    private bool DeletedSinceCapture(StreamId id)
    {
        lock (Gate)
        {
            return _deletedSinceCapture?.Contains(id) == true;
        }
    }

    private void EndCapture()
    {
        lock (Gate)
        {
            if (--_captures == 0)
            {
                _deletedSinceCapture = null;
            }
        }
    }

    /// <summary>The live slots of a stream as they were when captured. Positions <c>[Head, End)</c> of the captured
    /// chunks never change while the capture holds them: writers only append past <c>End</c>, flag slots deleted, and
    /// take chunks out of the list (never reusing them meanwhile); what they do after the capture is in the journal
    /// after the checkpoint's mark, and replay applies it again.</summary>
    internal readonly struct SlotsCapture(RedisStream? owner, EntrySlot[][] chunks, int head, int end)
    {
        /// <summary>Writes the count and every live slot (id, record), then releases the chunks. Once.</summary>
        public void Write(PayloadWriter w, Action<PayloadWriter, StreamId> writeId)
        {
            try
            {
                var countAt = w.Length;
                w.I32(0);
                var count = 0;
                for (var p = head; p < end; p++)
                {
                    var slot = chunks[p >> ChunkShift][p & ChunkMask];
                    if (slot.Deleted && (owner is null || !owner.DeletedSinceCapture(slot.Id)))
                    {
                        continue;
                    }

                    writeId(w, slot.Id);
                    w.I64(slot.Record.Position);
                    w.I32(slot.Record.Length);
                    count++;
                }

                w.PatchI32(countAt, count);
            }
            finally
            {
                Release();
            }
        }

        /// <summary>Gives the chunks back without writing them.</summary>
        public void Release() => owner?.EndCapture();
    }

    /// <summary>Moves the live slots of a stream with a single array to its front (dropping deleted slots),
    /// doubling the array up to <see cref="ChunkSize"/> if more than half of it is live.</summary>
    private void Compact(bool grow)
    {
        var slots = _chunks[0];
        var live = 0;
        for (var i = _head; i < _end; i++)
        {
            if (!slots[i].Deleted)
            {
                live++;
            }
        }

        var capacity = slots.Length;
        if (grow && live * 2 > capacity && capacity < ChunkSize)
        {
            capacity *= 2;
        }

        var target = capacity == slots.Length ? slots : new EntrySlot[capacity];
        var n = 0;
        for (var i = _head; i < _end; i++)
        {
            if (!slots[i].Deleted)
            {
                target[n++] = slots[i];
            }
        }

        _chunks[0] = target;
        _deletedIn[0] = 0;
        _head = 0;
        _end = n;
    }
}

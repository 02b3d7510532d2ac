using Ferry.Storage;

namespace Ferry.Engine.RedisStreams;

/// <summary>One Redis stream: its entries in id order (index slots pointing into the journal), its groups, and the
/// readers blocked on it. Guarded by <see cref="Gate"/>.</summary>
internal sealed class RedisStream(ulong id, string key)
{
    internal readonly object Gate = new();

    private EntrySlot[] _slots = new EntrySlot[16];
    private int _head;
    private int _end;

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

    public ref EntrySlot Slot(int index) => ref _slots[_head + index];

    /// <summary>Appends a slot (ids only grow).</summary>
    public int Append(StreamId id, RecordRef record, bool committed)
    {
        if (_end == _slots.Length)
        {
            Compact(grow: true);
        }

        _slots[_end] = new EntrySlot { Id = id, Record = record, Committed = committed };
        Length++;
        return _end++ - _head;
    }

    /// <summary>The first slot index whose id is &gt;= <paramref name="id"/>.</summary>
    public int LowerBound(StreamId id)
    {
        int lo = _head, hi = _end;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (_slots[mid].Id < id)
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

    /// <summary>The slot index of <paramref name="id"/> if it is a live entry, else -1.</summary>
    public int IndexOf(StreamId id)
    {
        var i = LowerBound(id);
        return i < SlotCount && Slot(i).Id == id && !Slot(i).Deleted ? i : -1;
    }

    /// <summary>Marks a slot deleted; the caller releases its record.</summary>
    public void Delete(int index)
    {
        ref var slot = ref Slot(index);
        slot.Deleted = true;
        Length--;
        if (slot.Id > MaxDeletedId)
        {
            MaxDeletedId = slot.Id;
        }

        DropDeletedHead();
    }

    /// <summary>Removes entries before slot <paramref name="index"/> (trimming); returns how many live ones went.
    /// Calls <paramref name="release"/> for each removed live record.</summary>
    public long RemoveBefore(int index, Action<RecordRef> release)
    {
        long removed = 0;
        for (var i = 0; i < index; i++)
        {
            ref var slot = ref _slots[_head + i];
            // Trimming, unlike XDEL, leaves the max deleted id alone, as in Redis.
            if (!slot.Deleted)
            {
                release(slot.Record);
                removed++;
                Length--;
            }
        }

        Array.Clear(_slots, _head, index);
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
        for (var i = _head; i < _end; i++)
        {
            if (!_slots[i].Deleted)
            {
                yield return _slots[i];
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
        while (_head < _end && _slots[_head].Deleted)
        {
            _slots[_head++] = default;
        }

        if (_head == _end)
        {
            _head = _end = 0;
        }
        else if (_head > 1024 && _head > _slots.Length / 2)
        {
            Compact(grow: false);
        }
    }

    /// <summary>Moves the live window to the front of the array (dropping deleted slots), growing it if full.</summary>
    private void Compact(bool grow)
    {
        var live = 0;
        for (var i = _head; i < _end; i++)
        {
            if (!_slots[i].Deleted)
            {
                live++;
            }
        }

        var capacity = _slots.Length;
        if (grow && live * 2 > capacity)
        {
            capacity *= 2;
        }

        var target = capacity == _slots.Length ? _slots : new EntrySlot[capacity];
        var n = 0;
        for (var i = _head; i < _end; i++)
        {
            if (!_slots[i].Deleted)
            {
                target[n++] = _slots[i];
            }
        }

        if (target == _slots)
        {
            Array.Clear(_slots, n, _slots.Length - n);
        }

        _slots = target;
        _head = 0;
        _end = n;
    }
}

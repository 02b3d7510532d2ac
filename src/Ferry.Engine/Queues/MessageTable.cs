using System.Runtime.CompilerServices;

namespace Ferry.Engine.Queues;

/// <summary>A queue's messages by sequence number, in sequence (that is, sent) order, stored by value.</summary>
/// <remarks>
/// <para>Sequence numbers are dense and grow, so messages live in chunks of <see cref="ChunkSize"/> slots indexed by
/// <c>seq / ChunkSize</c>: no object and no hash entry per message, ordered iteration for free, and a chunk is dropped
/// as soon as its last message leaves. A message that stays while thousands after it come and go keeps its chunk
/// (72 KiB) alive; retention bounds how long.</para>
/// <para>Dropped chunks go back to a pool shared by every queue, so a queue that keeps receiving and deleting
/// allocates no chunks once warm, and one that fills and empties reuses those it had. A <c>ref</c> to an entry is valid
/// until that entry is removed; copy what is needed first (<see cref="Remove(long, out MessageEntry)"/> returns a
/// copy).</para>
/// </remarks>
internal sealed class MessageTable
{
    /// <summary>1,024 slots of 72 bytes: just under the large-object threshold, so a chunk is an ordinary array, and
    /// small enough that a lone survivor costs little (977 chunks for a million messages).</summary>
    internal const int ChunkBits = 10;
    internal const int ChunkSize = 1 << ChunkBits;

    private readonly Dictionary<long, Chunk> _chunks = [];
    private readonly List<Chunk> _ordered = [];

    /// <summary>The last chunk looked up: sends, receives and deletes mostly touch the newest or the oldest.</summary>
    private Chunk? _recent;

    internal sealed class Chunk
    {
        public long Index;

        public readonly MessageEntry[] Slots = new MessageEntry[ChunkSize];

        public int Live;
    }

    public int Count { get; private set; }

    /// <summary>The entry with sequence number <paramref name="seq"/>, or a null reference
    /// (<see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>) when there is none.</summary>
    public ref MessageEntry Find(long seq)
    {
        var chunk = ChunkOf(seq);
        if (chunk is not null)
        {
            ref var slot = ref chunk.Slots[seq & (ChunkSize - 1)];
            if (slot.Seq == seq && seq != 0)
            {
                return ref slot;
            }
        }

        return ref Unsafe.NullRef<MessageEntry>();
    }

    public bool Contains(long seq) => !Unsafe.IsNullRef(ref Find(seq));

    /// <summary>Adds an empty entry with sequence number <paramref name="seq"/> (at least 1) and returns it to fill in.</summary>
    public ref MessageEntry Add(long seq)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seq, 1);
        var index = seq >> ChunkBits;
        var chunk = ChunkOf(seq);
        if (chunk is null)
        {
            chunk = ChunkPool.Rent();
            chunk.Index = index;
            _chunks.Add(index, chunk);
            var at = _ordered.Count;
            while (at > 0 && _ordered[at - 1].Index > index)
            {
                at--;
            }

            _ordered.Insert(at, chunk);
            _recent = chunk;
        }

        ref var slot = ref chunk.Slots[seq & (ChunkSize - 1)];
        if (slot.Seq != 0)
        {
            throw new InvalidOperationException($"Message {seq} is already in the queue.");
        }

        slot = default;
        slot.Seq = seq;
        chunk.Live++;
        Count++;
        return ref slot;
    }

    /// <summary>Removes the entry with sequence number <paramref name="seq"/>; <paramref name="removed"/> is a copy of it.</summary>
    public bool Remove(long seq, out MessageEntry removed)
    {
        var chunk = ChunkOf(seq);
        ref var slot = ref chunk is null ? ref Unsafe.NullRef<MessageEntry>() : ref chunk.Slots[seq & (ChunkSize - 1)];
        if (Unsafe.IsNullRef(ref slot) || slot.Seq != seq || seq == 0)
        {
            removed = default;
            return false;
        }

        removed = slot;
        slot = default;
        Count--;
        if (--chunk!.Live == 0)
        {
            _chunks.Remove(chunk.Index);
            _ordered.Remove(chunk);
            if (_recent == chunk)
            {
                _recent = null;
            }

            ChunkPool.Return(chunk);
        }

        return true;
    }

    /// <summary>The sequence numbers of every message, in order (a copy: the caller may add and remove meanwhile).</summary>
    public List<long> SeqsInOrder(long upTo = long.MaxValue)
    {
        var seqs = new List<long>(Math.Min(Count, 1 << 16));
        foreach (ref var entry in this)
        {
            if (entry.Seq > upTo)
            {
                break;
            }

            seqs.Add(entry.Seq);
        }

        return seqs;
    }

    /// <summary>Every entry in sequence order, by reference. Do not add or remove while iterating; collect first.</summary>
    public Enumerator GetEnumerator() => new(_ordered);

    /// <summary>Removes every entry; their chunks go back to the pool.</summary>
    public void Clear()
    {
        foreach (var chunk in _ordered)
        {
            Array.Clear(chunk.Slots);
            chunk.Live = 0;
            ChunkPool.Return(chunk);
        }

        _chunks.Clear();
        _ordered.Clear();
        _recent = null;
        Count = 0;
    }

    private Chunk? ChunkOf(long seq)
    {
        var index = seq >> ChunkBits;
        if (_recent is { } recent && recent.Index == index)
        {
            return recent;
        }

        if (_chunks.TryGetValue(index, out var chunk))
        {
            _recent = chunk;
            return chunk;
        }

        return null;
    }

    public ref struct Enumerator(List<Chunk> ordered)
    {
        private int _chunk = -1;
        private int _slot = ChunkSize;
        private MessageEntry[]? _slots;

        public readonly ref MessageEntry Current => ref _slots![_slot];

        public bool MoveNext()
        {
            while (true)
            {
                while (++_slot < ChunkSize)
                {
                    if (_slots![_slot].Seq != 0)
                    {
                        return true;
                    }
                }

                if (++_chunk >= ordered.Count)
                {
                    return false;
                }

                _slots = ordered[_chunk].Slots;
                _slot = -1;
            }
        }
    }
}

/// <summary>Empty chunks kept for reuse by every queue's <see cref="MessageTable"/>: up to
/// <see cref="MaxPooled"/> (about 9 MiB), the rest left to the garbage collector.</summary>
internal static class ChunkPool
{
    internal const int MaxPooled = 128;

    private static readonly Stack<MessageTable.Chunk> Free = new();

    public static MessageTable.Chunk Rent()
    {
        lock (Free)
        {
            if (Free.TryPop(out var chunk))
            {
                return chunk;
            }
        }

        return new MessageTable.Chunk();
    }

    /// <summary>Takes back a chunk whose slots are all empty (default).</summary>
    public static void Return(MessageTable.Chunk chunk)
    {
        lock (Free)
        {
            if (Free.Count < MaxPooled)
            {
                Free.Push(chunk);
            }
        }
    }
}

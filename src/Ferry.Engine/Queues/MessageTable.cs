namespace Ferry.Engine.Queues;

/// <summary>A queue's messages by sequence number, in sequence (that is, sent) order.</summary>
/// <remarks>Sequence numbers are dense and grow, so messages live in chunks of <see cref="ChunkSize"/> slots indexed
/// by <c>seq / ChunkSize</c>: about 8 bytes per message instead of a hash table's 30 to 60, ordered iteration for
/// free, and a chunk is dropped as soon as its last message leaves. A message that stays while thousands after it
/// come and go keeps its chunk (32 KiB) alive; retention bounds how long.</remarks>
internal sealed class MessageTable
{
    /// <summary>4,096 slots: small enough that a lone survivor costs little, large enough that the chunk list stays
    /// short (244 chunks for a million messages).</summary>
    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly Dictionary<long, Chunk> _chunks = [];
    private readonly List<Chunk> _ordered = [];

    private sealed class Chunk(long index)
    {
        public long Index { get; } = index;

        public MessageEntry?[] Slots { get; } = new MessageEntry?[ChunkSize];

        public int Live;
    }

    public int Count { get; private set; }

    public bool TryGetValue(long seq, out MessageEntry entry)
    {
        if (_chunks.TryGetValue(seq >> ChunkBits, out var chunk) && chunk.Slots[seq & (ChunkSize - 1)] is { } found)
        {
            entry = found;
            return true;
        }

        entry = null!;
        return false;
    }

    public void Add(MessageEntry entry)
    {
        var index = entry.Seq >> ChunkBits;
        if (!_chunks.TryGetValue(index, out var chunk))
        {
            chunk = new Chunk(index);
            _chunks.Add(index, chunk);
            var at = _ordered.Count;
            while (at > 0 && _ordered[at - 1].Index > index)
            {
                at--;
            }

            _ordered.Insert(at, chunk);
        }

        ref var slot = ref chunk.Slots[entry.Seq & (ChunkSize - 1)];
        if (slot is not null)
        {
            throw new InvalidOperationException($"Message {entry.Seq} is already in the queue.");
        }

        slot = entry;
        chunk.Live++;
        Count++;
    }

    public bool Remove(long seq, out MessageEntry entry)
    {
        entry = null!;
        if (!_chunks.TryGetValue(seq >> ChunkBits, out var chunk))
        {
            return false;
        }

        ref var slot = ref chunk.Slots[seq & (ChunkSize - 1)];
        if (slot is null)
        {
            return false;
        }

        entry = slot;
        slot = null;
        Count--;
        if (--chunk.Live == 0)
        {
            _chunks.Remove(chunk.Index);
            _ordered.Remove(chunk);
        }

        return true;
    }

    public bool Remove(long seq) => Remove(seq, out _);

    /// <summary>Every message in sequence order. Do not add or remove while iterating; collect first.</summary>
    public IEnumerable<MessageEntry> InOrder()
    {
        foreach (var chunk in _ordered)
        {
            foreach (var entry in chunk.Slots)
            {
                if (entry is not null)
                {
                    yield return entry;
                }
            }
        }
    }

    /// <summary>The messages with the lowest sequence numbers, up to <paramref name="max"/>, in order.</summary>
    public List<MessageEntry> Oldest(int max, Func<MessageEntry, bool> until)
    {
        var result = new List<MessageEntry>();
        foreach (var entry in InOrder())
        {
            if (result.Count >= max || until(entry))
            {
                break;
            }

            result.Add(entry);
        }

        return result;
    }

    public void Clear()
    {
        _chunks.Clear();
        _ordered.Clear();
        Count = 0;
    }
}

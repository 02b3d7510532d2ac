using System.Buffers.Binary;
using Ferry.Storage;

namespace Ferry.Engine.RedisStreams;

/// <summary>The fields and values of an entry to add, as the protocol holds them (no copy before the append).</summary>
public interface IStreamFields
{
    /// <summary>The number of fields and values together (even).</summary>
    int Count { get; }

    ReadOnlySpan<byte> this[int index] { get; }
}

/// <summary>One entry as read back: its id and its fields and values, or null fields for an entry that no longer
/// exists (a pending entry that was deleted).</summary>
public readonly struct StreamEntry(StreamId id, byte[]? payload)
{
    /// <summary>The payload of an EntryAdded record starts after the id (16 bytes).</summary>
    private const int FieldsOffset = 16;

    public StreamId Id { get; } = id;

    public bool Exists => payload is not null;

    /// <summary>The number of fields and values together.</summary>
    public int FieldCount => payload is null ? 0 : BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(FieldsOffset));

    /// <summary>The fields and values in order.</summary>
    public FieldEnumerator Fields => new(payload is null ? default : payload.AsSpan(FieldsOffset + 4), FieldCount);

    /// <summary>Walks the length-prefixed fields of an entry record without copying.</summary>
    public ref struct FieldEnumerator(ReadOnlySpan<byte> data, int count)
    {
        private ReadOnlySpan<byte> _data = data;
        private int _left = count;

        public ReadOnlySpan<byte> Current { get; private set; }

        public readonly FieldEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_left <= 0)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(_data);
            Current = _data.Slice(4, length);
            _data = _data[(4 + length)..];
            _left--;
            return true;
        }
    }
}

/// <summary>An entry's place in memory: its id and where its record is. Its fields stay in the journal.</summary>
/// <remarks>32 bytes: the record's position and length are kept apart, where a <see cref="RecordRef"/> field would
/// be padded to 16 bytes and the slot to 40. Every entry of every stream has one.</remarks>
internal struct EntrySlot
{
    public StreamId Id;
    private long _position;
    private int _length;
    public bool Deleted;

    /// <summary>False until the entry's record is durable: no reader sees it before.</summary>
    public bool Committed;

    public RecordRef Record
    {
        readonly get => new(_position, _length);
        set
        {
            _position = value.Position;
            _length = value.Length;
        }
    }
}

/// <summary>A consumer of a group.</summary>
internal sealed class Consumer(string name)
{
    public string Name { get; } = name;

    /// <summary>Unix ms of the last command of this consumer.</summary>
    public long SeenTime;

    /// <summary>Unix ms of the last successful read or claim, or -1.</summary>
    public long ActiveTime = -1;

    public SortedSet<PendingEntry> Pending { get; } = new(PendingEntry.ById);
}

/// <summary>A delivered, unacknowledged entry of a group.</summary>
internal sealed class PendingEntry(StreamId id, Consumer consumer)
{
    public static readonly IComparer<PendingEntry> ById = Comparer<PendingEntry>.Create((a, b) => a.Id.CompareTo(b.Id));

    public StreamId Id { get; } = id;

    public Consumer Consumer = consumer;

    public long DeliveryTime;

    public long DeliveryCount;
}

/// <summary>A consumer group: its last delivered id, its pending entries list and its consumers.</summary>
internal sealed class ConsumerGroup(string name)
{
    public string Name { get; } = name;

    public StreamId LastId;

    /// <summary>Entries the group has read, or -1 when unknown (as Redis's SCG_INVALID_ENTRIES_READ).</summary>
    public long EntriesRead = -1;

    public SortedSet<PendingEntry> Pel { get; } = new(PendingEntry.ById);

    public Dictionary<string, Consumer> Consumers { get; } = new(StringComparer.Ordinal);

    public PendingEntry? FindPending(StreamId id)
    {
        return Pel.TryGetValue(new PendingEntry(id, null!), out var found) ? found : null;
    }

    public static SortedSet<PendingEntry> PendingBetween(SortedSet<PendingEntry> set, StreamId from, StreamId to) =>
        from > to ? [] : set.GetViewBetween(new PendingEntry(from, null!), new PendingEntry(to, null!));
}

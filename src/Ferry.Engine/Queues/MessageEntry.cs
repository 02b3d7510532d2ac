using Ferry.Storage;

namespace Ferry.Engine.Queues;

internal enum MessageState : byte
{
    /// <summary>Appended, not yet durable: not delivered.</summary>
    Pending,
    Ready,
    Delayed,
    InFlight,

    /// <summary>On its way to the dead-letter queue or another queue (a move task).</summary>
    Moving,
}

/// <summary>One queued message in memory: its place in the journal and its delivery state (64 bytes, kept in the
/// queue's <see cref="MessageTable"/>; the body, attributes and ids stay in the journal record).</summary>
/// <remarks>A value, not an object: a queue of a million messages is a few hundred arrays to the garbage collector,
/// not a million objects that live as long as their messages. Everything else refers to a message by its sequence
/// number, which a queue never gives twice, and finds it in the table; a message not found there is gone.</remarks>
internal struct MessageEntry
{
    /// <summary>The message's sequence number in its queue, from 1; 0 marks an empty slot.</summary>
    public long Seq;
    public RecordRef Body;

    /// <summary>The body this message's record refers to, when it shares one with other messages.</summary>
    public SharedBody? Shared;
    public long SentAt;
    public long VisibleAt;
    public long FirstReceiveAt;
    public int ReceiveCount;
    public byte Priority;
    public MessageState State;
    public FifoGroup? Group;
}

/// <summary>A FIFO message group: its messages in order, and how many of them are in flight.</summary>
internal sealed class FifoGroup(string id)
{
    public string Id { get; } = id;

    /// <summary>The sequence numbers of its messages, in order; removed ones are dropped lazily from the front.</summary>
    public RingBuffer<long> Messages { get; } = new();

    public int InFlight;

    public bool InReadyList;
}

/// <summary>A growable circular buffer with indexed access, for FIFO groups.</summary>
internal sealed class RingBuffer<T>
{
    private T[] _items = new T[4];
    private int _head;

    public int Count { get; private set; }

    public T this[int index] => _items[(_head + index) % _items.Length];

    public void PushBack(T item)
    {
        if (Count == _items.Length)
        {
            var grown = new T[_items.Length * 2];
            for (var i = 0; i < Count; i++)
            {
                grown[i] = this[i];
            }

            _items = grown;
            _head = 0;
        }

        _items[(_head + Count) % _items.Length] = item;
        Count++;
    }

    public T PopFront()
    {
        var item = _items[_head];
        _items[_head] = default!;
        _head = (_head + 1) % _items.Length;
        Count--;
        return item;
    }
}

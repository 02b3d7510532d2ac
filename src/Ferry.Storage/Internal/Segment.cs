namespace Ferry.Storage.Internal;

/// <summary>One segment's in-memory state.</summary>
internal sealed class Segment(long basePosition, string name)
{
    private ISegmentFile? _file;

    /// <summary>The journal position of the segment's first byte (its header).</summary>
    public long Base { get; } = basePosition;

    public string Name { get; } = name;

    /// <summary>The file; null until the flusher creates it for a new segment.</summary>
    public ISegmentFile? File
    {
        get => Volatile.Read(ref _file);
        set => Volatile.Write(ref _file, value);
    }

    /// <summary>The journal position just past the last record written to the device.</summary>
    public long WrittenEnd;

    /// <summary>The segment offset up to which a completed fdatasync covered the writes: durable for certain. Written by
    /// the flusher after each sync and by recovery.</summary>
    public long SyncedOffset;

    /// <summary>Records not yet released (updated with <see cref="Interlocked"/>).</summary>
    public long Live;

    /// <summary>Bytes (framed and aligned) of the records not yet released.</summary>
    public long LiveBytes;

    /// <summary>The position just past the segment's last record once sealed; <see cref="long.MaxValue"/> before.</summary>
    public long End = long.MaxValue;

    /// <summary>True once appends moved on to a later segment; a sealed segment never grows again.</summary>
    public bool Sealed => End != long.MaxValue;

    public override string ToString() => Name;
}

/// <summary>A buffer of framed records waiting for the flusher, all for one segment, in position order.</summary>
internal sealed class PendingBuffer(Segment segment, long offset, byte[] data)
{
    public Segment Segment { get; } = segment;

    /// <summary>The segment offset where <see cref="Data"/>[0] goes.</summary>
    public long Offset { get; } = offset;

    public byte[] Data { get; private set; } = data;

    public int Length { get; private set; }

    public List<AppendWaiter> Waiters { get; } = [];

    /// <summary>Flush requests that complete when everything before them is synced, whatever the mode.</summary>
    public List<TaskCompletionSource> SyncWaiters { get; } = [];

    public bool IsEmpty => Length == 0 && SyncWaiters.Count == 0;

    public Span<byte> Reserve(int size)
    {
        if (Length + size > Data.Length)
        {
            // Bursts only: the grown buffer is left to the garbage collector when the batch is written.
            var grown = GC.AllocateUninitializedArray<byte>(Math.Max(Length + size, Data.Length * 2));
            Data.AsSpan(0, Length).CopyTo(grown);
            Data = grown;
        }

        var span = Data.AsSpan(Length, size);
        Length += size;
        return span;
    }
}

namespace Ferry.Storage;

/// <summary>How a <see cref="Journal"/> is opened.</summary>
public sealed class JournalOptions
{
    /// <summary>The default segment size: large enough that roll-over (an fsync of the directory) is rare,
    /// small enough that reclaiming a dead segment frees memory-sized chunks of disk.</summary>
    public const long DefaultSegmentSize = 64L * 1024 * 1024;

    /// <summary>The smallest segment accepted; tests use small segments to exercise roll-over.</summary>
    public const long MinSegmentSize = 4096;

    /// <summary>The directory holding segment files and the checkpoint. Ignored in <see cref="DurabilityMode.Memory"/>.</summary>
    public required string Directory { get; init; }

    /// <summary>When appends are acknowledged.</summary>
    public Durability Durability { get; init; } = Durability.Fsync;

    /// <summary>The size at which the journal starts a new segment file.</summary>
    public long SegmentSize { get; init; } = DefaultSegmentSize;

    /// <summary>Called once when the journal can no longer guarantee durability (a failed fsync). The journal
    /// refuses every later append; a server should log the exception and stop the process.</summary>
    public Action<Exception>? OnFatal { get; init; }

    /// <summary>The largest payload one record may carry; it must fit a segment with its header.</summary>
    public int MaxRecordSize => (int)Math.Min(Journal.MaxPayloadLength, SegmentSize - Internal.SegmentHeader.Size - Internal.RecordHeader.Size);
}

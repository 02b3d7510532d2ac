namespace Ferry.Storage;

/// <summary>Where a record lives in the journal: what an index keeps to read it back.</summary>
/// <param name="Position">The journal position of the record's header (bytes since the journal began).</param>
/// <param name="Length">The length of the record's payload.</param>
public readonly record struct RecordRef(long Position, int Length);

/// <summary>One record as read from the journal.</summary>
/// <remarks>The payload is valid only until the iterator moves on; copy what must be kept.</remarks>
public readonly struct JournalRecord
{
    internal JournalRecord(RecordRef reference, ushort type, ulong resourceId, bool relocated, ReadOnlyMemory<byte> payload)
    {
        Ref = reference;
        Type = type;
        ResourceId = resourceId;
        IsRelocated = relocated;
        Payload = payload;
    }

    /// <summary>Where the record is.</summary>
    public RecordRef Ref { get; }

    /// <summary>The record type the appender chose (never 0).</summary>
    public ushort Type { get; }

    /// <summary>The resource the record belongs to.</summary>
    public ulong ResourceId { get; }

    /// <summary>True when this is a copy that compaction moved forward; an earlier copy of the same record may
    /// still be seen during replay, and this one supersedes it.</summary>
    public bool IsRelocated { get; }

    /// <summary>The payload bytes.</summary>
    public ReadOnlyMemory<byte> Payload { get; }
}

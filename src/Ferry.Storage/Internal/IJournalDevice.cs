namespace Ferry.Storage.Internal;

/// <summary>Where segments and the checkpoint live: files in a directory, or memory.</summary>
/// <remarks>Every mutation of the set of files (create, delete, checkpoint replace) is durable when the call returns.</remarks>
internal interface IJournalDevice : IDisposable
{
    /// <summary>A human-readable location for messages ("/var/lib/ferry/journal" or "memory").</summary>
    string Location { get; }

    /// <summary>The base positions of the segments present, ascending.</summary>
    IReadOnlyList<long> ListSegments();

    /// <summary>Creates an empty segment file (the caller writes its header) and makes its existence durable.</summary>
    ISegmentFile CreateSegment(long basePosition);

    /// <summary>Whether a spare segment is allocated, which the next <see cref="CreateSegment"/> takes.</summary>
    bool HasSpare { get; }

    /// <summary>Allocates the space of the next segment ahead of time; false when the disk has no room for it.</summary>
    bool PrepareSpare();

    /// <summary>Starts writing zeros over the spare's allocated space in the background (once per spare), so that syncs
    /// of the segment it becomes commit no metadata. <see cref="CreateSegment"/> stops a fill still under way.</summary>
    void FillSpare()
    {
    }

    /// <summary>Whether the spare's space has been entirely written with zeros and synced.</summary>
    bool SpareFilled => false;

    ISegmentFile OpenSegment(long basePosition);

    /// <summary>Deletes a segment and makes the deletion durable.</summary>
    void DeleteSegment(long basePosition);

    /// <summary>The name of a segment for messages (its path).</summary>
    string SegmentName(long basePosition);

    /// <summary>The checkpoint bytes, or null when there is none.</summary>
    byte[]? ReadCheckpoint();

    /// <summary>Replaces the checkpoint atomically and durably with <paramref name="parts"/>, one after the other
    /// (a checkpoint's header, its snapshot and its checksum: the snapshot, megabytes, is not copied to be written).</summary>
    void WriteCheckpoint(IReadOnlyList<ReadOnlyMemory<byte>> parts);

    string CheckpointName { get; }
}

/// <summary>One segment's bytes.</summary>
internal interface ISegmentFile : IDisposable
{
    long Length { get; }

    /// <summary>Whether the file was a spare whose space was written with zeros (all of it or a first part): its
    /// length runs past the records, and the zeros are not records.</summary>
    bool Prezeroed => false;

    void Write(long offset, ReadOnlySpan<byte> data);

    /// <summary>Reads up to <c>destination.Length</c> bytes at <paramref name="offset"/>; fewer only at the end.</summary>
    int Read(long offset, Span<byte> destination);

    /// <summary>Makes every written byte durable (<c>fdatasync</c>). Throws on failure.</summary>
    void Sync();

    void Truncate(long length);
}

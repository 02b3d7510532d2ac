namespace Ferry.Storage.Tests.PowerLoss;

/// <summary>What the journal asked of its device.</summary>
internal enum DeviceEventKind
{
    /// <summary>A segment file was created and the directory fsynced (<see cref="Ferry.Storage.Internal.FileJournalDevice"/>).</summary>
    CreateSegment,

    /// <summary>A segment file was deleted and the directory fsynced.</summary>
    DeleteSegment,

    /// <summary><c>pwrite</c> of <see cref="DeviceEvent.Data"/> at <see cref="DeviceEvent.Offset"/>; not durable until a sync.</summary>
    Write,

    /// <summary><c>ftruncate</c> to <see cref="DeviceEvent.Offset"/> bytes; not durable until a sync.</summary>
    Truncate,

    /// <summary><c>fdatasync</c> of one segment: every earlier write and truncate of that file is durable.</summary>
    Sync,

    /// <summary>The checkpoint replacement began (temporary file written and fsynced, rename under way).</summary>
    CheckpointBegin,

    /// <summary>The checkpoint replacement returned: the rename and the directory fsync are done.</summary>
    CheckpointEnd,
}

/// <summary>One request to the device, in the order the device received it.</summary>
/// <param name="Kind">What was asked.</param>
/// <param name="Segment">The segment's base position (0 for checkpoint events).</param>
/// <param name="Offset">The write offset, or the new length of a truncate.</param>
/// <param name="Data">The bytes written, or the checkpoint file's content.</param>
internal sealed record DeviceEvent(DeviceEventKind Kind, long Segment, long Offset = 0, byte[]? Data = null)
{
    public bool IsBarrier => Kind is DeviceEventKind.Sync or DeviceEventKind.CreateSegment or DeviceEventKind.DeleteSegment
        or DeviceEventKind.CheckpointEnd;

    public override string ToString() => Kind switch
    {
        DeviceEventKind.Write => $"write seg {Segment} @{Offset}+{Data!.Length}",
        DeviceEventKind.Truncate => $"truncate seg {Segment} to {Offset}",
        DeviceEventKind.CheckpointBegin or DeviceEventKind.CheckpointEnd => $"{Kind} ({Data!.Length} bytes)",
        _ => $"{Kind} seg {Segment}",
    };
}

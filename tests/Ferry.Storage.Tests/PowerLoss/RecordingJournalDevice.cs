using Ferry.Storage.Internal;

namespace Ferry.Storage.Tests.PowerLoss;

/// <summary>A journal device in memory that records every request — segment create and delete, write, truncate,
/// sync, checkpoint replacement — in the order it arrives, so that a test can rebuild what a power loss at any point
/// could have left on disk (<see cref="PowerLossModel"/>).</summary>
/// <remarks>It keeps the promises of <see cref="FileJournalDevice"/>, including its failures: creating a segment that
/// exists throws, as <c>FileMode.CreateNew</c> does, and opening or deleting a missing one throws.</remarks>
internal sealed class RecordingJournalDevice : IJournalDevice
{
    private readonly Lock _lock = new();
    private readonly DiskImage _disk;
    private readonly List<DeviceEvent> _events = [];
    private int _syncs;

    /// <summary>A device holding a copy of <paramref name="initial"/> (empty when null) as its durable starting state.</summary>
    public RecordingJournalDevice(DiskImage? initial = null) => _disk = initial?.Clone() ?? new DiskImage();

    /// <summary>A device after a process crash: <paramref name="durable"/> on disk, and <paramref name="unsynced"/> — writes
    /// and truncates the crashed process made but never synced — still in the page cache: the device shows them, and
    /// records them as its first events, so that a later power loss may still lose them.</summary>
    public RecordingJournalDevice(DiskImage durable, IEnumerable<DeviceEvent> unsynced)
        : this(durable)
    {
        foreach (var e in unsynced)
        {
            var file = _disk.Segments[e.Segment];
            if (e.Kind == DeviceEventKind.Write)
            {
                file.Write(e.Offset, e.Data);
            }
            else
            {
                file.SetLength(e.Offset);
            }

            _events.Add(e);
        }
    }

    /// <summary>How long <see cref="ISegmentFile.Sync"/> takes (outside the device's lock, as a disk flush does).</summary>
    public TimeSpan SyncLatency { get; init; }

    public string Location => "recording";

    public string CheckpointName => "recording/checkpoint";

    /// <summary>Requests received so far; an index into <see cref="Events"/> names a moment of the history.</summary>
    public int EventCount
    {
        get
        {
            lock (_lock)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>fdatasync calls so far.</summary>
    public int Syncs
    {
        get
        {
            lock (_lock)
            {
                return _syncs;
            }
        }
    }

    public IReadOnlyList<DeviceEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>The device's current content, as a clean shutdown would leave it.</summary>
    public DiskImage Snapshot()
    {
        lock (_lock)
        {
            return _disk.Clone();
        }
    }

    public IReadOnlyList<long> ListSegments()
    {
        lock (_lock)
        {
            return [.. _disk.Segments.Keys];
        }
    }

    public string SegmentName(long basePosition) => $"recording/{basePosition:D20}.seg";

    /// <summary>The modelled disk never runs out of room: a spare is always there.</summary>
    public bool HasSpare => true;

    public bool PrepareSpare() => true;

    public ISegmentFile CreateSegment(long basePosition)
    {
        lock (_lock)
        {
            if (!_disk.Segments.TryAdd(basePosition, new FileBytes()))
            {
                throw new IOException($"The file '{SegmentName(basePosition)}' already exists.");
            }

            _events.Add(new DeviceEvent(DeviceEventKind.CreateSegment, basePosition));
            return new SegmentFile(this, basePosition);
        }
    }

    public ISegmentFile OpenSegment(long basePosition)
    {
        lock (_lock)
        {
            return _disk.Segments.ContainsKey(basePosition)
                ? new SegmentFile(this, basePosition)
                : throw new FileNotFoundException($"Could not find file '{SegmentName(basePosition)}'.");
        }
    }

    public void DeleteSegment(long basePosition)
    {
        lock (_lock)
        {
            // File.Delete ignores a missing file; the journal never deletes one twice, so a miss here is a bug.
            if (!_disk.Segments.Remove(basePosition))
            {
                throw new InvalidOperationException($"Deleting '{SegmentName(basePosition)}', which does not exist.");
            }

            _events.Add(new DeviceEvent(DeviceEventKind.DeleteSegment, basePosition));
        }
    }

    public byte[]? ReadCheckpoint()
    {
        lock (_lock)
        {
            return _disk.Checkpoint?.ToArray();
        }
    }

    public void WriteCheckpoint(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        // FileJournalDevice writes a temporary file, fdatasyncs it, renames it over the checkpoint and fsyncs the
        // directory: from the rename on a crash may leave the new file or the old one, and once the call returns,
        // the new one. Other threads' requests can land inside that window, so it is two events.
        var bytes = CheckpointFile.Concat(parts);
        lock (_lock)
        {
            _events.Add(new DeviceEvent(DeviceEventKind.CheckpointBegin, 0, Data: bytes));
            _disk.Checkpoint = bytes;
        }

        Thread.Yield();
        lock (_lock)
        {
            _events.Add(new DeviceEvent(DeviceEventKind.CheckpointEnd, 0, Data: bytes));
        }
    }

    public void Dispose()
    {
    }

    private FileBytes File(long basePosition) =>
        _disk.Segments.TryGetValue(basePosition, out var bytes)
            ? bytes
            : throw new IOException($"'{SegmentName(basePosition)}' was deleted while open.");

    /// <summary>A handle on one segment; like a file descriptor it refers to the device's bytes, not a copy.</summary>
    private sealed class SegmentFile(RecordingJournalDevice device, long basePosition) : ISegmentFile
    {
        public long Length
        {
            get
            {
                lock (device._lock)
                {
                    return device.File(basePosition).Length;
                }
            }
        }

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            var bytes = data.ToArray();
            lock (device._lock)
            {
                device.File(basePosition).Write(offset, bytes);
                device._events.Add(new DeviceEvent(DeviceEventKind.Write, basePosition, offset, bytes));
            }
        }

        public int Read(long offset, Span<byte> destination)
        {
            lock (device._lock)
            {
                return device.File(basePosition).Read(offset, destination);
            }
        }

        public void Sync()
        {
            if (device.SyncLatency > TimeSpan.Zero)
            {
                Thread.Sleep(device.SyncLatency);
            }

            lock (device._lock)
            {
                device.File(basePosition);
                device._events.Add(new DeviceEvent(DeviceEventKind.Sync, basePosition));
                device._syncs++;
            }
        }

        public void Truncate(long length)
        {
            // FileJournalDevice's truncate is ftruncate then fdatasync: two requests, a crash can fall between them.
            lock (device._lock)
            {
                device.File(basePosition).SetLength(length);
                device._events.Add(new DeviceEvent(DeviceEventKind.Truncate, basePosition, length));
            }

            Sync();
        }

        public void Dispose()
        {
        }
    }
}

namespace Ferry.Storage.Internal;

/// <summary>Segments in memory: the <see cref="DurabilityMode.Memory"/> mode, and a fast device for tests.</summary>
internal sealed class MemoryJournalDevice : IJournalDevice
{
    private readonly SortedDictionary<long, MemorySegment> _segments = [];
    private readonly Lock _lock = new();
    private byte[]? _checkpoint;

    public string Location => "memory";

    public bool HasSpare => true;

    public bool PrepareSpare() => true;

    public string CheckpointName => "memory:checkpoint";

    public IReadOnlyList<long> ListSegments()
    {
        lock (_lock)
        {
            return [.. _segments.Keys];
        }
    }

    public ISegmentFile CreateSegment(long basePosition)
    {
        lock (_lock)
        {
            var segment = new MemorySegment();
            _segments.Add(basePosition, segment);
            return segment;
        }
    }

    public ISegmentFile OpenSegment(long basePosition)
    {
        lock (_lock)
        {
            return _segments[basePosition];
        }
    }

    public void DeleteSegment(long basePosition)
    {
        lock (_lock)
        {
            _segments.Remove(basePosition);
        }
    }

    public string SegmentName(long basePosition) => $"memory:{basePosition}";

    public byte[]? ReadCheckpoint() => Volatile.Read(ref _checkpoint);

    public void WriteCheckpoint(IReadOnlyList<ReadOnlyMemory<byte>> parts) => Volatile.Write(ref _checkpoint, CheckpointFile.Concat(parts));

    public void Dispose()
    {
    }

    /// <summary>A growable byte array; readers see either the old or the new array, both holding every byte written
    /// before the reader's record was acknowledged.</summary>
    private sealed class MemorySegment : ISegmentFile
    {
        private readonly Lock _lock = new();
        private byte[] _data = new byte[4096];
        private long _length;

        public long Length => Volatile.Read(ref _length);

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            lock (_lock)
            {
                var end = offset + data.Length;
                if (end > _data.Length)
                {
                    var grown = new byte[Math.Max(end, _data.Length * 2L)];
                    _data.AsSpan(0, (int)_length).CopyTo(grown);
                    _data = grown;
                }

                data.CopyTo(_data.AsSpan((int)offset));
                if (end > _length)
                {
                    Volatile.Write(ref _length, end);
                }
            }
        }

        public int Read(long offset, Span<byte> destination)
        {
            var data = Volatile.Read(ref _data);
            var available = (int)Math.Max(0, Math.Min(destination.Length, Length - offset));
            data.AsSpan((int)offset, available).CopyTo(destination);
            return available;
        }

        public void Sync()
        {
        }

        public void Truncate(long length)
        {
            lock (_lock)
            {
                _data.AsSpan((int)length, (int)Math.Max(0, _length - length)).Clear();
                _length = length;
            }
        }

        public void Dispose()
        {
        }
    }
}

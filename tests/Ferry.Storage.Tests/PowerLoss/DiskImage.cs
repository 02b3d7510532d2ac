namespace Ferry.Storage.Tests.PowerLoss;

/// <summary>The bytes of one file: a growable array with a length, reading zeros past what was written.</summary>
internal sealed class FileBytes
{
    private byte[] _data;

    public FileBytes(int capacity = 0) => _data = capacity == 0 ? [] : new byte[capacity];

    public long Length { get; private set; }

    public ReadOnlySpan<byte> Span => _data.AsSpan(0, (int)Length);

    /// <summary>Writes at <paramref name="offset"/>, extending the file (with zeros over any gap) as a file does.</summary>
    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        var end = offset + data.Length;
        Grow(end);
        data.CopyTo(_data.AsSpan((int)offset));
        if (end > Length)
        {
            Length = end;
        }
    }

    /// <summary>Cuts the file, or extends it with zeros, as <c>ftruncate</c> does.</summary>
    public void SetLength(long length)
    {
        if (length < Length)
        {
            _data.AsSpan((int)length, (int)(Length - length)).Clear();
        }
        else
        {
            Grow(length);
        }

        Length = length;
    }

    public int Read(long offset, Span<byte> destination)
    {
        var available = (int)Math.Max(0, Math.Min(destination.Length, Length - offset));
        _data.AsSpan((int)offset, available).CopyTo(destination);
        return available;
    }

    public FileBytes Clone()
    {
        var copy = new FileBytes((int)Length);
        Span.CopyTo(copy._data);
        copy.Length = Length;
        return copy;
    }

    private void Grow(long end)
    {
        if (end > _data.Length)
        {
            var grown = new byte[Math.Max(end, Math.Max(4096, _data.Length * 2L))];
            _data.AsSpan(0, (int)Length).CopyTo(grown);
            _data = grown;
        }
    }
}

/// <summary>What a journal directory holds: segment files by base position, and the checkpoint file.</summary>
internal sealed class DiskImage
{
    public SortedDictionary<long, FileBytes> Segments { get; } = [];

    public byte[]? Checkpoint { get; set; }

    public long TotalBytes => Segments.Values.Sum(s => s.Length);

    public DiskImage Clone()
    {
        var copy = new DiskImage { Checkpoint = Checkpoint };
        foreach (var (basePosition, bytes) in Segments)
        {
            copy.Segments.Add(basePosition, bytes.Clone());
        }

        return copy;
    }
}

using System.Buffers;

namespace Ferry.Storage.Internal;

/// <summary>Reads a segment front to back through a window, so a scan costs one read per megabyte, not per record.</summary>
internal sealed class SegmentReader : IDisposable
{
    /// <summary>One read per megabyte keeps a recovery scan sequential and cheap without holding much memory.</summary>
    private const int WindowSize = 1 << 20;

    private readonly ISegmentFile _file;
    private readonly long _length;
    private byte[] _buffer;
    private long _windowStart;
    private int _windowLength;

    public SegmentReader(ISegmentFile file, long length)
    {
        _file = file;
        _length = length;
        _buffer = ArrayPool<byte>.Shared.Rent(WindowSize);
    }

    /// <summary>The bytes <c>[offset, offset + count)</c>, valid until the next call; false past the end.</summary>
    public bool TryGet(long offset, int count, out ReadOnlyMemory<byte> bytes)
    {
        bytes = default;
        if (offset < 0 || count < 0 || offset + count > _length)
        {
            return false;
        }

        if (offset < _windowStart || offset + count > _windowStart + _windowLength)
        {
            if (count > _buffer.Length)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(count);
            }

            _windowStart = offset;
            var want = (int)Math.Min(_buffer.Length, _length - offset);
            _windowLength = _file.Read(offset, _buffer.AsSpan(0, want));
            if (_windowLength < count)
            {
                return false;
            }
        }

        bytes = _buffer.AsMemory((int)(offset - _windowStart), count);
        return true;
    }

    /// <summary>The offset of the first non-zero byte at or after <paramref name="offset"/>, or the length.</summary>
    public long NextNonZero(long offset)
    {
        while (offset < _length)
        {
            var count = (int)Math.Min(WindowSize / 2, _length - offset);
            if (!TryGet(offset, count, out var bytes))
            {
                return _length;
            }

            var at = bytes.Span.IndexOfAnyExcept((byte)0);
            if (at >= 0)
            {
                return offset + at;
            }

            offset += count;
        }

        return _length;
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}

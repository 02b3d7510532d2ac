using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Ferry.Engine.Internal;

/// <summary>Little-endian writer over a growable buffer, for journal payloads and snapshots.</summary>
/// <remarks>Small buffers come from the shared array pool; a buffer that grows past <see cref="MaxPooledSize"/>
/// (a checkpoint snapshot of a large backlog) is a plain array, because the pool would keep every size it ever saw.</remarks>
internal sealed class PayloadWriter : IDisposable
{
    /// <summary>Above this a buffer is left to the garbage collector.</summary>
    private const int MaxPooledSize = 1 << 20;

    private byte[] _buffer;
    private int _length;

    public PayloadWriter(int capacity = 256) => _buffer = Allocate(capacity);

    private static byte[] Allocate(int size) =>
        size <= MaxPooledSize ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private static void Release(byte[] buffer)
    {
        if (buffer.Length <= MaxPooledSize)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>What is written so far, valid until the next write or <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public int Length => _length;

    public void Reset() => _length = 0;

    private Span<byte> Take(int size)
    {
        if (_length + size > _buffer.Length)
        {
            var grown = Allocate(Math.Max(_buffer.Length * 2, _length + size));
            _buffer.AsSpan(0, _length).CopyTo(grown);
            Release(_buffer);
            _buffer = grown;
        }

        var span = _buffer.AsSpan(_length, size);
        _length += size;
        return span;
    }

    public void U8(byte value) => Take(1)[0] = value;

    public void Bool(bool value) => U8(value ? (byte)1 : (byte)0);

    public void I32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

    /// <summary>Overwrites the 32-bit value written at <paramref name="offset"/> (a count known only afterwards).</summary>
    public void PatchI32(int offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(offset, 4), value);

    public void I64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

    public void U64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), value);

    public void Guid(Guid value) => value.TryWriteBytes(Take(16));

    /// <summary>Appends <paramref name="size"/> bytes for the caller to fill; the span is valid until the next write.</summary>
    public Span<byte> Reserve(int size) => Take(size);

    /// <summary>Appends bytes as they are, without a length (a part written elsewhere in this format).</summary>
    public void Raw(ReadOnlySpan<byte> value) => value.CopyTo(Take(value.Length));

    public void Bytes(ReadOnlySpan<byte> value)
    {
        I32(value.Length);
        value.CopyTo(Take(value.Length));
    }

    /// <summary>Starts what <see cref="Bytes"/> would write, for bytes written next into this writer itself: reserves
    /// the length, which <see cref="EndBytes"/> fills in. A large part (a module's snapshot) is then written once, not
    /// into a writer of its own and copied.</summary>
    /// <returns>Where the length goes, for <see cref="EndBytes"/>.</returns>
    public int BeginBytes()
    {
        var at = _length;
        I32(0);
        return at;
    }

    /// <summary>Ends what <see cref="BeginBytes"/> started: its length is everything written since.</summary>
    public void EndBytes(int at) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), checked(_length - at - 4));

    public void NullableBytes(byte[]? value)
    {
        if (value is null)
        {
            I32(-1);
            return;
        }

        Bytes(value);
    }

    public void String(string? value)
    {
        if (value is null)
        {
            I32(-1);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        I32(count);
        Encoding.UTF8.GetBytes(value, Take(count));
    }

    public void StringMap(IReadOnlyDictionary<string, string>? map)
    {
        if (map is null)
        {
            I32(-1);
            return;
        }

        I32(map.Count);
        foreach (var (k, v) in map)
        {
            String(k);
            String(v);
        }
    }

    public void Dispose() => Release(_buffer);
}

/// <summary>Reads what <see cref="PayloadWriter"/> wrote; throws <see cref="InvalidDataException"/> on truncation.</summary>
internal ref struct PayloadReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _at;

    public readonly bool End => _at >= _data.Length;

    private ReadOnlySpan<byte> Take(int size)
    {
        if (size < 0 || _at + size > _data.Length)
        {
            throw new InvalidDataException("A journal payload is shorter than its contents say.");
        }

        var span = _data.Slice(_at, size);
        _at += size;
        return span;
    }

    public byte U8() => Take(1)[0];

    public bool Bool() => U8() != 0;

    public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public Guid Guid() => new(Take(16));

    public byte[] Bytes() => Take(I32()).ToArray();

    public ReadOnlySpan<byte> BytesSpan() => Take(I32());

    public byte[]? NullableBytes()
    {
        var n = I32();
        return n < 0 ? null : Take(n).ToArray();
    }

    public string? String()
    {
        var n = I32();
        return n < 0 ? null : Encoding.UTF8.GetString(Take(n));
    }

    public string RequiredString() => String() ?? throw new InvalidDataException("A required string is missing from a journal payload.");

    public Dictionary<string, string>? StringMap()
    {
        var n = I32();
        if (n < 0)
        {
            return null;
        }

        var map = new Dictionary<string, string>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            map[RequiredString()] = RequiredString();
        }

        return map;
    }
}

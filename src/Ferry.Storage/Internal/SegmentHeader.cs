using System.Buffers.Binary;

namespace Ferry.Storage.Internal;

/// <summary>The 64-byte header at the start of every segment file.</summary>
/// <remarks>Layout: <c>magic:8 "FERRYJNL" | version:u16 | reserved:u16 | headerSize:u32 | basePosition:i64 |
/// createdUnixMs:i64 | reserved:24 | crc:u32 over bytes 0..60</c>. Records start at offset <see cref="Size"/>.</remarks>
internal static class SegmentHeader
{
    public const int Size = 64;

    /// <summary>The on-disk format version this code writes and reads. Bump it (and keep reading old ones) when the
    /// record or segment layout changes.</summary>
    public const ushort FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "FERRYJNL"u8;

    public static void Write(Span<byte> destination, long basePosition, long createdUnixMs)
    {
        destination[..Size].Clear();
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], Size);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], basePosition);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], createdUnixMs);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[60..], Crc32C.Compute(destination[..60]));
    }

    /// <summary>Checks a header; returns null when valid, or what is wrong.</summary>
    public static string? Validate(ReadOnlySpan<byte> header, long expectedBase)
    {
        if (header.Length < Size)
        {
            return "the segment header is incomplete";
        }

        if (!header[..8].SequenceEqual(Magic))
        {
            return "the file does not start with a Ferry journal segment header";
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header[60..]) != Crc32C.Compute(header[..60]))
        {
            return "the segment header checksum does not match";
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        if (version != FormatVersion)
        {
            return $"the segment format version {version} is not one this Ferry reads (it reads {FormatVersion})";
        }

        var basePosition = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        return basePosition == expectedBase
            ? null
            : $"the segment header says base position {basePosition}, but the file name says {expectedBase}";
    }
}

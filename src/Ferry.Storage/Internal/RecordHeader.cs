using System.Buffers.Binary;

namespace Ferry.Storage.Internal;

/// <summary>The 32-byte header framing every record in a segment.</summary>
/// <remarks>
/// Layout (little-endian): <c>crc:u32 | length:u32 | type:u16 | flags:u16 | batchStart:u32 | resourceId:u64 | position:u64</c>,
/// then <c>length</c> payload bytes, then zero padding to the next multiple of 8. The CRC-32C covers header bytes
/// 4..32 and the payload. <c>position</c> is the record's own journal position, so a stale copy of a record can never
/// pass for one at another place. <c>batchStart</c> is a segment offset that was durable before the record was
/// written: in fsync mode where the group-commit batch holding the record begins, in the other modes what an fdatasync
/// had covered when the record was framed. Recovery uses it to tell a torn unsynced tail (truncated) from damage to
/// data that an fdatasync had covered (refused; see <see cref="Journal"/> recovery).
/// </remarks>
internal static class RecordHeader
{
    /// <summary>Header size; a multiple of <see cref="Alignment"/>.</summary>
    public const int Size = 32;

    /// <summary>Records start on 8-byte boundaries so a recovery scan for later valid records tries one offset in 8.</summary>
    public const int Alignment = 8;

    /// <summary>Flag: the record is a copy written by compaction.</summary>
    public const ushort FlagRelocated = 1;

    public static int AlignedSize(int payloadLength) => (Size + payloadLength + (Alignment - 1)) & ~(Alignment - 1);

    /// <summary>Writes the header for <paramref name="payload"/> into <paramref name="destination"/>, CRC included.</summary>
    public static void Write(Span<byte> destination, ushort type, ushort flags, uint batchStart, ulong resourceId, long position, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], payload.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], batchStart);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], resourceId);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], position);
        var crc = Crc32C.Append(Crc32C.Compute(destination[4..Size]), payload);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, crc);
    }

    public static uint Crc(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt32LittleEndian(header);

    public static int Length(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt32LittleEndian(header[4..]);

    public static ushort Type(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);

    public static ushort Flags(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);

    public static uint BatchStart(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);

    public static ulong ResourceId(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);

    public static long Position(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt64LittleEndian(header[24..]);

    /// <summary>Whether a header read at <paramref name="position"/> is plausible before its CRC is checked:
    /// a type, a length that fits in <paramref name="available"/> bytes, and its own position.</summary>
    public static bool IsPlausible(ReadOnlySpan<byte> header, long position, long available)
    {
        var length = Length(header);
        return Type(header) != 0
            && length >= 0
            && Size + (long)length <= available
            && Position(header) == position;
    }

    /// <summary>Whether the CRC in <paramref name="header"/> matches it and <paramref name="payload"/>.</summary>
    public static bool CrcMatches(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload) =>
        Crc(header) == Crc32C.Append(Crc32C.Compute(header[4..Size]), payload);
}

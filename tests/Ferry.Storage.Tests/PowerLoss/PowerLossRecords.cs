using System.Buffers.Binary;

namespace Ferry.Storage.Tests.PowerLoss;

/// <summary>Payloads that describe themselves: <c>id:i64 | writer:i32 | sequence:i32</c>, then bytes derived from the
/// id and length. A record read back either is exactly what <see cref="Create"/> made for its id, or it is garbage.</summary>
internal static class PowerLossPayload
{
    public const int HeaderSize = 16;

    public static byte[] Create(long id, int writer, int sequence, int length)
    {
        var bytes = new byte[Math.Max(length, HeaderSize)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, id);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), writer);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), sequence);
        Fill(bytes.AsSpan(HeaderSize), id, bytes.Length);
        return bytes;
    }

    /// <summary>Whether <paramref name="payload"/> is exactly what <see cref="Create"/> made for the id it names.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out long id, out int writer, out int sequence)
    {
        id = 0;
        writer = 0;
        sequence = 0;
        if (payload.Length < HeaderSize)
        {
            return false;
        }

        id = BinaryPrimitives.ReadInt64LittleEndian(payload);
        writer = BinaryPrimitives.ReadInt32LittleEndian(payload[8..]);
        sequence = BinaryPrimitives.ReadInt32LittleEndian(payload[12..]);
        var state = Seed(id, payload.Length);
        var rest = payload[HeaderSize..];
        while (rest.Length >= 8)
        {
            if (BinaryPrimitives.ReadUInt64LittleEndian(rest) != Next(ref state))
            {
                return false;
            }

            rest = rest[8..];
        }

        Span<byte> last = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(last, Next(ref state));
        return rest.SequenceEqual(last[..rest.Length]);
    }

    private static ulong Seed(long id, int length) => ((ulong)id * 0x9E3779B97F4A7C15UL) ^ (ulong)length ^ 0xD1B54A32D192ED03UL;

    private static void Fill(Span<byte> destination, long id, int length)
    {
        var state = Seed(id, length);
        Span<byte> word = stackalloc byte[8];
        for (var at = 0; at < destination.Length; at += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, Next(ref state));
            word[..Math.Min(8, destination.Length - at)].CopyTo(destination[at..]);
        }
    }

    /// <summary>xorshift64: cheap, and a different sequence for every id and length.</summary>
    private static ulong Next(ref ulong state)
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
}

/// <summary>A record the history appended (or compaction copied), where it is, and when its completion was seen.</summary>
internal sealed class KnownRecord(long id, int writer, int sequence, RecordRef reference, bool relocated)
{
    public long Id { get; } = id;

    public int Writer { get; } = writer;

    public int Sequence { get; } = sequence;

    public RecordRef Ref { get; } = reference;

    public bool Relocated { get; } = relocated;

    /// <summary>The device's event count when the append's completion was observed; <see cref="int.MaxValue"/> while
    /// not acknowledged. A crash after that many events must keep the record.</summary>
    public int AcknowledgedAt { get; set; } = int.MaxValue;

    public override string ToString() => $"record {Id} (writer {Writer} #{Sequence}{(Relocated ? ", relocated" : "")}) at {Ref.Position}+{Ref.Length}";
}

/// <summary>The owner's checkpoint snapshot: <c>sequence:i32 | markPosition:i64 | count:i32 | count × (id:i64,
/// position:i64, length:i32)</c>, the records live at the mark.</summary>
internal static class PowerLossSnapshot
{
    public static byte[] Serialize(int sequence, long markPosition, IReadOnlyDictionary<long, RecordRef> live)
    {
        var bytes = new byte[16 + (live.Count * 20)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(4), markPosition);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), live.Count);
        var at = 16;
        foreach (var (id, r) in live)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at), id);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at + 8), r.Position);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at + 16), r.Length);
            at += 20;
        }

        return bytes;
    }

    public static (int Sequence, long MarkPosition, List<(long Id, RecordRef Ref)> Live) Read(ReadOnlySpan<byte> bytes)
    {
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        var live = new List<(long, RecordRef)>(count);
        for (var i = 0; i < count; i++)
        {
            var entry = bytes[(16 + (i * 20))..];
            live.Add((BinaryPrimitives.ReadInt64LittleEndian(entry),
                new RecordRef(BinaryPrimitives.ReadInt64LittleEndian(entry[8..]), BinaryPrimitives.ReadInt32LittleEndian(entry[16..]))));
        }

        return (BinaryPrimitives.ReadInt32LittleEndian(bytes), BinaryPrimitives.ReadInt64LittleEndian(bytes[4..]), live);
    }
}

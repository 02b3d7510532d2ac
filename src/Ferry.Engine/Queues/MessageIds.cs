using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ferry.Engine.Queues;

/// <summary>Message ids: UUID-shaped (version 4 layout), unique, and cheap.</summary>
/// <remarks>A random 64-bit prefix drawn once per process and a counter: unique across restarts with overwhelming
/// probability, without asking the kernel for randomness on every message as <see cref="Guid.NewGuid"/> does.
/// SQS promises unique message ids, not unpredictable ones.</remarks>
internal static class MessageIds
{
    private static readonly ulong Prefix = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8));
    private static long _counter;

    public static Guid Next()
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Prefix);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], (ulong)Interlocked.Increment(ref _counter));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }
}

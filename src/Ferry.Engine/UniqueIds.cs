using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ferry.Engine;

/// <summary>Ids that must be unique but need not be unpredictable: message ids and request ids.</summary>
/// <remarks>UUID-shaped (version 4 layout): a random 64-bit prefix drawn once per process and a counter, unique across
/// restarts with overwhelming probability. <see cref="Guid.NewGuid"/> asks the kernel for randomness on every call (a
/// <c>read</c> of <c>/dev/urandom</c> on Linux, two per SNS publish before these ids); SQS and SNS promise unique message
/// ids, not unpredictable ones. Ids that grant something to whoever knows them (subscription ids, which the
/// unauthenticated UnsubscribeURL names, and confirmation tokens) stay random.</remarks>
public static class UniqueIds
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

using System.Buffers.Binary;
using System.Buffers.Text;

namespace Ferry.Engine.Queues;

/// <summary>Receipt handles: which queue, which message, which receive. A handle names one receive of one message,
/// so every receive produces a new one and an older handle no longer matches the message.</summary>
internal static class ReceiptHandle
{
    private const int Size = 8 + 8 + 4 + 4;

    public static string Create(ulong queueId, long seq, int receiveCount)
    {
        Span<byte> bytes = stackalloc byte[Size];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, queueId);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], seq);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[16..], receiveCount);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[20..], Check(bytes[..20]));
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryParse(string handle, out ulong queueId, out long seq, out int receiveCount)
    {
        queueId = 0;
        seq = 0;
        receiveCount = 0;
        Span<byte> bytes = stackalloc byte[Size];
        // DecodeFromChars reports characters outside base64url; TryDecodeFromChars throws on them.
        if (handle.Length != 32 || Base64Url.DecodeFromChars(handle, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Size
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes[20..]) != Check(bytes[..20]))
        {
            return false;
        }

        queueId = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        seq = BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]);
        receiveCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        return true;
    }

    /// <summary>A check value so that a mistyped or truncated handle is told apart from a stale one.</summary>
    private static uint Check(ReadOnlySpan<byte> data)
    {
        var h = 2166136261u;
        foreach (var b in data)
        {
            h = (h ^ b) * 16777619u;
        }

        return h;
    }
}

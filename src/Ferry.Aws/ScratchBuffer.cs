using System.Buffers;

namespace Ferry.Aws;

/// <summary>
/// One growable buffer per thread for writing a response or an envelope before it is sent or copied out: a fresh
/// buffer per request would be garbage the size of the message, grown once or twice on the way.
/// </summary>
/// <remarks>Rent and return on the same thread, with nothing awaited in between. A nested rent gets a new buffer;
/// one that grew past <see cref="MaxRetainedBytes"/> (an occasional large message) is dropped on return.</remarks>
internal static class ScratchBuffer
{
    /// <summary>A buffer that grew past this is dropped after use rather than kept by its thread.</summary>
    public const int MaxRetainedBytes = 256 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>The thread's buffer, empty, or a new one of <paramref name="initialCapacity"/> bytes.</summary>
    public static ArrayBufferWriter<byte> Rent(int initialCapacity)
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(Math.Min(initialCapacity, MaxRetainedBytes));
        t_buffer = null;
        return buffer;
    }

    /// <summary>Gives the buffer back to its thread (its contents may be overwritten from now on).</summary>
    public static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity <= MaxRetainedBytes)
        {
            buffer.ResetWrittenCount();
            t_buffer = buffer;
        }
    }
}

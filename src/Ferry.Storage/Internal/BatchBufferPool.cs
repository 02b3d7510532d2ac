namespace Ferry.Storage.Internal;

/// <summary>The journal's own pool of batch buffers.</summary>
/// <remarks>Batches are usually about a megabyte but grow under bursts. The shared array pool keeps up to eight
/// arrays of every size per core, so a burst would leave a hundred megabytes or more pooled for good; this pool
/// keeps a few ordinary-sized buffers and lets the garbage collector have the rest.</remarks>
internal sealed class BatchBufferPool
{
    /// <summary>A batch buffer starts at 1 MiB: about a thousand 1 KiB records between two fsyncs.</summary>
    public const int InitialSize = 1 << 20;

    /// <summary>Two buffers alternate (one filling, one being written); a few more absorb roll-overs.</summary>
    private const int MaxRetained = 4;

    /// <summary>Buffers that grew past this during a burst are not kept.</summary>
    private const int MaxRetainedSize = 4 << 20;

    private readonly Stack<byte[]> _free = new();
    private readonly Lock _lock = new();

    public byte[] Rent()
    {
        lock (_lock)
        {
            if (_free.TryPop(out var buffer))
            {
                return buffer;
            }
        }

        return GC.AllocateUninitializedArray<byte>(InitialSize);
    }

    public void Return(byte[] buffer)
    {
        if (buffer.Length > MaxRetainedSize)
        {
            return;
        }

        lock (_lock)
        {
            if (_free.Count < MaxRetained)
            {
                _free.Push(buffer);
            }
        }
    }
}

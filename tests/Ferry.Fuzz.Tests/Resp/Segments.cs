using System.Buffers;

namespace Ferry.Fuzz.Tests.Resp;

/// <summary>Cuts bytes into a multi-segment sequence, as data arrives from a socket in pieces.</summary>
internal static class Segments
{
    /// <summary>Segments of 1 to <paramref name="maxSize"/> bytes, sizes from <paramref name="random"/>.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, Random random, int maxSize)
    {
        if (data.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var size = Math.Min(data.Length, 1 + random.Next(maxSize));
        var first = new Segment(data.AsMemory(0, size), 0);
        var last = first;
        for (var at = size; at < data.Length; at += size)
        {
            size = Math.Min(data.Length - at, 1 + random.Next(maxSize));
            last = last.Append(data.AsMemory(at, size));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

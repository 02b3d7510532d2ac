using System.Runtime.InteropServices;
using Ferry.Storage;

namespace Ferry.Engine.Streams;

/// <summary>What a shard keeps in memory of one record: where to find it and when it arrived (32 bytes).</summary>
/// <param name="Counter">The stream-wide sequence counter (the sequence number's significant part).</param>
/// <param name="ArrivedAt">Unix milliseconds.</param>
/// <param name="BatchNo">The journal record that holds it, as a number in the shard's batch list.</param>
/// <param name="Offset">Where the record starts in that batch's payload.</param>
/// <param name="Size">Partition key plus data bytes: what counts toward GetRecords' size limit.</param>
/// <remarks>Sequential and unpadded: a checkpoint writes entries as their bytes (<c>DataStream.WriteEntries</c>).</remarks>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct ShardEntry(long Counter, long ArrivedAt, long BatchNo, int Offset, int Size);

/// <summary>One journal record of a shard: the records of one put call that hashed to the shard.</summary>
/// <param name="Ref">Where it is in the journal.</param>
/// <param name="LastEntry">The absolute index of its last entry: the batch is released when trimming passes it.</param>
internal record struct ShardBatch(RecordRef Ref, long LastEntry);

/// <summary>
/// An append-only list with absolute indexes that can drop items from its front: chunks of a fixed size, so that
/// appending never copies what is there and trimming frees whole chunks.
/// </summary>
internal sealed class ChunkedLog<T>
    where T : struct
{
    /// <summary>4,096 entries of 32 bytes are 128 KiB: large enough to amortise, small enough to stay out of the LOH.</summary>
    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly List<T[]> _chunks = [];

    /// <summary>The absolute index of the first chunk's first slot.</summary>
    private long _chunkBase;

    /// <summary>The absolute index of the first item still held.</summary>
    public long First { get; private set; }

    /// <summary>One past the absolute index of the last item.</summary>
    public long End { get; private set; }

    public long Count => End - First;

    public ref T this[long index] => ref _chunks[(int)((index - _chunkBase) >> ChunkBits)][(int)((index - _chunkBase) & (ChunkSize - 1))];

    public long Append(in T item)
    {
        var slot = (int)((End - _chunkBase) & (ChunkSize - 1));
        if (slot == 0 && End - _chunkBase == (long)_chunks.Count * ChunkSize)
        {
            _chunks.Add(new T[ChunkSize]);
        }

        var index = End++;
        this[index] = item;
        return index;
    }

    /// <summary>
    /// The items from <see cref="First"/> to <see cref="End"/> as they are now, readable while the log goes on: an
    /// append writes past the captured end, and trimming or resetting only drops chunks from this log's list, not
    /// from the capture's. Only for items that are never changed in place once appended.
    /// </summary>
    public Capture CaptureItems() => new([.. _chunks], _chunkBase, First, End);

    /// <summary>A capture of a log's items (see <see cref="CaptureItems"/>).</summary>
    internal readonly struct Capture(T[][] chunks, long chunkBase, long first, long end)
    {
        public long First => first;

        public long End => end;

        /// <summary>The captured items from <paramref name="from"/> on in the chunk that holds it, up to the end.</summary>
        public ReadOnlySpan<T> Run(long from)
        {
            var offset = (int)((from - chunkBase) & (ChunkSize - 1));
            var count = (int)Math.Min(ChunkSize - offset, end - from);
            return chunks[(int)((from - chunkBase) >> ChunkBits)].AsSpan(offset, count);
        }
    }

    /// <summary>Starts an empty log at <paramref name="first"/> (restoring a trimmed log).</summary>
    public void Reset(long first)
    {
        _chunks.Clear();
        _chunkBase = First = End = first;
    }

    /// <summary>Forgets every item before <paramref name="index"/>.</summary>
    public void TrimBefore(long index)
    {
        index = Math.Min(index, End);
        if (index <= First)
        {
            return;
        }

        First = index;
        while (_chunks.Count > 0 && First - _chunkBase >= ChunkSize)
        {
            _chunks.RemoveAt(0);
            _chunkBase += ChunkSize;
        }
    }
}

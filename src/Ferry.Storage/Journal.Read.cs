using System.Buffers;
using Ferry.Storage.Internal;

namespace Ferry.Storage;

public sealed partial class Journal
{
    /// <summary>Reads a record's payload into a new array.</summary>
    public byte[] Read(RecordRef record)
    {
        var payload = new byte[record.Length];
        Read(record, payload);
        return payload;
    }

    /// <summary>Reads a record's payload into <paramref name="destination"/>, checking its CRC.</summary>
    /// <exception cref="JournalCorruptException">The stored record does not match its checksum.</exception>
    /// <exception cref="JournalException">No segment holds the record (it was released and reclaimed) or it is not written yet.</exception>
    public void Read(RecordRef record, Span<byte> destination)
    {
        if (destination.Length < record.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the record has {record.Length}.", nameof(destination));
        }

        var segment = FindSegment(record.Position);
        var total = RecordHeader.Size + record.Length;
        if (segment?.File is not { } file || record.Position + total > Volatile.Read(ref segment.WrittenEnd))
        {
            throw new JournalException($"No written segment holds a record at position {record.Position}.");
        }

        var offset = record.Position - segment.Base;
        byte[]? rented = null;
        var frame = total <= 4096 ? stackalloc byte[total] : (rented = ArrayPool<byte>.Shared.Rent(total)).AsSpan(0, total);
        try
        {
            if (file.Read(offset, frame) != total
                || !RecordHeader.IsPlausible(frame, record.Position, total)
                || RecordHeader.Length(frame) != record.Length
                || !RecordHeader.CrcMatches(frame[..RecordHeader.Size], frame[RecordHeader.Size..]))
            {
                throw new JournalCorruptException(segment.Name, offset, $"the record of {record.Length} bytes there fails its checksum");
            }

            frame[RecordHeader.Size..].CopyTo(destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Every record from <paramref name="position"/> (a record boundary, such as <see cref="ReplayPosition"/>)
    /// to the tail as it was when the iteration reached each segment, in order; used to replay after opening.</summary>
    /// <remarks>Each payload is valid only until the iteration moves on.</remarks>
    public IEnumerable<JournalRecord> ReadFrom(long position)
    {
        foreach (var segment in _segments)
        {
            var end = Volatile.Read(ref segment.WrittenEnd);
            if (end <= position || segment.File is null)
            {
                continue;
            }

            foreach (var record in ReadSegment(segment, Math.Max(position, segment.Base + SegmentHeader.Size), end))
            {
                yield return record;
            }
        }
    }

    private static IEnumerable<JournalRecord> ReadSegment(Segment segment, long from, long to)
    {
        using var reader = new SegmentReader(segment.File!, to - segment.Base);
        var offset = from - segment.Base;
        while (offset < to - segment.Base)
        {
            if (!reader.TryGet(offset, RecordHeader.Size, out var headerBytes)
                || !RecordHeader.IsPlausible(headerBytes.Span, segment.Base + offset, to - segment.Base - offset))
            {
                throw new JournalCorruptException(segment.Name, offset, "a record header is damaged");
            }

            var length = RecordHeader.Length(headerBytes.Span);
            if (!reader.TryGet(offset, RecordHeader.Size + length, out var frame)
                || !RecordHeader.CrcMatches(frame.Span[..RecordHeader.Size], frame.Span[RecordHeader.Size..]))
            {
                throw new JournalCorruptException(segment.Name, offset, "a record fails its checksum");
            }

            var h = frame.Span;
            yield return new JournalRecord(new RecordRef(segment.Base + offset, length), RecordHeader.Type(h), RecordHeader.ResourceId(h),
                (RecordHeader.Flags(h) & RecordHeader.FlagRelocated) != 0, frame[RecordHeader.Size..]);
            offset += RecordHeader.AlignedSize(length);
        }
    }

    /// <summary>Tells the journal its owner no longer needs a record; a segment whose records are all released can be
    /// reclaimed once a checkpoint covers it. Release each record exactly once, also while replaying.</summary>
    public void Release(RecordRef record)
    {
        var segment = FindSegment(record.Position)
            ?? throw new JournalException($"No segment holds a record at position {record.Position}.");
        if (Interlocked.Decrement(ref segment.Live) < 0)
        {
            Interlocked.Increment(ref segment.Live);
            throw new InvalidOperationException($"The record at position {record.Position} was released twice.");
        }

        Interlocked.Add(ref segment.LiveBytes, -RecordHeader.AlignedSize(record.Length));
    }

    /// <summary>Replay met a record its owner already holds at <paramref name="held"/>: the copy compaction made of it
    /// supersedes the original (which is released), and anything else is a duplicate (released itself).</summary>
    public void ReplayAgain(ref RecordRef held, in JournalRecord replayed)
    {
        if (replayed.IsRelocated && held != replayed.Ref)
        {
            Release(held);
            held = replayed.Ref;
        }
        else
        {
            Release(replayed.Ref);
        }
    }

    private Segment? FindSegment(long position)
    {
        var segments = Volatile.Read(ref _segments);
        int lo = 0, hi = segments.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (segments[mid].Base <= position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return hi >= 0 && position < segments[hi].End ? segments[hi] : null;
    }
}

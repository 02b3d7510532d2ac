using System.Buffers.Binary;
using Ferry.Storage.Internal;

namespace Ferry.Storage;

public sealed partial class Journal
{
    private sealed record Recovery(Segment[] Segments, long Tail, long ReplayPosition, long CheckpointPosition, ReadOnlyMemory<byte>? Snapshot);

    /// <summary>Rebuilds the segment table: validates every segment header, scans every record from the checkpoint on
    /// (CRC checked), truncates a torn tail, and refuses damage that acknowledged data may sit behind.</summary>
    private static Recovery Recover(IJournalDevice device)
    {
        var checkpoint = CheckpointFile.Read(device);
        var bases = device.ListSegments();
        var position = checkpoint?.Position ?? 0;
        var table = checkpoint?.Segments.ToDictionary(e => e.Base) ?? [];

        if (checkpoint is not null)
        {
            foreach (var entry in checkpoint.Segments)
            {
                if (entry.Live > 0 && !bases.Contains(entry.Base))
                {
                    throw new JournalCorruptException(device.SegmentName(entry.Base), 0,
                        $"the segment is missing, but the checkpoint says it holds {entry.Live} live records");
                }
            }
        }
        else if (bases.Count > 0 && bases[0] != 0)
        {
            throw new JournalCorruptException(device.SegmentName(0), 0, "the first segment is missing and there is no checkpoint");
        }

        var segments = new List<Segment>(bases.Count);
        Span<byte> header = stackalloc byte[SegmentHeader.Size];
        for (var i = 0; i < bases.Count; i++)
        {
            var basePosition = bases[i];
            var isLast = i == bases.Count - 1;
            var name = device.SegmentName(basePosition);
            var file = device.OpenSegment(basePosition);
            try
            {
                var length = file.Length;
                var read = file.Read(0, header);
                var problem = SegmentHeader.Validate(header[..read], basePosition);
                if (problem is not null)
                {
                    if (isLast && basePosition >= position && !HasLaterBatch(file, basePosition, 0, length))
                    {
                        // Torn creation of a new segment: its first batch (which carries the header) never completed.
                        file.Dispose();
                        device.DeleteSegment(basePosition);
                        continue;
                    }

                    throw new JournalCorruptException(name, 0, problem);
                }

                var previous = segments.Count > 0 ? segments[^1] : null;
                if (previous is not null && basePosition > position && previous.WrittenEnd != basePosition)
                {
                    throw new JournalCorruptException(device.SegmentName(previous.WrittenEnd), 0,
                        $"a segment is missing: '{previous.Name}' ends at position {previous.WrittenEnd}, but the next segment starts at {basePosition}");
                }

                var segment = new Segment(basePosition, name) { File = file };
                table.TryGetValue(basePosition, out var saved);
                segment.Live = saved.Live;
                segment.LiveBytes = saved.LiveBytes;
                if (basePosition + length <= position && !isLast)
                {
                    segment.WrittenEnd = basePosition + length;
                }
                else
                {
                    var start = Math.Max(SegmentHeader.Size, position - basePosition);
                    var (end, count, bytes) = Scan(file, name, basePosition, start, length, isLast);
                    segment.WrittenEnd = basePosition + end;
                    segment.Live += count;
                    segment.LiveBytes += bytes;
                }

                if (!isLast)
                {
                    segment.End = segment.WrittenEnd;
                }

                segments.Add(segment);
            }
            catch
            {
                file.Dispose();
                foreach (var s in segments)
                {
                    s.File?.Dispose();
                }

                throw;
            }
        }

        // Segments a checkpoint made dead whose deletion a crash interrupted.
        for (var i = segments.Count - 2; i >= 0; i--)
        {
            var s = segments[i];
            if (s.WrittenEnd <= position && s.Live == 0)
            {
                s.File?.Dispose();
                device.DeleteSegment(s.Base);
                segments.RemoveAt(i);
            }
        }

        if (segments.Count > 0)
        {
            // The last segment keeps receiving appends (also when a torn newer one was just removed).
            segments[^1].End = long.MaxValue;

            // What was just recovered may be in the page cache only (the process died after a write, before its
            // fdatasync). Make it durable before anything is written after it: new records claim that everything
            // before their batch is synced, and the owner is about to act on what it replays. Earlier segments were
            // synced before the next one received data.
            segments[^1].File!.Sync();
        }

        foreach (var s in segments)
        {
            s.SyncedOffset = s.WrittenEnd - s.Base;
        }

        var tail = segments.Count > 0 ? segments[^1].WrittenEnd : position;
        var replay = checkpoint?.Position ?? 0;
        return new Recovery([.. segments], tail, replay, position, checkpoint?.Snapshot);
    }

    /// <summary>Scans records from <paramref name="start"/>; returns the offset just past the last valid one.</summary>
    private static (long End, long Count, long Bytes) Scan(ISegmentFile file, string name, long basePosition, long start, long length, bool isLast)
    {
        using var reader = new SegmentReader(file, length);
        long offset = start, count = 0, bytes = 0;
        while (offset < length)
        {
            if (!TryReadRecord(reader, basePosition, offset, length, out var size, out _))
            {
                break;
            }

            count++;
            bytes += size;
            offset += size;
        }

        if (offset >= length)
        {
            return (offset, count, bytes);
        }

        if (!isLast)
        {
            throw new JournalCorruptException(name, offset,
                "a record is damaged (bad header or checksum) in a sealed segment, whose every record had been synced");
        }

        if (HasLaterBatch(file, basePosition, offset, length))
        {
            throw new JournalCorruptException(name, offset,
                "a record is damaged (bad header or checksum), and intact records of a later, already synced batch follow it");
        }

        // Zeros alone (the unused space of a segment made from a zero-filled spare) stay: appends write over them, and
        // the space stays allocated for them.
        if (reader.NextNonZero(offset) >= length)
        {
            return (offset, count, bytes);
        }

        // A torn tail: the last batch was not completely written, so none of it was acknowledged.
        file.Truncate(offset);
        return (offset, count, bytes);
    }

    /// <summary>Whether an intact record follows <paramref name="damage"/> that was written after the damaged offset was
    /// synced (its header's <c>batchStart</c>, the offset durable before it was written, lies beyond the damage).</summary>
    private static bool HasLaterBatch(ISegmentFile file, long basePosition, long damage, long length)
    {
        using var reader = new SegmentReader(file, length);
        var first = Math.Max(SegmentHeader.Size, (damage + RecordHeader.Alignment) & ~(long)(RecordHeader.Alignment - 1));
        var offset = first;
        while (offset + RecordHeader.Size <= length)
        {
            if (TryReadRecord(reader, basePosition, offset, length, out _, out var batchStart) && batchStart > damage)
            {
                return true;
            }

            // Zeros (a zero-filled segment's unused space) are skipped a window at a time: a header's type, bytes 8 and
            // 9, is never zero, so no header starts more than 9 bytes before the next non-zero byte.
            var next = offset + RecordHeader.Alignment;
            if (reader.TryGet(offset, RecordHeader.Alignment, out var head) && !head.Span.ContainsAnyExcept((byte)0))
            {
                var nonZero = reader.NextNonZero(offset);
                next = Math.Max(next, (nonZero - 9) & ~(long)(RecordHeader.Alignment - 1));
            }

            offset = next;
        }

        return false;
    }

    /// <summary>Reads and checks the record at <paramref name="offset"/>: plausible header, own position, CRC.</summary>
    private static bool TryReadRecord(SegmentReader reader, long basePosition, long offset, long length, out int alignedSize, out long batchStart)
    {
        alignedSize = 0;
        batchStart = 0;
        if (!reader.TryGet(offset, RecordHeader.Size, out var headerBytes))
        {
            return false;
        }

        var header = headerBytes.Span;
        if (!RecordHeader.IsPlausible(header, basePosition + offset, length - offset))
        {
            return false;
        }

        var payloadLength = RecordHeader.Length(header);
        if (payloadLength > MaxPayloadLength || !reader.TryGet(offset, RecordHeader.Size + payloadLength, out var frame))
        {
            return false;
        }

        var span = frame.Span;
        if (!RecordHeader.CrcMatches(span[..RecordHeader.Size], span[RecordHeader.Size..]))
        {
            return false;
        }

        alignedSize = RecordHeader.AlignedSize(payloadLength);
        batchStart = RecordHeader.BatchStart(span);
        return true;
    }
}

/// <summary>The checkpoint file: the position replay starts from, the live counts of every segment at that position,
/// and the owner's snapshot, under one CRC.</summary>
/// <remarks>Layout: <c>magic:8 "FERRYCKP" | version:u16 | reserved:u16 | segmentCount:u32 | position:i64 |
/// snapshotLength:i32 | reserved:u32 | segmentCount × (base:i64, live:i64, liveBytes:i64) | snapshot | crc:u32</c>.</remarks>
internal sealed record CheckpointFile(long Position, CheckpointFile.Entry[] Segments, ReadOnlyMemory<byte> Snapshot)
{
    public readonly record struct Entry(long Base, long Live, long LiveBytes);

    private const int FixedSize = 32;
    private const int EntrySize = 24;
    private const ushort Version = 1;

    private static ReadOnlySpan<byte> Magic => "FERRYCKP"u8;

    /// <summary>The checkpoint file as its three parts: the header with the segments' counts, the snapshot (not
    /// copied), and the checksum over both.</summary>
    public static ReadOnlyMemory<byte>[] Frame(long position, Entry[] segments, ReadOnlyMemory<byte> snapshot)
    {
        var head = Head(position, segments, snapshot.Length);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32C.Append(Crc32C.Compute(head), snapshot.Span));
        return [head, snapshot, crc];
    }

    /// <summary>Concatenates parts, as the file holds them.</summary>
    public static byte[] Concat(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        var bytes = new byte[parts.Sum(p => p.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            part.Span.CopyTo(bytes.AsSpan(at));
            at += part.Length;
        }

        return bytes;
    }

    private static byte[] Head(long position, Entry[] segments, int snapshotLength)
    {
        var bytes = new byte[FixedSize + (segments.Length * EntrySize)];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], segments.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], position);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], snapshotLength);
        var at = FixedSize;
        foreach (var e in segments)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], e.Base);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], e.Live);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 16)..], e.LiveBytes);
            at += EntrySize;
        }

        return bytes;
    }

    public static CheckpointFile? Read(IJournalDevice device)
    {
        var bytes = device.ReadCheckpoint();
        if (bytes is null)
        {
            return null;
        }

        var span = bytes.AsSpan();
        string? problem = null;
        if (span.Length < FixedSize + 4 || !span[..8].SequenceEqual(Magic))
        {
            problem = "the file is not a Ferry journal checkpoint";
        }
        else if (BinaryPrimitives.ReadUInt32LittleEndian(span[^4..]) != Crc32C.Compute(span[..^4]))
        {
            problem = "the checkpoint checksum does not match";
        }
        else if (BinaryPrimitives.ReadUInt16LittleEndian(span[8..]) != Version)
        {
            problem = $"checkpoint format version {BinaryPrimitives.ReadUInt16LittleEndian(span[8..])} is not one this Ferry reads";
        }

        var count = problem is null ? BinaryPrimitives.ReadInt32LittleEndian(span[12..]) : 0;
        var snapshotLength = problem is null ? BinaryPrimitives.ReadInt32LittleEndian(span[24..]) : 0;
        if (problem is null && (count < 0 || snapshotLength < 0 || FixedSize + ((long)count * EntrySize) + snapshotLength + 4 != span.Length))
        {
            problem = "the checkpoint's lengths do not add up";
        }

        if (problem is not null)
        {
            throw new JournalCorruptException(device.CheckpointName, 0, problem);
        }

        var entries = new Entry[count];
        var at = FixedSize;
        for (var i = 0; i < count; i++, at += EntrySize)
        {
            entries[i] = new Entry(
                BinaryPrimitives.ReadInt64LittleEndian(span[at..]),
                BinaryPrimitives.ReadInt64LittleEndian(span[(at + 8)..]),
                BinaryPrimitives.ReadInt64LittleEndian(span[(at + 16)..]));
        }

        return new CheckpointFile(BinaryPrimitives.ReadInt64LittleEndian(span[16..]), entries, bytes.AsMemory(at, snapshotLength));
    }
}

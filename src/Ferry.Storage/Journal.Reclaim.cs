using Ferry.Storage.Internal;

namespace Ferry.Storage;

/// <summary>What a checkpoint captures from the journal: the position replay will start from and the live counts at it.</summary>
/// <remarks>Take it with <see cref="Journal.MarkCheckpoint"/> at a moment when the owner's snapshot reflects exactly
/// the records before <see cref="Position"/> and no release is in flight.</remarks>
public sealed class JournalCheckpointMark
{
    internal JournalCheckpointMark(long position, CheckpointFile.Entry[] segments)
    {
        Position = position;
        Segments = segments;
    }

    /// <summary>The tail when the mark was taken.</summary>
    public long Position { get; }

    internal CheckpointFile.Entry[] Segments { get; }
}

/// <summary>The owner of the records in a journal, consulted by <see cref="Journal.CompactAsync"/>.</summary>
public interface IJournalRecordOwner
{
    /// <summary>Whether the owner still references <paramref name="record"/>.</summary>
    bool IsLive(in JournalRecord record);

    /// <summary>Compaction copied <paramref name="record"/> to <paramref name="newRef"/>. Return true if the owner now
    /// references the copy (the journal then releases the original), false if it had released the original meanwhile
    /// (the journal then releases the copy).</summary>
    bool TryRelocate(in JournalRecord record, RecordRef newRef);
}

public sealed partial class Journal
{
    /// <summary>Copies at most this much live data per round of compaction before waiting for it to be durable.</summary>
    private const int CompactionChunkBytes = 4 << 20;

    /// <summary>Captures the tail and the live counts for a checkpoint. See <see cref="JournalCheckpointMark"/>.</summary>
    public JournalCheckpointMark MarkCheckpoint()
    {
        lock (_gate)
        {
            ThrowIfUnavailable();
            var segments = _segments;
            var entries = new CheckpointFile.Entry[segments.Length];
            for (var i = 0; i < segments.Length; i++)
            {
                entries[i] = new(segments[i].Base, Interlocked.Read(ref segments[i].Live), Interlocked.Read(ref segments[i].LiveBytes));
            }

            return new JournalCheckpointMark(_tail, entries);
        }
    }

    /// <summary>Durably saves <paramref name="snapshot"/> as the state at <paramref name="mark"/>: the next open replays
    /// only records from the mark on. Then deletes the segments that no live record and no replay needs.</summary>
    /// <returns>The number of segments deleted.</returns>
    public async ValueTask<int> WriteCheckpointAsync(JournalCheckpointMark mark, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mark);
        await _maintenance.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (mark.Position < _checkpointPosition)
            {
                throw new InvalidOperationException("A newer checkpoint has already been written.");
            }

            // The checkpoint must never claim records that a crash could still take away.
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            _device.WriteCheckpoint(CheckpointFile.Frame(mark.Position, mark.Segments, snapshot));
            lock (_gate)
            {
                _checkpointPosition = mark.Position;
            }

            return DeleteDeadSegments(mark);
        }
        finally
        {
            _maintenance.Release();
        }
    }

    /// <summary>Deletes the segments wholly before <paramref name="mark"/> that hold no live record by the mark's counts
    /// as well as now.</summary>
    /// <remarks>By the mark's counts, not merely by now: an owner may release records while the checkpoint is being
    /// written, and that checkpoint still counts them as live (the owner's snapshot may refer to them). Deleting their
    /// segment would leave the durable checkpoint pointing at a missing segment until the next one; the next
    /// checkpoint deletes it instead.</remarks>
    private int DeleteDeadSegments(JournalCheckpointMark mark)
    {
        HashSet<long> deadAtMark = [];
        foreach (var entry in mark.Segments)
        {
            if (entry.Live == 0)
            {
                deadAtMark.Add(entry.Base);
            }
        }

        List<Segment> dead = [];
        lock (_gate)
        {
            foreach (var s in _segments)
            {
                if (s.Sealed && s != _current && s.WrittenEnd <= mark.Position && Interlocked.Read(ref s.Live) == 0
                    && deadAtMark.Contains(s.Base))
                {
                    dead.Add(s);
                }
            }

            if (dead.Count == 0)
            {
                return 0;
            }

            _segments = [.. _segments.Except(dead)];
        }

        foreach (var s in dead)
        {
            s.File?.Dispose();
            _device.DeleteSegment(s.Base);
        }

        return dead.Count;
    }

    /// <summary>Copies the live records of sparse segments (live bytes below <paramref name="maxLiveFraction"/> of the
    /// segment) to the tail, so that the next checkpoint can delete those segments. Only segments the last checkpoint
    /// covers are compacted. During replay a relocated copy carries <see cref="JournalRecord.IsRelocated"/>.</summary>
    /// <returns>The number of records moved.</returns>
    public async ValueTask<long> CompactAsync(IJournalRecordOwner owner, double maxLiveFraction = 0.5, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        await _maintenance.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<Segment> sparse = [];
            lock (_gate)
            {
                foreach (var s in _segments)
                {
                    var live = Interlocked.Read(ref s.LiveBytes);
                    if (s.Sealed && s != _current && s.WrittenEnd <= _checkpointPosition && Interlocked.Read(ref s.Live) > 0
                        && live < maxLiveFraction * (s.WrittenEnd - s.Base))
                    {
                        sparse.Add(s);
                    }
                }
            }

            long moved = 0;
            var pending = new List<(JournalRecord Original, ValueTask<RecordRef> Copy)>();
            var pendingBytes = 0;
            foreach (var segment in sparse)
            {
                foreach (var record in ReadSegment(segment, segment.Base + SegmentHeader.Size, segment.WrittenEnd))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!owner.IsLive(record))
                    {
                        continue;
                    }

                    var payload = record.Payload.ToArray();
                    var original = new JournalRecord(record.Ref, record.Type, record.ResourceId, record.IsRelocated, payload);
                    var copy = AppendCore(record.Type, RecordHeader.FlagRelocated, record.ResourceId, payload.Length, payload,
                        static (span, p) => p.CopyTo(span), out _);
                    pending.Add((original, copy));
                    pendingBytes += payload.Length;
                    if (pendingBytes >= CompactionChunkBytes)
                    {
                        moved += await SettleAsync(owner, pending).ConfigureAwait(false);
                        pendingBytes = 0;
                    }
                }
            }

            moved += await SettleAsync(owner, pending).ConfigureAwait(false);
            return moved;
        }
        finally
        {
            _maintenance.Release();
        }
    }

    private async ValueTask<long> SettleAsync(IJournalRecordOwner owner, List<(JournalRecord Original, ValueTask<RecordRef> Copy)> pending)
    {
        foreach (var (original, copy) in pending)
        {
            var newRef = await copy.ConfigureAwait(false);
            Release(owner.TryRelocate(original, newRef) ? original.Ref : newRef);
        }

        var count = pending.Count;
        pending.Clear();

        // The copies' continuation ran on the flusher, which must not read the next chunk (or run what the caller does
        // after compacting, such as a checkpoint) while every durable write waits for it.
        await Task.Yield();
        return count;
    }
}

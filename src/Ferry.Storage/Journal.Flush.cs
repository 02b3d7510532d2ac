using System.Buffers;
using System.Diagnostics;
using Ferry.Storage.Internal;

namespace Ferry.Storage;

public sealed partial class Journal
{
    /// <summary>How often the flusher tries again to allocate the spare segment while the disk is full.</summary>
    private static readonly TimeSpan SpareRetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>The largest average commit (bytes per fdatasync) for which a spare is zero-filled.</summary>
    private const long FillMaxBytesPerSync = 8 * 1024;

    private long _nextSpareAttempt;

    /// <summary>The segment whose commits <see cref="MaybeFillSpare"/> measures, and the sync count when it began.</summary>
    private long _fillSegmentBase = -1;
    private long _fillSyncsAtStart;

    /// <summary>
    /// Keeps the next segment's space allocated ahead of time, so that starting a segment never meets a full disk
    /// after appends were accepted; when there is no room, <see cref="IsFull"/> turns callers away instead.
    /// </summary>
    private void MaintainSpare()
    {
        if (_device.HasSpare)
        {
            MaybeFillSpare();
            return;
        }

        if (Volatile.Read(ref _pendingCreates) > 0 || Stopwatch.GetTimestamp() < _nextSpareAttempt)
        {
            return;
        }

        if (_device.PrepareSpare())
        {
            _noSpace = false;
            return;
        }

        _noSpace = true;
        _nextSpareAttempt = Stopwatch.GetTimestamp() + (long)(SpareRetryInterval.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>
    /// Has zeros written over the spare when that pays: once the current segment is a sixteenth full (a journal that
    /// only idles never pays for them, a busy one has them before it needs the next segment), and only while its
    /// commits are small. Zeros save each fdatasync its metadata (46 µs on the reference disk) but write every byte
    /// twice: worth it for many small syncs (XADD from 50 clients: 1.5–1.8 KiB per sync, +6 % throughput), not for
    /// large ones (SNS fan-out: 18–98 KiB per sync, where the extra writes cost a fifth of the throughput).
    /// </summary>
    private void MaybeFillSpare()
    {
        var current = Volatile.Read(ref _current);
        if (current is null)
        {
            return;
        }

        var syncs = Interlocked.Read(ref _syncs);
        if (current.Base != _fillSegmentBase)
        {
            _fillSegmentBase = current.Base;
            _fillSyncsAtStart = syncs;
            return;
        }

        var written = Volatile.Read(ref _tail) - current.Base;
        if (written >= _options.SegmentSize / 16 && written / Math.Max(1, syncs - _fillSyncsAtStart) <= FillMaxBytesPerSync)
        {
            _device.FillSpare();
        }
    }

    /// <summary>
    /// Cuts a sealed segment's file to its records. One made from a zero-filled spare runs on in zeros, and recovery
    /// takes a sealed segment's length for its end (and damage in it as fatal), so the cut comes before any later
    /// segment exists. The cut also returns the space allocated ahead beyond the records, also of a segment left early.
    /// </summary>
    private static void TrimToRecords(Segment segment)
    {
        if (segment.File is { } file)
        {
            // A truncate to the same length still frees the blocks allocated past it (ext4, tmpfs).
            file.Truncate(Volatile.Read(ref segment.WrittenEnd) - segment.Base);
        }
    }

    /// <summary>Trims the segment that <paramref name="next"/> follows, unless reclaim already deleted it.</summary>
    private void TrimPrevious(Segment next)
    {
        lock (_gate)
        {
            // Reclaim takes segments out of the table under the gate before it closes them.
            foreach (var s in _segments)
            {
                if (s.End == next.Base)
                {
                    TrimToRecords(s);
                }
            }
        }
    }

    /// <summary>The flusher: takes every buffered batch, writes it, syncs as the mode asks, completes its waiters.</summary>
    private void FlushLoop()
    {
        var batch = new List<PendingBuffer>();
        Segment? unsynced = null;
        var lastSync = Stopwatch.GetTimestamp();
        var interval = _mode == DurabilityMode.Interval ? TimeSpan.FromMilliseconds(_options.Durability.IntervalMilliseconds) : TimeSpan.Zero;

        while (true)
        {
            MaintainSpare();
            lock (_gate)
            {
                while (((_sealed.Count == 0 && (_active is null || _active.IsEmpty)) || (_groups > 0 && !_groupReleased)) && !_closing)
                {
                    _flusherIdle = true;
                    if (unsynced is not null && interval > TimeSpan.Zero)
                    {
                        var remaining = interval - Stopwatch.GetElapsedTime(lastSync);
                        if (remaining <= TimeSpan.Zero || !Monitor.Wait(_gate, remaining))
                        {
                            _flusherIdle = false;
                            break;
                        }
                    }
                    else if (_noSpace)
                    {
                        // Out of room: wake every second to try the spare again, even with nothing to write.
                        if (!Monitor.Wait(_gate, SpareRetryInterval))
                        {
                            break;
                        }
                    }
                    else
                    {
                        Monitor.Wait(_gate);
                    }
                }

                _flusherIdle = false;
                _groupReleased = false;
                batch.AddRange(_sealed);
                _sealed.Clear();
                if (_active is not null && !_active.IsEmpty)
                {
                    batch.Add(_active);
                    _active = NewBuffer(_active.Segment, _active.Offset + _active.Length);
                }

                if (batch.Count == 0 && _closing)
                {
                    return;
                }
            }

            if (batch.Count == 0)
            {
                // Woken to retry the spare, or the interval has passed over writes left unsynced: sync them now, since
                // no later batch may come to carry them.
                if (unsynced is not null && interval > TimeSpan.Zero && Stopwatch.GetElapsedTime(lastSync) >= interval)
                {
                    try
                    {
                        Sync(unsynced);
                    }
                    catch (Exception ex)
                    {
                        Fail(ex, batch);
                        return;
                    }

                    unsynced = null;
                    lastSync = Stopwatch.GetTimestamp();
                }

                continue;
            }

            try
            {
                var forceSync = false;
                foreach (var buffer in batch)
                {
                    var segment = buffer.Segment;
                    forceSync |= buffer.SyncWaiters.Count > 0;
                    if (buffer.Length > 0)
                    {
                        // A segment that appends have left is synced before any later segment's data is written, in
                        // every mode, also when an earlier round wrote its last batch (interval and none modes leave
                        // it unsynced): recovery refuses damage in a sealed segment.
                        if (unsynced is not null && unsynced != segment)
                        {
                            Sync(unsynced);
                            unsynced = null;
                        }

                        if (segment.File is null)
                        {
                            TrimPrevious(segment);
                            segment.File = _device.CreateSegment(segment.Base);
                            Interlocked.Decrement(ref _pendingCreates);
                        }

                        segment.File.Write(buffer.Offset, buffer.Data.AsSpan(0, buffer.Length));
                        segment.WrittenEnd = segment.Base + buffer.Offset + buffer.Length;
                        unsynced = segment;
                    }
                }

                if (unsynced is not null && (forceSync || _mode == DurabilityMode.Fsync
                    || (interval > TimeSpan.Zero && Stopwatch.GetElapsedTime(lastSync) >= interval)))
                {
                    Sync(unsynced);
                    unsynced = null;
                    lastSync = Stopwatch.GetTimestamp();
                }

                Interlocked.Increment(ref _batches);
                foreach (var buffer in batch)
                {
                    if (buffer.Waiters.Count > 0)
                    {
                        Volatile.Write(ref _durable, buffer.Waiters[^1].Ref.Position + RecordHeader.AlignedSize(buffer.Waiters[^1].Ref.Length));
                    }

                    // Each waiter's continuation runs here, in turn: typically it writes its reply to a socket. A
                    // pool thread per continuation would cost a wake-up each and spread a batch over threads that
                    // spin for work; run here, replies leave in one pass while the next batch gathers, and a busier
                    // flusher syncs fewer, larger batches.
                    foreach (var waiter in buffer.Waiters)
                    {
                        waiter.Complete();
                    }

                    foreach (var tcs in buffer.SyncWaiters)
                    {
                        tcs.TrySetResult();
                    }

                    _buffers.Return(buffer.Data);
                }
            }
            catch (Exception ex)
            {
                Fail(ex, batch);
                return;
            }
            finally
            {
                batch.Clear();
            }
        }
    }

    private void Sync(Segment segment)
    {
        var written = Volatile.Read(ref segment.WrittenEnd) - segment.Base;
        segment.File!.Sync();
        Volatile.Write(ref segment.SyncedOffset, written);
        Interlocked.Increment(ref _syncs);
    }

    /// <summary>A write or fsync failed: after a failed fsync the kernel may have dropped the dirty pages, so no
    /// later fsync can prove them durable. The journal stops: every waiter fails and no append is accepted.</summary>
    private void Fail(Exception ex, List<PendingBuffer> batch)
    {
        var error = new JournalUnavailableException($"Journal storage failed in '{_device.Location}': {ex.Message}", ex);
        List<PendingBuffer> pending;
        lock (_gate)
        {
            _fatal = error;
            pending = [.. batch, .. _sealed];
            _sealed.Clear();
            if (_active is not null)
            {
                pending.Add(_active);
                _active = null;
            }
        }

        // The owner hears of it before any appender does. Failed appenders may react by shutting things down, so their
        // continuations run on the pool, not here.
        _options.OnFatal?.Invoke(error);
        ThreadPool.UnsafeQueueUserWorkItem(
            static state =>
            {
                var (pending, error) = state;
                foreach (var buffer in pending)
                {
                    foreach (var waiter in buffer.Waiters)
                    {
                        waiter.Fail(error);
                    }

                    foreach (var tcs in buffer.SyncWaiters)
                    {
                        tcs.TrySetException(error);
                    }
                }
            },
            (pending, error),
            preferLocal: false);
    }
}

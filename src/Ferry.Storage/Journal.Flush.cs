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

    /// <summary>
    /// Whether a batch is being written, synced and completed. Whoever sets it (the flusher, or a loop closing the last
    /// group with <see cref="EndGroup(bool)"/>) owns the device and <see cref="_unsynced"/> until it clears it, so
    /// batches are written one after another, each once the one before is synced. Guarded by <see cref="_gate"/>.
    /// </summary>
    private bool _committing;

    /// <summary>Whether a commit is under way (for tests: a close finding one hands its batch to the flusher).</summary>
    internal bool Committing
    {
        get
        {
            lock (_gate)
            {
                return _committing;
            }
        }
    }

    /// <summary>Set when the device needs the flusher's care (a spare to allocate) after a commit made elsewhere.</summary>
    private bool _maintenanceDue = true;

    /// <summary>The segment written last and not synced yet, and when the last sync was; owned by the commit's holder.</summary>
    private Segment? _unsynced;
    private long _lastSync = Stopwatch.GetTimestamp();

    /// <summary>The batch list of a commit made by <see cref="EndGroup(bool)"/>; owned by the commit's holder.</summary>
    private readonly List<PendingBuffer> _groupBatch = [];

    private TimeSpan Interval => _mode == DurabilityMode.Interval ? TimeSpan.FromMilliseconds(_options.Durability.IntervalMilliseconds) : TimeSpan.Zero;

    /// <summary>Whether something buffered may be taken: not while an open group holds it. Caller holds <see cref="_gate"/>.</summary>
    private bool HasReleasedBatch =>
        (_sealed.Count > 0 || _active is { IsEmpty: false }) && (_groups == 0 || _groupReleased);

    /// <summary>Moves every buffered batch to <paramref name="batch"/>. Caller holds <see cref="_gate"/>.</summary>
    private void TakeBatch(List<PendingBuffer> batch)
    {
        _groupReleased = false;
        batch.AddRange(_sealed);
        _sealed.Clear();
        if (_active is not null && !_active.IsEmpty)
        {
            batch.Add(_active);
            _active = NewBuffer(_active.Segment, _active.Offset + _active.Length);
        }
    }

    /// <summary>The flusher: takes every buffered batch, writes it, syncs as the mode asks, completes its waiters.</summary>
    private void FlushLoop()
    {
        var batch = new List<PendingBuffer>();
        var interval = Interval;

        while (true)
        {
            lock (_gate)
            {
                // Due: the interval has passed over unsynced writes, or it is time to try the spare again.
                var due = false;
                while (_committing || (!due && !HasReleasedBatch && !_maintenanceDue && !_closing))
                {
                    if (_fatal is not null)
                    {
                        return; // a commit made by a group's close failed
                    }

                    _flusherIdle = true;
                    if (_committing)
                    {
                        Monitor.Wait(_gate);
                    }
                    else if (_unsynced is not null && interval > TimeSpan.Zero)
                    {
                        var remaining = interval - Stopwatch.GetElapsedTime(_lastSync);
                        due = remaining <= TimeSpan.Zero || !Monitor.Wait(_gate, remaining);
                    }
                    else if (_noSpace)
                    {
                        // Out of room: wake every second to try the spare again, even with nothing to write.
                        due = !Monitor.Wait(_gate, SpareRetryInterval);
                    }
                    else
                    {
                        Monitor.Wait(_gate);
                    }
                }

                _flusherIdle = false;
                if (_fatal is not null)
                {
                    return;
                }

                _committing = true;
                _maintenanceDue = false;
                if (HasReleasedBatch || _closing)
                {
                    TakeBatch(batch);
                }

                if (batch.Count == 0 && _closing)
                {
                    return;
                }
            }

            try
            {
                if (batch.Count > 0)
                {
                    Commit(batch);
                }
                else if (_unsynced is not null && interval > TimeSpan.Zero && Stopwatch.GetElapsedTime(_lastSync) >= interval)
                {
                    // The interval has passed over writes left unsynced and no later batch came to carry them.
                    SyncUnsynced();
                }

                MaintainSpare();
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

            lock (_gate)
            {
                _committing = false;
            }
        }
    }

    /// <summary>Commits the batch that <see cref="EndGroup(bool)"/> took on the closing thread, then hands the commit
    /// back: what others appended meanwhile, and the spare's allocation, are the flusher's.</summary>
    private void CommitGroupBatch()
    {
        var maintenanceDue = false;
        try
        {
            Commit(_groupBatch);
            if (_device.HasSpare)
            {
                MaybeFillSpare();
            }
            else
            {
                maintenanceDue = true;
            }
        }
        catch (Exception ex)
        {
            Fail(ex, _groupBatch);
            lock (_gate)
            {
                Monitor.PulseAll(_gate); // the flusher sees the failure and stops
            }

            return;
        }
        finally
        {
            _groupBatch.Clear();
        }

        lock (_gate)
        {
            _committing = false;
            _maintenanceDue |= maintenanceDue;
            if ((_maintenanceDue || HasReleasedBatch || _closing) && _flusherIdle)
            {
                // What others appended (or released) meanwhile, or the spare to allocate, is the flusher's.
                _flusherIdle = false;
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>Writes a batch, syncs as the mode asks and completes its waiters; by the commit's holder only.</summary>
    private void Commit(List<PendingBuffer> batch)
    {
        var forceSync = false;
        foreach (var buffer in batch)
        {
            var segment = buffer.Segment;
            forceSync |= buffer.SyncWaiters.Count > 0;
            if (buffer.Length > 0)
            {
                // A segment that appends have left is synced before any later segment's data is written, in every mode,
                // also when an earlier round wrote its last batch (interval and none modes leave it unsynced): recovery
                // refuses damage in a sealed segment.
                if (_unsynced is not null && _unsynced != segment)
                {
                    SyncUnsynced();
                }

                if (segment.File is null)
                {
                    TrimPrevious(segment);
                    segment.File = _device.CreateSegment(segment.Base);
                    Interlocked.Decrement(ref _pendingCreates);
                }

                segment.File.Write(buffer.Offset, buffer.Data.AsSpan(0, buffer.Length));
                segment.WrittenEnd = segment.Base + buffer.Offset + buffer.Length;
                _unsynced = segment;
            }
        }

        if (_unsynced is not null && (forceSync || _mode == DurabilityMode.Fsync
            || (_mode == DurabilityMode.Interval && Stopwatch.GetElapsedTime(_lastSync) >= Interval)))
        {
            SyncUnsynced();
        }

        Interlocked.Increment(ref _batches);
        foreach (var buffer in batch)
        {
            if (buffer.Waiters.Count > 0)
            {
                Volatile.Write(ref _durable, buffer.Waiters[^1].Ref.Position + RecordHeader.AlignedSize(buffer.Waiters[^1].Ref.Length));
            }

            // Each waiter's continuation runs here, in turn: typically it writes its reply to a socket. A pool thread
            // per continuation would cost a wake-up each and spread a batch over threads that spin for work; run here,
            // replies leave in one pass while the next batch gathers, and a busier flusher syncs fewer, larger batches.
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

    private void SyncUnsynced()
    {
        Sync(_unsynced!);
        _unsynced = null;
        _lastSync = Stopwatch.GetTimestamp();
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

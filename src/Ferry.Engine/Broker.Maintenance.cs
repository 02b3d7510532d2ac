namespace Ferry.Engine;

public sealed partial class Broker
{
    /// <summary>Takes a checkpoint now: a consistent snapshot of every resource, after which replay starts.</summary>
    /// <returns>The number of journal segments deleted.</returns>
    public async Task<int> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        Storage.JournalCheckpointMark mark;
        Func<Internal.PayloadWriter> capture;
        _checkpointGate.EnterWriteLock();
        try
        {
            mark = Journal.MarkCheckpoint();
            capture = CaptureSnapshot();
        }
        finally
        {
            _checkpointGate.ExitWriteLock();
        }

        using var snapshot = capture();
        var deleted = await Journal.WriteCheckpointAsync(mark, snapshot.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _lastSnapshotBytes = snapshot.Length;
        _lastCheckpointTail = mark.Position;
        _lastCheckpointAt = Time.GetUtcNow().ToUnixTimeMilliseconds();
        return deleted;
    }

    /// <summary>A checkpoint writes the whole state, so it waits for the journal to grow by this many times the last
    /// snapshot's size: a large state (a stream holding millions of records) is not rewritten for every
    /// <see cref="BrokerOptions.CheckpointEveryBytes"/> of appends, which would double what the disk writes.</summary>
    internal const int CheckpointGrowthPerSnapshotByte = 4;

    /// <summary>The size of the last checkpoint's snapshot (read at open or written since).</summary>
    private long _lastSnapshotBytes;

    internal long LastSnapshotBytes => _lastSnapshotBytes;

    /// <summary>The journal's tail when the last checkpoint was marked (or where replay started).</summary>
    internal long LastCheckpointTail => _lastCheckpointTail;

    /// <summary>How much the journal grows before the next checkpoint (short of its interval).</summary>
    internal long CheckpointThreshold => Math.Max(Options.CheckpointEveryBytes, CheckpointGrowthPerSnapshotByte * _lastSnapshotBytes);

    /// <summary>One round of maintenance: retention, deduplication windows, and a checkpoint with compaction when the
    /// journal grew enough.</summary>
    public async Task MaintainOnceAsync(CancellationToken cancellationToken = default)
    {
        List<Queues.Queue> queues;
        lock (_catalogGate)
        {
            queues = [.. _queuesById.Values];
        }

        foreach (var q in queues)
        {
            q.ExpireMessages();
        }

        foreach (var module in _modules)
        {
            await module.MaintainAsync(cancellationToken).ConfigureAwait(false);
        }

        CompactHeapIfGrown();
        var tail = Journal.Tail;
        var grown = tail - _lastCheckpointTail;
        var age = Time.GetUtcNow().ToUnixTimeMilliseconds() - _lastCheckpointAt;
        if (grown >= CheckpointThreshold || (grown > 0 && age >= Options.CheckpointInterval.TotalMilliseconds))
        {
            await CheckpointAsync(cancellationToken).ConfigureAwait(false);
            if (await Journal.CompactAsync(this, Options.CompactBelowLiveFraction, cancellationToken).ConfigureAwait(false) > 0)
            {
                // The moved records' old segments go with the next checkpoint.
                await CheckpointAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A full compacting collection pauses about a millisecond per few megabytes of live heap: at most one
    /// every 10 seconds.</summary>
    private static readonly TimeSpan HeapCompactionInterval = TimeSpan.FromSeconds(10);

    /// <summary>Growth below this is not worth a pause. Under steady load the server collector keeps about 100–150 MiB
    /// more committed than a few tens of MiB live (its young-generation budgets), and takes it back within a second of
    /// a compaction: with 64 MiB here, sns-fanout paid an 18–45 ms blocking collection every 10 seconds for nothing.</summary>
    private const long HeapGrowthAllowance = 256L << 20;

    /// <summary>Allocation between two maintenance rounds below which the process counts as idle.</summary>
    private const long IdleAllocationBytes = 16L << 20;

    /// <summary>At rest, slack above a quarter of the live heap (plus this) is given back.</summary>
    private const long IdleSlackAllowance = 32L << 20;

    private long _lastHeapCompaction;
    private long _liveHeapAfterCompaction;
    private long _allocatedAtLastRound;

    /// <summary>
    /// Queued messages stay for a long time, while request objects that waited for an fsync die in the oldest
    /// generation; with plenty of free memory the GC leaves them there, and a queue of a million messages would
    /// hold several times its live heap in committed memory. When the committed heap has grown past twice what the
    /// last full collection kept, or when a burst is over (the process is idle) and more than a quarter of the heap
    /// is slack, a compacting full collection gives the memory back.
    /// </summary>
    private void CompactHeapIfGrown()
    {
        var now = Time.GetTimestamp();
        if (_lastHeapCompaction != 0 && Time.GetElapsedTime(_lastHeapCompaction, now) < HeapCompactionInterval)
        {
            return;
        }

        var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var allocated = GC.GetTotalAllocatedBytes();
        var idle = allocated - _allocatedAtLastRound < IdleAllocationBytes;
        _allocatedAtLastRound = allocated;
        var grown = committed > (2 * _liveHeapAfterCompaction) + HeapGrowthAllowance;
        var slackAtRest = idle && committed > _liveHeapAfterCompaction + (_liveHeapAfterCompaction / 4) + IdleSlackAllowance;
        if (grown || slackAtRest)
        {
            _lastHeapCompaction = now;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            _liveHeapAfterCompaction = GC.GetGCMemoryInfo().HeapSizeBytes;
        }
    }

    private long _maintenanceFailures;
    private string? _lastMaintenanceFailure;

    /// <summary>Maintenance rounds that failed since the broker opened (each is retried at the next interval).</summary>
    public long MaintenanceFailures => Interlocked.Read(ref _maintenanceFailures);

    /// <summary>The type and message of the last failed maintenance round's exception, if any failed.</summary>
    public string? LastMaintenanceFailure => Volatile.Read(ref _lastMaintenanceFailure);

    private async Task MaintainAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Options.MaintenanceInterval, Time, token).ConfigureAwait(false);
                await MaintainOnceAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Storage.JournalUnavailableException)
            {
                return;
            }
            catch (Exception e)
            {
                // A round that fails (a checkpoint on a full disk, say) is retried at the next interval: ending the
                // loop would stop checkpoints, compaction and retention for the rest of the process's life.
                Interlocked.Increment(ref _maintenanceFailures);
                Volatile.Write(ref _lastMaintenanceFailure, $"{e.GetType().Name}: {e.Message}");
                Options.MaintenanceFailed?.Invoke(e);
            }
        }
    }
}

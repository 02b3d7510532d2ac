namespace Ferry.Engine;

public sealed partial class Broker
{
    /// <summary>Takes a checkpoint now: a consistent snapshot of every resource, after which replay starts.</summary>
    /// <returns>The number of journal segments deleted.</returns>
    public async Task<int> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        Storage.JournalCheckpointMark mark;
        byte[] snapshot;
        _checkpointGate.EnterWriteLock();
        try
        {
            mark = Journal.MarkCheckpoint();
            snapshot = WriteSnapshot();
        }
        finally
        {
            _checkpointGate.ExitWriteLock();
        }

        var deleted = await Journal.WriteCheckpointAsync(mark, snapshot, cancellationToken).ConfigureAwait(false);
        _lastCheckpointTail = mark.Position;
        _lastCheckpointAt = Time.GetUtcNow().ToUnixTimeMilliseconds();
        return deleted;
    }

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

        var tail = Journal.Tail;
        var grown = tail - _lastCheckpointTail;
        var age = Time.GetUtcNow().ToUnixTimeMilliseconds() - _lastCheckpointAt;
        if (grown >= Options.CheckpointEveryBytes || (grown > 0 && age >= Options.CheckpointInterval.TotalMilliseconds))
        {
            await CheckpointAsync(cancellationToken).ConfigureAwait(false);
            if (await Journal.CompactAsync(this, Options.CompactBelowLiveFraction, cancellationToken).ConfigureAwait(false) > 0)
            {
                // The moved records' old segments go with the next checkpoint.
                await CheckpointAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

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
        }
    }
}

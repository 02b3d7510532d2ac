using System.Runtime.CompilerServices;
using Ferry.Storage;

namespace Ferry.Engine.Queues;

public sealed partial class Queue
{
    /// <summary>SQS allows one PurgeQueue per queue every 60 seconds.</summary>
    private const long PurgeIntervalMilliseconds = 60_000;

    /// <summary>Deletes the message a receipt handle names; completes when the deletion is durable. A stale handle
    /// (the message was received again since) succeeds without deleting, as SQS documents.</summary>
    /// <exception cref="EngineException">ReceiptHandleIsInvalid when the handle is not one of this queue's.</exception>
    public async Task DeleteAsync(string receiptHandle)
    {
        var outcome = DeleteBatch([receiptHandle]);
        if (outcome.Errors[0] is { } error)
        {
            throw error;
        }

        await outcome.Durable.ConfigureAwait(false);
    }

    /// <summary>Deletes several messages with one journal record; per-handle errors in the result.</summary>
    public async Task<EngineException?[]> DeleteBatchAsync(IReadOnlyList<string> receiptHandles)
    {
        var outcome = DeleteBatch(receiptHandles);
        await outcome.Durable.ConfigureAwait(false);
        return outcome.Errors;
    }

    private (EngineException?[] Errors, ValueTask<RecordRef> Durable) DeleteBatch(IReadOnlyList<string> receiptHandles)
    {
        var errors = new EngineException?[receiptHandles.Count];
        var deleted = new List<long>(receiptHandles.Count);
        var gone = false;
        _broker.EnterWrite();
        try
        {
            lock (Gate)
            {
                ThrowIfDeleted();
                for (var i = 0; i < receiptHandles.Count; i++)
                {
                    if (!ReceiptHandle.TryParse(receiptHandles[i], out var queueId, out var seq, out var receiveCount) || queueId != Id)
                    {
                        errors[i] = InvalidHandle(receiptHandles[i]);
                        continue;
                    }

                    ref var entry = ref _messages.Find(seq);
                    if (Unsafe.IsNullRef(ref entry))
                    {
                        gone = true;
                    }
                    else if (entry.ReceiveCount == receiveCount && entry.State is MessageState.InFlight or MessageState.Ready)
                    {
                        Uncount(ref entry);
                        Remove(ref entry);
                        deleted.Add(seq);
                    }
                }

                if (deleted.Count == 0)
                {
                    // A message already gone may have been deleted by a record not durable yet (a repeated delete):
                    // answer no sooner than that record is.
                    var flushed = gone ? FlushedAsync() : default;
                    return (errors, flushed);
                }

                var durable = AppendSeqs(RecordType.MessagesDeleted, deleted);
                return (errors, durable);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }
    }

    private ValueTask<RecordRef> AppendSeqs(RecordType type, List<long> seqs)
    {
        using var payload = new Internal.PayloadWriter(8 + (seqs.Count * 8));
        payload.I32(seqs.Count);
        foreach (var seq in seqs)
        {
            payload.I64(seq);
        }

        var durable = Journal.AppendAsync((ushort)type, Id, payload.WrittenSpan, out var record);
        Journal.Release(record);
        return durable;
    }

    private static EngineException InvalidHandle(string handle) =>
        new(EngineError.ReceiptHandleIsInvalid, $"The input receipt handle \"{handle}\" is not a valid receipt handle.");

    /// <summary>Takes an entry out of the counter of its current state. Caller holds <see cref="Gate"/>.</summary>
    private void Uncount(ref MessageEntry entry)
    {
        switch (entry.State)
        {
            case MessageState.Ready:
                _ready--;
                break;
            case MessageState.InFlight:
                _inFlight--;
                if (entry.Group is not null)
                {
                    entry.Group.InFlight--;
                }

                break;
            case MessageState.Delayed:
                _delayed--;
                break;
            default:
                break;
        }
    }

    /// <summary>Changes the visibility timeout of an in-flight message, counted from now.</summary>
    public async Task ChangeVisibilityAsync(string receiptHandle, int seconds)
    {
        var (errors, durable) = ChangeVisibilityBatch([(receiptHandle, seconds)]);
        if (errors[0] is { } error)
        {
            throw error;
        }

        await durable.ConfigureAwait(false);
    }

    /// <summary>Changes several visibility timeouts with one journal record; per-entry errors in the result.</summary>
    public async Task<EngineException?[]> ChangeVisibilityBatchAsync(IReadOnlyList<(string ReceiptHandle, int Seconds)> changes)
    {
        var (errors, durable) = ChangeVisibilityBatch(changes);
        await durable.ConfigureAwait(false);
        return errors;
    }

    private (EngineException?[] Errors, ValueTask<RecordRef> Durable) ChangeVisibilityBatch(IReadOnlyList<(string ReceiptHandle, int Seconds)> changes)
    {
        var errors = new EngineException?[changes.Count];
        var changed = new List<(long Seq, long VisibleAt)>();
        var now = Now;
        List<TaskCompletionSource>? woken = null;
        _broker.EnterWrite();
        try
        {
            lock (Gate)
            {
                ThrowIfDeleted();
                PromoteDue(now);
                for (var i = 0; i < changes.Count; i++)
                {
                    var (handle, seconds) = changes[i];
                    if (!ReceiptHandle.TryParse(handle, out var queueId, out var seq, out var receiveCount) || queueId != Id)
                    {
                        errors[i] = InvalidHandle(handle);
                        continue;
                    }

                    ref var entry = ref _messages.Find(seq);
                    if (Unsafe.IsNullRef(ref entry) || entry.ReceiveCount != receiveCount)
                    {
                        errors[i] = new EngineException(EngineError.InvalidParameterValue,
                            $"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.");
                        continue;
                    }

                    if (entry.State != MessageState.InFlight)
                    {
                        errors[i] = new EngineException(EngineError.MessageNotInflight, "Message not inflight.");
                        continue;
                    }

                    entry.VisibleAt = now + (seconds * 1000L);
                    _timed.Enqueue(seq, entry.VisibleAt);
                    changed.Add((seq, entry.VisibleAt));
                }

                if (changed.Count == 0)
                {
                    return (errors, default);
                }

                using var payload = new Internal.PayloadWriter(8 + (changed.Count * 16));
                payload.I32(changed.Count);
                foreach (var (seq, visibleAt) in changed)
                {
                    payload.I64(seq);
                    payload.I64(visibleAt);
                }

                var durable = Journal.AppendAsync((ushort)RecordType.VisibilityChanged, Id, payload.WrittenSpan, out var record);
                Journal.Release(record);
                var promoted = PromoteDue(now);
                woken = TakeWaiters(promoted);
                ArmTimer();
                return (errors, durable);
            }
        }
        finally
        {
            _broker.ExitWrite();
            Wake(woken);
        }
    }

    /// <summary>Deletes every message in the queue (in flight or not); at most once every 60 seconds.</summary>
    public async Task PurgeAsync()
    {
        ValueTask<RecordRef> durable;
        var now = Now;
        _broker.EnterWrite();
        try
        {
            lock (Gate)
            {
                ThrowIfDeleted();
                if (_lastPurgeAt != long.MinValue && now - _lastPurgeAt < PurgeIntervalMilliseconds)
                {
                    throw new EngineException(EngineError.PurgeQueueInProgress,
                        $"Only one PurgeQueue operation on {Name} is allowed every 60 seconds.");
                }

                _lastPurgeAt = now;
                using var payload = new Internal.PayloadWriter(16);
                payload.I64(_nextSeq);
                payload.I64(now);
                durable = Journal.AppendAsync((ushort)RecordType.QueuePurged, Id, payload.WrittenSpan, out var record);
                Journal.Release(record);
                RemoveUpTo(_nextSeq);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    /// <summary>Removes every message with a sequence number up to <paramref name="seq"/>. Caller holds <see cref="Gate"/>.</summary>
    private void RemoveUpTo(long seq)
    {
        foreach (var s in _messages.SeqsInOrder(upTo: seq))
        {
            ref var entry = ref _messages.Find(s);
            if (Unsafe.IsNullRef(ref entry) || entry.State == MessageState.Moving)
            {
                continue;
            }

            Uncount(ref entry);
            if (entry.State == MessageState.Pending)
            {
                // Its send is not acknowledged yet; the purge still removes it (its commit will not find it).
                _messages.Remove(s, out var removed);
                ReleaseRecords(removed);
                continue;
            }

            Remove(ref entry);
        }
    }

    /// <summary>Drops messages older than the retention period. Called periodically; expiry is not journaled because
    /// replay derives it from the same clock.</summary>
    internal int ExpireMessages()
    {
        var expired = 0;
        var now = Now;
        _broker.EnterWrite(background: true);
        try
        {
            lock (Gate)
            {
                PromoteDue(now);
                ExpireDedup(now);
                var retention = Settings.MessageRetentionPeriodSeconds * 1000L;
                var old = new List<long>();
                foreach (ref var e in _messages)
                {
                    if (now - e.SentAt < retention || e.State is MessageState.Pending or MessageState.Moving)
                    {
                        break;
                    }

                    old.Add(e.Seq);
                }

                foreach (var seq in old)
                {
                    ref var entry = ref _messages.Find(seq);
                    Uncount(ref entry);
                    Remove(ref entry);
                    expired++;
                }
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        return expired;
    }

    /// <summary>The message set aside for the dead-letter queue stays; it goes back to ready.</summary>
    internal void ReturnMoving(long seq)
    {
        List<TaskCompletionSource>? woken = null;
        lock (Gate)
        {
            ref var entry = ref _messages.Find(seq);
            if (!Unsafe.IsNullRef(ref entry) && entry.State == MessageState.Moving)
            {
                MakeReady(ref entry);
                woken = TakeWaiters(1);
            }
        }

        Wake(woken);
    }

    /// <summary>A message set aside to move, as it is now; null when it is no longer in the queue.</summary>
    internal MovingMessage? FindMoving(long seq)
    {
        lock (Gate)
        {
            ref var entry = ref _messages.Find(seq);
            return Unsafe.IsNullRef(ref entry) || entry.State != MessageState.Moving
                ? null
                : new MovingMessage(seq, entry.Body, entry.Shared, entry.ReceiveCount, entry.FirstReceiveAt);
        }
    }

    /// <summary>The message now lives in another queue: delete it here, durably.</summary>
    internal ValueTask<RecordRef> CompleteMove(long seq)
    {
        _broker.EnterWrite(background: true);
        try
        {
            lock (Gate)
            {
                ref var entry = ref _messages.Find(seq);
                if (Unsafe.IsNullRef(ref entry) || entry.State != MessageState.Moving || IsDeleted)
                {
                    return default;
                }

                Remove(ref entry);
                return AppendSeqs(RecordType.MessagesDeleted, [seq]);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }
    }

    /// <summary>Takes up to <paramref name="max"/> ready messages to move elsewhere (a message move task).</summary>
    internal List<long> TakeForMove(int max)
    {
        var taken = new List<long>();
        lock (Gate)
        {
            PromoteDue(Now);
            foreach (ref var entry in _messages)
            {
                if (taken.Count >= max)
                {
                    break;
                }

                if (entry.State == MessageState.Ready)
                {
                    _ready--;
                    entry.State = MessageState.Moving;
                    taken.Add(entry.Seq);
                }
            }
        }

        return taken;
    }

    /// <summary>How many messages a move task would move now.</summary>
    internal long MovableCount()
    {
        lock (Gate)
        {
            PromoteDue(Now);
            return _ready + _inFlight + _delayed;
        }
    }
}

/// <summary>A message set aside to move to another queue, as it was when looked up.</summary>
internal readonly record struct MovingMessage(long Seq, RecordRef Body, SharedBody? Shared, int ReceiveCount, long FirstReceiveAt);

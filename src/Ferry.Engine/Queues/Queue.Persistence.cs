using System.Runtime.CompilerServices;
using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.Queues;

public sealed partial class Queue
{
    private static void WriteMessage(PayloadWriter payload, long seq, Guid messageId, long sentAt, long visibleAt, SendRequest request, string? dedupId, MovedMessage? moved,
        SharedBody? shared) =>
        StoredMessage.Write(payload, seq, messageId, sentAt, visibleAt, request, dedupId, moved, shared);

    /// <summary>Releases a message's record, and its reference to the body it shares with other messages.</summary>
    private void ReleaseRecords(in MessageEntry entry)
    {
        Journal.Release(entry.Body);
        if (entry.Shared is { } shared)
        {
            _broker.SharedBodies.Release(shared);
        }
    }

    /// <summary>Writes the queue's message state into a checkpoint snapshot. Caller holds the checkpoint gate
    /// exclusively, so no operation is between its state change and its append.</summary>
    internal void WriteSnapshot(PayloadWriter w) => CaptureSnapshot()(w);

    /// <summary>
    /// Captures the queue's message state for a checkpoint: the caller holds the checkpoint gate exclusively, so no
    /// operation is between its state change and its append. Copies the entries' fields (a few nanoseconds per
    /// message, in small arrays: see <see cref="CaptureList{T}"/>), and returns what serializes them, which the caller runs after writes resume: a backlog of millions
    /// of messages does not hold every writer off while it is encoded.
    /// </summary>
    internal Action<PayloadWriter> CaptureSnapshot()
    {
        lock (Gate)
        {
            var nextSeq = _nextSeq;
            var lastPurgeAt = _lastPurgeAt;
            var entries = new CaptureList<EntrySnapshot>();
            foreach (ref var e in _messages)
            {
                entries.Add(new EntrySnapshot(e.Seq, e.Body, e.SentAt, e.VisibleAt, e.FirstReceiveAt, e.ReceiveCount, e.Priority, e.Group?.Id, e.Shared?.Id ?? 0));
            }

            var dedup = new CaptureList<KeyValuePair<string, DedupEntry>>();
            foreach (var d in _dedup)
            {
                dedup.Add(d);
            }

            return w =>
            {
                w.I64(nextSeq);
                w.I64(lastPurgeAt);
                w.I32(entries.Count);
                foreach (var e in entries.Items())
                {
                    w.I64(e.Seq);
                    w.I64(e.Body.Position);
                    w.I32(e.Body.Length);
                    w.I64(e.SentAt);
                    w.I64(e.VisibleAt);
                    w.I64(e.FirstReceiveAt);
                    w.I32(e.ReceiveCount);
                    w.U8(e.Priority);
                    w.String(e.Group);
                    w.I64(e.SharedBodyId);
                }

                w.I32(dedup.Count);
                foreach (var (key, d) in dedup.Items())
                {
                    w.String(key);
                    w.Guid(d.MessageId);
                    w.I64(d.Seq);
                    w.I64(d.ExpiresAt);
                }
            };
        }
    }

    /// <summary>A message's state as a checkpoint captured it.</summary>
    private readonly record struct EntrySnapshot(long Seq, RecordRef Body, long SentAt, long VisibleAt, long FirstReceiveAt, int ReceiveCount, byte Priority,
        string? Group, long SharedBodyId);

    /// <param name="r">The snapshot.</param>
    /// <param name="withSharedBodies">Whether the snapshot's messages name their shared bodies (version 2 on).</param>
    internal void ReadSnapshot(ref PayloadReader r, bool withSharedBodies)
    {
        _nextSeq = r.I64();
        _lastPurgeAt = r.I64();
        var count = r.I32();
        for (var i = 0; i < count; i++)
        {
            ref var entry = ref _messages.Add(r.I64());
            entry.Body = new RecordRef(r.I64(), r.I32());
            entry.SentAt = r.I64();
            entry.VisibleAt = r.I64();
            entry.FirstReceiveAt = r.I64();
            entry.ReceiveCount = r.I32();
            entry.Priority = r.U8();
            entry.State = MessageState.Pending;
            var group = r.String();
            if (group is not null)
            {
                entry.Group = Group(group);
                entry.Group.Messages.PushBack(entry.Seq);
            }

            if (withSharedBodies && r.I64() is var sharedId and not 0)
            {
                entry.Shared = _broker.SharedBodies.Find(sharedId);
                SharedBodies.AddReference(entry.Shared);
            }
        }

        var dedups = r.I32();
        for (var i = 0; i < dedups; i++)
        {
            RememberDedup(r.RequiredString(), r.Guid(), r.I64(), r.I64());
        }
    }

    /// <summary>Applies one of this queue's records during replay. Releases the record unless a message keeps it.</summary>
    internal void Replay(in JournalRecord record)
    {
        var payload = record.Payload.Span;
        switch ((RecordType)record.Type)
        {
            case RecordType.MessageSent:
                ReplaySent(record);
                return;
            case RecordType.MessagesReceived:
            {
                var r = new PayloadReader(payload);
                var n = r.I32();
                for (var i = 0; i < n; i++)
                {
                    var seq = r.I64();
                    var receiveCount = r.I32();
                    var visibleAt = r.I64();
                    var firstReceiveAt = r.I64();
                    ref var e = ref _messages.Find(seq);
                    if (!Unsafe.IsNullRef(ref e))
                    {
                        e.ReceiveCount = receiveCount;
                        e.VisibleAt = visibleAt;
                        e.FirstReceiveAt = firstReceiveAt;
                    }
                }

                break;
            }

            case RecordType.MessagesDeleted:
            {
                var r = new PayloadReader(payload);
                var n = r.I32();
                for (var i = 0; i < n; i++)
                {
                    if (_messages.Remove(r.I64(), out var e))
                    {
                        ReleaseRecords(e);
                    }
                }

                break;
            }

            case RecordType.VisibilityChanged:
            {
                var r = new PayloadReader(payload);
                var n = r.I32();
                for (var i = 0; i < n; i++)
                {
                    var seq = r.I64();
                    var visibleAt = r.I64();
                    ref var e = ref _messages.Find(seq);
                    if (!Unsafe.IsNullRef(ref e))
                    {
                        e.VisibleAt = visibleAt;
                    }
                }

                break;
            }

            case RecordType.QueuePurged:
            {
                var r = new PayloadReader(payload);
                var upTo = r.I64();
                _lastPurgeAt = r.I64();
                foreach (var seq in _messages.SeqsInOrder(upTo))
                {
                    _messages.Remove(seq, out var e);
                    ReleaseRecords(e);
                }

                break;
            }

            default:
                throw new InvalidDataException($"Record type {record.Type} at position {record.Ref.Position} is not a queue record.");
        }

        Journal.Release(record.Ref);
    }

    private void ReplaySent(in JournalRecord record)
    {
        var stored = StoredMessage.Read(record.Payload.Span);
        ref var existing = ref _messages.Find(stored.Seq);
        if (!Unsafe.IsNullRef(ref existing))
        {
            // A copy made by compaction: it supersedes the original.
            Journal.ReplayAgain(ref existing.Body, record);
            return;
        }

        if (stored.Seq <= _nextSeq && record.IsRelocated)
        {
            // The copy of a message deleted before the copy's position was replayed.
            Journal.Release(record.Ref);
            return;
        }

        ref var entry = ref _messages.Add(stored.Seq);
        entry.Body = record.Ref;
        entry.SentAt = stored.SentAt;
        entry.VisibleAt = stored.VisibleAt;
        entry.Priority = stored.Priority;
        entry.ReceiveCount = stored.ReceiveCount;
        entry.FirstReceiveAt = stored.FirstReceiveAt;
        entry.State = MessageState.Pending;
        if (stored.SharedBodyId != 0)
        {
            entry.Shared = _broker.SharedBodies.Find(stored.SharedBodyId);
            SharedBodies.AddReference(entry.Shared);
        }

        _nextSeq = Math.Max(_nextSeq, stored.Seq);
        if (IsFifo && stored.GroupId is not null)
        {
            entry.Group = Group(stored.GroupId);
            entry.Group.Messages.PushBack(stored.Seq);
            if (stored.DeduplicationId is not null && stored.SourceArn is null)
            {
                var key = Settings.DeduplicationScopeIsGroup ? stored.GroupId + "\n" + stored.DeduplicationId : stored.DeduplicationId;
                RememberDedup(key, stored.MessageId, stored.Seq, stored.SentAt + (long)DeduplicationWindow.TotalMilliseconds);
            }
        }
    }

    /// <summary>After restore and replay: places every message by its visibility time, in sequence order.</summary>
    internal void FinishRecovery()
    {
        var now = Now;
        foreach (var group in _groups.Values.ToList())
        {
            var members = new List<long>();
            while (group.Messages.Count > 0)
            {
                var seq = group.Messages.PopFront();
                if (_messages.Contains(seq))
                {
                    members.Add(seq);
                }
            }

            members.Sort();
            foreach (var seq in members)
            {
                group.Messages.PushBack(seq);
            }
        }

        foreach (ref var e in _messages)
        {
            Place(ref e, now);
        }

        ExpireDedup(now);
    }

    /// <summary>Compaction asks: does this queue still reference <paramref name="record"/>?</summary>
    internal bool References(in JournalRecord record)
    {
        var seq = StoredMessage.ReadSeq(record.Payload.Span);
        lock (Gate)
        {
            ref var e = ref _messages.Find(seq);
            return !Unsafe.IsNullRef(ref e) && e.Body == record.Ref;
        }
    }

    internal bool Relocate(in JournalRecord record, RecordRef newRef)
    {
        var seq = StoredMessage.ReadSeq(record.Payload.Span);
        lock (Gate)
        {
            ref var e = ref _messages.Find(seq);
            if (!Unsafe.IsNullRef(ref e) && e.Body == record.Ref)
            {
                e.Body = newRef;
                return true;
            }

            return false;
        }
    }

    /// <summary>Releases every message's record (the queue was deleted).</summary>
    internal void ReleaseAll()
    {
        List<TaskCompletionSource>? woken;
        lock (Gate)
        {
            // A message on its way elsewhere is released too: its move finds it gone and stops.
            foreach (ref var e in _messages)
            {
                ReleaseRecords(e);
            }

            _messages.Clear();
            _ready = _inFlight = _delayed = 0;
            woken = TakeWaiters(int.MaxValue);
            _timer?.Dispose();
        }

        Wake(woken);
    }
}

public sealed partial class Queue
{
    /// <summary>Ends every long poll (shutdown) and stops the timer.</summary>
    internal void ReleaseWaiters()
    {
        List<TaskCompletionSource>? woken;
        lock (Gate)
        {
            woken = TakeWaiters(int.MaxValue);
            _timer?.Dispose();
            _timer = null;
        }

        Wake(woken);
    }
}

using Ferry.Engine.Internal;
using Ferry.Engine.Queues;
using Ferry.Storage;

namespace Ferry.Engine;

public sealed partial class Broker
{
    private void Recover()
    {
        if (Journal.Checkpoint is { } snapshot)
        {
            ReadSnapshot(snapshot.Span);
            _lastSnapshotBytes = snapshot.Length;
            Journal.ReleaseCheckpoint();
        }

        foreach (var record in Journal.ReadFrom(Journal.ReplayPosition))
        {
            Replay(record);
        }

        foreach (var queue in _queuesById.Values)
        {
            queue.FinishRecovery();
        }

        SharedBodies.FinishRecovery();

        foreach (var module in _modules)
        {
            module.FinishRecovery();
        }

        _lastCheckpointTail = Journal.ReplayPosition;
        _lastCheckpointAt = Time.GetUtcNow().ToUnixTimeMilliseconds();
        ResumeMoveTasks();
    }

    private void Replay(in JournalRecord record)
    {
        if (ModuleOf(record.Type) is { } module)
        {
            module.Replay(record);
            return;
        }

        var type = (RecordType)record.Type;
        switch (type)
        {
            case RecordType.QueueCreated:
            {
                var r = new PayloadReader(record.Payload.Span);
                var id = r.U64();
                var name = r.RequiredString();
                var createdAt = r.I64();
                var attributes = r.StringMap() ?? [];
                var tags = r.StringMap() ?? [];
                if (!_queuesById.ContainsKey(id))
                {
                    var queue = new Queue(this, id, name, QueueSettings.FromStored(attributes), tags, createdAt);
                    _queuesById.Add(id, queue);
                    _queuesByName[name] = queue;
                }

                _nextQueueId = Math.Max(_nextQueueId, id + 1);
                break;
            }

            case RecordType.QueueUpdated:
            {
                var r = new PayloadReader(record.Payload.Span);
                if (_queuesById.TryGetValue(record.ResourceId, out var queue))
                {
                    queue.LastModifiedAt = r.I64();
                    queue.Settings = QueueSettings.FromStored(r.StringMap() ?? []);
                    queue.Tags = r.StringMap() ?? [];
                }

                break;
            }

            case RecordType.QueueDeleted:
                if (_queuesById.Remove(record.ResourceId, out var deleted))
                {
                    _queuesByName.Remove(deleted.Name);
                    deleted.IsDeleted = true;
                    deleted.ReleaseAll();
                }

                break;

            case RecordType.MoveTaskUpdated:
                ReplayMoveTask(record.Payload.Span);
                break;

            case RecordType.SharedBodyStored:
                SharedBodies.Replay(record);
                return;

            default:
                if (_queuesById.TryGetValue(record.ResourceId, out var owner))
                {
                    owner.Replay(record);
                }
                else
                {
                    // A record of a queue deleted later in the history.
                    Journal.Release(record.Ref);
                }

                return;
        }

        Journal.Release(record.Ref);
    }

    /// <summary>
    /// Captures the state for a checkpoint; called while every write is held off. Each part copies what may still
    /// change (queue messages' fields, shared bodies' positions; move tasks are written at once, being few) or keeps
    /// what never changes (<see cref="BrokerModule.CaptureSnapshot"/>), and the returned function, which the caller
    /// runs after writes resume, writes the whole snapshot from that. The caller disposes what it returns.
    /// </summary>
    private Func<PayloadWriter> CaptureSnapshot()
    {
        var nextQueueId = _nextQueueId;
        var sharedBodies = SharedBodies.CaptureSnapshot();
        List<Queue> queues;
        lock (_catalogGate)
        {
            queues = [.. _queuesById.Values];
        }

        var captured = queues.Select(q => (q.Id, q.Name, q.CreatedAt, q.LastModifiedAt, Attributes: new Dictionary<string, string>(q.Settings.Attributes),
            Tags: new Dictionary<string, string>(q.Tags), State: q.CaptureSnapshot())).ToList();
        var tasks = new PayloadWriter();
        WriteMoveTasks(tasks);
        var sections = _modules.Select(module => (module.Name, Write: module.CaptureSnapshot())).ToList();
        // Sized for the last snapshot and some growth: a snapshot of millions of messages or entries doubled its way up
        // from 64 KiB, which allocated about as much again in the buffers it outgrew.
        var capacity = (int)Math.Min(Array.MaxLength, Math.Max(1 << 16, _lastSnapshotBytes + (_lastSnapshotBytes / 8)));
        return () =>
        {
            var w = new PayloadWriter(capacity);
            w.U8(SnapshotVersion);
            w.U64(nextQueueId);
            sharedBodies(w);
            w.I32(captured.Count);
            foreach (var q in captured)
            {
                w.U64(q.Id);
                w.String(q.Name);
                w.I64(q.CreatedAt);
                w.I64(q.LastModifiedAt);
                w.StringMap(q.Attributes);
                w.StringMap(q.Tags);
                q.State(w);
            }

            w.Raw(tasks.WrittenSpan);
            tasks.Dispose();
            w.I32(_modules.Count);
            foreach (var (name, write) in sections)
            {
                w.String(name);
                var section = w.BeginBytes();
                write(w);
                w.EndBytes(section);
            }

            return w;
        };
    }

    private void ReadSnapshot(ReadOnlySpan<byte> snapshot)
    {
        var r = new PayloadReader(snapshot);
        var version = r.U8();
        if (version is not (1 or SnapshotVersion))
        {
            throw new InvalidDataException($"Checkpoint snapshot version {version} is not one this Ferry reads.");
        }

        _nextQueueId = r.U64();
        var withSharedBodies = version >= 2;
        if (withSharedBodies)
        {
            SharedBodies.ReadSnapshot(ref r);
        }
        var count = r.I32();
        for (var i = 0; i < count; i++)
        {
            var id = r.U64();
            var name = r.RequiredString();
            var createdAt = r.I64();
            var lastModified = r.I64();
            var attributes = r.StringMap() ?? [];
            var tags = r.StringMap() ?? [];
            var queue = new Queue(this, id, name, QueueSettings.FromStored(attributes), tags, createdAt) { LastModifiedAt = lastModified };
            queue.ReadSnapshot(ref r, withSharedBodies);
            _queuesById.Add(id, queue);
            _queuesByName.Add(name, queue);
        }

        ReadMoveTasks(ref r);
        var sections = r.I32();
        for (var i = 0; i < sections; i++)
        {
            var name = r.RequiredString();
            var bytes = r.BytesSpan();
            var module = _modules.FirstOrDefault(m => m.Name == name)
                ?? throw new InvalidDataException($"The checkpoint holds state of '{name}', which this Ferry does not know.");
            var section = new PayloadReader(bytes);
            module.ReadSnapshot(ref section);
        }
    }
}

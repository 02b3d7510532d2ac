using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.Topics;

public sealed partial class Topics
{
    private const byte SnapshotVersion = 1;

    /// <summary>Writes every topic, subscription and owed delivery; every write is held off meanwhile.</summary>
    internal void WriteSnapshot(PayloadWriter w)
    {
        w.U8(SnapshotVersion);
        lock (_gate)
        {
            w.U64(_nextId);
            w.I32(_byId.Count);
            foreach (var t in _byId.Values)
            {
                w.U64(t.Id);
                w.String(t.Name);
                w.I64(t.CreatedAt);
                w.StringMap(t.Attributes);
                w.StringMap(t.Tags);
                w.I64(t.SubscriptionsDeleted);
                lock (t.Gate)
                {
                    w.I64(t.NextSequence);
                    w.I32(t.Deduplication.Count);
                    foreach (var (key, (messageId, sequence, expiresAt)) in t.Deduplication)
                    {
                        w.String(key);
                        w.Guid(messageId);
                        w.I64(sequence);
                        w.I64(expiresAt);
                    }
                }

                w.I32(t.Subscriptions.Count);
                foreach (var s in t.Subscriptions)
                {
                    WriteSubscription(w, s);
                }
            }

            var owed = _pending.Where(p => _byId.ContainsKey(p.Value.Topic.Id)).ToList();
            w.I32(owed.Count);
            foreach (var (messageId, pending) in owed)
            {
                w.Guid(messageId);
                w.U64(pending.Topic.Id);
                w.I64(pending.Record.Position);
                w.I32(pending.Record.Length);
                w.I32(pending.Remaining.Count);
                foreach (var id in pending.Remaining)
                {
                    w.Guid(id);
                }
            }
        }
    }

    internal void ReadSnapshot(ref PayloadReader r)
    {
        var version = r.U8();
        if (version != SnapshotVersion)
        {
            throw new InvalidDataException($"The topics section of the checkpoint has version {version}, which this Ferry does not read.");
        }

        _nextId = r.U64();
        var topics = r.I32();
        for (var i = 0; i < topics; i++)
        {
            var id = r.U64();
            var name = r.RequiredString();
            var topic = new Topic(id, name, ArnPrefix + name, r.I64(), r.StringMap() ?? [], r.StringMap() ?? [])
            {
                SubscriptionsDeleted = r.I64(),
                NextSequence = r.I64(),
            };
            var dedup = r.I32();
            for (var d = 0; d < dedup; d++)
            {
                topic.Deduplication[r.RequiredString()] = (r.Guid(), r.I64(), r.I64());
            }

            var subscriptions = r.I32();
            for (var s = 0; s < subscriptions; s++)
            {
                AddReadSubscription(topic, ref r);
            }

            _byId.Add(id, topic);
            _byName.Add(name, topic);
        }

        var owed = r.I32();
        for (var i = 0; i < owed; i++)
        {
            var messageId = r.Guid();
            var topic = _byId[r.U64()];
            var record = new RecordRef(r.I64(), r.I32());
            var remaining = new HashSet<Guid>();
            var count = r.I32();
            for (var s = 0; s < count; s++)
            {
                remaining.Add(r.Guid());
            }

            _pending.Add(messageId, new PendingPublish(record, topic, remaining));
        }
    }

    /// <summary>Applies one record after the checkpoint; releases it unless it is a publish that still owes deliveries.</summary>
    internal void Replay(in JournalRecord record)
    {
        var r = new PayloadReader(record.Payload.Span);
        var topic = _byId.GetValueOrDefault(record.ResourceId);
        var keep = false;
        switch ((TopicRecordType)record.Type)
        {
            case TopicRecordType.TopicCreated:
            {
                var name = r.RequiredString();
                if (topic is null)
                {
                    topic = new Topic(record.ResourceId, name, ArnPrefix + name, r.I64(), r.StringMap() ?? [], r.StringMap() ?? []);
                    _byId.Add(topic.Id, topic);
                    _byName[name] = topic;
                }

                _nextId = Math.Max(_nextId, record.ResourceId + 1);
                break;
            }

            case TopicRecordType.TopicUpdated when topic is not null:
                topic.Attributes = r.StringMap() ?? [];
                topic.Tags = r.StringMap() ?? [];
                break;
            case TopicRecordType.TopicDeleted when topic is not null:
                RemoveTopic(topic);
                break;
            case TopicRecordType.SubscriptionCreated when topic is not null:
                AddReadSubscription(topic, ref r);
                break;
            case TopicRecordType.SubscriptionUpdated:
                if (_subscriptions.GetValueOrDefault(r.Guid()) is { } updated)
                {
                    updated.Attributes = r.StringMap() ?? [];
                    updated.Confirmed = r.Bool();
                    if (updated.Confirmed)
                    {
                        updated.Token = null;
                    }
                }

                break;
            case TopicRecordType.SubscriptionDeleted:
                if (_subscriptions.GetValueOrDefault(r.Guid()) is { } deleted)
                {
                    RemoveSubscription(deleted);
                }

                break;
            case TopicRecordType.MessagePublished when topic is not null:
            {
                var message = ReadMessage(ref r, out var sequence, out var dedupExpiresAt, out var pushes);
                if (sequence > 0)
                {
                    topic.NextSequence = Math.Max(topic.NextSequence, sequence + 1);
                    topic.Deduplication[message.DeduplicationId!] = (message.MessageId, sequence, dedupExpiresAt);
                }

                if (pushes.Length > 0 && !_pending.ContainsKey(message.MessageId))
                {
                    _pending.Add(message.MessageId, new PendingPublish(record.Ref, topic, [.. pushes]));
                    keep = true;
                }

                break;
            }

            case TopicRecordType.DeliveriesDone:
            {
                var messageId = r.Guid();
                if (_pending.TryGetValue(messageId, out var pending))
                {
                    var count = r.I32();
                    for (var i = 0; i < count; i++)
                    {
                        pending.Remaining.Remove(r.Guid());
                    }

                    if (pending.Remaining.Count == 0)
                    {
                        _pending.Remove(messageId);
                        Journal.Release(pending.Record);
                    }
                }

                break;
            }
        }

        if (!keep)
        {
            Journal.Release(record.Ref);
        }
    }

    /// <summary>After replay: owed deliveries wait for the face to attach; the deduplication windows drop what expired.</summary>
    internal void FinishRecovery()
    {
        var now = NowMilliseconds;
        foreach (var t in _byId.Values)
        {
            ExpireDeduplication(t, now);
        }

        _toResume = [.. _pending.Values];
    }

    internal bool IsLive(in JournalRecord record)
    {
        if (record.Type != (ushort)TopicRecordType.MessagePublished)
        {
            return false;
        }

        var messageId = new PayloadReader(record.Payload.Span).Guid();
        lock (_gate)
        {
            return _pending.TryGetValue(messageId, out var p) && p.Record.Position == record.Ref.Position;
        }
    }

    internal bool TryRelocate(in JournalRecord record, RecordRef newRef)
    {
        if (record.Type != (ushort)TopicRecordType.MessagePublished)
        {
            return false;
        }

        var messageId = new PayloadReader(record.Payload.Span).Guid();
        lock (_gate)
        {
            if (_pending.TryGetValue(messageId, out var p) && p.Record.Position == record.Ref.Position)
            {
                p.Record = newRef;
                return true;
            }
        }

        return false;
    }

    private void AddReadSubscription(Topic topic, ref PayloadReader r)
    {
        var id = r.Guid();
        var subscription = new Subscription(id, topic, r.RequiredString(), r.RequiredString(), r.RequiredString());
        var attributes = r.StringMap() ?? [];
        try
        {
            subscription.Attributes = attributes;
        }
        catch (Filtering.FilterPolicyException)
        {
            // Accepted once; if a later Ferry reads it differently, deliver unfiltered rather than refuse to start.
            subscription.Attributes = attributes.Where(a => a.Key != "FilterPolicy").ToDictionary();
        }

        subscription.Confirmed = r.Bool();
        subscription.Token = r.String();
        if (_subscriptions.TryAdd(id, subscription))
        {
            topic.AddSubscription(subscription);
        }
    }
}

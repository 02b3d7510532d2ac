using System.Security.Cryptography;
using System.Text;
using Ferry.Engine.Internal;
using Ferry.Engine.Queues;
using Ferry.Engine.RedisStreams;
using Ferry.Engine.Topics.Filtering;
using Ferry.Storage;

namespace Ferry.Engine.Topics;

public sealed partial class Topics
{
    /// <summary>SNS FIFO topics deduplicate within five minutes.</summary>
    private static readonly long DeduplicationWindowMs = (long)TimeSpan.FromMinutes(5).TotalMilliseconds;

    /// <summary>Publishes whose push deliveries are still owed, by message id; their records stay live.</summary>
    private readonly Dictionary<Guid, PendingPublish> _pending = [];

    private ITopicDelivery? _delivery;

    /// <summary>Publishes read back from the journal whose deliveries resume when the face attaches.</summary>
    private List<PendingPublish>? _toResume;

    /// <summary>
    /// Connects the protocol face that shapes queue messages and pushes to endpoints, and resumes the deliveries that
    /// were owed when Ferry stopped.
    /// </summary>
    public void AttachDelivery(ITopicDelivery delivery)
    {
        List<TopicDelivery> resume = [];
        lock (_gate)
        {
            _delivery = delivery;
            foreach (var pending in _toResume ?? [])
            {
                var message = ReadMessage(pending.Record);
                foreach (var id in pending.Remaining)
                {
                    if (_subscriptions.TryGetValue(id, out var s))
                    {
                        resume.Add(new TopicDelivery(s, message, pending.Topic));
                    }
                }
            }

            _toResume = null;
        }

        foreach (var d in resume)
        {
            delivery.Push(d);
        }

        // Deliveries to subscriptions that no longer exist are done.
        foreach (var (id, pending) in PendingSnapshot())
        {
            foreach (var subscriptionId in pending)
            {
                if (!IsLiveSubscription(subscriptionId))
                {
                    Complete(id, subscriptionId);
                }
            }
        }
    }

    /// <summary>
    /// Publishes a message: picks the confirmed subscriptions whose filter policy matches, appends the message to every
    /// matching queue and records what push endpoints are owed, then completes once all of that is durable. Queue
    /// messages are appended before the publish record, so an acknowledged publish has reached every queue.
    /// </summary>
    public async Task<PublishResult> PublishAsync(Topic topic, PublishRequest request)
    {
        var delivery = _delivery ?? throw new InvalidOperationException("No delivery is attached to the topics.");
        List<Subscription>? queues = null;
        List<Subscription>? pushes = null;
        FilterMessage? filterInput = null;
        foreach (var s in topic.Subscriptions)
        {
            if (!s.Confirmed)
            {
                continue;
            }

            if (s.Filter is { } filter)
            {
                filterInput ??= new FilterMessage(request.Attributes, request.Message);
                if (!filter.Matches(filterInput))
                {
                    continue;
                }
            }

            if (s.Protocol == "sqs")
            {
                (queues ??= []).Add(s);
            }
            else
            {
                (pushes ??= []).Add(s);
            }
        }

        topic.Counters.AddPublished();
        if (topic.IsFifo)
        {
            return await PublishFifoAsync(topic, request, queues, pushes, delivery).ConfigureAwait(false);
        }

        var message = NewMessage(request, null, null);
        var sends = Format(delivery, queues, message);
        var staged = new List<Staged>(sends.Count);
        ValueTask<RecordRef> published = default;
        _broker.EnterWrite();
        try
        {
            ThrowIfDeleted(topic);
            StageAll(sends, staged);
            if (pushes is not null)
            {
                published = AppendPublished(topic, message, 0, 0, pushes);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await AcknowledgeAsync(topic, message, staged, published, pushes, delivery).ConfigureAwait(false);
        return new PublishResult(message.MessageId, null);
    }

    private async Task<PublishResult> PublishFifoAsync(Topic topic, PublishRequest request, List<Subscription>? queues, List<Subscription>? pushes, ITopicDelivery delivery)
    {
        var dedupId = request.DeduplicationId
            ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Message)));
        TopicMessage message;
        List<Staged> staged;
        ValueTask<RecordRef> published;
        lock (topic.Gate)
        {
            var now = NowMilliseconds;
            if (topic.Deduplication.TryGetValue(dedupId, out var seen) && seen.ExpiresAt > now)
            {
                return new PublishResult(seen.MessageId, Topic.FormatSequence(seen.Sequence));
            }

            var sequence = topic.NextSequence;
            message = NewMessage(request, dedupId, Topic.FormatSequence(sequence));
            var sends = Format(delivery, queues, message);
            staged = new List<Staged>(sends.Count);
            _broker.EnterWrite();
            try
            {
                ThrowIfDeleted(topic);
                StageAll(sends, staged);

                // Always recorded: the sequence and the deduplication window must survive a restart.
                published = AppendPublished(topic, message, sequence, now + DeduplicationWindowMs, pushes ?? []);
                topic.NextSequence = sequence + 1;
                topic.Deduplication[dedupId] = (message.MessageId, sequence, now + DeduplicationWindowMs);
                if (topic.Deduplication.Count > 1024)
                {
                    ExpireDeduplication(topic, now);
                }
            }
            finally
            {
                _broker.ExitWrite();
            }
        }

        await AcknowledgeAsync(topic, message, staged, published, pushes, delivery).ConfigureAwait(false);
        return new PublishResult(message.MessageId, message.SequenceNumber);
    }

    /// <summary>Waits until the queue messages and the publish record are durable, then starts the owed pushes.</summary>
    private static async Task AcknowledgeAsync(Topic topic, TopicMessage message, List<Staged> staged, ValueTask<RecordRef> published,
        List<Subscription>? pushes, ITopicDelivery delivery)
    {
        await CommitAsync(staged).ConfigureAwait(false);
        await published.ConfigureAwait(false);
        topic.Counters.AddDelivered(staged.Count);
        foreach (var s in pushes ?? [])
        {
            delivery.Push(new TopicDelivery(s, message, topic));
        }
    }

    /// <summary>A push delivery ended: dead-letters a failure, and stops owing the delivery.</summary>
    public void CompleteDelivery(TopicDelivery delivery, DeliveryOutcome outcome)
    {
        var topic = delivery.Topic;
        switch (outcome)
        {
            case DeliveryOutcome.Delivered:
                topic.Counters.AddDelivered(1);
                break;
            case DeliveryOutcome.Failed:
                topic.Counters.AddFailed(DeadLetter(delivery.Subscription, delivery.Message));
                break;
        }

        Complete(delivery.Message.MessageId, delivery.Subscription.Id);
    }

    /// <summary>How many pushes (publish × subscription) are still owed.</summary>
    public int PendingDeliveries
    {
        get
        {
            lock (_gate)
            {
                return _pending.Values.Sum(p => p.Remaining.Count);
            }
        }
    }

    private TopicMessage NewMessage(PublishRequest request, string? dedupId, string? sequence) => new()
    {
        MessageId = UniqueIds.Next(),
        Timestamp = NowMilliseconds,
        Message = request.Message,
        PerProtocol = request.PerProtocol,
        Subject = request.Subject,
        Attributes = request.Attributes ?? [],
        GroupId = request.GroupId,
        DeduplicationId = dedupId,
        SequenceNumber = sequence,
    };

    private static List<(Subscription, SendRequest)> Format(ITopicDelivery delivery, List<Subscription>? queues, TopicMessage message)
    {
        if (queues is null)
        {
            return [];
        }

        var sends = new List<(Subscription, SendRequest)>(queues.Count);
        delivery.ToQueueMessages(queues, message, sends);
        return sends;
    }

    /// <summary>
    /// Appends every queue delivery (or its dead letter); the caller holds the write gate. A body template that
    /// several deliveries share is stored once, and each of those messages stores only its own bytes and a reference
    /// to it: the envelope, which differs only in the subscription's id, and the raw body, which does not differ.
    /// </summary>
    private void StageAll(List<(Subscription Subscription, SendRequest Send)> sends, List<Staged> staged)
    {
        // A publish has at most a few templates (one per delivery format), so a list beats a dictionary.
        List<(BodyTemplate Template, int Uses, SharedBody? Shared)>? templates = null;
        foreach (var (_, send) in sends)
        {
            if (send.Template is not { } t)
            {
                continue;
            }

            templates ??= [];
            var i = IndexOf(templates, t);
            if (i < 0)
            {
                templates.Add((t, 1, null));
            }
            else
            {
                templates[i] = (t, templates[i].Uses + 1, null);
            }
        }

        try
        {
            for (var i = 0; i < (templates?.Count ?? 0); i++)
            {
                if (templates![i].Uses >= 2)
                {
                    templates[i] = templates[i] with { Shared = _broker.SharedBodies.Store(templates[i].Template.Utf8.Span) };
                }
            }

            foreach (var (subscription, send) in sends)
            {
                SharedBody? shared = null;
                if (send.Template is { } t)
                {
                    shared = templates![IndexOf(templates, t)].Shared;
                }

                Stage(subscription, send, shared, staged);
            }
        }
        finally
        {
            foreach (var (_, _, shared) in templates ?? [])
            {
                if (shared is not null)
                {
                    // The messages hold their references now (or none were appended, and the body goes).
                    _broker.SharedBodies.Release(shared);
                }
            }
        }

        static int IndexOf(List<(BodyTemplate Template, int Uses, SharedBody? Shared)> templates, BodyTemplate template)
        {
            for (var i = 0; i < templates.Count; i++)
            {
                if (ReferenceEquals(templates[i].Template, template))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>Appends one queue delivery (or its dead letter); the caller holds the write gate.</summary>
    private void Stage(Subscription subscription, SendRequest send, SharedBody? shared, List<Staged> staged)
    {
        var queue = subscription.CachedQueue;
        if (queue is null || queue.IsDeleted)
        {
            queue = _broker.FindQueueByArn(subscription.Endpoint);
            subscription.CachedQueue = queue;
        }

        if (queue is not null && TryEnqueue(queue, send, shared, staged))
        {
            return;
        }

        subscription.Topic.Counters.AddFailed(DeadLetter(subscription, send, shared, staged));
    }

    private static bool TryEnqueue(Queue queue, SendRequest send, SharedBody? shared, List<Staged> staged)
    {
        try
        {
            var (_, durable, seq) = queue.Enqueue(send, null, shared);
            staged.Add(new Staged(queue, durable, seq));
            return true;
        }
        catch (EngineException)
        {
            return false;
        }
    }

    /// <summary>Sends what could not be delivered to the subscription's dead-letter queue; false when there is none.</summary>
    private bool DeadLetter(Subscription subscription, SendRequest send, SharedBody? shared, List<Staged> staged)
    {
        if (subscription.DeadLetterTargetArn is not { } arn || _broker.FindQueueByArn(arn) is not { } dlq)
        {
            return false;
        }

        return TryEnqueue(dlq, send, shared, staged);
    }

    private bool DeadLetter(Subscription subscription, TopicMessage message)
    {
        if (_delivery is not { } delivery || subscription.DeadLetterTargetArn is null)
        {
            return false;
        }

        var staged = new List<Staged>(1);
        bool sent;
        var send = delivery.ToQueueMessage(subscription, message);
        _broker.EnterWrite(background: true);
        try
        {
            sent = DeadLetter(subscription, send, null, staged);
        }
        finally
        {
            _broker.ExitWrite();
        }

        _ = CommitAsync(staged).AsTask();
        return sent;
    }

    /// <summary>Waits until every staged queue message is durable, then makes it receivable.</summary>
    private static async ValueTask CommitAsync(List<Staged> staged)
    {
        foreach (var s in staged)
        {
            await s.Durable.ConfigureAwait(false);
            if (s.Seq != 0)
            {
                s.Queue.Commit(s.Seq);
            }
        }
    }

    /// <summary>Appends the publish record (kept while it owes pushes); the caller holds the write gate.</summary>
    private ValueTask<RecordRef> AppendPublished(Topic topic, TopicMessage message, long sequence, long dedupExpiresAt, List<Subscription> pushes)
    {
        using var w = new PayloadWriter(message.Message.Length + 256);
        w.Guid(message.MessageId);
        w.I64(message.Timestamp);
        w.String(message.Subject);
        w.String(message.Message);
        w.StringMap(message.PerProtocol);
        w.I32(message.Attributes.Count);
        foreach (var a in message.Attributes)
        {
            w.String(a.Name);
            w.String(a.DataType);
            w.String(a.StringValue);
            w.NullableBytes(a.BinaryValue);
        }

        w.String(message.GroupId);
        w.String(message.DeduplicationId);
        w.I64(sequence);
        w.I64(dedupExpiresAt);
        w.I32(pushes.Count);
        foreach (var s in pushes)
        {
            w.Guid(s.Id);
        }

        var durable = Journal.AppendAsync((ushort)TopicRecordType.MessagePublished, topic.Id, w.WrittenSpan, out var record);
        if (pushes.Count == 0)
        {
            Journal.Release(record);
        }
        else
        {
            lock (_gate)
            {
                _pending.Add(message.MessageId, new PendingPublish(record, topic, [.. pushes.Select(s => s.Id)]));
            }
        }

        return durable;
    }

    /// <summary>Stops owing one delivery: records it, and releases the publish record when nothing more is owed.</summary>
    private void Complete(Guid messageId, Guid subscriptionId)
    {
        _broker.EnterWrite(background: true);
        try
        {
            lock (_gate)
            {
                if (!_pending.TryGetValue(messageId, out var pending) || !pending.Remaining.Remove(subscriptionId))
                {
                    return;
                }

                using var w = new PayloadWriter();
                w.Guid(messageId);
                w.I32(1);
                w.Guid(subscriptionId);
                Append(TopicRecordType.DeliveriesDone, pending.Topic.Id, w).Forget();
                if (pending.Remaining.Count == 0)
                {
                    _pending.Remove(messageId);
                    Journal.Release(pending.Record);
                }
            }
        }
        finally
        {
            _broker.ExitWrite();
        }
    }

    private List<(Guid MessageId, Guid[] Subscriptions)> PendingSnapshot()
    {
        lock (_gate)
        {
            return [.. _pending.Select(p => (p.Key, p.Value.Remaining.ToArray()))];
        }
    }

    private bool IsLiveSubscription(Guid id)
    {
        lock (_gate)
        {
            return _subscriptions.ContainsKey(id);
        }
    }

    private static void ExpireDeduplication(Topic topic, long now)
    {
        foreach (var (key, value) in topic.Deduplication)
        {
            if (value.ExpiresAt <= now)
            {
                topic.Deduplication.Remove(key);
            }
        }
    }

    /// <summary>Reads a publish record back into the message it describes.</summary>
    private TopicMessage ReadMessage(RecordRef record)
    {
        var r = new PayloadReader(Journal.Read(record));
        return ReadMessage(ref r, out _, out _, out _);
    }

    private static TopicMessage ReadMessage(ref PayloadReader r, out long sequence, out long dedupExpiresAt, out Guid[] pushes)
    {
        var messageId = r.Guid();
        var timestamp = r.I64();
        var subject = r.String();
        var text = r.RequiredString();
        var perProtocol = r.StringMap();
        var count = r.I32();
        var attributes = new MessageAttribute[count];
        for (var i = 0; i < count; i++)
        {
            attributes[i] = new MessageAttribute(r.RequiredString(), r.RequiredString(), r.String(), r.NullableBytes());
        }

        var groupId = r.String();
        var dedupId = r.String();
        sequence = r.I64();
        dedupExpiresAt = r.I64();
        pushes = new Guid[r.I32()];
        for (var i = 0; i < pushes.Length; i++)
        {
            pushes[i] = r.Guid();
        }

        return new TopicMessage
        {
            MessageId = messageId,
            Timestamp = timestamp,
            Subject = subject,
            Message = text,
            PerProtocol = perProtocol,
            Attributes = attributes,
            GroupId = groupId,
            DeduplicationId = dedupId,
            SequenceNumber = sequence > 0 ? Topic.FormatSequence(sequence) : null,
        };
    }

    /// <summary>A queue message appended for a publish: its queue, its durability, and its sequence number to commit
    /// (0 when there is nothing to commit).</summary>
    private readonly record struct Staged(Queue Queue, ValueTask<RecordRef> Durable, long Seq);

    /// <summary>A publish whose push deliveries are owed.</summary>
    private sealed class PendingPublish(RecordRef record, Topic topic, HashSet<Guid> remaining)
    {
        public RecordRef Record { get; set; } = record;

        public Topic Topic { get; } = topic;

        public HashSet<Guid> Remaining { get; } = remaining;
    }
}

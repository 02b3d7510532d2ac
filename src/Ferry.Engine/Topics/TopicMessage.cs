using Ferry.Engine.Queues;

namespace Ferry.Engine.Topics;

/// <summary>What a publisher sends to a topic.</summary>
public sealed class PublishRequest
{
    /// <summary>The default message: what every protocol gets unless <see cref="PerProtocol"/> names it.</summary>
    public required string Message { get; init; }

    /// <summary>MessageStructure=json: the message per protocol (<c>sqs</c>, <c>http</c>, ...), besides the default.</summary>
    public IReadOnlyDictionary<string, string>? PerProtocol { get; init; }

    public string? Subject { get; init; }

    public IReadOnlyList<MessageAttribute>? Attributes { get; init; }

    /// <summary>FIFO topics: the message group.</summary>
    public string? GroupId { get; init; }

    /// <summary>FIFO topics: the deduplication id (else content-based, if the topic enables it).</summary>
    public string? DeduplicationId { get; init; }
}

/// <summary>A message the topic accepted: what every delivery of it is built from.</summary>
public sealed class TopicMessage
{
    public required Guid MessageId { get; init; }

    /// <summary>When the topic accepted it, in Unix milliseconds.</summary>
    public required long Timestamp { get; init; }

    public required string Message { get; init; }

    public IReadOnlyDictionary<string, string>? PerProtocol { get; init; }

    public string? Subject { get; init; }

    public IReadOnlyList<MessageAttribute> Attributes { get; init; } = [];

    public string? GroupId { get; init; }

    public string? DeduplicationId { get; init; }

    /// <summary>FIFO topics: the topic's sequence number of the message.</summary>
    public string? SequenceNumber { get; init; }

    /// <summary>A slot for the protocol face to cache what it derives once per message (a signature, say).</summary>
    public object? FaceState { get; set; }

    /// <summary>The message for one protocol: its own text under MessageStructure=json, else the default.</summary>
    public string MessageFor(string protocol) =>
        PerProtocol is not null && PerProtocol.TryGetValue(protocol, out var text) ? text : Message;
}

/// <summary>What <see cref="Topics.PublishAsync"/> answers.</summary>
public readonly record struct PublishResult(Guid MessageId, string? SequenceNumber);

/// <summary>One message owed to one push endpoint, until <see cref="Topics.CompleteDelivery"/> is called for it.</summary>
public sealed class TopicDelivery
{
    internal TopicDelivery(Subscription subscription, TopicMessage message, Topic topic)
    {
        Subscription = subscription;
        Message = message;
        Topic = topic;
    }

    public Topic Topic { get; }

    public Subscription Subscription { get; }

    public TopicMessage Message { get; }

    /// <summary>Attempts so far; the face counts them for its retry policy.</summary>
    public int Attempts { get; set; }
}

/// <summary>How a push delivery ended.</summary>
public enum DeliveryOutcome
{
    Delivered,

    /// <summary>Every attempt failed: the message goes to the subscription's dead-letter queue, else it is dropped.</summary>
    Failed,

    /// <summary>The subscription or topic is gone; nothing more to do.</summary>
    Abandoned,
}

/// <summary>The protocol face's part of delivery: the shape of queue messages and the pushing to endpoints.</summary>
public interface ITopicDelivery
{
    /// <summary>The message a queue subscription's queue receives (the envelope, or the raw message).</summary>
    SendRequest ToQueueMessage(Subscription subscription, TopicMessage message);

    /// <summary>Adds what <see cref="ToQueueMessage"/> gives each of <paramref name="subscriptions"/>, in order, to
    /// <paramref name="sends"/>; a face may make the messages of one publish together.</summary>
    void ToQueueMessages(List<Subscription> subscriptions, TopicMessage message, List<(Subscription, SendRequest)> sends)
    {
        foreach (var s in subscriptions)
        {
            sends.Add((s, ToQueueMessage(s, message)));
        }
    }

    /// <summary>Starts pushing to an endpoint; the face calls <see cref="Topics.CompleteDelivery"/> when it ends.</summary>
    void Push(TopicDelivery delivery);
}

/// <summary>Delivery counters of a topic since start.</summary>
public sealed class TopicCounters
{
    private long _published;
    private long _delivered;
    private long _failed;
    private long _deadLettered;
    private long _dropped;

    public long Published => Volatile.Read(ref _published);

    public long Delivered => Volatile.Read(ref _delivered);

    public long Failed => Volatile.Read(ref _failed);

    public long DeadLettered => Volatile.Read(ref _deadLettered);

    public long Dropped => Volatile.Read(ref _dropped);

    internal void AddPublished() => Interlocked.Increment(ref _published);

    internal void AddDelivered(long count) => Interlocked.Add(ref _delivered, count);

    internal void AddFailed(bool deadLettered)
    {
        Interlocked.Increment(ref _failed);
        Interlocked.Increment(ref deadLettered ? ref _deadLettered : ref _dropped);
    }
}

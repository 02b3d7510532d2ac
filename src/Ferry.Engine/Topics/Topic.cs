namespace Ferry.Engine.Topics;

/// <summary>
/// A topic: its attributes and tags as the protocol face validated them, and its subscriptions. Publishing reads
/// <see cref="Subscriptions"/> without a lock (an immutable array replaced on every change).
/// </summary>
public sealed class Topic
{
    private Subscription[] _subscriptions = [];

    internal Topic(ulong id, string name, string arn, long createdAt, Dictionary<string, string> attributes, Dictionary<string, string> tags)
    {
        Id = id;
        Name = name;
        Arn = arn;
        CreatedAt = createdAt;
        IsFifo = name.EndsWith(".fifo", StringComparison.Ordinal);
        Attributes = attributes;
        Tags = tags;
    }

    public ulong Id { get; }

    public string Name { get; }

    public string Arn { get; }

    public bool IsFifo { get; }

    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; }

    /// <summary>The attributes that were set (defaults are the face's business).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; internal set; }

    public IReadOnlyDictionary<string, string> Tags { get; internal set; }

    /// <summary>The subscriptions, confirmed or pending, in creation order.</summary>
    public IReadOnlyList<Subscription> Subscriptions => Volatile.Read(ref _subscriptions);

    /// <summary>Subscriptions deleted since start (GetTopicAttributes reports them).</summary>
    public long SubscriptionsDeleted { get; internal set; }

    public TopicCounters Counters { get; } = new();

    public bool IsDeleted { get; internal set; }

    /// <summary>Serialises FIFO publishes: sequence numbers, deduplication and delivery order.</summary>
    internal object Gate { get; } = new();

    /// <summary>FIFO: the next sequence number.</summary>
    internal long NextSequence { get; set; } = 1;

    /// <summary>FIFO: deduplication ids seen in the last five minutes.</summary>
    internal Dictionary<string, (Guid MessageId, long Sequence, long ExpiresAt)> Deduplication { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether content-based deduplication is on (FIFO topics).</summary>
    internal bool ContentBasedDeduplication =>
        Attributes.TryGetValue("ContentBasedDeduplication", out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    internal void AddSubscription(Subscription subscription) =>
        Volatile.Write(ref _subscriptions, [.. _subscriptions, subscription]);

    internal void RemoveSubscription(Subscription subscription) =>
        Volatile.Write(ref _subscriptions, [.. _subscriptions.Where(s => s != subscription)]);

    /// <summary>The topic's sequence number format: 20 decimal digits.</summary>
    internal static string FormatSequence(long sequence) => sequence.ToString("D20", System.Globalization.CultureInfo.InvariantCulture);
}

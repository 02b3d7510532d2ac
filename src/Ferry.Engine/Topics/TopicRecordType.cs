namespace Ferry.Engine.Topics;

/// <summary>The journal records of topics (90–119). Persisted: never renumber or reuse a value.</summary>
internal enum TopicRecordType : ushort
{
    TopicCreated = 90,
    TopicUpdated = 91,
    TopicDeleted = 92,
    SubscriptionCreated = 93,
    SubscriptionUpdated = 94,
    SubscriptionDeleted = 95,

    /// <summary>A publish: FIFO sequence and deduplication state, and the endpoint deliveries still owed.</summary>
    MessagePublished = 96,

    /// <summary>Endpoint deliveries of one publish that finished (delivered, dead-lettered or dropped).</summary>
    DeliveriesDone = 97,
}

namespace Ferry.Engine;

/// <summary>The types of the engine's journal records. Persisted: never renumber or reuse a value.</summary>
internal enum RecordType : ushort
{
    QueueCreated = 1,
    QueueUpdated = 2,
    QueueDeleted = 3,
    QueuePurged = 4,
    MessageSent = 10,
    MessagesReceived = 11,
    MessagesDeleted = 12,
    VisibilityChanged = 13,

    /// <summary>A body that several queue messages share (<see cref="Queues.SharedBodies"/>).</summary>
    SharedBodyStored = 14,
    MoveTaskUpdated = 20,

    // Kinesis streams: 30–59.
    StreamCreated = 30,
    StreamUpdated = 31,
    StreamDeleted = 32,
    StreamShardsChanged = 33,
    StreamRecords = 34,
}

namespace Ferry.Engine.RedisStreams;

/// <summary>The journal record types of Redis streams (60–89). Persisted: never renumber or reuse a value.</summary>
internal enum RedisRecordType : ushort
{
    StreamCreated = 60,
    StreamDeleted = 61,
    EntryAdded = 62,
    EntriesDeleted = 63,
    StreamTrimmed = 64,
    StreamIdSet = 65,
    GroupCreated = 66,
    GroupDestroyed = 67,
    GroupIdSet = 68,
    ConsumerCreated = 69,
    ConsumerDeleted = 70,
    EntriesDelivered = 71,
    EntriesAcked = 72,
    EntriesClaimed = 73,
    EntriesRedelivered = 74,
    ExpirySet = 75,
    StreamRenamed = 76,
}

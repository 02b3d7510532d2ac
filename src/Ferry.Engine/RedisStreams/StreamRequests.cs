namespace Ferry.Engine.RedisStreams;

/// <summary>How XADD and XTRIM trim: MAXLEN or MINID, exact or approximate (~), with a LIMIT for approximate.</summary>
/// <param name="Strategy">None, MaxLen or MinId.</param>
/// <param name="MaxLen">For MaxLen: the length to keep.</param>
/// <param name="MinId">For MinId: the smallest id to keep.</param>
/// <param name="Approximate">~: trim only whole nodes of <see cref="RedisStreams.NodeSize"/> entries, as Redis does.</param>
/// <param name="Limit">The most entries one approximate trim removes; 0 for no limit.</param>
public readonly record struct TrimSpec(TrimStrategy Strategy, long MaxLen, StreamId MinId, bool Approximate, long Limit);

public enum TrimStrategy
{
    None,
    MaxLen,
    MinId,
}

/// <summary>The id XADD gives: automatic (*), automatic sequence in a given millisecond (ms-*), or explicit.</summary>
public readonly record struct AddIdSpec(bool Auto, bool AutoSeq, StreamId Id);

/// <summary>Where XREAD starts in one stream: after an id, after the last id at call time ($), or at the last entry (+).</summary>
public readonly record struct ReadPosition(ReadPositionKind Kind, StreamId After);

public enum ReadPositionKind
{
    After,
    Last,
    LastEntry,
}

/// <summary>The entries read from one stream.</summary>
public sealed record StreamReadResult(string Key, IReadOnlyList<StreamEntry> Entries);

/// <summary>XPENDING's summary form.</summary>
public sealed record PendingSummary(long Count, StreamId? Smallest, StreamId? Greatest, IReadOnlyList<(string Consumer, long Count)> Consumers);

/// <summary>One pending entry as XPENDING lists it.</summary>
public readonly record struct PendingInfo(StreamId Id, string Consumer, long IdleMs, long DeliveryCount);

/// <summary>XCLAIM's options.</summary>
public sealed record ClaimOptions
{
    public long? IdleMs { get; init; }

    public long? TimeMs { get; init; }

    public long? RetryCount { get; init; }

    public bool Force { get; init; }

    public bool JustId { get; init; }

    public StreamId? LastId { get; init; }
}

/// <summary>XAUTOCLAIM's answer: the next cursor, the claimed entries and the ids that no longer existed.</summary>
public sealed record AutoClaimResult(StreamId Next, IReadOnlyList<StreamEntry> Claimed, IReadOnlyList<StreamId> Deleted);

/// <summary>XINFO STREAM.</summary>
public sealed record StreamInfo(
    long Length,
    StreamId LastGeneratedId,
    StreamId MaxDeletedId,
    long EntriesAdded,
    StreamId RecordedFirstEntryId,
    int GroupCount,
    StreamEntry? FirstEntry,
    StreamEntry? LastEntry,
    IReadOnlyList<StreamEntry> Entries,
    IReadOnlyList<GroupInfo> Groups);

/// <summary>XINFO GROUPS (and the groups of XINFO STREAM FULL).</summary>
public sealed record GroupInfo(string Name, long Consumers, long Pending, StreamId LastDeliveredId, long? EntriesRead, long? Lag,
    IReadOnlyList<PendingInfo> PendingEntries, IReadOnlyList<ConsumerInfo> ConsumerDetails);

/// <summary>XINFO CONSUMERS (and the consumers of XINFO STREAM FULL).</summary>
public sealed record ConsumerInfo(string Name, long Pending, long IdleMs, long InactiveMs, long SeenTime, long ActiveTime,
    IReadOnlyList<PendingInfo> PendingEntries);

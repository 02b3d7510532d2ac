using System.Net;
using Ferry.Storage;

namespace Ferry.Server;

/// <summary>Ferry's configuration, checked and resolved: what the host actually runs with.</summary>
/// <param name="ListenAddress">The address the HTTP listener binds.</param>
/// <param name="Port">The port the HTTP listener binds; 0 means a free one chosen at start-up.</param>
/// <param name="Durability">The journal's durability mode.</param>
/// <param name="DataDirectory">Absolute path of the data directory, or null when data lives in memory.</param>
/// <param name="Region">The AWS region reported by the AWS faces.</param>
/// <param name="AccountId">The AWS account id reported by the AWS faces.</param>
/// <param name="EnforceKinesisShardLimits">Refuse Kinesis writes beyond 1 MiB/s or 1,000 records/s per shard.</param>
/// <param name="Redis">The RESP listener's settings.</param>
internal sealed record FerrySettings(
    IPAddress ListenAddress,
    int Port,
    Durability Durability,
    string? DataDirectory,
    string Region,
    string AccountId,
    bool EnforceKinesisShardLimits = false,
    RedisSettings? Redis = null)
{
    /// <summary>The RESP listener's settings (defaults when none were given).</summary>
    public RedisSettings Redis { get; init; } = Redis ?? RedisSettings.Default;

    /// <summary>Where the journal's segment files live, or null in memory mode.</summary>
    public string? JournalDirectory => DataDirectory is null ? null : Path.Combine(DataDirectory, "journal");

    /// <summary>Where the data is, in words for the log: the absolute path, or "memory".</summary>
    public string DataDescription => DataDirectory ?? "memory";

    /// <summary>How long after the last checkpoint a write makes the next one due.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>On Kestrel's socket transport: whether requests run on the socket threads that read them rather than on
    /// the thread pool.</summary>
    public bool InlineIo { get; init; } = true;

    /// <summary>Whether the HTTP listener runs on Ferry's event loop where the machine supports it.</summary>
    public bool HttpEventLoop { get; init; } = true;

    /// <summary>Queues that exist when Ferry starts.</summary>
    public IReadOnlyList<Ferry.Aws.QueueDeclaration> Queues { get; init; } = [];

    /// <summary>The SNS face's settings.</summary>
    public TopicsSettings Topics { get; init; } = new(null, false);
}

/// <summary>The SNS face's settings.</summary>
/// <param name="PublicUrl">The URL endpoints reach Ferry at, or null for the address it listens on.</param>
/// <param name="SignQueueDeliveries">Whether envelopes delivered to queues are signed too.</param>
internal sealed record TopicsSettings(string? PublicUrl, bool SignQueueDeliveries);

/// <summary>The RESP listener's settings.</summary>
/// <param name="Port">Its port; 0 means a free one chosen at start-up.</param>
/// <param name="Password">The password AUTH must give, or null.</param>
/// <param name="PubSubBufferLimit">Bytes queued for a subscriber beyond which it is disconnected.</param>
/// <param name="MaxBulkLength">The largest bulk string accepted.</param>
/// <param name="AllowFlush">Whether FLUSHALL and FLUSHDB are allowed.</param>
/// <param name="EventLoop">Whether the listener runs on Ferry's event loop where the machine supports it.</param>
internal sealed record RedisSettings(int Port, string? Password, long PubSubBufferLimit, int MaxBulkLength, bool AllowFlush, bool EventLoop = true)
{
    /// <summary>Port 6379, no password, Redis's 32 MB pub/sub limit, 16 MiB bulk strings, flushing allowed.</summary>
    public static readonly RedisSettings Default = new(6379, null, 32L * 1024 * 1024, 16 * 1024 * 1024, true);
}

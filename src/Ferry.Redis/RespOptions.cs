namespace Ferry.Redis;

/// <summary>How the RESP listener behaves; set by the host from configuration.</summary>
public sealed class RespOptions
{
    /// <summary>Redis's proto-max-bulk-len is 512 MB; Ferry's default is smaller because a bulk string is held whole
    /// in memory while its command runs, and the journal takes records of at most 16 MiB.</summary>
    public const int DefaultMaxBulkLength = 16 * 1024 * 1024;

    /// <summary>Redis's hard limit for pub/sub clients (client-output-buffer-limit pubsub 32mb).</summary>
    public const long DefaultPubSubBufferLimit = 32L * 1024 * 1024;

    /// <summary>The password AUTH and HELLO AUTH must give; null for none.</summary>
    public string? Password { get; init; }

    /// <summary>The largest bulk string accepted in a command.</summary>
    public int MaxBulkLength { get; init; } = DefaultMaxBulkLength;

    /// <summary>Bytes queued for a subscriber beyond which it is disconnected.</summary>
    public long PubSubBufferLimit { get; init; } = DefaultPubSubBufferLimit;

    /// <summary>Whether FLUSHALL and FLUSHDB are allowed.</summary>
    public bool AllowFlush { get; init; } = true;

    /// <summary>What INFO reports as the durability of the journal (e.g. "fsync").</summary>
    public string Durability { get; init; } = "fsync";
}

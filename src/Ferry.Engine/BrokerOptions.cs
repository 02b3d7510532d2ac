namespace Ferry.Engine;

/// <summary>How the broker runs.</summary>
public sealed class BrokerOptions
{
    public string Region { get; init; } = "us-east-1";

    public string AccountId { get; init; } = "000000000000";

    /// <summary>How often the maintenance loop runs (retention, dedup expiry, checkpoints).</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A checkpoint is taken when the journal grew this much since the last one: it bounds replay at start.</summary>
    public long CheckpointEveryBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>...or when this much time passed with any write.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Called (on the maintenance loop) with the exception of a maintenance round that failed; the loop goes on
    /// and retries at the next interval. For logging: it must not throw.</summary>
    public Action<Exception>? MaintenanceFailed { get; init; }

    /// <summary>Segments with less live data than this fraction are compacted after a checkpoint.</summary>
    public double CompactBelowLiveFraction { get; init; } = 0.25;

    /// <summary>Refuse writes beyond Kinesis's per-shard limits (1 MiB/s and 1,000 records/s) with
    /// ProvisionedThroughputExceeded. Off by default: a local server has no reason to throttle.</summary>
    public bool EnforceShardLimits { get; init; }

    /// <summary>How long a stream stays CREATING, UPDATING or DELETING: short, but long enough for a client to see
    /// the transition (boto3's waiters poll DescribeStream).</summary>
    public TimeSpan StreamTransitionDelay { get; init; } = TimeSpan.FromMilliseconds(300);
}

namespace Ferry.Server;

/// <summary>
/// Ferry's settings as written in configuration: the <c>Ferry</c> section of appsettings.json, environment
/// variables <c>FERRY__PORT</c> and the like, and command-line switches. Raw text as given; see
/// <see cref="FerrySettings"/> for the checked form the host runs with.
/// </summary>
internal sealed class FerryOptions
{
    public const string SectionName = "Ferry";

    /// <summary>TCP port of the HTTP listener that serves every AWS face. 0 picks a free port.</summary>
    /// <remarks>A string so that a bad value is reported in Ferry's words rather than the binder's.</remarks>
    public string Port { get; set; } = "4566";

    /// <summary>IP address to listen on. Loopback unless opened up on purpose (0.0.0.0 or ::).</summary>
    public string Listen { get; set; } = "127.0.0.1";

    /// <summary>Where Ferry keeps its data; relative paths are taken from the current directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary><c>fsync</c>, <c>interval:&lt;ms&gt;</c>, <c>none</c> or <c>memory</c>.</summary>
    public string Durability { get; set; } = "fsync";

    /// <summary>The AWS region that Ferry's AWS faces report in ARNs and queue URLs.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The 12-digit AWS account id that Ferry's AWS faces report in ARNs and queue URLs.</summary>
    public string AccountId { get; set; } = "000000000000";

    /// <summary>TCP port of the RESP listener (Redis clients). 0 picks a free port.</summary>
    public string RedisPort { get; set; } = "6379";

    /// <summary>The password Redis clients give with AUTH or HELLO; empty for none.</summary>
    public string RedisPassword { get; set; } = "";

    /// <summary>Bytes queued for a pub/sub subscriber beyond which it is disconnected.</summary>
    public string RedisPubSubBufferLimit { get; set; } = "33554432";

    /// <summary>The largest bulk string a Redis command may carry.</summary>
    public string RedisMaxBulkLength { get; set; } = "16777216";

    /// <summary>Whether FLUSHALL and FLUSHDB are allowed.</summary>
    public string RedisAllowFlush { get; set; } = "true";

    /// <summary>Whether the RESP listener runs on Ferry's event loop (one thread reads, runs and answers every Redis
    /// connection, as redis-server does; Linux on x86-64) or on Kestrel's socket transport.</summary>
    public string RedisEventLoop { get; set; } = "true";

    /// <summary>Whether the HTTP listener (SQS, SNS, Kinesis) runs on Ferry's event loop (one thread reads, runs and
    /// answers every HTTP connection; Linux on x86-64) or on Kestrel's socket transport, which spreads requests over
    /// the socket threads of every core.</summary>
    public string HttpEventLoop { get; set; } = "true";

    /// <summary>Milliseconds after which a checkpoint is taken if the journal was written to (one is also taken every
    /// 256 MiB of journal): checkpoints bound how much a restart replays.</summary>
    public string CheckpointInterval { get; set; } = "120000";

    /// <summary>On Kestrel's socket transport (a listener off the event loop): whether requests are processed on the
    /// socket threads that read them (true) or handed to the thread pool first (.NET's default). Inline saves two thread
    /// switches per request; no Ferry handler blocks a thread.</summary>
    public string InlineIo { get; set; } = "true";

    /// <summary>Queues that exist when Ferry starts, by name.</summary>
    public Dictionary<string, DeclaredQueueOptions> Queues { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The Kinesis face's settings (<c>Ferry:Kinesis:*</c>).</summary>
    public KinesisOptions Kinesis { get; set; } = new();

    /// <summary>The SNS face's settings (<c>Ferry:Topics:*</c>).</summary>
    public TopicsOptions Topics { get; set; } = new();
}

/// <summary>Settings of the SNS face.</summary>
internal sealed class TopicsOptions
{
    /// <summary>The URL endpoints reach Ferry at (SubscribeURL, UnsubscribeURL, SigningCertURL); empty means the
    /// address Ferry listens on.</summary>
    public string PublicUrl { get; set; } = "";

    /// <summary><c>true</c> to sign the envelopes delivered to queues as well (HTTP/S deliveries are always signed).</summary>
    public string SignQueueDeliveries { get; set; } = "false";
}

/// <summary>Settings of the Kinesis face.</summary>
internal sealed class KinesisOptions
{
    /// <summary><c>true</c> to answer ProvisionedThroughputExceededException beyond Kinesis's per-shard write limits
    /// (1 MiB/s, 1,000 records/s); off by default.</summary>
    public string EnforceShardLimits { get; set; } = "false";
}

/// <summary>One declared queue: SQS attributes and tags, and a shorthand for its dead-letter queue.</summary>
internal sealed class DeclaredQueueOptions
{
    public Dictionary<string, string> Attributes { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The name of the dead-letter queue (builds the RedrivePolicy with <see cref="MaxReceiveCount"/>).</summary>
    public string? DeadLetterQueue { get; set; }

    public int? MaxReceiveCount { get; set; }
}

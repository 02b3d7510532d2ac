namespace Ferry.Aws.Sns;

/// <summary>What SNS needs from the host.</summary>
public sealed class SnsOptions
{
    /// <summary>The URL endpoints reach Ferry at: the base of SubscribeURL, UnsubscribeURL and SigningCertURL.</summary>
    public string BaseUrl { get; init; } = "http://127.0.0.1:4566";

    /// <summary>Where the signing key and certificate live; null keeps them in memory (a new key per start).</summary>
    public string? SigningDirectory { get; init; }

    /// <summary>
    /// Whether envelopes delivered to queues are signed too. HTTP/S deliveries are always signed; queue consumers
    /// rarely verify, and an RSA signature costs about a third of a millisecond of CPU per published message.
    /// </summary>
    public bool SignQueueDeliveries { get; init; }

    /// <summary>How many HTTP/S deliveries run at once.</summary>
    public int PushConcurrency { get; init; } = 64;

    /// <summary>How long an endpoint has to answer one delivery (SNS waits 15 seconds).</summary>
    public TimeSpan PushTimeout { get; init; } = TimeSpan.FromSeconds(15);
}

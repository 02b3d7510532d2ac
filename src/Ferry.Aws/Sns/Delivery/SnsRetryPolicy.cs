namespace Ferry.Aws.Sns.Delivery;

/// <summary>
/// An HTTP/S retry policy (a delivery policy's healthyRetryPolicy), already validated. Delays are whole seconds.
/// </summary>
/// <param name="MinDelayTarget">The delay of the pre-backoff phase and of the first backoff retry.</param>
/// <param name="MaxDelayTarget">The delay of the last backoff retry and of the post-backoff phase.</param>
/// <param name="NumRetries">All retries, of every phase; the first delivery attempt is not one of them.</param>
/// <param name="NumNoDelayRetries">Retries made at once after the first attempt.</param>
/// <param name="NumMinDelayRetries">Pre-backoff retries, <paramref name="MinDelayTarget"/> apart.</param>
/// <param name="NumMaxDelayRetries">Post-backoff retries, <paramref name="MaxDelayTarget"/> apart.</param>
/// <param name="BackoffFunction">The curve of the backoff phase.</param>
internal sealed record SnsRetryPolicy(
    int MinDelayTarget,
    int MaxDelayTarget,
    int NumRetries,
    int NumNoDelayRetries,
    int NumMinDelayRetries,
    int NumMaxDelayRetries,
    SnsBackoffFunction BackoffFunction)
{
    /// <summary>AWS's default delay, both minimum and maximum: 20 seconds.</summary>
    public const int DefaultDelaySeconds = 20;

    /// <summary>AWS's default number of retries: 3.</summary>
    public const int DefaultRetries = 3;

    /// <summary>The shortest delay a policy may set (minDelayTarget's lower bound).</summary>
    public const int MinDelaySeconds = 1;

    /// <summary>The longest delay a policy may set (maxDelayTarget's upper bound).</summary>
    public const int MaxDelaySeconds = 3600;

    /// <summary>The most retries a policy may ask for.</summary>
    public const int MaxRetries = 100;

    /// <summary>SNS's hard limit on the sum of a policy's delays: an hour.</summary>
    public const int MaxTotalRetrySeconds = 3600;

    /// <summary>
    /// AWS's policy for HTTP/S when neither topic nor subscription sets one: 3 retries, 20 seconds apart (the
    /// backoff phase from 20 to 20 seconds), linear, no immediate, pre- or post-backoff retries.
    /// </summary>
    public static SnsRetryPolicy Default { get; } =
        new(DefaultDelaySeconds, DefaultDelaySeconds, DefaultRetries, 0, 0, 0, SnsBackoffFunction.Linear);

    /// <summary>The retries of the backoff phase: what the other three phases leave of <see cref="NumRetries"/>.</summary>
    public int NumBackoffRetries => NumRetries - NumNoDelayRetries - NumMinDelayRetries - NumMaxDelayRetries;
}

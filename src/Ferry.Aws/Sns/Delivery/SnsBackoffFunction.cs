namespace Ferry.Aws.Sns.Delivery;

/// <summary>
/// How the delay grows across the backoff phase of a retry policy, from minDelayTarget at its first retry to
/// maxDelayTarget at its last. See <see cref="RetrySchedule"/> for each curve.
/// </summary>
internal enum SnsBackoffFunction
{
    /// <summary>The default: the delay grows by the same amount at each retry.</summary>
    Linear,

    /// <summary>The growth itself grows by the same amount at each retry: a quadratic curve.</summary>
    Arithmetic,

    /// <summary>Each delay is the previous one times a constant ratio.</summary>
    Geometric,

    /// <summary>The distance above minDelayTarget doubles at each retry.</summary>
    Exponential,
}

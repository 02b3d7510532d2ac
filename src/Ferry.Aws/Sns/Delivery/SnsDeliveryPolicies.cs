namespace Ferry.Aws.Sns.Delivery;

/// <summary>A topic's DeliveryPolicy attribute, validated: the <c>http</c> defaults for its HTTP/S subscriptions.</summary>
/// <param name="DefaultHealthyRetryPolicy">http.defaultHealthyRetryPolicy, or null when not set.</param>
/// <param name="DisableSubscriptionOverrides">http.disableSubscriptionOverrides: the topic's policy wins over every subscription's.</param>
/// <param name="DefaultMaxReceivesPerSecond">http.defaultThrottlePolicy.maxReceivesPerSecond, or null when not set.</param>
/// <param name="DefaultHeaderContentType">http.defaultRequestPolicy.headerContentType, or null when not set.</param>
internal sealed record SnsTopicDeliveryPolicy(
    SnsRetryPolicy? DefaultHealthyRetryPolicy,
    bool DisableSubscriptionOverrides,
    int? DefaultMaxReceivesPerSecond,
    string? DefaultHeaderContentType);

/// <summary>A subscription's DeliveryPolicy attribute, validated.</summary>
/// <param name="HealthyRetryPolicy">healthyRetryPolicy, or null when not set.</param>
/// <param name="MaxReceivesPerSecond">throttlePolicy.maxReceivesPerSecond, or null when not set.</param>
/// <param name="HeaderContentType">requestPolicy.headerContentType, or null when not set.</param>
internal sealed record SnsSubscriptionDeliveryPolicy(
    SnsRetryPolicy? HealthyRetryPolicy,
    int? MaxReceivesPerSecond,
    string? HeaderContentType);

/// <summary>The policy an HTTP/S delivery follows, once topic, subscription and AWS defaults are combined.</summary>
/// <param name="RetryPolicy">The retry policy.</param>
/// <param name="MaxReceivesPerSecond">The most deliveries per second to this subscription, or null for no limit; the caller applies it.</param>
/// <param name="HeaderContentType">The Content-Type of the POST.</param>
internal sealed record SnsEffectiveDeliveryPolicy(SnsRetryPolicy RetryPolicy, int? MaxReceivesPerSecond, string HeaderContentType)
{
    /// <summary>AWS's policy when neither the topic nor the subscription sets one.</summary>
    public static SnsEffectiveDeliveryPolicy Default { get; } = new(SnsRetryPolicy.Default, null, SnsHttpHeaders.DefaultContentType);

    /// <summary>The attempts and delays of <see cref="RetryPolicy"/>.</summary>
    public RetrySchedule Schedule { get; } = RetrySchedule.For(RetryPolicy);

    /// <summary>Equal when the three settings are: <see cref="Schedule"/> follows from them.</summary>
    public bool Equals(SnsEffectiveDeliveryPolicy? other) =>
        other is not null
        && RetryPolicy == other.RetryPolicy
        && MaxReceivesPerSecond == other.MaxReceivesPerSecond
        && string.Equals(HeaderContentType, other.HeaderContentType, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RetryPolicy, MaxReceivesPerSecond, HeaderContentType);
}

namespace Ferry.Aws.Sns.Delivery;

/// <summary>The two messages SNS sends to an HTTP/S endpoint about its subscription.</summary>
internal enum SnsConfirmationType
{
    /// <summary>Sent after Subscribe: the endpoint confirms by visiting SubscribeURL or calling ConfirmSubscription with Token.</summary>
    SubscriptionConfirmation,

    /// <summary>Sent after Unsubscribe: SubscribeURL and Token re-confirm the subscription.</summary>
    UnsubscribeConfirmation,
}

/// <summary>A SubscriptionConfirmation or UnsubscribeConfirmation message.</summary>
/// <param name="Type">Which of the two.</param>
/// <param name="TopicArn">The topic of the subscription.</param>
/// <param name="MessageId">A fresh message id.</param>
/// <param name="Token">The confirmation token (also inside <paramref name="SubscribeUrl"/>).</param>
/// <param name="Message">The human-readable text; see <see cref="SnsMessages.SubscriptionConfirmationText"/> and <see cref="SnsMessages.UnsubscribeConfirmationText"/>.</param>
/// <param name="SubscribeUrl">The URL that confirms the subscription; see <see cref="SnsUrls.Subscribe"/>.</param>
/// <param name="Timestamp">When the message was sent; written in UTC to the millisecond.</param>
internal sealed record SnsConfirmation(
    SnsConfirmationType Type,
    string TopicArn,
    string MessageId,
    string Token,
    string Message,
    string SubscribeUrl,
    DateTimeOffset Timestamp);

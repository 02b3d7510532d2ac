namespace Ferry.Aws.Sns.Delivery;

/// <summary>The HTTP headers of SNS's POST to an HTTP/S subscription.</summary>
internal static class SnsHttpHeaders
{
    /// <summary>Notification, SubscriptionConfirmation or UnsubscribeConfirmation.</summary>
    public const string MessageType = "x-amz-sns-message-type";

    /// <summary>The message id; a retry sends the original one.</summary>
    public const string MessageId = "x-amz-sns-message-id";

    /// <summary>The topic's ARN.</summary>
    public const string TopicArn = "x-amz-sns-topic-arn";

    /// <summary>The subscription's ARN (not sent with a SubscriptionConfirmation: the subscription is still pending).</summary>
    public const string SubscriptionArn = "x-amz-sns-subscription-arn";

    /// <summary>Sent with the value <see cref="RawDeliveryValue"/> when the subscription has RawMessageDelivery: the body is the bare message.</summary>
    public const string RawDelivery = "x-amz-sns-rawdelivery";

    /// <summary>The value of <see cref="RawDelivery"/>.</summary>
    public const string RawDeliveryValue = "true";

    /// <summary>The User-Agent SNS sends.</summary>
    public const string UserAgent = "Amazon Simple Notification Service Agent";

    /// <summary>The Content-Type unless the delivery policy's headerContentType says otherwise.</summary>
    public const string DefaultContentType = "text/plain; charset=UTF-8";

    /// <summary>The message types, as the Type field and <see cref="MessageType"/> spell them.</summary>
    public const string Notification = "Notification";

    /// <inheritdoc cref="Notification"/>
    public const string SubscriptionConfirmation = "SubscriptionConfirmation";

    /// <inheritdoc cref="Notification"/>
    public const string UnsubscribeConfirmation = "UnsubscribeConfirmation";
}

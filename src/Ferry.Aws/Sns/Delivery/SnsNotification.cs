namespace Ferry.Aws.Sns.Delivery;

/// <summary>One published message as SNS delivers it to a subscription in its JSON envelope.</summary>
/// <param name="TopicArn">The topic the message was published to.</param>
/// <param name="MessageId">The id Publish returned; a retry of the same delivery keeps it.</param>
/// <param name="Subject">The Subject given to Publish; absent (null or empty) leaves it out of the envelope and of the string to sign.</param>
/// <param name="Message">The message text for this subscription's protocol (after MessageStructure json is resolved).</param>
/// <param name="Timestamp">When the message was published; written in UTC to the millisecond.</param>
/// <param name="Attributes">The message attributes, written in this order; null or empty leaves MessageAttributes out.</param>
/// <param name="SequenceNumber">A FIFO topic's sequence number for the message; written right after MessageId.</param>
/// <param name="MessageGroupId">A FIFO topic's message group. Not part of SNS's envelope: it travels as the SQS message's own attribute.</param>
/// <param name="MessageDeduplicationId">A FIFO topic's deduplication id. Not part of SNS's envelope, like <paramref name="MessageGroupId"/>.</param>
internal sealed record SnsNotification(
    string TopicArn,
    string MessageId,
    string? Subject,
    string Message,
    DateTimeOffset Timestamp,
    IReadOnlyList<SnsMessageAttribute>? Attributes = null,
    string? SequenceNumber = null,
    string? MessageGroupId = null,
    string? MessageDeduplicationId = null);

/// <summary>One message attribute as Publish received it.</summary>
/// <param name="Name">The attribute's name.</param>
/// <param name="DataType">String, Number, Binary, String.Array, or one of them with a custom label; written as the envelope's Type.</param>
/// <param name="StringValue">The value of a String, Number or String.Array attribute.</param>
/// <param name="BinaryValue">The value of a Binary attribute; written base64-encoded.</param>
internal sealed record SnsMessageAttribute(string Name, string DataType, string? StringValue, byte[]? BinaryValue = null);

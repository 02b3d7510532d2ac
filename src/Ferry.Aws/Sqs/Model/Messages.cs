namespace Ferry.Aws.Sqs;

// Request and result shapes of the message-level actions, named after botocore's SQS model (2012-11-05).

/// <summary>A message (user) attribute, and also the shape of a message system attribute such as AWSTraceHeader.</summary>
internal sealed class MessageAttributeValue
{
    public string? StringValue { get; set; }
    public byte[]? BinaryValue { get; set; }

    /// <summary>Reserved by AWS for future use; carried through and hashed when present.</summary>
    public List<string>? StringListValues { get; set; }

    /// <summary>Reserved by AWS for future use; carried through and hashed when present.</summary>
    public List<byte[]>? BinaryListValues { get; set; }
    public string? DataType { get; set; }
}

internal sealed class SendMessageRequest
{
    public string? QueueUrl { get; set; }
    public string? MessageBody { get; set; }
    public int? DelaySeconds { get; set; }
    public Dictionary<string, MessageAttributeValue>? MessageAttributes { get; set; }
    public Dictionary<string, MessageAttributeValue>? MessageSystemAttributes { get; set; }
    public string? MessageDeduplicationId { get; set; }
    public string? MessageGroupId { get; set; }
}

internal sealed class SendMessageResult
{
    public string? MD5OfMessageBody { get; set; }
    public string? MD5OfMessageAttributes { get; set; }
    public string? MD5OfMessageSystemAttributes { get; set; }
    public string? MessageId { get; set; }
    public string? SequenceNumber { get; set; }
}

internal sealed class ReceiveMessageRequest
{
    public string? QueueUrl { get; set; }

    /// <summary>Deprecated by AWS in favour of <see cref="MessageSystemAttributeNames"/>; both are honoured.</summary>
    public List<string>? AttributeNames { get; set; }
    public List<string>? MessageSystemAttributeNames { get; set; }
    public List<string>? MessageAttributeNames { get; set; }
    public int? MaxNumberOfMessages { get; set; }
    public int? VisibilityTimeout { get; set; }
    public int? WaitTimeSeconds { get; set; }
    public string? ReceiveRequestAttemptId { get; set; }
}

internal sealed class ReceiveMessageResult
{
    public List<Message>? Messages { get; set; }
}

internal sealed class Message
{
    public string? MessageId { get; set; }
    public string? ReceiptHandle { get; set; }
    public string? MD5OfBody { get; set; }
    public string? Body { get; set; }
    public Dictionary<string, string>? Attributes { get; set; }
    public string? MD5OfMessageAttributes { get; set; }
    public Dictionary<string, MessageAttributeValue>? MessageAttributes { get; set; }
}

internal sealed class DeleteMessageRequest
{
    public string? QueueUrl { get; set; }
    public string? ReceiptHandle { get; set; }
}

internal sealed class ChangeMessageVisibilityRequest
{
    public string? QueueUrl { get; set; }
    public string? ReceiptHandle { get; set; }
    public int? VisibilityTimeout { get; set; }
}

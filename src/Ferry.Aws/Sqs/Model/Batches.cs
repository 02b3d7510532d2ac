namespace Ferry.Aws.Sqs;

// Batch request and result shapes, named after botocore's SQS model (2012-11-05).

/// <summary>One failed entry of a batch; <see cref="SenderFault"/> says whether the caller can fix it.</summary>
internal sealed class BatchResultErrorEntry
{
    public string? Id { get; set; }
    public bool SenderFault { get; set; }
    public string? Code { get; set; }
    public string? Message { get; set; }

    /// <summary>An entry failed with an error of the catalogue, using its query code as AWS does in batch results.</summary>
    public static BatchResultErrorEntry From(string id, SqsError error, string message) =>
        new() { Id = id, SenderFault = error.SenderFault, Code = error.QueryCode, Message = message };
}

internal sealed class SendMessageBatchRequest
{
    public string? QueueUrl { get; set; }
    public List<SendMessageBatchRequestEntry>? Entries { get; set; }
}

internal sealed class SendMessageBatchRequestEntry
{
    public string? Id { get; set; }
    public string? MessageBody { get; set; }
    public int? DelaySeconds { get; set; }
    public Dictionary<string, MessageAttributeValue>? MessageAttributes { get; set; }
    public Dictionary<string, MessageAttributeValue>? MessageSystemAttributes { get; set; }
    public string? MessageDeduplicationId { get; set; }
    public string? MessageGroupId { get; set; }
}

internal sealed class SendMessageBatchResult
{
    public List<SendMessageBatchResultEntry> Successful { get; set; } = [];
    public List<BatchResultErrorEntry> Failed { get; set; } = [];
}

internal sealed class SendMessageBatchResultEntry
{
    public string? Id { get; set; }
    public string? MessageId { get; set; }
    public string? MD5OfMessageBody { get; set; }
    public string? MD5OfMessageAttributes { get; set; }
    public string? MD5OfMessageSystemAttributes { get; set; }
    public string? SequenceNumber { get; set; }
}

internal sealed class DeleteMessageBatchRequest
{
    public string? QueueUrl { get; set; }
    public List<DeleteMessageBatchRequestEntry>? Entries { get; set; }
}

internal sealed class DeleteMessageBatchRequestEntry
{
    public string? Id { get; set; }
    public string? ReceiptHandle { get; set; }
}

internal sealed class DeleteMessageBatchResult
{
    public List<DeleteMessageBatchResultEntry> Successful { get; set; } = [];
    public List<BatchResultErrorEntry> Failed { get; set; } = [];
}

internal sealed class DeleteMessageBatchResultEntry
{
    public string? Id { get; set; }
}

internal sealed class ChangeMessageVisibilityBatchRequest
{
    public string? QueueUrl { get; set; }
    public List<ChangeMessageVisibilityBatchRequestEntry>? Entries { get; set; }
}

internal sealed class ChangeMessageVisibilityBatchRequestEntry
{
    public string? Id { get; set; }
    public string? ReceiptHandle { get; set; }
    public int? VisibilityTimeout { get; set; }
}

internal sealed class ChangeMessageVisibilityBatchResult
{
    public List<ChangeMessageVisibilityBatchResultEntry> Successful { get; set; } = [];
    public List<BatchResultErrorEntry> Failed { get; set; } = [];
}

internal sealed class ChangeMessageVisibilityBatchResultEntry
{
    public string? Id { get; set; }
}

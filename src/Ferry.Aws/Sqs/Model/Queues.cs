using System.Text.Json.Serialization;

namespace Ferry.Aws.Sqs;

// Request and result shapes of the queue-level actions, named after botocore's SQS model (2012-11-05).
// Optional members are nullable; a null member is absent on the wire in both protocols.

/// <summary>The result of every action whose output botocore models as empty.</summary>
internal sealed class EmptyResult
{
    public static readonly EmptyResult Instance = new();
}

internal sealed class CreateQueueRequest
{
    public string? QueueName { get; set; }
    public Dictionary<string, string>? Attributes { get; set; }

    /// <summary>botocore spells this member in lower case: <c>tags</c>.</summary>
    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }
}

internal sealed class CreateQueueResult
{
    public string? QueueUrl { get; set; }
}

internal sealed class DeleteQueueRequest
{
    public string? QueueUrl { get; set; }
}

internal sealed class GetQueueUrlRequest
{
    public string? QueueName { get; set; }
    public string? QueueOwnerAWSAccountId { get; set; }
}

internal sealed class GetQueueUrlResult
{
    public string? QueueUrl { get; set; }
}

internal sealed class ListQueuesRequest
{
    public string? QueueNamePrefix { get; set; }
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
}

internal sealed class ListQueuesResult
{
    public List<string>? QueueUrls { get; set; }
    public string? NextToken { get; set; }
}

internal sealed class GetQueueAttributesRequest
{
    public string? QueueUrl { get; set; }
    public List<string>? AttributeNames { get; set; }
}

internal sealed class GetQueueAttributesResult
{
    public Dictionary<string, string>? Attributes { get; set; }
}

internal sealed class SetQueueAttributesRequest
{
    public string? QueueUrl { get; set; }
    public Dictionary<string, string>? Attributes { get; set; }
}

internal sealed class PurgeQueueRequest
{
    public string? QueueUrl { get; set; }
}

internal sealed class ListDeadLetterSourceQueuesRequest
{
    public string? QueueUrl { get; set; }
    public string? NextToken { get; set; }
    public int? MaxResults { get; set; }
}

internal sealed class ListDeadLetterSourceQueuesResult
{
    /// <summary>botocore spells this member in lower case: <c>queueUrls</c>.</summary>
    [JsonPropertyName("queueUrls")]
    public List<string>? QueueUrls { get; set; }
    public string? NextToken { get; set; }
}

internal sealed class TagQueueRequest
{
    public string? QueueUrl { get; set; }
    public Dictionary<string, string>? Tags { get; set; }
}

internal sealed class UntagQueueRequest
{
    public string? QueueUrl { get; set; }
    public List<string>? TagKeys { get; set; }
}

internal sealed class ListQueueTagsRequest
{
    public string? QueueUrl { get; set; }
}

internal sealed class ListQueueTagsResult
{
    public Dictionary<string, string>? Tags { get; set; }
}

internal sealed class AddPermissionRequest
{
    public string? QueueUrl { get; set; }
    public string? Label { get; set; }
    public List<string>? AWSAccountIds { get; set; }
    public List<string>? Actions { get; set; }
}

internal sealed class RemovePermissionRequest
{
    public string? QueueUrl { get; set; }
    public string? Label { get; set; }
}

internal sealed class StartMessageMoveTaskRequest
{
    public string? SourceArn { get; set; }
    public string? DestinationArn { get; set; }
    public int? MaxNumberOfMessagesPerSecond { get; set; }
}

internal sealed class StartMessageMoveTaskResult
{
    public string? TaskHandle { get; set; }
}

internal sealed class CancelMessageMoveTaskRequest
{
    public string? TaskHandle { get; set; }
}

internal sealed class CancelMessageMoveTaskResult
{
    public long? ApproximateNumberOfMessagesMoved { get; set; }
}

internal sealed class ListMessageMoveTasksRequest
{
    public string? SourceArn { get; set; }
    public int? MaxResults { get; set; }
}

internal sealed class ListMessageMoveTasksResult
{
    public List<ListMessageMoveTasksResultEntry>? Results { get; set; }
}

internal sealed class ListMessageMoveTasksResultEntry
{
    public string? TaskHandle { get; set; }
    public string? Status { get; set; }
    public string? SourceArn { get; set; }
    public string? DestinationArn { get; set; }
    public int? MaxNumberOfMessagesPerSecond { get; set; }
    public long? ApproximateNumberOfMessagesMoved { get; set; }
    public long? ApproximateNumberOfMessagesToMove { get; set; }
    public string? FailureReason { get; set; }
    public long? StartedTimestamp { get; set; }
}

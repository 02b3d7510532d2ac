using System.Text.Json.Serialization;

namespace Ferry.Aws.Sqs.Json;

/// <summary>
/// Source-generated System.Text.Json metadata for every SQS request and result: no reflection at run time. Member
/// names are botocore's as written (PascalCase, except <c>tags</c> and <c>queueUrls</c>, set on the models); absent
/// optional members are omitted, as AWS omits them.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(EmptyResult))]
[JsonSerializable(typeof(CreateQueueRequest))]
[JsonSerializable(typeof(CreateQueueResult))]
[JsonSerializable(typeof(DeleteQueueRequest))]
[JsonSerializable(typeof(GetQueueUrlRequest))]
[JsonSerializable(typeof(GetQueueUrlResult))]
[JsonSerializable(typeof(ListQueuesRequest))]
[JsonSerializable(typeof(ListQueuesResult))]
[JsonSerializable(typeof(GetQueueAttributesRequest))]
[JsonSerializable(typeof(GetQueueAttributesResult))]
[JsonSerializable(typeof(SetQueueAttributesRequest))]
[JsonSerializable(typeof(PurgeQueueRequest))]
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(SendMessageResult))]
[JsonSerializable(typeof(SendMessageBatchRequest))]
[JsonSerializable(typeof(SendMessageBatchResult))]
[JsonSerializable(typeof(ReceiveMessageRequest))]
[JsonSerializable(typeof(ReceiveMessageResult))]
[JsonSerializable(typeof(DeleteMessageRequest))]
[JsonSerializable(typeof(DeleteMessageBatchRequest))]
[JsonSerializable(typeof(DeleteMessageBatchResult))]
[JsonSerializable(typeof(ChangeMessageVisibilityRequest))]
[JsonSerializable(typeof(ChangeMessageVisibilityBatchRequest))]
[JsonSerializable(typeof(ChangeMessageVisibilityBatchResult))]
[JsonSerializable(typeof(TagQueueRequest))]
[JsonSerializable(typeof(UntagQueueRequest))]
[JsonSerializable(typeof(ListQueueTagsRequest))]
[JsonSerializable(typeof(ListQueueTagsResult))]
[JsonSerializable(typeof(ListDeadLetterSourceQueuesRequest))]
[JsonSerializable(typeof(ListDeadLetterSourceQueuesResult))]
[JsonSerializable(typeof(StartMessageMoveTaskRequest))]
[JsonSerializable(typeof(StartMessageMoveTaskResult))]
[JsonSerializable(typeof(CancelMessageMoveTaskRequest))]
[JsonSerializable(typeof(CancelMessageMoveTaskResult))]
[JsonSerializable(typeof(ListMessageMoveTasksRequest))]
[JsonSerializable(typeof(ListMessageMoveTasksResult))]
[JsonSerializable(typeof(AddPermissionRequest))]
[JsonSerializable(typeof(RemovePermissionRequest))]
internal sealed partial class SqsJsonContext : JsonSerializerContext;

using System.Collections.Frozen;
using Ferry.Aws.Sqs.Json;
using Ferry.Aws.Sqs.Query;

namespace Ferry.Aws.Sqs;

/// <summary>The 23 actions of SQS 2012-11-05, by name.</summary>
internal static class SqsOperations
{
    private static readonly SqsJsonContext Json = SqsJsonContext.Default;

    public static readonly FrozenDictionary<string, SqsOperation> ByName = Build().ToFrozenDictionary(o => o.Name, StringComparer.Ordinal);

    /// <summary>Looks an action up by a span of its name (the tail of X-Amz-Target) without allocating.</summary>
    public static readonly FrozenDictionary<string, SqsOperation>.AlternateLookup<ReadOnlySpan<char>> BySpan =
        ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    private static SqsOperation[] Build() =>
    [
        new SqsOperation<CreateQueueRequest, CreateQueueResult>("CreateQueue", Json.CreateQueueRequest, Json.CreateQueueResult,
            SqsQueryBinder.CreateQueue, SqsRequestRules.Validate, static (s, r, c, t) => s.CreateQueueAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<DeleteQueueRequest, EmptyResult>("DeleteQueue", Json.DeleteQueueRequest, Json.EmptyResult,
            SqsQueryBinder.DeleteQueue, SqsRequestRules.Validate, static (s, r, c, t) => s.DeleteQueueAsync(r, c, t), null),
        new SqsOperation<GetQueueUrlRequest, GetQueueUrlResult>("GetQueueUrl", Json.GetQueueUrlRequest, Json.GetQueueUrlResult,
            SqsQueryBinder.GetQueueUrl, SqsRequestRules.Validate, static (s, r, c, t) => s.GetQueueUrlAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<ListQueuesRequest, ListQueuesResult>("ListQueues", Json.ListQueuesRequest, Json.ListQueuesResult,
            SqsQueryBinder.ListQueues, SqsRequestRules.Validate, static (s, r, c, t) => s.ListQueuesAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<GetQueueAttributesRequest, GetQueueAttributesResult>("GetQueueAttributes", Json.GetQueueAttributesRequest, Json.GetQueueAttributesResult,
            SqsQueryBinder.GetQueueAttributes, SqsRequestRules.Validate, static (s, r, c, t) => s.GetQueueAttributesAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<SetQueueAttributesRequest, EmptyResult>("SetQueueAttributes", Json.SetQueueAttributesRequest, Json.EmptyResult,
            SqsQueryBinder.SetQueueAttributes, SqsRequestRules.Validate, static (s, r, c, t) => s.SetQueueAttributesAsync(r, c, t), null),
        new SqsOperation<PurgeQueueRequest, EmptyResult>("PurgeQueue", Json.PurgeQueueRequest, Json.EmptyResult,
            SqsQueryBinder.PurgeQueue, SqsRequestRules.Validate, static (s, r, c, t) => s.PurgeQueueAsync(r, c, t), null),
        new SqsOperation<SendMessageRequest, SendMessageResult>("SendMessage", Json.SendMessageRequest, Json.SendMessageResult,
            SqsQueryBinder.SendMessage, SqsRequestRules.Validate, static (s, r, c, t) => s.SendMessageAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<SendMessageBatchRequest, SendMessageBatchResult>("SendMessageBatch", Json.SendMessageBatchRequest, Json.SendMessageBatchResult,
            SqsQueryBinder.SendMessageBatch, SqsRequestRules.Validate, static (s, r, c, t) => s.SendMessageBatchAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<ReceiveMessageRequest, ReceiveMessageResult>("ReceiveMessage", Json.ReceiveMessageRequest, Json.ReceiveMessageResult,
            SqsQueryBinder.ReceiveMessage, SqsRequestRules.Validate, static (s, r, c, t) => s.ReceiveMessageAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<DeleteMessageRequest, EmptyResult>("DeleteMessage", Json.DeleteMessageRequest, Json.EmptyResult,
            SqsQueryBinder.DeleteMessage, SqsRequestRules.Validate, static (s, r, c, t) => s.DeleteMessageAsync(r, c, t), null),
        new SqsOperation<DeleteMessageBatchRequest, DeleteMessageBatchResult>("DeleteMessageBatch", Json.DeleteMessageBatchRequest, Json.DeleteMessageBatchResult,
            SqsQueryBinder.DeleteMessageBatch, SqsRequestRules.Validate, static (s, r, c, t) => s.DeleteMessageBatchAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<ChangeMessageVisibilityRequest, EmptyResult>("ChangeMessageVisibility", Json.ChangeMessageVisibilityRequest, Json.EmptyResult,
            SqsQueryBinder.ChangeMessageVisibility, SqsRequestRules.Validate, static (s, r, c, t) => s.ChangeMessageVisibilityAsync(r, c, t), null),
        new SqsOperation<ChangeMessageVisibilityBatchRequest, ChangeMessageVisibilityBatchResult>("ChangeMessageVisibilityBatch", Json.ChangeMessageVisibilityBatchRequest, Json.ChangeMessageVisibilityBatchResult,
            SqsQueryBinder.ChangeMessageVisibilityBatch, SqsRequestRules.Validate, static (s, r, c, t) => s.ChangeMessageVisibilityBatchAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<TagQueueRequest, EmptyResult>("TagQueue", Json.TagQueueRequest, Json.EmptyResult,
            SqsQueryBinder.TagQueue, SqsRequestRules.Validate, static (s, r, c, t) => s.TagQueueAsync(r, c, t), null),
        new SqsOperation<UntagQueueRequest, EmptyResult>("UntagQueue", Json.UntagQueueRequest, Json.EmptyResult,
            SqsQueryBinder.UntagQueue, SqsRequestRules.Validate, static (s, r, c, t) => s.UntagQueueAsync(r, c, t), null),
        new SqsOperation<ListQueueTagsRequest, ListQueueTagsResult>("ListQueueTags", Json.ListQueueTagsRequest, Json.ListQueueTagsResult,
            SqsQueryBinder.ListQueueTags, SqsRequestRules.Validate, static (s, r, c, t) => s.ListQueueTagsAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<ListDeadLetterSourceQueuesRequest, ListDeadLetterSourceQueuesResult>("ListDeadLetterSourceQueues", Json.ListDeadLetterSourceQueuesRequest, Json.ListDeadLetterSourceQueuesResult,
            SqsQueryBinder.ListDeadLetterSourceQueues, SqsRequestRules.Validate, static (s, r, c, t) => s.ListDeadLetterSourceQueuesAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<StartMessageMoveTaskRequest, StartMessageMoveTaskResult>("StartMessageMoveTask", Json.StartMessageMoveTaskRequest, Json.StartMessageMoveTaskResult,
            SqsQueryBinder.StartMessageMoveTask, SqsRequestRules.Validate, static (s, r, c, t) => s.StartMessageMoveTaskAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<CancelMessageMoveTaskRequest, CancelMessageMoveTaskResult>("CancelMessageMoveTask", Json.CancelMessageMoveTaskRequest, Json.CancelMessageMoveTaskResult,
            SqsQueryBinder.CancelMessageMoveTask, SqsRequestRules.Validate, static (s, r, c, t) => s.CancelMessageMoveTaskAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<ListMessageMoveTasksRequest, ListMessageMoveTasksResult>("ListMessageMoveTasks", Json.ListMessageMoveTasksRequest, Json.ListMessageMoveTasksResult,
            SqsQueryBinder.ListMessageMoveTasks, SqsRequestRules.Validate, static (s, r, c, t) => s.ListMessageMoveTasksAsync(r, c, t), SqsXmlResults.Write),
        new SqsOperation<AddPermissionRequest, EmptyResult>("AddPermission", Json.AddPermissionRequest, Json.EmptyResult,
            SqsQueryBinder.AddPermission, SqsRequestRules.Validate, static (s, r, c, t) => s.AddPermissionAsync(r, c, t), null),
        new SqsOperation<RemovePermissionRequest, EmptyResult>("RemovePermission", Json.RemovePermissionRequest, Json.EmptyResult,
            SqsQueryBinder.RemovePermission, SqsRequestRules.Validate, static (s, r, c, t) => s.RemovePermissionAsync(r, c, t), null),
    ];
}

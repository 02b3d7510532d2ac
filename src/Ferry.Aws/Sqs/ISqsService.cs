namespace Ferry.Aws.Sqs;

/// <summary>
/// The semantics of SQS behind both wire protocols: one method per action of the 2012-11-05 API. The protocol layer
/// has already checked the structure of the request (required members, batch shape, message attributes and body
/// characters) before it calls; the service checks everything that needs state or queue configuration.
/// </summary>
/// <remarks>
/// Every AWS error is reported by throwing <see cref="SqsException"/> (see <see cref="SqsErrors"/>); anything else
/// thrown becomes InternalError (500). Actions whose output botocore models as empty return <see cref="EmptyResult"/>.
/// </remarks>
internal interface ISqsService
{
    ValueTask<CreateQueueResult> CreateQueueAsync(CreateQueueRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<EmptyResult> DeleteQueueAsync(DeleteQueueRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<GetQueueUrlResult> GetQueueUrlAsync(GetQueueUrlRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<ListQueuesResult> ListQueuesAsync(ListQueuesRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<GetQueueAttributesResult> GetQueueAttributesAsync(GetQueueAttributesRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<EmptyResult> SetQueueAttributesAsync(SetQueueAttributesRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<EmptyResult> PurgeQueueAsync(PurgeQueueRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<SendMessageResult> SendMessageAsync(SendMessageRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<SendMessageBatchResult> SendMessageBatchAsync(SendMessageBatchRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<ReceiveMessageResult> ReceiveMessageAsync(ReceiveMessageRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<EmptyResult> DeleteMessageAsync(DeleteMessageRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<DeleteMessageBatchResult> DeleteMessageBatchAsync(DeleteMessageBatchRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<EmptyResult> ChangeMessageVisibilityAsync(ChangeMessageVisibilityRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<ChangeMessageVisibilityBatchResult> ChangeMessageVisibilityBatchAsync(ChangeMessageVisibilityBatchRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<EmptyResult> TagQueueAsync(TagQueueRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<EmptyResult> UntagQueueAsync(UntagQueueRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<ListQueueTagsResult> ListQueueTagsAsync(ListQueueTagsRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<ListDeadLetterSourceQueuesResult> ListDeadLetterSourceQueuesAsync(ListDeadLetterSourceQueuesRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<StartMessageMoveTaskResult> StartMessageMoveTaskAsync(StartMessageMoveTaskRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<CancelMessageMoveTaskResult> CancelMessageMoveTaskAsync(CancelMessageMoveTaskRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<ListMessageMoveTasksResult> ListMessageMoveTasksAsync(ListMessageMoveTasksRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<EmptyResult> AddPermissionAsync(AddPermissionRequest request, SqsCallContext context, CancellationToken cancellationToken);
    ValueTask<EmptyResult> RemovePermissionAsync(RemovePermissionRequest request, SqsCallContext context, CancellationToken cancellationToken);
}

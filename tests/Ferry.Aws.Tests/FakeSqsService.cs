using Ferry.Aws.Sqs;

namespace Ferry.Aws.Tests;

/// <summary>An <see cref="ISqsService"/> that records each call and answers with what the test set up.</summary>
internal sealed class FakeSqsService : ISqsService
{
    private readonly Lock _gate = new();

    /// <summary>Answers a call by action name and request; null answers with a default result of the right type.</summary>
    public Func<string, object, object?>? Respond { get; set; }

    public string? LastAction { get; private set; }
    public object? LastRequest { get; private set; }
    public SqsCallContext? LastContext { get; private set; }

    public T Last<T>() => Assert.IsType<T>(LastRequest);

    private ValueTask<TResult> Handle<TResult>(string action, object request, SqsCallContext context)
        where TResult : class, new()
    {
        lock (_gate)
        {
            LastAction = action;
            LastRequest = request;
            LastContext = context;
        }

        object? answer = Respond?.Invoke(action, request);
        return answer switch
        {
            null => ValueTask.FromResult(new TResult()),
            Exception e => throw e,
            TResult result => ValueTask.FromResult(result),
            _ => throw new InvalidOperationException($"Wrong canned result for {action}: {answer.GetType().Name}"),
        };
    }

    public ValueTask<CreateQueueResult> CreateQueueAsync(CreateQueueRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<CreateQueueResult>("CreateQueue", request, context);
    public ValueTask<EmptyResult> DeleteQueueAsync(DeleteQueueRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<EmptyResult>("DeleteQueue", request, context);
    public ValueTask<GetQueueUrlResult> GetQueueUrlAsync(GetQueueUrlRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<GetQueueUrlResult>("GetQueueUrl", request, context);
    public ValueTask<ListQueuesResult> ListQueuesAsync(ListQueuesRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<ListQueuesResult>("ListQueues", request, context);
    public ValueTask<GetQueueAttributesResult> GetQueueAttributesAsync(GetQueueAttributesRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<GetQueueAttributesResult>("GetQueueAttributes", request, context);
    public ValueTask<EmptyResult> SetQueueAttributesAsync(SetQueueAttributesRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<EmptyResult>("SetQueueAttributes", request, context);
    public ValueTask<EmptyResult> PurgeQueueAsync(PurgeQueueRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<EmptyResult>("PurgeQueue", request, context);
    public ValueTask<SendMessageResult> SendMessageAsync(SendMessageRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<SendMessageResult>("SendMessage", request, context);
    public ValueTask<SendMessageBatchResult> SendMessageBatchAsync(SendMessageBatchRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<SendMessageBatchResult>("SendMessageBatch", request, context);
    public ValueTask<ReceiveMessageResult> ReceiveMessageAsync(ReceiveMessageRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<ReceiveMessageResult>("ReceiveMessage", request, context);
    public ValueTask<EmptyResult> DeleteMessageAsync(DeleteMessageRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<EmptyResult>("DeleteMessage", request, context);
    public ValueTask<DeleteMessageBatchResult> DeleteMessageBatchAsync(DeleteMessageBatchRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<DeleteMessageBatchResult>("DeleteMessageBatch", request, context);
    public ValueTask<EmptyResult> ChangeMessageVisibilityAsync(ChangeMessageVisibilityRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<EmptyResult>("ChangeMessageVisibility", request, context);
    public ValueTask<ChangeMessageVisibilityBatchResult> ChangeMessageVisibilityBatchAsync(ChangeMessageVisibilityBatchRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<ChangeMessageVisibilityBatchResult>("ChangeMessageVisibilityBatch", request, context);
    public ValueTask<EmptyResult> TagQueueAsync(TagQueueRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<EmptyResult>("TagQueue", request, context);
    public ValueTask<EmptyResult> UntagQueueAsync(UntagQueueRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<EmptyResult>("UntagQueue", request, context);
    public ValueTask<ListQueueTagsResult> ListQueueTagsAsync(ListQueueTagsRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<ListQueueTagsResult>("ListQueueTags", request, context);
    public ValueTask<ListDeadLetterSourceQueuesResult> ListDeadLetterSourceQueuesAsync(ListDeadLetterSourceQueuesRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<ListDeadLetterSourceQueuesResult>("ListDeadLetterSourceQueues", request, context);
    public ValueTask<StartMessageMoveTaskResult> StartMessageMoveTaskAsync(StartMessageMoveTaskRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<StartMessageMoveTaskResult>("StartMessageMoveTask", request, context);
    public ValueTask<CancelMessageMoveTaskResult> CancelMessageMoveTaskAsync(CancelMessageMoveTaskRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<CancelMessageMoveTaskResult>("CancelMessageMoveTask", request, context);
    public ValueTask<ListMessageMoveTasksResult> ListMessageMoveTasksAsync(ListMessageMoveTasksRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<ListMessageMoveTasksResult>("ListMessageMoveTasks", request, context);
    public ValueTask<EmptyResult> AddPermissionAsync(AddPermissionRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<EmptyResult>("AddPermission", request, context);
    public ValueTask<EmptyResult> RemovePermissionAsync(RemovePermissionRequest request, SqsCallContext context, CancellationToken cancellationToken) => Handle<EmptyResult>("RemovePermission", request, context);
}

namespace Ferry.Aws.Sqs.Query;

/// <summary>
/// Builds each action's request model from Query parameters, with the member names of botocore's Query model
/// (flattened, singular: <c>Attribute.N</c>, <c>MessageAttribute.N</c>, <c>SendMessageBatchRequestEntry.N</c>,
/// <c>Tag.N</c>, <c>TagKey.N</c>, <c>AWSAccountId.N</c>, <c>ActionName.N</c>). A missing QueueUrl parameter is taken
/// from the request path when the request was sent to the queue's URL.
/// </summary>
internal static class SqsQueryBinder
{
    private static string? QueueUrl(QueryParameters p, SqsCallContext c) => p["QueueUrl"] ?? c.QueueUrlFromPath;

    public static CreateQueueRequest CreateQueue(QueryParameters p, SqsCallContext c) => new()
    {
        QueueName = p["QueueName"],
        Attributes = p.Map("Attribute"),
        Tags = p.Map("Tag", "Key", "Value"),
    };

    public static DeleteQueueRequest DeleteQueue(QueryParameters p, SqsCallContext c) => new() { QueueUrl = QueueUrl(p, c) };

    public static GetQueueUrlRequest GetQueueUrl(QueryParameters p, SqsCallContext c) => new()
    {
        QueueName = p["QueueName"],
        QueueOwnerAWSAccountId = p["QueueOwnerAWSAccountId"],
    };

    public static ListQueuesRequest ListQueues(QueryParameters p, SqsCallContext c) => new()
    {
        QueueNamePrefix = p["QueueNamePrefix"],
        NextToken = p["NextToken"],
        MaxResults = p.Int("MaxResults"),
    };

    public static GetQueueAttributesRequest GetQueueAttributes(QueryParameters p, SqsCallContext c) => new()
    {
        QueueUrl = QueueUrl(p, c),
        AttributeNames = p.List("AttributeName"),
    };

    public static SetQueueAttributesRequest SetQueueAttributes(QueryParameters p, SqsCallContext c) => new()
    {
        QueueUrl = QueueUrl(p, c),
        Attributes = p.Map("Attribute"),
    };

    public static PurgeQueueRequest PurgeQueue(QueryParameters p, SqsCallContext c) => new() { QueueUrl = QueueUrl(p, c) };

    public static SendMessageRequest SendMessage(QueryParameters p, SqsCallContext c) => new()
    {
        QueueUrl = QueueUrl(p, c),
        MessageBody = p["MessageBody"],
        DelaySeconds = p.Int("DelaySeconds"),
        MessageAttributes = p.MessageAttributes("MessageAttribute"),
        MessageSystemAttributes = p.MessageAttributes("MessageSystemAttribute"),
        MessageDeduplicationId = p["MessageDeduplicationId"],
        MessageGroupId = p["MessageGroupId"],
    };

    public static SendMessageBatchRequest SendMessageBatch(QueryParameters p, SqsCallContext c)
    {
        const string prefix = "SendMessageBatchRequestEntry";
        var indices = p.Indices(prefix);
        var entries = new List<SendMessageBatchRequestEntry>(indices.Count);
        foreach (int i in indices)
        {
            string entry = QueryParameters.Key(prefix, i);
            entries.Add(new SendMessageBatchRequestEntry
            {
                Id = p[entry + ".Id"],
                MessageBody = p[entry + ".MessageBody"],
                DelaySeconds = p.Int(entry + ".DelaySeconds"),
                MessageAttributes = p.MessageAttributes(entry + ".MessageAttribute"),
                MessageSystemAttributes = p.MessageAttributes(entry + ".MessageSystemAttribute"),
                MessageDeduplicationId = p[entry + ".MessageDeduplicationId"],
                MessageGroupId = p[entry + ".MessageGroupId"],
            });
        }

        return new SendMessageBatchRequest { QueueUrl = QueueUrl(p, c), Entries = entries };
    }

    public static ReceiveMessageRequest ReceiveMessage(QueryParameters p, SqsCallContext c) => new()
    {
        QueueUrl = QueueUrl(p, c),
        AttributeNames = p.List("AttributeName"),
        MessageSystemAttributeNames = p.List("MessageSystemAttributeName"),
        MessageAttributeNames = p.List("MessageAttributeName"),
        MaxNumberOfMessages = p.Int("MaxNumberOfMessages"),
        VisibilityTimeout = p.Int("VisibilityTimeout"),
        WaitTimeSeconds = p.Int("WaitTimeSeconds"),
        ReceiveRequestAttemptId = p["ReceiveRequestAttemptId"],
    };

    public static DeleteMessageRequest DeleteMessage(QueryParameters p, SqsCallContext c) => new()
    {
        QueueUrl = QueueUrl(p, c),
        ReceiptHandle = p["ReceiptHandle"],
    };

    public static DeleteMessageBatchRequest DeleteMessageBatch(QueryParameters p, SqsCallContext c)
    {
        const string prefix = "DeleteMessageBatchRequestEntry";
        var indices = p.Indices(prefix);
        var entries = new List<DeleteMessageBatchRequestEntry>(indices.Count);
        foreach (int i in indices)
        {
            string entry = QueryParameters.Key(prefix, i);
            entries.Add(new DeleteMessageBatchRequestEntry { Id = p[entry + ".Id"], ReceiptHandle = p[entry + ".ReceiptHandle"] });
        }

        return new DeleteMessageBatchRequest { QueueUrl = QueueUrl(p, c), Entries = entries };
    }

    public static ChangeMessageVisibilityRequest ChangeMessageVisibility(QueryParameters p, SqsCallContext c) => new()
    {
        QueueUrl = QueueUrl(p, c),
        ReceiptHandle = p["ReceiptHandle"],
        VisibilityTimeout = p.Int("VisibilityTimeout"),
    };

    public static ChangeMessageVisibilityBatchRequest ChangeMessageVisibilityBatch(QueryParameters p, SqsCallContext c)
    {
        const string prefix = "ChangeMessageVisibilityBatchRequestEntry";
        var indices = p.Indices(prefix);
        var entries = new List<ChangeMessageVisibilityBatchRequestEntry>(indices.Count);
        foreach (int i in indices)
        {
            string entry = QueryParameters.Key(prefix, i);
            entries.Add(new ChangeMessageVisibilityBatchRequestEntry
            {
                Id = p[entry + ".Id"],
                ReceiptHandle = p[entry + ".ReceiptHandle"],
                VisibilityTimeout = p.Int(entry + ".VisibilityTimeout"),
            });
        }

        return new ChangeMessageVisibilityBatchRequest { QueueUrl = QueueUrl(p, c), Entries = entries };
    }

    public static TagQueueRequest TagQueue(QueryParameters p, SqsCallContext c) => new()
    {
        QueueUrl = QueueUrl(p, c),
        Tags = p.Map("Tag", "Key", "Value"),
    };

    public static UntagQueueRequest UntagQueue(QueryParameters p, SqsCallContext c) => new()
    {
        QueueUrl = QueueUrl(p, c),
        TagKeys = p.List("TagKey"),
    };

    public static ListQueueTagsRequest ListQueueTags(QueryParameters p, SqsCallContext c) => new() { QueueUrl = QueueUrl(p, c) };

    public static ListDeadLetterSourceQueuesRequest ListDeadLetterSourceQueues(QueryParameters p, SqsCallContext c) => new()
    {
        QueueUrl = QueueUrl(p, c),
        NextToken = p["NextToken"],
        MaxResults = p.Int("MaxResults"),
    };

    public static StartMessageMoveTaskRequest StartMessageMoveTask(QueryParameters p, SqsCallContext c) => new()
    {
        SourceArn = p["SourceArn"],
        DestinationArn = p["DestinationArn"],
        MaxNumberOfMessagesPerSecond = p.Int("MaxNumberOfMessagesPerSecond"),
    };

    public static CancelMessageMoveTaskRequest CancelMessageMoveTask(QueryParameters p, SqsCallContext c) => new() { TaskHandle = p["TaskHandle"] };

    public static ListMessageMoveTasksRequest ListMessageMoveTasks(QueryParameters p, SqsCallContext c) => new()
    {
        SourceArn = p["SourceArn"],
        MaxResults = p.Int("MaxResults"),
    };

    public static AddPermissionRequest AddPermission(QueryParameters p, SqsCallContext c) => new()
    {
        QueueUrl = QueueUrl(p, c),
        Label = p["Label"],
        AWSAccountIds = p.List("AWSAccountId"),
        Actions = p.List("ActionName"),
    };

    public static RemovePermissionRequest RemovePermission(QueryParameters p, SqsCallContext c) => new()
    {
        QueueUrl = QueueUrl(p, c),
        Label = p["Label"],
    };
}

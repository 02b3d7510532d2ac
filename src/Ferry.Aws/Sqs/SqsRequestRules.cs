using System.Globalization;

namespace Ferry.Aws.Sqs;

/// <summary>
/// The structural checks of each action's request, applied by both protocols before the service is called:
/// required members (as botocore's model marks them) and the stateless rules of <see cref="SqsValidation"/>.
/// </summary>
internal static class SqsRequestRules
{
    public static void Validate(CreateQueueRequest r) => SqsValidation.Require(r.QueueName, "QueueName");

    public static void Validate(DeleteQueueRequest r) => SqsValidation.Require(r.QueueUrl, "QueueUrl");

    public static void Validate(GetQueueUrlRequest r) => SqsValidation.Require(r.QueueName, "QueueName");

    public static void Validate(ListQueuesRequest r)
    {
    }

    public static void Validate(GetQueueAttributesRequest r) => SqsValidation.Require(r.QueueUrl, "QueueUrl");

    public static void Validate(SetQueueAttributesRequest r)
    {
        SqsValidation.Require(r.QueueUrl, "QueueUrl");
        SqsValidation.Require(r.Attributes, "Attributes");
    }

    public static void Validate(PurgeQueueRequest r) => SqsValidation.Require(r.QueueUrl, "QueueUrl");

    public static void Validate(SendMessageRequest r)
    {
        SqsValidation.Require(r.QueueUrl, "QueueUrl");
        SqsValidation.ValidateMessageBody(r.MessageBody);
        SqsValidation.ValidateMessageAttributes(r.MessageAttributes);
        SqsValidation.ValidateMessageSystemAttributes(r.MessageSystemAttributes);
    }

    public static void Validate(SendMessageBatchRequest r)
    {
        SqsValidation.Require(r.QueueUrl, "QueueUrl");
        SqsValidation.ValidateBatch(r.Entries, static e => e.Id, "SendMessageBatchRequestEntry");
        for (int i = 0; i < r.Entries!.Count; i++)
        {
            var entry = r.Entries[i];
            SqsValidation.ValidateMessageBody(entry.MessageBody, EntryMember("SendMessageBatchRequestEntry", i, "MessageBody"));
            SqsValidation.ValidateMessageAttributes(entry.MessageAttributes);
            SqsValidation.ValidateMessageSystemAttributes(entry.MessageSystemAttributes);
        }
    }

    public static void Validate(ReceiveMessageRequest r) => SqsValidation.Require(r.QueueUrl, "QueueUrl");

    public static void Validate(DeleteMessageRequest r)
    {
        SqsValidation.Require(r.QueueUrl, "QueueUrl");
        SqsValidation.Require(r.ReceiptHandle, "ReceiptHandle");
    }

    public static void Validate(DeleteMessageBatchRequest r)
    {
        SqsValidation.Require(r.QueueUrl, "QueueUrl");
        SqsValidation.ValidateBatch(r.Entries, static e => e.Id, "DeleteMessageBatchRequestEntry");
        for (int i = 0; i < r.Entries!.Count; i++)
        {
            SqsValidation.Require(r.Entries[i].ReceiptHandle, EntryMember("DeleteMessageBatchRequestEntry", i, "ReceiptHandle"));
        }
    }

    public static void Validate(ChangeMessageVisibilityRequest r)
    {
        SqsValidation.Require(r.QueueUrl, "QueueUrl");
        SqsValidation.Require(r.ReceiptHandle, "ReceiptHandle");
        if (r.VisibilityTimeout is null)
        {
            throw SqsErrors.MissingParameter("VisibilityTimeout");
        }
    }

    public static void Validate(ChangeMessageVisibilityBatchRequest r)
    {
        SqsValidation.Require(r.QueueUrl, "QueueUrl");
        SqsValidation.ValidateBatch(r.Entries, static e => e.Id, "ChangeMessageVisibilityBatchRequestEntry");
        for (int i = 0; i < r.Entries!.Count; i++)
        {
            SqsValidation.Require(r.Entries[i].ReceiptHandle, EntryMember("ChangeMessageVisibilityBatchRequestEntry", i, "ReceiptHandle"));
        }
    }

    public static void Validate(TagQueueRequest r)
    {
        SqsValidation.Require(r.QueueUrl, "QueueUrl");
        SqsValidation.Require(r.Tags, "Tags");
    }

    public static void Validate(UntagQueueRequest r)
    {
        SqsValidation.Require(r.QueueUrl, "QueueUrl");
        SqsValidation.Require(r.TagKeys, "TagKeys");
    }

    public static void Validate(ListQueueTagsRequest r) => SqsValidation.Require(r.QueueUrl, "QueueUrl");

    public static void Validate(ListDeadLetterSourceQueuesRequest r) => SqsValidation.Require(r.QueueUrl, "QueueUrl");

    public static void Validate(StartMessageMoveTaskRequest r) => SqsValidation.Require(r.SourceArn, "SourceArn");

    public static void Validate(CancelMessageMoveTaskRequest r) => SqsValidation.Require(r.TaskHandle, "TaskHandle");

    public static void Validate(ListMessageMoveTasksRequest r) => SqsValidation.Require(r.SourceArn, "SourceArn");

    public static void Validate(AddPermissionRequest r)
    {
        SqsValidation.Require(r.QueueUrl, "QueueUrl");
        SqsValidation.Require(r.Label, "Label");
        SqsValidation.Require(r.AWSAccountIds, "AWSAccountIds");
        SqsValidation.Require(r.Actions, "Actions");
    }

    public static void Validate(RemovePermissionRequest r)
    {
        SqsValidation.Require(r.QueueUrl, "QueueUrl");
        SqsValidation.Require(r.Label, "Label");
    }

    private static string EntryMember(string entryName, int index, string member) =>
        string.Create(CultureInfo.InvariantCulture, $"{entryName}.{index + 1}.{member}");
}

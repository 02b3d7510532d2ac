namespace Ferry.Aws.Sqs.Query;

/// <summary>The members of each result inside its <c>&lt;ActionResult&gt;</c> element, as AWS writes them.</summary>
internal static class SqsXmlResults
{
    public static void Write(SqsXml x, CreateQueueResult r) => x.Element("QueueUrl", r.QueueUrl);

    public static void Write(SqsXml x, GetQueueUrlResult r) => x.Element("QueueUrl", r.QueueUrl);

    public static void Write(SqsXml x, ListQueuesResult r) => x.List("QueueUrl", r.QueueUrls).Element("NextToken", r.NextToken);

    public static void Write(SqsXml x, GetQueueAttributesResult r) => x.Map("Attribute", r.Attributes);

    public static void Write(SqsXml x, ListQueueTagsResult r) => x.Map("Tag", r.Tags, "Key", "Value");

    public static void Write(SqsXml x, ListDeadLetterSourceQueuesResult r) => x.List("QueueUrl", r.QueueUrls).Element("NextToken", r.NextToken);

    public static void Write(SqsXml x, SendMessageResult r) => x
        .Element("MessageId", r.MessageId)
        .Element("MD5OfMessageBody", r.MD5OfMessageBody)
        .Element("MD5OfMessageAttributes", r.MD5OfMessageAttributes)
        .Element("MD5OfMessageSystemAttributes", r.MD5OfMessageSystemAttributes)
        .Element("SequenceNumber", r.SequenceNumber);

    public static void Write(SqsXml x, ReceiveMessageResult r)
    {
        if (r.Messages is null)
        {
            return;
        }

        foreach (var m in r.Messages)
        {
            x.Open("Message")
                .Element("MessageId", m.MessageId)
                .Element("ReceiptHandle", m.ReceiptHandle)
                .Element("MD5OfBody", m.MD5OfBody)
                .Element("Body", m.Body)
                .Map("Attribute", m.Attributes)
                .Element("MD5OfMessageAttributes", m.MD5OfMessageAttributes)
                .MessageAttributes("MessageAttribute", m.MessageAttributes)
                .Close("Message");
        }
    }

    public static void Write(SqsXml x, SendMessageBatchResult r)
    {
        foreach (var e in r.Successful)
        {
            x.Open("SendMessageBatchResultEntry")
                .Element("Id", e.Id)
                .Element("MessageId", e.MessageId)
                .Element("MD5OfMessageBody", e.MD5OfMessageBody)
                .Element("MD5OfMessageAttributes", e.MD5OfMessageAttributes)
                .Element("MD5OfMessageSystemAttributes", e.MD5OfMessageSystemAttributes)
                .Element("SequenceNumber", e.SequenceNumber)
                .Close("SendMessageBatchResultEntry");
        }

        x.BatchErrors(r.Failed);
    }

    public static void Write(SqsXml x, DeleteMessageBatchResult r)
    {
        foreach (var e in r.Successful)
        {
            x.Open("DeleteMessageBatchResultEntry").Element("Id", e.Id).Close("DeleteMessageBatchResultEntry");
        }

        x.BatchErrors(r.Failed);
    }

    public static void Write(SqsXml x, ChangeMessageVisibilityBatchResult r)
    {
        foreach (var e in r.Successful)
        {
            x.Open("ChangeMessageVisibilityBatchResultEntry").Element("Id", e.Id).Close("ChangeMessageVisibilityBatchResultEntry");
        }

        x.BatchErrors(r.Failed);
    }

    public static void Write(SqsXml x, StartMessageMoveTaskResult r) => x.Element("TaskHandle", r.TaskHandle);

    public static void Write(SqsXml x, CancelMessageMoveTaskResult r) => x.Element("ApproximateNumberOfMessagesMoved", r.ApproximateNumberOfMessagesMoved);

    public static void Write(SqsXml x, ListMessageMoveTasksResult r)
    {
        if (r.Results is null)
        {
            return;
        }

        foreach (var e in r.Results)
        {
            x.Open("ListMessageMoveTasksResultEntry")
                .Element("TaskHandle", e.TaskHandle)
                .Element("Status", e.Status)
                .Element("SourceArn", e.SourceArn)
                .Element("DestinationArn", e.DestinationArn)
                .Element("MaxNumberOfMessagesPerSecond", e.MaxNumberOfMessagesPerSecond)
                .Element("ApproximateNumberOfMessagesMoved", e.ApproximateNumberOfMessagesMoved)
                .Element("ApproximateNumberOfMessagesToMove", e.ApproximateNumberOfMessagesToMove)
                .Element("FailureReason", e.FailureReason)
                .Element("StartedTimestamp", e.StartedTimestamp)
                .Close("ListMessageMoveTasksResultEntry");
        }
    }
}

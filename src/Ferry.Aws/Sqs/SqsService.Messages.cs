using System.Globalization;
using Ferry.Engine;
using Ferry.Engine.Queues;

namespace Ferry.Aws.Sqs;

internal sealed partial class SqsService
{
    /// <summary>The Ferry extension attribute for priority (0–9, higher first) on standard queues.</summary>
    public const string PriorityAttribute = "Ferry-Priority";

    /// <summary>The Ferry extension attribute for scheduled delivery (an RFC 3339 time).</summary>
    public const string DeliverAtAttribute = "Ferry-DeliverAt";

    /// <summary>SQS's absolute limit for a message, and for a whole batch.</summary>
    private const int AbsoluteMaxMessageBytes = 1_048_576;

    private static readonly string[] SystemAttributeNames =
    [
        "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp", "SequenceNumber",
        "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn",
    ];

    /// <summary>Builds the engine's send request from one message's wire members, enforcing SQS's limits.</summary>
    private static SendRequest ToSendRequest(Queue queue, SqsCallContext context, string? body, int? delaySeconds,
        Dictionary<string, MessageAttributeValue>? attributes, Dictionary<string, MessageAttributeValue>? systemAttributes,
        string? groupId, string? dedupId)
    {
        SqsValidation.ValidateMessageBody(body);
        SqsValidation.ValidateMessageAttributes(attributes);
        SqsValidation.ValidateMessageSystemAttributes(systemAttributes);
        var size = SqsValidation.MessageSize(body, attributes);
        var limit = Math.Min(queue.Settings.MaximumMessageSize, AbsoluteMaxMessageBytes);
        if (size > limit)
        {
            throw SqsErrors.InvalidParameterValue($"One or more parameters are invalid. Reason: Message must be shorter than {limit} bytes.");
        }

        if (delaySeconds is < 0 or > 900)
        {
            throw SqsErrors.InvalidParameterValue("DelaySeconds", delaySeconds?.ToString(CultureInfo.InvariantCulture), "DelaySeconds must be >= 0 and <= 900.");
        }

        if (!queue.IsFifo && dedupId is not null)
        {
            throw SqsErrors.InvalidParameterValue("MessageDeduplicationId", dedupId, "The request include parameter that is not valid for this queue type.");
        }

        if (queue.IsFifo && groupId is null)
        {
            throw SqsErrors.MissingParameter("MessageGroupId");
        }

        ValidateFifoId(groupId, "MessageGroupId");
        ValidateFifoId(dedupId, "MessageDeduplicationId");
        var priority = 0;
        DateTimeOffset? deliverAt = null;
        if (attributes is not null)
        {
            if (attributes.TryGetValue(PriorityAttribute, out var p))
            {
                if (queue.IsFifo || !int.TryParse(p.StringValue, NumberStyles.None, CultureInfo.InvariantCulture, out priority) || priority > 9)
                {
                    throw SqsErrors.InvalidParameterValue($"{PriorityAttribute} must be a Number from 0 to 9, on a standard queue.");
                }
            }

            if (attributes.TryGetValue(DeliverAtAttribute, out var d))
            {
                if (!DateTimeOffset.TryParse(d.StringValue, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
                {
                    throw SqsErrors.InvalidParameterValue($"{DeliverAtAttribute} must be an RFC 3339 time, such as 2026-01-31T09:30:00Z.");
                }

                deliverAt = at;
            }
        }

        return new SendRequest
        {
            Body = body!,
            Attributes = ToEngine(attributes),
            SystemAttributes = ToEngine(systemAttributes),
            DelaySeconds = delaySeconds,
            DeliverAt = deliverAt,
            Priority = priority,
            GroupId = groupId,
            DeduplicationId = dedupId,
            SenderId = context.AccessKeyId ?? "AIDAIT2UOQQY3AUEKVGXU",
            BodyDigest = Convert.FromHexString(SqsMd5.OfBody(body!)),
            AttributesDigest = SqsMd5.OfMessageAttributes(attributes) is { } a ? Convert.FromHexString(a) : null,
            SystemAttributesDigest = SqsMd5.OfMessageAttributes(systemAttributes) is { } s ? Convert.FromHexString(s) : null,
        };
    }

    /// <summary>MessageGroupId and MessageDeduplicationId: up to 128 characters of alphanumerics and punctuation.</summary>
    private static void ValidateFifoId(string? id, string parameter)
    {
        if (id is null)
        {
            return;
        }

        if (id.Length is 0 or > 128 || !id.All(c => c is >= '!' and <= '~'))
        {
            throw SqsErrors.InvalidParameterValue(parameter, id, parameter + " can only include alphanumeric and punctuation characters. 1 to 128 in length.");
        }
    }

    private static MessageAttribute[]? ToEngine(Dictionary<string, MessageAttributeValue>? attributes) =>
        attributes is null or { Count: 0 } ? null : [.. attributes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new MessageAttribute(kv.Key, kv.Value.DataType!, kv.Value.StringValue, kv.Value.BinaryValue))];

    private static string Hex(byte[]? digest) => digest is null ? null! : Convert.ToHexStringLower(digest);

    public async ValueTask<SendMessageResult> SendMessageAsync(SendMessageRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        var send = ToSendRequest(queue, context, request.MessageBody, request.DelaySeconds, request.MessageAttributes, request.MessageSystemAttributes,
            request.MessageGroupId, request.MessageDeduplicationId);
        var result = await Engine(() => queue.SendAsync(send)).ConfigureAwait(false);
        return new SendMessageResult
        {
            MessageId = result.MessageId.ToString(),
            MD5OfMessageBody = Hex(send.BodyDigest),
            MD5OfMessageAttributes = send.AttributesDigest is null ? null : Hex(send.AttributesDigest),
            MD5OfMessageSystemAttributes = send.SystemAttributesDigest is null ? null : Hex(send.SystemAttributesDigest),
            SequenceNumber = result.SequenceNumber,
        };
    }

    public async ValueTask<SendMessageBatchResult> SendMessageBatchAsync(SendMessageBatchRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        var entries = request.Entries ?? [];
        var total = entries.Sum(e => SqsValidation.MessageSize(e.MessageBody, e.MessageAttributes));
        if (total > AbsoluteMaxMessageBytes)
        {
            throw SqsErrors.BatchRequestTooLong(AbsoluteMaxMessageBytes, total);
        }

        var result = new SendMessageBatchResult();
        var requests = new List<(SendMessageBatchRequestEntry Entry, SendRequest Send)>(entries.Count);
        foreach (var e in entries)
        {
            try
            {
                requests.Add((e, ToSendRequest(queue, context, e.MessageBody, e.DelaySeconds, e.MessageAttributes, e.MessageSystemAttributes, e.MessageGroupId, e.MessageDeduplicationId)));
            }
            catch (SqsException ex)
            {
                result.Failed.Add(BatchResultErrorEntry.From(e.Id!, ex.Error, ex.Message));
            }
        }

        object[] outcomes;
        try
        {
            outcomes = await queue.SendBatchAsync([.. requests.Select(r => r.Send)]).ConfigureAwait(false);
        }
        catch (EngineException ex)
        {
            throw Map(ex);
        }

        for (var i = 0; i < outcomes.Length; i++)
        {
            var (entry, send) = requests[i];
            if (outcomes[i] is SendResult sent)
            {
                result.Successful.Add(new SendMessageBatchResultEntry
                {
                    Id = entry.Id,
                    MessageId = sent.MessageId.ToString(),
                    MD5OfMessageBody = Hex(send.BodyDigest),
                    MD5OfMessageAttributes = send.AttributesDigest is null ? null : Hex(send.AttributesDigest),
                    MD5OfMessageSystemAttributes = send.SystemAttributesDigest is null ? null : Hex(send.SystemAttributesDigest),
                    SequenceNumber = sent.SequenceNumber,
                });
            }
            else
            {
                var error = Map((EngineException)outcomes[i]);
                result.Failed.Add(BatchResultErrorEntry.From(entry.Id!, error.Error, error.Message));
            }
        }

        return result;
    }

    public async ValueTask<ReceiveMessageResult> ReceiveMessageAsync(ReceiveMessageRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        if (request.MaxNumberOfMessages is < 1 or > 10)
        {
            throw SqsErrors.InvalidParameterValue("MaxNumberOfMessages", request.MaxNumberOfMessages?.ToString(CultureInfo.InvariantCulture), "Must be between 1 and 10, if provided.");
        }

        if (request.WaitTimeSeconds is < 0 or > 20)
        {
            throw SqsErrors.InvalidParameterValue("WaitTimeSeconds", request.WaitTimeSeconds?.ToString(CultureInfo.InvariantCulture), "Must be >= 0 and <= 20, if provided.");
        }

        if (request.VisibilityTimeout is < 0 or > Queue.MaxVisibilityTimeoutSeconds)
        {
            throw SqsErrors.InvalidParameterValue("VisibilityTimeout", request.VisibilityTimeout?.ToString(CultureInfo.InvariantCulture), "Must be >= 0 and <= 43200, if provided.");
        }

        var systemNames = (request.AttributeNames ?? []).Concat(request.MessageSystemAttributeNames ?? []).ToHashSet(StringComparer.Ordinal);
        foreach (var name in systemNames)
        {
            if (name != "All" && !SystemAttributeNames.Contains(name))
            {
                throw SqsErrors.InvalidAttributeName(name);
            }
        }

        var messages = await Engine(() => queue.ReceiveAsync(new ReceiveRequest
        {
            MaxMessages = request.MaxNumberOfMessages ?? 1,
            VisibilityTimeoutSeconds = request.VisibilityTimeout,
            WaitTimeSeconds = request.WaitTimeSeconds,
            ReceiveRequestAttemptId = request.ReceiveRequestAttemptId,
        }, cancellationToken)).ConfigureAwait(false);

        var allSystem = systemNames.Contains("All");
        var attributeFilter = request.MessageAttributeNames ?? [];
        var result = new List<Message>(messages.Count);
        foreach (var m in messages)
        {
            var attributes = Filter(m.Attributes, attributeFilter);
            result.Add(new Message
            {
                MessageId = m.MessageId.ToString(),
                ReceiptHandle = m.ReceiptHandle,
                MD5OfBody = Hex(m.BodyDigest),
                Body = m.Body,
                Attributes = SystemAttributes(m, allSystem, systemNames),
                MessageAttributes = attributes,
                MD5OfMessageAttributes = attributes is null ? null : SqsMd5.OfMessageAttributes(attributes),
            });
        }

        return new ReceiveMessageResult { Messages = result.Count == 0 ? null : result };
    }

    /// <summary>The message attributes a receive asked for: <c>All</c>, <c>.*</c>, <c>prefix.*</c> or exact names.</summary>
    private static Dictionary<string, MessageAttributeValue>? Filter(IReadOnlyList<MessageAttribute> attributes, List<string> names)
    {
        if (attributes.Count == 0 || names.Count == 0)
        {
            return null;
        }

        var all = names.Contains("All") || names.Contains(".*");
        Dictionary<string, MessageAttributeValue>? selected = null;
        foreach (var a in attributes)
        {
            if (all || names.Any(n => n == a.Name || (n.EndsWith(".*", StringComparison.Ordinal) && a.Name.StartsWith(n[..^1], StringComparison.Ordinal))))
            {
                (selected ??= new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal))[a.Name] =
                    new MessageAttributeValue { DataType = a.DataType, StringValue = a.StringValue, BinaryValue = a.BinaryValue };
            }
        }

        return selected;
    }

    private static Dictionary<string, string>? SystemAttributes(ReceivedMessage m, bool all, HashSet<string> names)
    {
        if (!all && names.Count == 0)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string name, string? value)
        {
            if (value is not null && (all || names.Contains(name)))
            {
                values[name] = value;
            }
        }

        Add("SenderId", m.SenderId);
        Add("SentTimestamp", m.SentTimestamp.ToString(CultureInfo.InvariantCulture));
        Add("ApproximateReceiveCount", m.ReceiveCount.ToString(CultureInfo.InvariantCulture));
        Add("ApproximateFirstReceiveTimestamp", m.FirstReceiveTimestamp.ToString(CultureInfo.InvariantCulture));
        Add("SequenceNumber", m.SequenceNumber);
        Add("MessageDeduplicationId", m.DeduplicationId);
        Add("MessageGroupId", m.GroupId);
        Add("DeadLetterQueueSourceArn", m.DeadLetterQueueSourceArn);
        Add("AWSTraceHeader", m.SystemAttributes.FirstOrDefault(a => a.Name == "AWSTraceHeader")?.StringValue);
        return values.Count == 0 ? null : values;
    }

    public ValueTask<EmptyResult> DeleteMessageAsync(DeleteMessageRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        var handle = request.ReceiptHandle ?? throw SqsErrors.MissingParameter("ReceiptHandle");
        return Engine(() => queue.DeleteAsync(handle));
    }

    public async ValueTask<DeleteMessageBatchResult> DeleteMessageBatchAsync(DeleteMessageBatchRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        var entries = request.Entries ?? [];
        var errors = await Engine(() => queue.DeleteBatchAsync([.. entries.Select(e => e.ReceiptHandle ?? string.Empty)])).ConfigureAwait(false);
        var result = new DeleteMessageBatchResult();
        for (var i = 0; i < entries.Count; i++)
        {
            if (errors[i] is { } error)
            {
                var mapped = Map(error);
                result.Failed.Add(BatchResultErrorEntry.From(entries[i].Id!, mapped.Error, mapped.Message));
            }
            else
            {
                result.Successful.Add(new DeleteMessageBatchResultEntry { Id = entries[i].Id });
            }
        }

        return result;
    }

    public ValueTask<EmptyResult> ChangeMessageVisibilityAsync(ChangeMessageVisibilityRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        var handle = request.ReceiptHandle ?? throw SqsErrors.MissingParameter("ReceiptHandle");
        var seconds = CheckVisibility(request.VisibilityTimeout);
        return Engine(() => queue.ChangeVisibilityAsync(handle, seconds));
    }

    private static int CheckVisibility(int? seconds) => seconds switch
    {
        null => throw SqsErrors.MissingParameter("VisibilityTimeout"),
        < 0 or > Queue.MaxVisibilityTimeoutSeconds => throw SqsErrors.InvalidParameterValue("VisibilityTimeout", seconds.Value.ToString(CultureInfo.InvariantCulture),
            "VisibilityTimeout must be an integer between 0 and 43200"),
        _ => seconds.Value,
    };

    public async ValueTask<ChangeMessageVisibilityBatchResult> ChangeMessageVisibilityBatchAsync(ChangeMessageVisibilityBatchRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        var entries = request.Entries ?? [];
        var result = new ChangeMessageVisibilityBatchResult();
        var valid = new List<(ChangeMessageVisibilityBatchRequestEntry Entry, int Seconds)>();
        foreach (var e in entries)
        {
            try
            {
                valid.Add((e, CheckVisibility(e.VisibilityTimeout)));
            }
            catch (SqsException ex)
            {
                result.Failed.Add(BatchResultErrorEntry.From(e.Id!, ex.Error, ex.Message));
            }
        }

        var errors = await Engine(() => queue.ChangeVisibilityBatchAsync([.. valid.Select(v => (v.Entry.ReceiptHandle ?? string.Empty, v.Seconds))])).ConfigureAwait(false);
        for (var i = 0; i < valid.Count; i++)
        {
            if (errors[i] is { } error)
            {
                var mapped = Map(error);
                result.Failed.Add(BatchResultErrorEntry.From(valid[i].Entry.Id!, mapped.Error, mapped.Message));
            }
            else
            {
                result.Successful.Add(new ChangeMessageVisibilityBatchResultEntry { Id = valid[i].Entry.Id });
            }
        }

        return result;
    }
}

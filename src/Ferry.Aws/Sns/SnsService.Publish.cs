using System.Globalization;
using System.Text;
using System.Text.Json;
using Ferry.Aws.Sqs;
using Ferry.Aws.Sqs.Query;
using Ferry.Engine;
using Ferry.Engine.Queues;
using Ferry.Engine.Topics;

namespace Ferry.Aws.Sns;

internal sealed partial class SnsService
{
    public async Task<Action<SqsXml>?> PublishAsync(SnsCall call)
    {
        if (!string.IsNullOrEmpty(call.Optional("PhoneNumber")))
        {
            throw SnsException.NotSupported("Publishing SMS messages (PhoneNumber)");
        }

        var arnParameter = call.Optional("TopicArn") is { Length: > 0 } ? "TopicArn" : "TargetArn";
        var arn = call.Optional(arnParameter);
        if (string.IsNullOrEmpty(arn))
        {
            throw SnsException.MissingParameter("TopicArn or TargetArn");
        }

        CheckArn(arnParameter, arn, "sns");
        if (arn.Contains(":endpoint/", StringComparison.Ordinal))
        {
            throw SnsException.NotSupported("Publishing to mobile platform endpoints");
        }

        var topic = Topics.FindTopicByArn(arn) ?? throw SnsException.TopicNotFound();
        var request = ReadPublish(call.Parameters, "", topic);
        var result = await Publish(topic, request).ConfigureAwait(false);
        return xml => xml.Element("MessageId", result.MessageId.ToString("D")).Element("SequenceNumber", result.SequenceNumber);
    }

    public async Task<Action<SqsXml>?> PublishBatchAsync(SnsCall call)
    {
        var topic = RequireTopic(call);
        const string Prefix = "PublishBatchRequestEntries.member";
        var indices = call.Parameters.Indices(Prefix);
        if (indices.Count == 0)
        {
            throw new SnsException("EmptyBatchRequest", 400, "The batch request doesn't contain any entries.");
        }

        if (indices.Count > SnsLimits.MaxBatchEntries)
        {
            throw new SnsException("TooManyEntriesInBatchRequest", 400, "The batch request contains more entries than permissible.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<(string Id, string Prefix)>(indices.Count);
        var totalBytes = 0;
        foreach (var i in indices)
        {
            var prefix = QueryParameters.Key(Prefix, i) + ".";
            var id = call.Parameters[prefix + "Id"] ?? throw SnsException.MissingParameter(prefix + "Id");
            if (id.Length is 0 or > SnsLimits.MaxBatchIdLength || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw new SnsException("InvalidBatchEntryId", 400, "The Id of a batch entry in a batch request doesn't abide by the specification.");
            }

            if (!ids.Add(id))
            {
                throw new SnsException("BatchEntryIdsNotDistinct", 400, "Two or more batch entries in the request have the same Id.");
            }

            totalBytes += Encoding.UTF8.GetByteCount(call.Parameters[prefix + "Message"] ?? "");
            entries.Add((id, prefix));
        }

        if (totalBytes > SnsLimits.MaxMessageBytes)
        {
            throw new SnsException("BatchRequestTooLong", 400, "The length of all the messages put together is more than the limit.");
        }

        // Started in order (FIFO publishes take their sequence before the first await), awaited together.
        var pending = new List<(string Id, Task<PublishResult>? Task, SnsException? Error)>(entries.Count);
        foreach (var (id, prefix) in entries)
        {
            try
            {
                pending.Add((id, Publish(topic, ReadPublish(call.Parameters, prefix, topic)), null));
            }
            catch (SnsException e)
            {
                pending.Add((id, null, e));
            }
        }

        var results = new List<(string Id, PublishResult? Result, SnsException? Error)>(pending.Count);
        foreach (var (id, task, error) in pending)
        {
            if (task is null)
            {
                results.Add((id, null, error));
                continue;
            }

            try
            {
                results.Add((id, await task.ConfigureAwait(false), null));
            }
            catch (SnsException e)
            {
                results.Add((id, null, e));
            }
        }

        return xml =>
        {
            xml.Open("Successful");
            foreach (var (id, result, _) in results.Where(r => r.Result is not null))
            {
                xml.Open("member").Element("Id", id).Element("MessageId", result!.Value.MessageId.ToString("D"))
                    .Element("SequenceNumber", result.Value.SequenceNumber).Close("member");
            }

            xml.Close("Successful").Open("Failed");
            foreach (var (id, _, error) in results.Where(r => r.Error is not null))
            {
                xml.Open("member").Element("Id", id).Element("Code", error!.Code).Element("Message", error.Message)
                    .Element("SenderFault", error.SenderFault).Close("member");
            }

            xml.Close("Failed");
        };
    }

    private async Task<PublishResult> Publish(Topic topic, PublishRequest request)
    {
        try
        {
            return await Topics.PublishAsync(topic, request).ConfigureAwait(false);
        }
        catch (EngineException e) when (e.Error == EngineError.ResourceNotFound)
        {
            throw SnsException.TopicNotFound();
        }
    }

    /// <summary>Reads and validates one message of Publish (prefix "") or of a PublishBatch entry.</summary>
    private static PublishRequest ReadPublish(QueryParameters p, string prefix, Topic topic)
    {
        var message = p[prefix + "Message"];
        if (string.IsNullOrEmpty(message))
        {
            throw SnsException.InvalidParameter("Empty message");
        }

        var subject = p[prefix + "Subject"];
        if (subject is not null && (subject.Length is 0 or > SnsLimits.MaxSubjectLength || subject.Any(c => c < 0x20 || c > 0x7e)))
        {
            throw SnsException.InvalidParameter("Subject");
        }

        Dictionary<string, string>? perProtocol = null;
        var structure = p[prefix + "MessageStructure"];
        if (structure is not null)
        {
            if (structure != "json")
            {
                throw SnsException.InvalidParameter("MessageStructure");
            }

            (message, perProtocol) = ReadStructuredMessage(message);
        }

        var attributes = ReadAttributes(p.MessageAttributes(prefix + "MessageAttributes.entry"));
        var size = Encoding.UTF8.GetByteCount(message) + attributes.Sum(a =>
            Encoding.UTF8.GetByteCount(a.Name) + Encoding.UTF8.GetByteCount(a.DataType)
            + (a.StringValue is null ? 0 : Encoding.UTF8.GetByteCount(a.StringValue)) + (a.BinaryValue?.Length ?? 0));
        if (size > SnsLimits.MaxMessageBytes)
        {
            throw SnsException.InvalidParameter("Message too long");
        }

        var groupId = p[prefix + "MessageGroupId"];
        var dedupId = p[prefix + "MessageDeduplicationId"];
        if (topic.IsFifo)
        {
            if (string.IsNullOrEmpty(groupId))
            {
                throw SnsException.InvalidParameter("The MessageGroupId parameter is required for FIFO topics");
            }

            if (dedupId is null && !string.Equals(topic.Attributes.GetValueOrDefault("ContentBasedDeduplication"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw SnsException.InvalidParameter("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
            }
        }
        else if (dedupId is not null)
        {
            throw SnsException.InvalidParameter("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type");
        }

        CheckId("MessageGroupId", groupId, SnsLimits.MaxGroupIdLength);
        CheckId("MessageDeduplicationId", dedupId, SnsLimits.MaxDeduplicationIdLength);
        return new PublishRequest
        {
            Message = message,
            PerProtocol = perProtocol,
            Subject = subject,
            Attributes = attributes,
            GroupId = groupId,
            DeduplicationId = dedupId,
        };
    }

    private static void CheckId(string name, string? value, int maxLength)
    {
        if (value is not null && (value.Length == 0 || value.Length > maxLength || value.Any(c => c < 0x21 || c > 0x7e)))
        {
            throw SnsException.InvalidParameter(name + " Reason: " + name + " can only include alphanumeric and punctuation characters. 1 to " + maxLength.ToString(CultureInfo.InvariantCulture) + " in length.");
        }
    }

    private static (string Default, Dictionary<string, string> PerProtocol) ReadStructuredMessage(string message)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(message);
        }
        catch (JsonException)
        {
            throw SnsException.InvalidParameter("Message Structure - JSON message body failed to parse");
        }

        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw SnsException.InvalidParameter("Message Structure - JSON message body failed to parse");
            }

            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    throw SnsException.InvalidParameter("Message Structure - JSON message body failed to parse");
                }

                map[property.Name] = property.Value.GetString()!;
            }

            if (!map.Remove("default", out var fallback))
            {
                throw SnsException.InvalidParameter("Message Structure - No default entry in JSON message body");
            }

            return (fallback, map);
        }
    }

    /// <summary>SNS's message attribute rules (names, types, values); answers ParameterValueInvalid or InvalidParameter as SNS does.</summary>
    private static List<MessageAttribute> ReadAttributes(Dictionary<string, MessageAttributeValue>? attributes)
    {
        if (attributes is null)
        {
            return [];
        }

        if (attributes.Count > SnsLimits.MaxMessageAttributes)
        {
            throw SnsException.ParameterValueInvalid($"Number of message attributes [{attributes.Count}] exceeds the allowed maximum [{SnsLimits.MaxMessageAttributes}].");
        }

        var list = new List<MessageAttribute>(attributes.Count);
        foreach (var (name, value) in attributes)
        {
            if (name.Length is 0 or > 256 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
                || name.StartsWith('.') || name.EndsWith('.') || name.Contains("..", StringComparison.Ordinal)
                || name.StartsWith("AWS.", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Amazon.", StringComparison.OrdinalIgnoreCase))
            {
                throw SnsException.ParameterValueInvalid($"The message attribute name '{name}' is invalid.");
            }

            var type = value.DataType;
            if (string.IsNullOrEmpty(type))
            {
                throw SnsException.ParameterValueInvalid($"The message attribute '{name}' must contain non-empty message attribute type.");
            }

            var baseType = type.Split('.')[0];
            if (baseType is not ("String" or "Number" or "Binary"))
            {
                throw SnsException.ParameterValueInvalid($"The message attribute '{name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.");
            }

            if (baseType == "Binary")
            {
                if (value.BinaryValue is null)
                {
                    throw SnsException.ParameterValueInvalid($"The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{type}'.");
                }

                list.Add(new MessageAttribute(name, type, null, value.BinaryValue));
                continue;
            }

            if (string.IsNullOrEmpty(value.StringValue))
            {
                throw SnsException.ParameterValueInvalid($"The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{type}'.");
            }

            if (baseType == "Number" && !double.TryParse(value.StringValue, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                throw SnsException.ParameterValueInvalid($"Could not cast message attribute '{name}' value to number.");
            }

            if (type == "String.Array" && JsonKind(value.StringValue) != JsonValueKind.Array)
            {
                throw SnsException.ParameterValueInvalid($"The message attribute '{name}' with type 'String.Array' must be a valid JSON array.");
            }

            list.Add(new MessageAttribute(name, type, value.StringValue, null));
        }

        return list;
    }
}

using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Engine.Queues;

namespace Ferry.Aws.Sqs;

internal sealed partial class SqsService
{
    /// <summary>Numeric queue attributes and their SQS ranges.</summary>
    private static readonly Dictionary<string, (int Min, int Max)> NumericAttributes = new(StringComparer.Ordinal)
    {
        ["DelaySeconds"] = (0, 900),
        ["MaximumMessageSize"] = (1024, 1_048_576),
        ["MessageRetentionPeriod"] = (60, 1_209_600),
        ["ReceiveMessageWaitTimeSeconds"] = (0, 20),
        ["VisibilityTimeout"] = (0, 43_200),
        ["KmsDataKeyReusePeriodSeconds"] = (60, 86_400),
    };

    private static readonly HashSet<string> FifoOnlyAttributes = new(StringComparer.Ordinal)
    {
        "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
    };

    private static readonly HashSet<string> OtherAttributes = new(StringComparer.Ordinal)
    {
        "Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "SqsManagedSseEnabled", "FifoQueue",
    };

    /// <summary>Attributes GetQueueAttributes computes rather than stores.</summary>
    private static readonly string[] ComputedAttributes =
    [
        "QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp", "LastModifiedTimestamp",
    ];

    /// <summary>Checks attribute names and values as SQS does; returns them normalized for the engine.</summary>
    private Dictionary<string, string> ValidateAttributes(Dictionary<string, string> attributes, string queueName, bool fifo, bool creating)
    {
        var normalized = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in attributes)
        {
            if (NumericAttributes.TryGetValue(name, out var range))
            {
                if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n < range.Min || n > range.Max)
                {
                    throw SqsErrors.InvalidAttributeValue(name);
                }

                normalized[name] = n.ToString(CultureInfo.InvariantCulture);
                continue;
            }

            if (FifoOnlyAttributes.Contains(name))
            {
                if (!fifo)
                {
                    throw SqsErrors.InvalidAttributeName(name);
                }

                var ok = name switch
                {
                    "ContentBasedDeduplication" => value is "true" or "false",
                    "DeduplicationScope" => value is "messageGroup" or "queue",
                    _ => value is "perQueue" or "perMessageGroupId",
                };
                if (!ok)
                {
                    throw SqsErrors.InvalidAttributeValue(name);
                }

                normalized[name] = value;
                continue;
            }

            if (!OtherAttributes.Contains(name))
            {
                throw SqsErrors.InvalidAttributeName(name);
            }

            switch (name)
            {
                case "FifoQueue":
                    if (!creating)
                    {
                        throw SqsErrors.InvalidAttributeName(name);
                    }

                    continue;
                case "SqsManagedSseEnabled":
                    if (value is not ("true" or "false"))
                    {
                        throw SqsErrors.InvalidAttributeValue(name);
                    }

                    break;
                case "Policy":
                    if (value.Length > 0 && !IsJsonObject(value))
                    {
                        throw SqsErrors.InvalidAttributeValue(name, "Invalid value for the parameter Policy.");
                    }

                    if (value.Length > 0)
                    {
                        QueuePolicyLimits.Check(value);
                    }

                    break;
                case "RedrivePolicy":
                    if (value.Length > 0)
                    {
                        ValidateRedrivePolicy(value, queueName, fifo);
                    }

                    break;
                case "RedriveAllowPolicy":
                    if (value.Length > 0)
                    {
                        ValidateRedriveAllowPolicy(value);
                    }

                    break;
                default:
                    break;
            }

            normalized[name] = value;
        }

        return normalized;
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void ValidateRedrivePolicy(string value, string sourceName, bool fifo)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(value);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw SqsErrors.InvalidAttributeValue("RedrivePolicy", "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.");
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("deadLetterTargetArn", out var arn) || arn.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("maxReceiveCount", out var max))
        {
            throw SqsErrors.InvalidAttributeValue("RedrivePolicy",
                "Value " + value + " for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: " +
                (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("deadLetterTargetArn", out _) ? "maxReceiveCount" : "deadLetterTargetArn") + ".");
        }

        var count = max.ValueKind switch
        {
            JsonValueKind.Number when max.TryGetInt32(out var n) => n,
            JsonValueKind.String when int.TryParse(max.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => -1,
        };
        if (count is < 1 or > 1000)
        {
            throw SqsErrors.InvalidAttributeValue("RedrivePolicy",
                "Value " + value + " for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: " + max + ", valid values are from 1 to 1000 both inclusive.");
        }

        var target = Broker.FindQueueByArn(arn.GetString()!)
            ?? throw SqsErrors.InvalidAttributeValue("RedrivePolicy", "Value " + value + " for parameter RedrivePolicy is invalid. Reason: Dead-letter target does not exist.");
        if (target.IsFifo != fifo)
        {
            throw SqsErrors.InvalidAttributeValue("RedrivePolicy", "Value " + value + " for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source.");
        }

        var permission = target.Settings.RedrivePermission;
        var sourceArn = $"arn:aws:sqs:{Broker.Options.Region}:{Broker.Options.AccountId}:{sourceName}";
        if (permission == "denyAll" || (permission == "byQueue" && !target.Settings.RedriveSourceArns.Contains(sourceArn)))
        {
            throw SqsErrors.InvalidAttributeValue("RedrivePolicy", "Value " + value + " for parameter RedrivePolicy is invalid. Reason: Queue " + arn.GetString() + " does not allow this queue as a dead-letter source.");
        }
    }

    private static void ValidateRedriveAllowPolicy(string value)
    {
        try
        {
            using var doc = JsonDocument.Parse(value);
            var root = doc.RootElement;
            var permission = root.TryGetProperty("redrivePermission", out var p) ? p.GetString() : null;
            var hasArns = root.TryGetProperty("sourceQueueArns", out var arns) && arns.ValueKind == JsonValueKind.Array;
            var valid = permission switch
            {
                "allowAll" or "denyAll" => !hasArns,
                "byQueue" => hasArns && arns.GetArrayLength() is >= 1 and <= 10,
                _ => false,
            };
            if (valid)
            {
                return;
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
        }

        throw SqsErrors.InvalidAttributeValue("RedriveAllowPolicy");
    }

    public ValueTask<GetQueueAttributesResult> GetQueueAttributesAsync(GetQueueAttributesRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        var names = request.AttributeNames ?? [];
        var all = names.Contains("All");
        var known = queue.Settings.Attributes.Keys.Concat(ComputedAttributes).Concat(NumericAttributes.Keys).Concat(OtherAttributes).Concat(FifoOnlyAttributes).ToHashSet(StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (n != "All" && !known.Contains(n))
            {
                throw SqsErrors.InvalidAttributeName(n);
            }
        }

        var counts = queue.GetCounts();
        var values = new Dictionary<string, string>(queue.Settings.Attributes, StringComparer.Ordinal)
        {
            ["QueueArn"] = queue.Arn,
            ["ApproximateNumberOfMessages"] = counts.Visible.ToString(CultureInfo.InvariantCulture),
            ["ApproximateNumberOfMessagesNotVisible"] = counts.NotVisible.ToString(CultureInfo.InvariantCulture),
            ["ApproximateNumberOfMessagesDelayed"] = counts.Delayed.ToString(CultureInfo.InvariantCulture),
            ["CreatedTimestamp"] = queue.CreatedAt.ToString(CultureInfo.InvariantCulture),
            ["LastModifiedTimestamp"] = queue.LastModifiedAt.ToString(CultureInfo.InvariantCulture),
        };
        var result = values.Where(kv => all || names.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return ValueTask.FromResult(new GetQueueAttributesResult { Attributes = result.Count == 0 ? null : result });
    }

    public ValueTask<EmptyResult> SetQueueAttributesAsync(SetQueueAttributesRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        var changes = ValidateAttributes(request.Attributes ?? [], queue.Name, queue.IsFifo, creating: false);
        return Engine(() => Broker.UpdateQueueAsync(queue, changes, null, null));
    }

    /// <summary>An SQS policy statement holds at most seven actions.</summary>
    private const int MaxPermissionActions = 7;

    /// <summary>The actions AddPermission may grant to another account (the rest are the owner's alone).</summary>
    private static readonly FrozenSet<string> GrantableActions = FrozenSet.ToFrozenSet(
    [
        "*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes",
        "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue",
    ], StringComparer.Ordinal);

    public ValueTask<EmptyResult> AddPermissionAsync(AddPermissionRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        var label = request.Label ?? throw SqsErrors.MissingParameter("Label");
        if (label.Length is 0 or > 80 || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw SqsErrors.InvalidParameterValue("Label", label, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
        }

        var accounts = request.AWSAccountIds ?? throw SqsErrors.MissingParameter("AWSAccountId");
        var actions = request.Actions ?? throw SqsErrors.MissingParameter("ActionName");
        // SQS's limits on a statement AddPermission writes: at most seven actions, each one a principal may be
        // granted, and principals that are AWS account ids. Anything else never reaches the stored policy.
        if (actions.Count > MaxPermissionActions)
        {
            throw SqsErrors.OverLimit($"{actions.Count} Actions were found, maximum allowed is {MaxPermissionActions}.");
        }

        if (actions.FirstOrDefault(a => !GrantableActions.Contains(a)) is { } refused)
        {
            throw SqsErrors.InvalidParameterValue("ActionName", "SQS:" + refused, "Only the queue owner is allowed to invoke this action.");
        }

        if (accounts.FirstOrDefault(a => a.Length != 12 || !a.All(char.IsAsciiDigit)) is { } principal)
        {
            throw SqsErrors.InvalidParameterValue("PrincipalId", principal, "Unable to verify.");
        }

        var policy = LoadPolicy(queue);
        var statements = policy["Statement"]!.AsArray();
        if (statements.Any(s => s?["Sid"]?.GetValue<string>() == label))
        {
            throw SqsErrors.InvalidParameterValue("Label", label, "Already exists.");
        }

        var principals = new JsonArray([.. accounts.Select(a => (JsonNode)JsonValue.Create($"arn:aws:iam::{a}:root")!)]);
        statements.Add(new JsonObject
        {
            ["Sid"] = label,
            ["Effect"] = "Allow",
            ["Principal"] = new JsonObject { ["AWS"] = principals.Count == 1 ? principals[0]!.DeepClone() : principals },
            ["Action"] = new JsonArray([.. actions.Select(a => (JsonNode)JsonValue.Create(a == "*" ? "SQS:*" : "SQS:" + a)!)]),
            ["Resource"] = queue.Arn,
        });
        var text = policy.ToJsonString();
        QueuePolicyLimits.Check(text);
        return Engine(() => Broker.UpdateQueueAsync(queue, new Dictionary<string, string> { ["Policy"] = text }, null, null));
    }

    public ValueTask<EmptyResult> RemovePermissionAsync(RemovePermissionRequest request, SqsCallContext context, CancellationToken cancellationToken)
    {
        var queue = ResolveQueue(request.QueueUrl, context);
        var label = request.Label ?? throw SqsErrors.MissingParameter("Label");
        var policy = LoadPolicy(queue);
        var statements = policy["Statement"]!.AsArray();
        var statement = statements.FirstOrDefault(s => s?["Sid"]?.GetValue<string>() == label)
            ?? throw SqsErrors.InvalidParameterValue("Label", label, "can't find label on existing policy.");
        statements.Remove(statement);
        var text = statements.Count == 0 ? string.Empty : policy.ToJsonString();
        return Engine(() => Broker.UpdateQueueAsync(queue, new Dictionary<string, string> { ["Policy"] = text }, null, null));
    }

    private static JsonObject LoadPolicy(Queue queue)
    {
        if (queue.Settings.Attributes.TryGetValue("Policy", out var text) && JsonNode.Parse(text) is JsonObject existing)
        {
            if (existing["Statement"] is not JsonArray)
            {
                existing["Statement"] = new JsonArray();
            }

            return existing;
        }

        return new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Id"] = queue.Arn + "/SQSDefaultPolicy",
            ["Statement"] = new JsonArray(),
        };
    }
}

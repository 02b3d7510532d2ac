using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Aws.Sqs.Query;
using Ferry.Engine;
using Ferry.Engine.Topics;

namespace Ferry.Aws.Sns;

/// <summary>
/// SNS's actions over the engine's topics: validates as SNS does, calls the engine, and shapes the XML result.
/// Each action returns the writer of its result element's members (null for an empty result).
/// </summary>
internal sealed partial class SnsService
{
    /// <summary>Attributes CreateTopic and SetTopicAttributes accept (besides the per-protocol feedback ones).</summary>
    private static readonly HashSet<string> TopicAttributeNames = new(StringComparer.Ordinal)
    {
        "Policy", "DisplayName", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion", "TracingConfig",
        "ContentBasedDeduplication", "FifoTopic", "ArchivePolicy", "FifoThroughputScope", "DataProtectionPolicy",
    };

    private static readonly string[] FeedbackProtocols = ["HTTP", "SQS", "Lambda", "Firehose", "Application"];

    private readonly Func<Broker> _brokerAccessor;

    public SnsService(Func<Broker> broker, SnsOptions options, SnsDelivery delivery)
    {
        _brokerAccessor = broker;
        Options = options;
        Delivery = delivery;
    }

    public SnsOptions Options { get; }

    public SnsDelivery Delivery { get; }

    /// <summary>The broker, which opens after the services are built.</summary>
    private Broker _broker => _brokerAccessor();

    private Topics Topics => _broker.Topics;

    private string Account => _broker.Options.AccountId;

    public async Task<Action<SqsXml>?> CreateTopicAsync(SnsCall call)
    {
        var name = call.Required("Name");
        var attributes = call.Attributes() ?? [];
        var tags = call.Tags();
        var fifo = attributes.TryGetValue("FifoTopic", out var fifoValue) && string.Equals(fifoValue, "true", StringComparison.OrdinalIgnoreCase);
        ValidateTopicName(name, fifo);
        if (attributes.TryGetValue("FifoTopic", out var f) && !string.Equals(f, "true", StringComparison.OrdinalIgnoreCase))
        {
            attributes.Remove("FifoTopic");
        }

        foreach (var (key, value) in attributes)
        {
            ValidateTopicAttribute(key, value, fifo, creating: true);
        }

        if (tags is not null)
        {
            ValidateTags(tags, 0);
        }

        var (topic, created) = await Topics.CreateTopicAsync(name, attributes, tags).ConfigureAwait(false);
        if (!created)
        {
            foreach (var (key, value) in attributes)
            {
                if (!topic.Attributes.TryGetValue(key, out var existing) || existing != value)
                {
                    throw SnsException.InvalidParameter("Attributes Reason: Topic already exists with different attributes");
                }
            }

            if (tags is not null && tags.Any(t => !topic.Tags.TryGetValue(t.Key, out var v) || v != t.Value))
            {
                throw SnsException.InvalidParameter("Tags Reason: Topic already exists with different tags");
            }
        }

        return xml => xml.Element("TopicArn", topic.Arn);
    }

    public async Task<Action<SqsXml>?> DeleteTopicAsync(SnsCall call)
    {
        var arn = call.Required("TopicArn");
        CheckArn("TopicArn", arn, "sns");
        if (Topics.FindTopicByArn(arn) is { } topic)
        {
            await Topics.DeleteTopicAsync(topic).ConfigureAwait(false);
        }

        return null;
    }

    public Task<Action<SqsXml>?> ListTopicsAsync(SnsCall call)
    {
        var topics = Topics.ListTopics();
        var (page, next) = Page(topics, t => t.Arn, call.Optional("NextToken"));
        return Done(xml =>
        {
            xml.Open("Topics");
            foreach (var t in page)
            {
                xml.Open("member").Element("TopicArn", t.Arn).Close("member");
            }

            xml.Close("Topics").Element("NextToken", next);
        });
    }

    public Task<Action<SqsXml>?> GetTopicAttributesAsync(SnsCall call)
    {
        var topic = RequireTopic(call);
        var subscriptions = topic.Subscriptions;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TopicArn"] = topic.Arn,
            ["Owner"] = Account,
            ["Policy"] = topic.Attributes.GetValueOrDefault("Policy") ?? DefaultPolicy(topic.Arn),
            ["DisplayName"] = topic.Attributes.GetValueOrDefault("DisplayName") ?? "",
            ["SubscriptionsPending"] = Count(subscriptions.Count(s => !s.Confirmed)),
            ["SubscriptionsConfirmed"] = Count(subscriptions.Count(s => s.Confirmed)),
            ["SubscriptionsDeleted"] = Count(topic.SubscriptionsDeleted),
            ["EffectiveDeliveryPolicy"] = topic.Attributes.GetValueOrDefault("DeliveryPolicy") ?? DefaultEffectiveDeliveryPolicy,
        };
        if (topic.IsFifo)
        {
            attributes["FifoTopic"] = "true";
            attributes["ContentBasedDeduplication"] = topic.Attributes.GetValueOrDefault("ContentBasedDeduplication") ?? "false";
        }

        foreach (var (key, value) in topic.Attributes)
        {
            if (!attributes.ContainsKey(key) && key != "FifoTopic")
            {
                attributes[key] = value;
            }
        }

        return Done(xml => WriteAttributes(xml, attributes));
    }

    public async Task<Action<SqsXml>?> SetTopicAttributesAsync(SnsCall call)
    {
        var topic = RequireTopic(call);
        var name = call.Required("AttributeName");
        var value = call.Optional("AttributeValue") ?? "";
        if (name == "FifoTopic")
        {
            throw SnsException.InvalidParameter("AttributeName");
        }

        ValidateTopicAttribute(name, value, topic.IsFifo, creating: false);
        await Topics.UpdateTopicAsync(topic, new Dictionary<string, string> { [name] = value }, null, null).ConfigureAwait(false);
        return null;
    }

    public async Task<Action<SqsXml>?> TagResourceAsync(SnsCall call)
    {
        var topic = RequireTaggedTopic(call);
        var tags = call.Tags() ?? throw SnsException.MissingParameter("Tags");
        ValidateTags(tags, topic.Tags.Keys.Count(k => !tags.ContainsKey(k)));
        await Topics.UpdateTopicAsync(topic, null, tags, null).ConfigureAwait(false);
        return EmptyResult;
    }

    public async Task<Action<SqsXml>?> UntagResourceAsync(SnsCall call)
    {
        var topic = RequireTaggedTopic(call);
        var keys = call.Parameters.List("TagKeys.member") ?? throw SnsException.MissingParameter("TagKeys");
        await Topics.UpdateTopicAsync(topic, null, null, keys).ConfigureAwait(false);
        return EmptyResult;
    }

    public Task<Action<SqsXml>?> ListTagsForResourceAsync(SnsCall call)
    {
        var topic = RequireTaggedTopic(call);
        return Done(xml =>
        {
            xml.Open("Tags");
            foreach (var (key, value) in topic.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                xml.Open("member").Element("Key", key).Element("Value", value).Close("member");
            }

            xml.Close("Tags");
        });
    }

    public async Task<Action<SqsXml>?> AddPermissionAsync(SnsCall call)
    {
        var topic = RequireTopic(call);
        var label = call.Required("Label");
        var accounts = call.Parameters.List("AWSAccountId.member") ?? throw SnsException.MissingParameter("AWSAccountId");
        var actions = call.Parameters.List("ActionName.member") ?? throw SnsException.MissingParameter("ActionName");
        // SNS grants only a topic's own actions, to AWS account ids; the statement must keep the policy in its quotas.
        if (actions.Any(a => !TopicPolicy.TopicActions.Contains(a)))
        {
            throw TopicPolicy.OutOfScope();
        }

        if (accounts.Any(a => a.Length != 12 || !a.All(char.IsAsciiDigit)))
        {
            throw SnsException.InvalidParameter("A provided account ID is not valid");
        }

        var policy = JsonNode.Parse(topic.Attributes.GetValueOrDefault("Policy") ?? DefaultPolicy(topic.Arn))!.AsObject();
        var statements = policy["Statement"] as JsonArray ?? [];
        if (statements.Any(s => s?["Sid"]?.GetValue<string>() == label))
        {
            throw SnsException.InvalidParameter("Statement already exists");
        }

        var principals = new JsonArray([.. accounts.Select(a => (JsonNode)JsonValue.Create($"arn:aws:iam::{a}:root"))]);
        statements.Add(new JsonObject
        {
            ["Sid"] = label,
            ["Effect"] = "Allow",
            ["Principal"] = new JsonObject { ["AWS"] = accounts.Count == 1 ? JsonValue.Create($"arn:aws:iam::{accounts[0]}:root") : principals },
            ["Action"] = actions.Count == 1 ? JsonValue.Create("SNS:" + actions[0]) : new JsonArray([.. actions.Select(a => (JsonNode)JsonValue.Create("SNS:" + a))]),
            ["Resource"] = topic.Arn,
        });
        policy["Statement"] = statements;
        var text = policy.ToJsonString();
        TopicPolicy.Check(text);
        await Topics.UpdateTopicAsync(topic, new Dictionary<string, string> { ["Policy"] = text }, null, null).ConfigureAwait(false);
        return null;
    }

    public async Task<Action<SqsXml>?> RemovePermissionAsync(SnsCall call)
    {
        var topic = RequireTopic(call);
        var label = call.Required("Label");
        var policy = JsonNode.Parse(topic.Attributes.GetValueOrDefault("Policy") ?? DefaultPolicy(topic.Arn))!.AsObject();
        if (policy["Statement"] is JsonArray statements)
        {
            var match = statements.FirstOrDefault(s => s?["Sid"]?.GetValue<string>() == label);
            if (match is not null)
            {
                statements.Remove(match);
                await Topics.UpdateTopicAsync(topic, new Dictionary<string, string> { ["Policy"] = policy.ToJsonString() }, null, null).ConfigureAwait(false);
            }
        }

        return null;
    }

    /// <summary>An empty result element, for actions whose model has an output shape without members.</summary>
    private static readonly Action<SqsXml> EmptyResult = _ => { };

    private static Task<Action<SqsXml>?> Done(Action<SqsXml>? result) => Task.FromResult(result);

    private static void WriteAttributes(SqsXml xml, IEnumerable<KeyValuePair<string, string>> attributes)
    {
        xml.Open("Attributes");
        foreach (var (key, value) in attributes)
        {
            xml.Open("entry").Element("key", key).Element("value", value).Close("entry");
        }

        xml.Close("Attributes");
    }

    private static string Count(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The topic the <c>TopicArn</c> parameter names: InvalidParameter for a malformed ARN, NotFound for a missing topic.</summary>
    private Topic RequireTopic(SnsCall call, string parameter = "TopicArn")
    {
        var arn = call.Required(parameter);
        CheckArn(parameter, arn, "sns");
        return Topics.FindTopicByArn(arn) ?? throw SnsException.TopicNotFound();
    }

    /// <summary>Tag actions name the topic by <c>ResourceArn</c> and answer ResourceNotFound.</summary>
    private Topic RequireTaggedTopic(SnsCall call)
    {
        var arn = call.Required("ResourceArn");
        CheckArn("ResourceArn", arn, "sns");
        return Topics.FindTopicByArn(arn) ?? throw SnsException.ResourceNotFound();
    }

    /// <summary>SNS's ARN checks, in its wording.</summary>
    internal static void CheckArn(string parameter, string arn, string service)
    {
        // Read in place: every publish names its topic by ARN.
        var elements = arn.AsSpan().Count(':') + 1;
        if (elements < 6)
        {
            throw SnsException.InvalidParameter($"{parameter} Reason: An ARN must have at least 6 elements, not {elements}");
        }

        var rest = arn.AsSpan();
        var first = rest[..rest.IndexOf(':')];
        rest = rest[(first.Length + 1)..];
        rest = rest[(rest.IndexOf(':') + 1)..];
        if (!first.SequenceEqual("arn"))
        {
            throw SnsException.InvalidParameter($"{parameter} Reason: A arn ARN must begin with arn:null, not {arn}");
        }

        if (!rest[..rest.IndexOf(':')].SequenceEqual(service))
        {
            throw SnsException.InvalidParameter(parameter);
        }
    }

    private static void ValidateTopicName(string name, bool fifo)
    {
        var bare = name.EndsWith(".fifo", StringComparison.Ordinal) ? name[..^5] : name;
        var valid = name.Length <= SnsLimits.MaxTopicNameLength && bare.Length > 0
            && bare.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
        if (fifo)
        {
            if (!valid || !name.EndsWith(".fifo", StringComparison.Ordinal))
            {
                throw SnsException.InvalidParameter(
                    "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.");
            }
        }
        else if (!valid || bare.Length != name.Length)
        {
            throw SnsException.InvalidParameter("Topic Name");
        }
    }

    private static void ValidateTopicAttribute(string name, string value, bool fifo, bool creating)
    {
        if (!TopicAttributeNames.Contains(name) && !IsFeedbackAttribute(name))
        {
            throw SnsException.InvalidParameter(creating ? "Attributes Reason: Unknown attribute " + name : "AttributeName");
        }

        switch (name)
        {
            case "Policy" or "DataProtectionPolicy" or "ArchivePolicy" when value.Length > 0 && !IsJsonObject(value):
                throw SnsException.InvalidParameter($"{name}: failed to parse JSON");
            case "Policy" when value.Length > 0:
                TopicPolicy.Check(value);
                break;
            case "DeliveryPolicy" when value.Length > 0:
                SnsDelivery.ValidateDeliveryPolicy(value, topicLevel: true);
                break;
            case "SignatureVersion" when value is not ("1" or "2"):
                throw SnsException.InvalidParameter("Attributes Reason: SignatureVersion: Invalid value [" + value + "]. Must be 1 or 2.");
            case "TracingConfig" when value is not ("PassThrough" or "Active"):
                throw SnsException.InvalidParameter("Attributes Reason: TracingConfig: Invalid value [" + value + "]. Must be PassThrough or Active.");
            case "ContentBasedDeduplication" when !fifo:
                throw SnsException.InvalidParameter("Attributes Reason: ContentBasedDeduplication: Content-based deduplication can only be set for FIFO topics.");
            case "ContentBasedDeduplication" when value is not ("true" or "false"):
                throw SnsException.InvalidParameter("Attributes Reason: ContentBasedDeduplication: Invalid value [" + value + "]. Must be true or false.");
            case "FifoThroughputScope" when !fifo:
                throw SnsException.InvalidParameter("Attributes Reason: FifoThroughputScope: It can only be set for FIFO topics.");
            case "FifoThroughputScope" when value is not ("Topic" or "MessageGroup"):
                throw SnsException.InvalidParameter("Attributes Reason: FifoThroughputScope: Invalid value [" + value + "]. Must be Topic or MessageGroup.");
            case "DisplayName" when value.Length > 100:
                throw SnsException.InvalidParameter("DisplayName");
        }
    }

    private static bool IsFeedbackAttribute(string name) =>
        FeedbackProtocols.Any(p => name.StartsWith(p, StringComparison.Ordinal)
            && name.AsSpan(p.Length) is "SuccessFeedbackRoleArn" or "FailureFeedbackRoleArn" or "SuccessFeedbackSampleRate");

    internal static bool IsJsonObject(string value) => JsonKind(value) == JsonValueKind.Object;

    /// <summary>The kind of the JSON document <paramref name="value"/> holds, or null when it is not JSON, holds a
    /// string no reader can decode (an escaped lone surrogate such as <c>\uD800</c>), or repeats a name within an
    /// object (which of the two would apply?): Ferry rewrites and matches these documents later, and could not.</summary>
    internal static JsonValueKind? JsonKind(string value)
    {
        try
        {
            using var json = JsonDocument.Parse(value, StrictJson);
            DecodeStrings(json.RootElement);
            return json.RootElement.ValueKind;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    /// <summary>Decodes every name and string of <paramref name="element"/>; InvalidOperationException if one cannot be.</summary>
    private static void DecodeStrings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    DecodeStrings(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    DecodeStrings(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }

    private static void ValidateTags(Dictionary<string, string> tags, int keptCount)
    {
        if (tags.Count + keptCount > SnsLimits.MaxTagsPerResource)
        {
            throw new SnsException("TagLimitExceeded", 400, "Could not complete request: tag quota of per resource exceeded");
        }

        foreach (var (key, value) in tags)
        {
            if (key.Length is 0 or > SnsLimits.MaxTagKeyLength || key.StartsWith("aws:", StringComparison.Ordinal))
            {
                throw SnsException.InvalidParameter("Tags Reason: Tag key must be between 1 and 128 characters and must not start with aws:");
            }

            if (value.Length > SnsLimits.MaxTagValueLength)
            {
                throw SnsException.InvalidParameter("Tags Reason: Tag value must be at most 256 characters");
            }
        }
    }

    /// <summary>One page of 100 items after the NextToken (the last key of the previous page, base64).</summary>
    private static (List<T> Page, string? Next) Page<T>(IReadOnlyList<T> items, Func<T, string> key, string? token)
    {
        var start = 0;
        if (!string.IsNullOrEmpty(token))
        {
            string after;
            try
            {
                after = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException)
            {
                throw SnsException.InvalidParameter("NextToken");
            }

            while (start < items.Count && string.CompareOrdinal(key(items[start]), after) <= 0)
            {
                start++;
            }
        }

        var page = items.Skip(start).Take(SnsLimits.PageSize).ToList();
        var next = start + page.Count < items.Count ? Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key(page[^1]))) : null;
        return (page, next);
    }

    private string DefaultPolicy(string topicArn) =>
        "{\"Version\":\"2008-10-17\",\"Id\":\"__default_policy_ID\",\"Statement\":[{\"Sid\":\"__default_statement_ID\",\"Effect\":\"Allow\","
        + "\"Principal\":{\"AWS\":\"*\"},\"Action\":[\"SNS:GetTopicAttributes\",\"SNS:SetTopicAttributes\",\"SNS:AddPermission\","
        + "\"SNS:RemovePermission\",\"SNS:DeleteTopic\",\"SNS:Subscribe\",\"SNS:ListSubscriptionsByTopic\",\"SNS:Publish\"],"
        + "\"Resource\":\"" + topicArn + "\",\"Condition\":{\"StringEquals\":{\"AWS:SourceOwner\":\"" + Account + "\"}}}]}";

    /// <summary>What GetTopicAttributes reports when no DeliveryPolicy is set: AWS's default HTTP policy.</summary>
    private const string DefaultEffectiveDeliveryPolicy =
        "{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":20,\"maxDelayTarget\":20,\"numRetries\":3,\"numMaxDelayRetries\":0,"
        + "\"numNoDelayRetries\":0,\"numMinDelayRetries\":0,\"backoffFunction\":\"linear\"},\"disableSubscriptionOverrides\":false,"
        + "\"defaultRequestPolicy\":{\"headerContentType\":\"text/plain; charset=UTF-8\"}}}";
}

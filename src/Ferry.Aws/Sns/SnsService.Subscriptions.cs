using Ferry.Aws.Sqs.Query;
using Ferry.Engine;
using Ferry.Engine.Topics;
using Ferry.Engine.Topics.Filtering;

namespace Ferry.Aws.Sns;

internal sealed partial class SnsService
{
    /// <summary>What ListSubscriptions shows instead of the ARN of a subscription that is not confirmed.</summary>
    private const string PendingArn = "PendingConfirmation";

    private static readonly HashSet<string> SubscriptionAttributeNames = new(StringComparer.Ordinal)
    {
        "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy",
    };

    /// <summary>Protocols SNS has and Ferry does not deliver to.</summary>
    private static readonly HashSet<string> UnsupportedProtocols = new(StringComparer.Ordinal)
    {
        "email", "email-json", "sms", "application", "lambda", "firehose",
    };

    public async Task<Action<SqsXml>?> SubscribeAsync(SnsCall call)
    {
        var topic = RequireTopic(call);
        var protocol = call.Required("Protocol").ToLowerInvariant();
        if (UnsupportedProtocols.Contains(protocol))
        {
            throw SnsException.NotSupported("The " + protocol + " protocol");
        }

        if (protocol is not ("sqs" or "http" or "https"))
        {
            throw SnsException.InvalidParameter("Amazon SNS does not support this protocol string: " + protocol);
        }

        var endpoint = call.Optional("Endpoint") ?? "";
        ValidateEndpoint(topic, protocol, endpoint);
        var attributes = call.Attributes() ?? [];
        foreach (var (key, value) in attributes)
        {
            ValidateSubscriptionAttribute(protocol, key, value, attributes);
        }

        var (subscription, created) = await Topics.SubscribeAsync(topic, protocol, endpoint, Account, attributes, confirmed: protocol == "sqs").ConfigureAwait(false);
        if (!created && !SameAttributes(subscription.Attributes, attributes))
        {
            throw SnsException.InvalidParameter("Attributes Reason: Subscription already exists with different attributes");
        }

        if (created && !subscription.Confirmed)
        {
            Delivery.SendSubscriptionConfirmation(subscription);
        }

        var returnArn = string.Equals(call.Optional("ReturnSubscriptionArn"), "true", StringComparison.OrdinalIgnoreCase);
        var arn = subscription.Confirmed || returnArn ? subscription.Arn : "pending confirmation";
        return xml => xml.Element("SubscriptionArn", arn);
    }

    public async Task<Action<SqsXml>?> ConfirmSubscriptionAsync(SnsCall call)
    {
        var topic = RequireTopic(call);
        var token = call.Required("Token");
        if (Topics.FindByToken(topic, token) is not { } subscription)
        {
            throw SnsException.InvalidParameter("Token");
        }

        var attributes = new Dictionary<string, string>(subscription.Attributes, StringComparer.Ordinal);
        if (string.Equals(call.Optional("AuthenticateOnUnsubscribe"), "true", StringComparison.OrdinalIgnoreCase))
        {
            attributes["ConfirmationWasAuthenticated"] = "true";
        }

        await Topics.UpdateSubscriptionAsync(subscription, attributes, confirm: true).ConfigureAwait(false);
        return xml => xml.Element("SubscriptionArn", subscription.Arn);
    }

    public async Task<Action<SqsXml>?> UnsubscribeAsync(SnsCall call)
    {
        var subscription = RequireSubscription(call);
        await Topics.UnsubscribeAsync(subscription).ConfigureAwait(false);
        if (subscription.Protocol != "sqs")
        {
            Delivery.SendUnsubscribeConfirmation(subscription);
        }

        return null;
    }

    public Task<Action<SqsXml>?> ListSubscriptionsAsync(SnsCall call) =>
        Done(WriteSubscriptions(Topics.ListSubscriptions(), call.Optional("NextToken")));

    public Task<Action<SqsXml>?> ListSubscriptionsByTopicAsync(SnsCall call)
    {
        var topic = RequireTopic(call);
        return Done(WriteSubscriptions(topic.Subscriptions, call.Optional("NextToken")));
    }

    public Task<Action<SqsXml>?> GetSubscriptionAttributesAsync(SnsCall call)
    {
        var s = RequireSubscription(call);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SubscriptionArn"] = s.Arn,
            ["TopicArn"] = s.Topic.Arn,
            ["Owner"] = s.Owner,
            ["Protocol"] = s.Protocol,
            ["Endpoint"] = s.Endpoint,
            ["PendingConfirmation"] = s.Confirmed ? "false" : "true",
            ["ConfirmationWasAuthenticated"] = s.Attributes.GetValueOrDefault("ConfirmationWasAuthenticated") ?? (s.Protocol == "sqs" ? "true" : "false"),
            ["RawMessageDelivery"] = s.RawMessageDelivery ? "true" : "false",
            ["SubscriptionPrincipal"] = $"arn:aws:iam::{s.Owner}:root",
        };
        if (s.Protocol != "sqs")
        {
            attributes["EffectiveDeliveryPolicy"] = SnsDelivery.EffectiveDeliveryPolicyJson(s);
        }

        foreach (var (key, value) in s.Attributes)
        {
            attributes.TryAdd(key, value);
        }

        if (s.Filter is not null)
        {
            attributes.TryAdd("FilterPolicyScope", "MessageAttributes");
        }

        return Done(xml => WriteAttributes(xml, attributes));
    }

    public async Task<Action<SqsXml>?> SetSubscriptionAttributesAsync(SnsCall call)
    {
        var s = RequireSubscription(call);
        var name = call.Required("AttributeName");
        var value = call.Optional("AttributeValue") ?? "";
        if (!SubscriptionAttributeNames.Contains(name))
        {
            throw SnsException.InvalidParameter("AttributeName");
        }

        var attributes = new Dictionary<string, string>(s.Attributes, StringComparer.Ordinal);
        if (value.Length == 0 && name is "FilterPolicy" or "RedrivePolicy" or "DeliveryPolicy" or "ReplayPolicy")
        {
            attributes.Remove(name);
        }
        else
        {
            attributes[name] = value;
            ValidateSubscriptionAttribute(s.Protocol, name, value, attributes);
        }

        try
        {
            await Topics.UpdateSubscriptionAsync(s, attributes).ConfigureAwait(false);
        }
        catch (EngineException e) when (e.Error == EngineError.ResourceNotFound)
        {
            throw SnsException.SubscriptionNotFound();
        }

        return null;
    }

    private Subscription RequireSubscription(SnsCall call)
    {
        var arn = call.Required("SubscriptionArn");
        CheckArn("SubscriptionArn", arn, "sns");
        return Topics.FindSubscription(arn) ?? throw SnsException.SubscriptionNotFound();
    }

    private static Action<SqsXml> WriteSubscriptions(IReadOnlyList<Subscription> subscriptions, string? token)
    {
        var (page, next) = Page(subscriptions, s => s.Arn, token);
        return xml =>
        {
            xml.Open("Subscriptions");
            foreach (var s in page)
            {
                xml.Open("member")
                    .Element("SubscriptionArn", s.Confirmed ? s.Arn : PendingArn)
                    .Element("Owner", s.Owner)
                    .Element("Protocol", s.Protocol)
                    .Element("Endpoint", s.Endpoint)
                    .Element("TopicArn", s.Topic.Arn)
                    .Close("member");
            }

            xml.Close("Subscriptions").Element("NextToken", next);
        };
    }

    private static void ValidateEndpoint(Topic topic, string protocol, string endpoint)
    {
        if (protocol == "sqs")
        {
            var parts = endpoint.Split(':');
            if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[5].Length == 0)
            {
                throw SnsException.InvalidParameter("SQS endpoint ARN");
            }

            var fifoQueue = parts[5].EndsWith(".fifo", StringComparison.Ordinal);
            if (topic.IsFifo && !fifoQueue)
            {
                throw SnsException.InvalidParameter("Invalid parameter: Endpoint Reason: Please use FIFO SQS queue");
            }

            if (!topic.IsFifo && fifoQueue)
            {
                throw SnsException.InvalidParameter("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics");
            }

            return;
        }

        if (topic.IsFifo)
        {
            throw SnsException.InvalidParameter("Endpoint Reason: FIFO topics deliver only to Amazon SQS FIFO queues");
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != protocol || string.IsNullOrEmpty(uri.Host))
        {
            throw SnsException.InvalidParameter("Endpoint must match the specified protocol");
        }
    }

    private void ValidateSubscriptionAttribute(string protocol, string name, string value, Dictionary<string, string> all)
    {
        if (!SubscriptionAttributeNames.Contains(name))
        {
            throw SnsException.InvalidParameter("Attributes Reason: Unknown attribute " + name);
        }

        switch (name)
        {
            case "RawMessageDelivery" when value is not ("true" or "false" or "True" or "False"):
                throw SnsException.InvalidParameter("Attributes Reason: RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.");
            case "FilterPolicyScope" when value is not ("MessageAttributes" or "MessageBody"):
                throw SnsException.InvalidParameter("Attributes Reason: FilterPolicyScope: Invalid value [" + value + "]. Please use either MessageBody or MessageAttributes");
            case "FilterPolicy" or "FilterPolicyScope":
                if (all.TryGetValue("FilterPolicy", out var policy) && policy.Length > 0)
                {
                    var scope = all.GetValueOrDefault("FilterPolicyScope") == "MessageBody" ? FilterPolicyScope.MessageBody : FilterPolicyScope.MessageAttributes;
                    try
                    {
                        FilterPolicy.Parse(policy, scope);
                    }
                    catch (FilterPolicyException e)
                    {
                        throw SnsException.InvalidParameter(e.InvalidParameterMessage);
                    }
                }

                break;
            case "DeliveryPolicy" when protocol == "sqs":
                throw SnsException.InvalidParameter("DeliveryPolicy: Delivery protocol [sqs] does not support delivery policies");
            case "DeliveryPolicy":
                SnsDelivery.ValidateDeliveryPolicy(value, topicLevel: false);
                break;
            case "RedrivePolicy":
                ValidateRedrivePolicy(value);
                break;
            case "ReplayPolicy":
                throw SnsException.NotSupported("Message archiving and replay (ReplayPolicy)");
        }
    }

    private void ValidateRedrivePolicy(string value)
    {
        if (!IsJsonObject(value))
        {
            throw SnsException.InvalidParameter("RedrivePolicy: Invalid RedrivePolicy syntax");
        }

        using var json = System.Text.Json.JsonDocument.Parse(value);
        if (!json.RootElement.TryGetProperty("deadLetterTargetArn", out var arn) || arn.ValueKind != System.Text.Json.JsonValueKind.String)
        {
            throw SnsException.InvalidParameter("RedrivePolicy: deadLetterTargetArn is missing");
        }

        var target = arn.GetString()!;
        var parts = target.Split(':');
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "sqs")
        {
            throw SnsException.InvalidParameter("RedrivePolicy: deadLetterTargetArn is an invalid arn");
        }

        if (_broker.FindQueueByArn(target) is null)
        {
            throw SnsException.InvalidParameter("RedrivePolicy: deadLetterTargetArn: the queue does not exist");
        }
    }

    private static bool SameAttributes(IReadOnlyDictionary<string, string> existing, Dictionary<string, string> wanted) =>
        wanted.All(w => existing.TryGetValue(w.Key, out var v) && v == w.Value);
}

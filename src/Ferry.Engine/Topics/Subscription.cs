using Ferry.Engine.Queues;
using Ferry.Engine.Topics.Filtering;

namespace Ferry.Engine.Topics;

/// <summary>A subscription of an endpoint to a topic.</summary>
public sealed class Subscription
{
    private IReadOnlyDictionary<string, string> _attributes = new Dictionary<string, string>();

    internal Subscription(Guid id, Topic topic, string protocol, string endpoint, string owner)
    {
        Id = id;
        Topic = topic;
        Protocol = protocol;
        Endpoint = endpoint;
        Owner = owner;
        Arn = topic.Arn + ":" + id.ToString("D");
        IdUtf8 = System.Text.Encoding.ASCII.GetBytes(id.ToString("D"));
    }

    public Guid Id { get; }

    /// <summary>The id as text (36 ASCII bytes), as each delivery of an envelope writes it into its UnsubscribeURL.</summary>
    public ReadOnlyMemory<byte> IdUtf8 { get; }

    public string Arn { get; }

    public Topic Topic { get; }

    /// <summary><c>sqs</c>, <c>http</c> or <c>https</c>.</summary>
    public string Protocol { get; }

    /// <summary>The queue ARN or the URL.</summary>
    public string Endpoint { get; }

    /// <summary>The account that subscribed.</summary>
    public string Owner { get; }

    /// <summary>Whether the endpoint confirmed (queues are confirmed at once).</summary>
    public bool Confirmed { get; internal set; }

    /// <summary>The token of the confirmation request, while pending.</summary>
    public string? Token { get; internal set; }

    public bool IsDeleted { get; internal set; }

    /// <summary>The attributes that were set: FilterPolicy, FilterPolicyScope, RawMessageDelivery, DeliveryPolicy, RedrivePolicy, ...</summary>
    public IReadOnlyDictionary<string, string> Attributes
    {
        get => _attributes;
        internal set
        {
            _attributes = value;
            Filter = value.TryGetValue("FilterPolicy", out var policy) && !string.IsNullOrEmpty(policy)
                ? FilterPolicy.Parse(policy, value.TryGetValue("FilterPolicyScope", out var scope) && scope == "MessageBody" ? FilterPolicyScope.MessageBody : FilterPolicyScope.MessageAttributes)
                : null;
            RawMessageDelivery = value.TryGetValue("RawMessageDelivery", out var raw) && string.Equals(raw, "true", StringComparison.OrdinalIgnoreCase);
            DeadLetterTargetArn = value.TryGetValue("RedrivePolicy", out var redrive) ? ReadDeadLetterTarget(redrive) : null;
            FaceState = null;
        }
    }

    /// <summary>The compiled filter policy, or null when every message matches.</summary>
    public FilterPolicy? Filter { get; private set; }

    public bool RawMessageDelivery { get; private set; }

    /// <summary>The RedrivePolicy's <c>deadLetterTargetArn</c>: the queue that gets what could not be delivered.</summary>
    public string? DeadLetterTargetArn { get; private set; }

    /// <summary>A slot for the protocol face's derived state (a parsed delivery policy); cleared when attributes change.</summary>
    public object? FaceState { get; set; }

    /// <summary>The queue a queue subscription delivers to, while it exists.</summary>
    internal Queue? CachedQueue { get; set; }

    private static string? ReadDeadLetterTarget(string redrivePolicy)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(redrivePolicy);
            return json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && json.RootElement.TryGetProperty("deadLetterTargetArn", out var arn)
                && arn.ValueKind == System.Text.Json.JsonValueKind.String ? arn.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

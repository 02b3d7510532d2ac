using System.Text.Json.Nodes;
using Ferry.Aws.Sns.Delivery;
using Ferry.Engine.Topics;

namespace Ferry.Aws.Sns;

internal sealed partial class SnsDelivery
{
    /// <summary>What a push to one subscription follows: its retry schedule, throttle and Content-Type.</summary>
    private sealed record PushPolicy(RetrySchedule Schedule, int? MaxReceivesPerSecond, string ContentType);

    /// <summary>Checks a DeliveryPolicy attribute as SNS does; InvalidParameter with SNS's wording when it is wrong.</summary>
    public static void ValidateDeliveryPolicy(string json, bool topicLevel)
    {
        var valid = topicLevel
            ? SnsDeliveryPolicy.TryParseTopic(json, out _, out var error)
            : SnsDeliveryPolicy.TryParseSubscription(json, out _, out error);
        if (!valid)
        {
            throw SnsException.InvalidParameter("DeliveryPolicy: " + error);
        }
    }

    /// <summary>The policy a subscription's pushes follow: the topic's, the subscription's override, AWS's defaults.
    /// Policies were validated when set; one that no longer parses counts as not set.</summary>
    private static SnsEffectiveDeliveryPolicy EffectiveOf(Subscription subscription)
    {
        SnsTopicDeliveryPolicy? topic = null;
        SnsSubscriptionDeliveryPolicy? own = null;
        if (subscription.Topic.Attributes.TryGetValue("DeliveryPolicy", out var t) && t.Length > 0 && !SnsDeliveryPolicy.TryParseTopic(t, out topic, out _))
        {
            topic = null;
        }

        if (subscription.Attributes.TryGetValue("DeliveryPolicy", out var s) && s.Length > 0 && !SnsDeliveryPolicy.TryParseSubscription(s, out own, out _))
        {
            own = null;
        }

        return SnsDeliveryPolicy.Resolve(topic, own);
    }

    /// <summary>GetSubscriptionAttributes' EffectiveDeliveryPolicy, in SNS's shape.</summary>
    public static string EffectiveDeliveryPolicyJson(Subscription subscription)
    {
        var effective = EffectiveOf(subscription);
        var retry = effective.RetryPolicy;
        var policy = new JsonObject
        {
            ["healthyRetryPolicy"] = new JsonObject
            {
                ["minDelayTarget"] = retry.MinDelayTarget,
                ["maxDelayTarget"] = retry.MaxDelayTarget,
                ["numRetries"] = retry.NumRetries,
                ["numMaxDelayRetries"] = retry.NumMaxDelayRetries,
                ["numNoDelayRetries"] = retry.NumNoDelayRetries,
                ["numMinDelayRetries"] = retry.NumMinDelayRetries,
                ["backoffFunction"] = retry.BackoffFunction.ToString().ToLowerInvariant(),
            },
            ["sicklyRetryPolicy"] = null,
            ["throttlePolicy"] = effective.MaxReceivesPerSecond is { } rate ? new JsonObject { ["maxReceivesPerSecond"] = rate } : null,
            ["requestPolicy"] = new JsonObject { ["headerContentType"] = effective.HeaderContentType },
            ["guaranteed"] = false,
        };
        return policy.ToJsonString();
    }

    private static PushPolicy PolicyOf(Subscription subscription)
    {
        var state = subscription.FaceState as PushState;
        if (state?.Policy is { } cached)
        {
            return cached;
        }

        var effective = EffectiveOf(subscription);
        var policy = new PushPolicy(effective.Schedule, effective.MaxReceivesPerSecond, effective.HeaderContentType);
        state ??= new PushState();
        state.Policy = policy;
        subscription.FaceState ??= state;
        return policy;
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Ferry.Aws.Sns.Delivery;

/// <summary>
/// Parses and validates the DeliveryPolicy attribute of topics and subscriptions, and combines them into the
/// policy a delivery follows.
/// </summary>
/// <remarks>
/// <para>A topic's policy holds defaults for its HTTP/S subscriptions under <c>http</c>:</para>
/// <code>
/// {"http":{"defaultHealthyRetryPolicy":{...},"disableSubscriptionOverrides":false,
///          "defaultThrottlePolicy":{"maxReceivesPerSecond":10},"defaultRequestPolicy":{"headerContentType":"application/json"}}}
/// </code>
/// <para>A subscription's policy has the same three sections without the prefix:</para>
/// <code>
/// {"healthyRetryPolicy":{...},"throttlePolicy":{"maxReceivesPerSecond":10},"requestPolicy":{"headerContentType":"text/plain"}}
/// </code>
/// <para>
/// A retry policy must name minDelayTarget, maxDelayTarget and numRetries (AWS refuses one without them, despite
/// its documentation's <c>{"healthyRetryPolicy":{"numRetries":5}}</c> example); the numNo/Min/MaxDelayRetries
/// default to 0 and backoffFunction to linear (matched without regard to case: AWS CDK writes it in capitals).
/// Ranges: minDelayTarget from 1 to maxDelayTarget, maxDelayTarget up to 3600, numRetries 0 to 100, the three
/// phase counts 0 or more and together at most numRetries, the delays in total at most 3600 seconds;
/// maxReceivesPerSecond 1 or more; headerContentType one of <see cref="SnsContentTypes.Allowed"/>.
/// </para>
/// <para>
/// A member whose value is null counts as absent. The subscription policy AWS returns as EffectiveDeliveryPolicy
/// carries <c>sicklyRetryPolicy</c> and <c>guaranteed</c> (and a topic's may carry
/// <c>defaultSicklyRetryPolicy</c>); they are accepted so that such a policy can be written back, and ignored.
/// Any other member is refused as unexpected. Only the first problem found is reported.
/// </para>
/// </remarks>
internal static class SnsDeliveryPolicy
{
    /// <summary>
    /// What precedes a reason in the InvalidParameter message of SetTopicAttributes and SetSubscriptionAttributes.
    /// CreateTopic and Subscribe, which take attributes as a map, say <c>Invalid parameter: Attributes Reason: DeliveryPolicy: </c> instead.
    /// </summary>
    public const string ErrorPrefix = "Invalid parameter: DeliveryPolicy: ";

    /// <summary>The limit of nesting: the deepest valid policy has three levels.</summary>
    private const int MaxDepth = 16;

    /// <summary>
    /// Parses a topic's DeliveryPolicy. An empty value is no policy (<paramref name="policy"/> null). On failure
    /// <paramref name="error"/> is the reason, to follow <see cref="ErrorPrefix"/>.
    /// </summary>
    public static bool TryParseTopic(string? json, out SnsTopicDeliveryPolicy? policy, [NotNullWhen(false)] out string? error) =>
        TryParse(json, ReadTopic, out policy, out error);

    /// <summary>Parses a subscription's DeliveryPolicy; see <see cref="TryParseTopic"/>.</summary>
    public static bool TryParseSubscription(string? json, out SnsSubscriptionDeliveryPolicy? policy, [NotNullWhen(false)] out string? error) =>
        TryParse(json, ReadSubscription, out policy, out error);

    /// <summary>
    /// The policy a subscription's deliveries follow, section by section (retry, throttle, request): the
    /// subscription's own, unless the topic disables overrides; else the topic's default; else AWS's default.
    /// </summary>
    public static SnsEffectiveDeliveryPolicy Resolve(SnsTopicDeliveryPolicy? topic, SnsSubscriptionDeliveryPolicy? subscription)
    {
        var own = topic is { DisableSubscriptionOverrides: true } ? null : subscription;
        var retry = own?.HealthyRetryPolicy ?? topic?.DefaultHealthyRetryPolicy;
        var rate = own?.MaxReceivesPerSecond ?? topic?.DefaultMaxReceivesPerSecond;
        var contentType = own?.HeaderContentType ?? topic?.DefaultHeaderContentType;
        return retry is null && rate is null && contentType is null
            ? SnsEffectiveDeliveryPolicy.Default
            : new SnsEffectiveDeliveryPolicy(retry ?? SnsRetryPolicy.Default, rate, contentType ?? SnsHttpHeaders.DefaultContentType);
    }

    private static bool TryParse<T>(string? json, Func<JsonElement, T> read, out T? policy, [NotNullWhen(false)] out string? error)
        where T : class
    {
        policy = null;
        error = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            return true;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException)
        {
            error = SnsDeliveryPolicyErrors.NotJson;
            return false;
        }

        using (document)
        {
            try
            {
                policy = read(document.RootElement);
                return true;
            }
            catch (InvalidPolicyException e)
            {
                error = e.Message;
                return false;
            }
            catch (InvalidOperationException)
            {
                // A name or string escaping a lone surrogate (\uD800): valid JSON syntax that no string can hold.
                error = SnsDeliveryPolicyErrors.NotJson;
                return false;
            }
        }
    }

    private static SnsTopicDeliveryPolicy ReadTopic(JsonElement root)
    {
        RequireObject(root, null);
        SnsTopicDeliveryPolicy policy = new(null, false, null, null);
        foreach (var member in root.EnumerateObject())
        {
            if (member.Name != "http")
            {
                throw Invalid(SnsDeliveryPolicyErrors.UnexpectedMember(member.Name));
            }

            if (member.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            RequireObject(member.Value, "http");
            foreach (var section in member.Value.EnumerateObject())
            {
                var path = "http." + section.Name;
                policy = section.Name switch
                {
                    "defaultHealthyRetryPolicy" => policy with { DefaultHealthyRetryPolicy = ReadRetry(section.Value, path) },
                    "disableSubscriptionOverrides" => policy with { DisableSubscriptionOverrides = ReadBoolean(section.Value, path) ?? false },
                    "defaultThrottlePolicy" => policy with { DefaultMaxReceivesPerSecond = ReadThrottle(section.Value, path) },
                    "defaultRequestPolicy" => policy with { DefaultHeaderContentType = ReadRequest(section.Value, path) },
                    "defaultSicklyRetryPolicy" => Ignored(section.Value, path, policy),
                    _ => throw Invalid(SnsDeliveryPolicyErrors.UnexpectedMember(path)),
                };
            }
        }

        return policy;
    }

    private static SnsSubscriptionDeliveryPolicy ReadSubscription(JsonElement root)
    {
        RequireObject(root, null);
        SnsSubscriptionDeliveryPolicy policy = new(null, null, null);
        foreach (var section in root.EnumerateObject())
        {
            var path = section.Name;
            policy = path switch
            {
                "healthyRetryPolicy" => policy with { HealthyRetryPolicy = ReadRetry(section.Value, path) },
                "throttlePolicy" => policy with { MaxReceivesPerSecond = ReadThrottle(section.Value, path) },
                "requestPolicy" => policy with { HeaderContentType = ReadRequest(section.Value, path) },
                "sicklyRetryPolicy" => Ignored(section.Value, path, policy),
                "guaranteed" => IgnoredBoolean(section.Value, path, policy),
                _ => throw Invalid(SnsDeliveryPolicyErrors.UnexpectedMember(path)),
            };
        }

        return policy;
    }

    private static SnsRetryPolicy? ReadRetry(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        RequireObject(element, path);
        long? minDelay = null, maxDelay = null, retries = null, noDelay = null, minDelayRetries = null, maxDelayRetries = null;
        var function = SnsBackoffFunction.Linear;
        foreach (var member in element.EnumerateObject())
        {
            var memberPath = path + "." + member.Name;
            switch (member.Name)
            {
                case "minDelayTarget": minDelay = ReadInteger(member.Value, memberPath); break;
                case "maxDelayTarget": maxDelay = ReadInteger(member.Value, memberPath); break;
                case "numRetries": retries = ReadInteger(member.Value, memberPath); break;
                case "numNoDelayRetries": noDelay = ReadInteger(member.Value, memberPath); break;
                case "numMinDelayRetries": minDelayRetries = ReadInteger(member.Value, memberPath); break;
                case "numMaxDelayRetries": maxDelayRetries = ReadInteger(member.Value, memberPath); break;
                case "backoffFunction": function = ReadBackoffFunction(member.Value, memberPath) ?? SnsBackoffFunction.Linear; break;
                default: throw Invalid(SnsDeliveryPolicyErrors.UnexpectedMember(memberPath));
            }
        }

        long min = minDelay ?? throw Invalid(SnsDeliveryPolicyErrors.MustBeSpecified(path + ".minDelayTarget"));
        long max = maxDelay ?? throw Invalid(SnsDeliveryPolicyErrors.MustBeSpecified(path + ".maxDelayTarget"));
        long count = retries ?? throw Invalid(SnsDeliveryPolicyErrors.MustBeSpecified(path + ".numRetries"));
        AtLeast(min, SnsRetryPolicy.MinDelaySeconds, path + ".minDelayTarget");
        AtMost(max, SnsRetryPolicy.MaxDelaySeconds, path + ".maxDelayTarget");
        if (max < min)
        {
            throw Invalid(SnsDeliveryPolicyErrors.MaxBelowMin(path));
        }

        AtLeast(count, 0, path + ".numRetries");
        AtMost(count, SnsRetryPolicy.MaxRetries, path + ".numRetries");
        long immediate = noDelay ?? 0, pre = minDelayRetries ?? 0, post = maxDelayRetries ?? 0;
        AtLeast(immediate, 0, path + ".numNoDelayRetries");
        AtLeast(pre, 0, path + ".numMinDelayRetries");
        AtLeast(post, 0, path + ".numMaxDelayRetries");
        // Each phase within numRetries first: three counts near long.MaxValue would wrap their sum below it.
        if (immediate > count || pre > count || post > count || immediate + pre + post > count)
        {
            throw Invalid(SnsDeliveryPolicyErrors.PhasesExceedRetries(path));
        }

        var policy = new SnsRetryPolicy((int)min, (int)max, (int)count, (int)immediate, (int)pre, (int)post, function);
        var total = new RetrySchedule(policy).TotalRetryTime;
        if (total > TimeSpan.FromSeconds(SnsRetryPolicy.MaxTotalRetrySeconds))
        {
            throw Invalid(SnsDeliveryPolicyErrors.TotalTimeTooLong(path, total));
        }

        return policy == SnsRetryPolicy.Default ? SnsRetryPolicy.Default : policy;
    }

    private static int? ReadThrottle(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        RequireObject(element, path);
        long? rate = null;
        foreach (var member in element.EnumerateObject())
        {
            var memberPath = path + "." + member.Name;
            rate = member.Name == "maxReceivesPerSecond"
                ? ReadInteger(member.Value, memberPath)
                : throw Invalid(SnsDeliveryPolicyErrors.UnexpectedMember(memberPath));
        }

        if (rate is not { } value)
        {
            return null;
        }

        AtLeast(value, 1, path + ".maxReceivesPerSecond");
        AtMost(value, int.MaxValue, path + ".maxReceivesPerSecond");
        return (int)value;
    }

    private static string? ReadRequest(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        RequireObject(element, path);
        string? contentType = null;
        foreach (var member in element.EnumerateObject())
        {
            var memberPath = path + "." + member.Name;
            if (member.Name != "headerContentType")
            {
                throw Invalid(SnsDeliveryPolicyErrors.UnexpectedMember(memberPath));
            }

            contentType = member.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => member.Value.GetString(),
                _ => throw Invalid(SnsDeliveryPolicyErrors.NotAString(memberPath)),
            };
            if (contentType is not null && !SnsContentTypes.IsAllowed(contentType))
            {
                throw Invalid(SnsDeliveryPolicyErrors.UnsupportedContentType(memberPath));
            }
        }

        return contentType;
    }

    private static SnsBackoffFunction? ReadBackoffFunction(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var name = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        return name?.ToUpperInvariant() switch
        {
            "LINEAR" => SnsBackoffFunction.Linear,
            "ARITHMETIC" => SnsBackoffFunction.Arithmetic,
            "GEOMETRIC" => SnsBackoffFunction.Geometric,
            "EXPONENTIAL" => SnsBackoffFunction.Exponential,
            _ => throw Invalid(SnsDeliveryPolicyErrors.UnknownBackoffFunction(path)),
        };
    }

    /// <summary>A whole number, written with or without a fraction of zero (<c>5</c>, <c>5.0</c>); null for JSON null.</summary>
    private static long? ReadInteger(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number when element.TryGetInt64(out long value):
                return value;
            case JsonValueKind.Number when element.TryGetDouble(out double real) && Math.Floor(real) == real && Math.Abs(real) < long.MaxValue:
                return (long)real;
            default:
                throw Invalid(SnsDeliveryPolicyErrors.NotAnInteger(path));
        }
    }

    private static bool? ReadBoolean(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Invalid(SnsDeliveryPolicyErrors.NotABoolean(path)),
    };

    /// <summary>A member accepted for compatibility and otherwise ignored: it must be an object or null.</summary>
    private static T Ignored<T>(JsonElement element, string path, T policy)
    {
        if (element.ValueKind != JsonValueKind.Null)
        {
            RequireObject(element, path);
        }

        return policy;
    }

    /// <summary>A flag accepted for compatibility and otherwise ignored: it must be a boolean or null.</summary>
    private static T IgnoredBoolean<T>(JsonElement element, string path, T policy)
    {
        _ = ReadBoolean(element, path);
        return policy;
    }

    private static void RequireObject(JsonElement element, string? path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(SnsDeliveryPolicyErrors.NotAnObject(path));
        }
    }

    private static void AtLeast(long value, long bound, string path)
    {
        if (value < bound)
        {
            throw Invalid(SnsDeliveryPolicyErrors.AtLeast(path, bound));
        }
    }

    private static void AtMost(long value, long bound, string path)
    {
        if (value > bound)
        {
            throw Invalid(SnsDeliveryPolicyErrors.AtMost(path, bound));
        }
    }

    private static InvalidPolicyException Invalid(string reason) => new(reason);

    /// <summary>Unwinds the recursive reader to <see cref="TryParse"/> with the first problem found.</summary>
    private sealed class InvalidPolicyException(string reason) : Exception(reason);
}

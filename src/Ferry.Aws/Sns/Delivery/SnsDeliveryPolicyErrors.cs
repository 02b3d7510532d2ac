namespace Ferry.Aws.Sns.Delivery;

/// <summary>
/// The reasons a DeliveryPolicy is refused: the text after <see cref="SnsDeliveryPolicy.ErrorPrefix"/>. A
/// <c>path</c> names the member as SNS does, dotted from the root: <c>healthyRetryPolicy.minDelayTarget</c> for a
/// subscription, <c>http.defaultHealthyRetryPolicy.numRetries</c> for a topic.
/// </summary>
/// <remarks>
/// AWS publishes no list of these messages. Four shapes are AWS's own, seen in its responses: "{path} must be
/// specified", "{path} must be greater than or equal to {n}", "{path} must be less than or equal to {n}" and
/// "Unexpected JSON member: {name}". The others follow the same style.
/// </remarks>
internal static class SnsDeliveryPolicyErrors
{
    /// <summary>A required member is absent or null (AWS's wording).</summary>
    public static string MustBeSpecified(string path) => $"{path} must be specified";

    /// <summary>A number below its lower bound (AWS's wording).</summary>
    public static string AtLeast(string path, long bound) => $"{path} must be greater than or equal to {bound}";

    /// <summary>A number above its upper bound (AWS's wording).</summary>
    public static string AtMost(string path, long bound) => $"{path} must be less than or equal to {bound}";

    /// <summary>A member the policy does not have (AWS's wording; nested members are named by their dotted path).</summary>
    public static string UnexpectedMember(string path) => $"Unexpected JSON member: {path}";

    /// <summary>maxDelayTarget below minDelayTarget.</summary>
    public static string MaxBelowMin(string retryPath) =>
        $"{retryPath}.maxDelayTarget must be greater than or equal to minDelayTarget";

    /// <summary>The phases ask for more retries than numRetries.</summary>
    public static string PhasesExceedRetries(string retryPath) =>
        $"{retryPath}.numRetries must be greater than or equal to the sum of numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries";

    /// <summary>The delays add up to more than SNS's hour.</summary>
    public static string TotalTimeTooLong(string retryPath, TimeSpan total) =>
        $"{retryPath} total retry time must be less than or equal to {SnsRetryPolicy.MaxTotalRetrySeconds} seconds, not {total.TotalSeconds:0.###}";

    /// <summary>Not one of the four backoff functions.</summary>
    public static string UnknownBackoffFunction(string path) =>
        $"{path} must be one of: linear, arithmetic, geometric, exponential";

    /// <summary>A media type SNS does not send.</summary>
    public static string UnsupportedContentType(string path) =>
        $"{path} must be one of: {string.Join(", ", SnsContentTypes.Allowed)}";

    /// <summary>A number member that is not a whole number (a string, a fraction, a boolean).</summary>
    public static string NotAnInteger(string path) => $"{path} must be an integer";

    /// <summary>A flag that is not true or false.</summary>
    public static string NotABoolean(string path) => $"{path} must be a boolean";

    /// <summary>A text member that is not a string.</summary>
    public static string NotAString(string path) => $"{path} must be a string";

    /// <summary>A section (or the whole policy, when <paramref name="path"/> is null) that is not an object.</summary>
    public static string NotAnObject(string? path) => path is null ? "The policy must be a JSON object" : $"{path} must be a JSON object";

    /// <summary>The attribute value does not parse as JSON.</summary>
    public const string NotJson = "The policy is not valid JSON";
}

using Ferry.Aws.Sns.Delivery;

namespace Ferry.Aws.Tests.Sns;

public class SnsDeliveryPolicyTests
{
    private const string ContentTypes =
        "application/atom+xml, application/json, application/octet-stream, application/soap+xml, application/x-www-form-urlencoded, "
        + "application/xhtml+xml, application/xml, text/css, text/csv, text/html, text/plain, text/xml";

    private static SnsSubscriptionDeliveryPolicy? Subscription(string json)
    {
        Assert.True(SnsDeliveryPolicy.TryParseSubscription(json, out var policy, out var error), error);
        return policy;
    }

    private static SnsTopicDeliveryPolicy? Topic(string json)
    {
        Assert.True(SnsDeliveryPolicy.TryParseTopic(json, out var policy, out var error), error);
        return policy;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Empty_IsNoPolicy(string? json)
    {
        Assert.Null(Subscription(json!));
        Assert.Null(Topic(json!));
    }

    [Fact]
    public void EmptyObjects_SetNothing()
    {
        Assert.Equal(new SnsSubscriptionDeliveryPolicy(null, null, null), Subscription("{}"));
        Assert.Equal(new SnsTopicDeliveryPolicy(null, false, null, null), Topic("{}"));
        Assert.Equal(new SnsTopicDeliveryPolicy(null, false, null, null), Topic("""{"http":{}}"""));
        Assert.Equal(new SnsSubscriptionDeliveryPolicy(null, null, null), Subscription("""{"healthyRetryPolicy":null,"throttlePolicy":{},"requestPolicy":{"headerContentType":null}}"""));
    }

    [Fact]
    public void Subscription_AllSections()
    {
        var policy = Subscription("""
            {"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,"numNoDelayRetries":3,"numMinDelayRetries":2,
             "numMaxDelayRetries":35,"backoffFunction":"exponential"},"throttlePolicy":{"maxReceivesPerSecond":10},
             "requestPolicy":{"headerContentType":"application/json"}}
            """);
        Assert.Equal(new SnsSubscriptionDeliveryPolicy(new SnsRetryPolicy(1, 60, 50, 3, 2, 35, SnsBackoffFunction.Exponential), 10, "application/json"), policy);
        Assert.Equal(10, policy!.HealthyRetryPolicy!.NumBackoffRetries);
    }

    [Fact]
    public void Topic_AllSections()
    {
        var policy = Topic("""
            {"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,"numRetries":4,"backoffFunction":"geometric"},
             "disableSubscriptionOverrides":true,"defaultThrottlePolicy":{"maxReceivesPerSecond":3},
             "defaultRequestPolicy":{"headerContentType":"text/xml"}}}
            """);
        Assert.Equal(new SnsTopicDeliveryPolicy(new SnsRetryPolicy(5, 10, 4, 0, 0, 0, SnsBackoffFunction.Geometric), true, 3, "text/xml"), policy);
    }

    [Fact]
    public void Subscription_EffectiveDeliveryPolicyAsAwsReturnsIt_CanBeWrittenBack()
    {
        var policy = Subscription("""
            {"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,
             "numMinDelayRetries":0,"backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":null,
             "requestPolicy":{"headerContentType":"application/json"},"guaranteed":false}
            """);
        Assert.Same(SnsRetryPolicy.Default, policy!.HealthyRetryPolicy);
        Assert.Equal("application/json", policy.HeaderContentType);
    }

    [Fact]
    public void Topic_EffectiveDeliveryPolicyAsAwsReturnsIt_CanBeWrittenBack()
    {
        var policy = Topic("""
            {"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,
             "numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,
             "defaultSicklyRetryPolicy":null,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}
            """);
        Assert.Equal(new SnsTopicDeliveryPolicy(SnsRetryPolicy.Default, false, null, "text/plain; charset=UTF-8"), policy);
    }

    [Theory]
    [InlineData("LINEAR", SnsBackoffFunction.Linear)]
    [InlineData("Arithmetic", SnsBackoffFunction.Arithmetic)]
    [InlineData("GEOMETRIC", SnsBackoffFunction.Geometric)]
    [InlineData("exponential", SnsBackoffFunction.Exponential)]
    public void BackoffFunction_MatchesWithoutRegardToCase(string name, object expected)
    {
        var policy = Subscription($$$"""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":2,"numRetries":3,"backoffFunction":"{{{name}}}"}}""");
        Assert.Equal(expected, policy!.HealthyRetryPolicy!.BackoffFunction);
    }

    [Fact]
    public void Integers_MayBeWrittenWithAZeroFraction()
    {
        var policy = Subscription("""{"healthyRetryPolicy":{"minDelayTarget":1.0,"maxDelayTarget":2e1,"numRetries":3}}""");
        Assert.Equal(new SnsRetryPolicy(1, 20, 3, 0, 0, 0, SnsBackoffFunction.Linear), policy!.HealthyRetryPolicy);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("Application/JSON; charset=utf-8")]
    [InlineData("text/plain; charset=UTF-8")]
    [InlineData("application/x-www-form-urlencoded")]
    public void HeaderContentType_AcceptsTheListedMediaTypesWithParameters(string contentType) =>
        Assert.Equal(contentType, Subscription($$$"""{"requestPolicy":{"headerContentType":"{{{contentType}}}"}}""")!.HeaderContentType);

    [Fact]
    public void Limits_AtTheirEdges_AreAccepted()
    {
        Assert.NotNull(Subscription("""{"healthyRetryPolicy":{"minDelayTarget":3600,"maxDelayTarget":3600,"numRetries":1}}"""));
        Assert.NotNull(Subscription("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":100,"numNoDelayRetries":100}}"""));
        Assert.NotNull(Subscription("""{"healthyRetryPolicy":{"minDelayTarget":36,"maxDelayTarget":36,"numRetries":100}}"""));
        Assert.NotNull(Subscription("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":100,"backoffFunction":"linear"}}"""));
        Assert.NotNull(Subscription("""{"throttlePolicy":{"maxReceivesPerSecond":1}}"""));
    }

    // Subscription policies that SNS refuses, with the reason that follows "Invalid parameter: DeliveryPolicy: ".
    [Theory]
    // AWS's own wording, seen in its responses:
    [InlineData("""{"healthyRetryPolicy":{"numRetries":5}}""", "healthyRetryPolicy.minDelayTarget must be specified")]
    [InlineData("""{"healthyRetryPolicy":{"numRetries":0,"minDelayTarget":0,"maxDelayTarget":0,"numMinDelayRetries":0,"numMaxDelayRetries":0,"numNoDelayRetries":0,"backoffFunction":"exponential"}}""", "healthyRetryPolicy.minDelayTarget must be greater than or equal to 1")]
    // The same shapes for the other members:
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"numRetries":5}}""", "healthyRetryPolicy.maxDelayTarget must be specified")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":null}}""", "healthyRetryPolicy.maxDelayTarget must be specified")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":2}}""", "healthyRetryPolicy.numRetries must be specified")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":3601,"numRetries":1}}""", "healthyRetryPolicy.maxDelayTarget must be less than or equal to 3600")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":101}}""", "healthyRetryPolicy.numRetries must be less than or equal to 100")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":-1}}""", "healthyRetryPolicy.numRetries must be greater than or equal to 0")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1,"numNoDelayRetries":-1}}""", "healthyRetryPolicy.numNoDelayRetries must be greater than or equal to 0")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1,"numMinDelayRetries":-2}}""", "healthyRetryPolicy.numMinDelayRetries must be greater than or equal to 0")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1,"numMaxDelayRetries":-3}}""", "healthyRetryPolicy.numMaxDelayRetries must be greater than or equal to 0")]
    [InlineData("""{"throttlePolicy":{"maxReceivesPerSecond":0}}""", "throttlePolicy.maxReceivesPerSecond must be greater than or equal to 1")]
    [InlineData("""{"throttlePolicy":{"maxReceivesPerSecond":2147483648}}""", "throttlePolicy.maxReceivesPerSecond must be less than or equal to 2147483647")]
    [InlineData("""{"foo":1}""", "Unexpected JSON member: foo")]
    [InlineData("""{"http":{}}""", "Unexpected JSON member: http")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1,"numRetry":1}}""", "Unexpected JSON member: healthyRetryPolicy.numRetry")]
    [InlineData("""{"throttlePolicy":{"maxReceivesPerMinute":1}}""", "Unexpected JSON member: throttlePolicy.maxReceivesPerMinute")]
    [InlineData("""{"requestPolicy":{"contentType":"text/plain"}}""", "Unexpected JSON member: requestPolicy.contentType")]
    // Ferry's wording where AWS's is not known:
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":30,"maxDelayTarget":20,"numRetries":1}}""", "healthyRetryPolicy.maxDelayTarget must be greater than or equal to minDelayTarget")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":5,"numNoDelayRetries":2,"numMinDelayRetries":2,"numMaxDelayRetries":2}}""", "healthyRetryPolicy.numRetries must be greater than or equal to the sum of numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":3600,"maxDelayTarget":3600,"numRetries":2}}""", "healthyRetryPolicy total retry time must be less than or equal to 3600 seconds, not 7200")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":100,"numRetries":100,"backoffFunction":"linear"}}""", "healthyRetryPolicy total retry time must be less than or equal to 3600 seconds, not 5050")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1,"backoffFunction":"fibonacci"}}""", "healthyRetryPolicy.backoffFunction must be one of: linear, arithmetic, geometric, exponential")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1,"backoffFunction":"1"}}""", "healthyRetryPolicy.backoffFunction must be one of: linear, arithmetic, geometric, exponential")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1,"backoffFunction":2}}""", "healthyRetryPolicy.backoffFunction must be one of: linear, arithmetic, geometric, exponential")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":"5"}}""", "healthyRetryPolicy.numRetries must be an integer")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1.5,"maxDelayTarget":2,"numRetries":1}}""", "healthyRetryPolicy.minDelayTarget must be an integer")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":true,"maxDelayTarget":2,"numRetries":1}}""", "healthyRetryPolicy.minDelayTarget must be an integer")]
    [InlineData("""{"throttlePolicy":{"maxReceivesPerSecond":"10"}}""", "throttlePolicy.maxReceivesPerSecond must be an integer")]
    [InlineData("""{"requestPolicy":{"headerContentType":"image/png"}}""", "requestPolicy.headerContentType must be one of: " + ContentTypes)]
    [InlineData("""{"requestPolicy":{"headerContentType":""}}""", "requestPolicy.headerContentType must be one of: " + ContentTypes)]
    [InlineData("""{"requestPolicy":{"headerContentType":["application/json"]}}""", "requestPolicy.headerContentType must be a string")]
    [InlineData("""{"guaranteed":"yes"}""", "guaranteed must be a boolean")]
    [InlineData("""{"healthyRetryPolicy":5}""", "healthyRetryPolicy must be a JSON object")]
    [InlineData("""{"sicklyRetryPolicy":[]}""", "sicklyRetryPolicy must be a JSON object")]
    [InlineData("""[]""", "The policy must be a JSON object")]
    [InlineData("""5""", "The policy must be a JSON object")]
    [InlineData("""{"healthyRetryPolicy":""", "The policy is not valid JSON")]
    [InlineData("""{healthyRetryPolicy:{}}""", "The policy is not valid JSON")]
    public void Subscription_Invalid(string json, string reason)
    {
        Assert.False(SnsDeliveryPolicy.TryParseSubscription(json, out var policy, out var error));
        Assert.Null(policy);
        Assert.Equal(reason, error);
    }

    // Topic policies that SNS refuses.
    [Theory]
    // AWS's own wording, seen in its responses:
    [InlineData("""{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":101}}}""", "http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100")]
    [InlineData("""{"throttlePolicy":{"maxReceivesPerSecond":1}}""", "Unexpected JSON member: throttlePolicy")]
    // The same shapes and Ferry's wording, as for subscriptions:
    [InlineData("""{"http":{"defaultHealthyRetryPolicy":{"numRetries":5}}}""", "http.defaultHealthyRetryPolicy.minDelayTarget must be specified")]
    [InlineData("""{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":0,"maxDelayTarget":1,"numRetries":1}}}""", "http.defaultHealthyRetryPolicy.minDelayTarget must be greater than or equal to 1")]
    [InlineData("""{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":9,"maxDelayTarget":8,"numRetries":1}}}""", "http.defaultHealthyRetryPolicy.maxDelayTarget must be greater than or equal to minDelayTarget")]
    [InlineData("""{"http":{"defaultThrottlePolicy":{"maxReceivesPerSecond":0}}}""", "http.defaultThrottlePolicy.maxReceivesPerSecond must be greater than or equal to 1")]
    [InlineData("""{"http":{"defaultRequestPolicy":{"headerContentType":"application/pdf"}}}""", "http.defaultRequestPolicy.headerContentType must be one of: " + ContentTypes)]
    [InlineData("""{"http":{"disableSubscriptionOverrides":"true"}}""", "http.disableSubscriptionOverrides must be a boolean")]
    [InlineData("""{"http":{"healthyRetryPolicy":{}}}""", "Unexpected JSON member: http.healthyRetryPolicy")]
    [InlineData("""{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1,"extra":0}}}""", "Unexpected JSON member: http.defaultHealthyRetryPolicy.extra")]
    [InlineData("""{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1}}""", "Unexpected JSON member: healthyRetryPolicy")]
    [InlineData("""{"https":{}}""", "Unexpected JSON member: https")]
    [InlineData("""{"http":[]}""", "http must be a JSON object")]
    [InlineData("""{"http":{"defaultHealthyRetryPolicy":"linear"}}""", "http.defaultHealthyRetryPolicy must be a JSON object")]
    [InlineData("""null""", "The policy must be a JSON object")]
    [InlineData("""{"http":{}""", "The policy is not valid JSON")]
    public void Topic_Invalid(string json, string reason)
    {
        Assert.False(SnsDeliveryPolicy.TryParseTopic(json, out var policy, out var error));
        Assert.Null(policy);
        Assert.Equal(reason, error);
    }

    [Fact]
    public void ErrorPrefix_IsSetAttributesWording() =>
        Assert.Equal("Invalid parameter: DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be specified", SnsDeliveryPolicy.ErrorPrefix + SnsDeliveryPolicyErrors.MustBeSpecified("healthyRetryPolicy.minDelayTarget"));

    private const string TopicPolicy = """
        {"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":5,"numRetries":2},
         "defaultThrottlePolicy":{"maxReceivesPerSecond":7},"defaultRequestPolicy":{"headerContentType":"text/xml"}}}
        """;

    private const string SubscriptionPolicy = """
        {"healthyRetryPolicy":{"minDelayTarget":9,"maxDelayTarget":9,"numRetries":1},"requestPolicy":{"headerContentType":"application/json"}}
        """;

    [Fact]
    public void Resolve_Nothing_IsAwsDefault()
    {
        var effective = SnsDeliveryPolicy.Resolve(null, null);
        Assert.Same(SnsEffectiveDeliveryPolicy.Default, effective);
        Assert.Equal(SnsRetryPolicy.Default, effective.RetryPolicy);
        Assert.Null(effective.MaxReceivesPerSecond);
        Assert.Equal("text/plain; charset=UTF-8", effective.HeaderContentType);
        Assert.Same(SnsEffectiveDeliveryPolicy.Default, SnsDeliveryPolicy.Resolve(Topic("{}"), Subscription("{}")));
    }

    [Fact]
    public void Resolve_TopicOnly_IsTheTopicsDefaults()
    {
        var effective = SnsDeliveryPolicy.Resolve(Topic(TopicPolicy), null);
        Assert.Equal(new SnsRetryPolicy(5, 5, 2, 0, 0, 0, SnsBackoffFunction.Linear), effective.RetryPolicy);
        Assert.Equal(7, effective.MaxReceivesPerSecond);
        Assert.Equal("text/xml", effective.HeaderContentType);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)], effective.Schedule.Delays);
    }

    [Fact]
    public void Resolve_SubscriptionOnly_FallsBackToAwsDefaultsForWhatItLacks()
    {
        var effective = SnsDeliveryPolicy.Resolve(null, Subscription(SubscriptionPolicy));
        Assert.Equal(new SnsRetryPolicy(9, 9, 1, 0, 0, 0, SnsBackoffFunction.Linear), effective.RetryPolicy);
        Assert.Null(effective.MaxReceivesPerSecond);
        Assert.Equal("application/json", effective.HeaderContentType);
    }

    [Fact]
    public void Resolve_Both_SubscriptionOverridesSectionBySection()
    {
        var effective = SnsDeliveryPolicy.Resolve(Topic(TopicPolicy), Subscription(SubscriptionPolicy));
        Assert.Equal(new SnsRetryPolicy(9, 9, 1, 0, 0, 0, SnsBackoffFunction.Linear), effective.RetryPolicy);
        Assert.Equal(7, effective.MaxReceivesPerSecond);
        Assert.Equal("application/json", effective.HeaderContentType);
    }

    [Fact]
    public void Resolve_TopicDisablesOverrides_TopicThenAwsDefaultsWin()
    {
        var topic = Topic("""{"http":{"disableSubscriptionOverrides":true,"defaultThrottlePolicy":{"maxReceivesPerSecond":7}}}""");
        var effective = SnsDeliveryPolicy.Resolve(topic, Subscription(SubscriptionPolicy));
        Assert.Equal(SnsRetryPolicy.Default, effective.RetryPolicy);
        Assert.Equal(7, effective.MaxReceivesPerSecond);
        Assert.Equal("text/plain; charset=UTF-8", effective.HeaderContentType);

        var full = Topic(TopicPolicy.Replace("{\"http\":{", "{\"http\":{\"disableSubscriptionOverrides\":true,", StringComparison.Ordinal));
        Assert.Equal(SnsDeliveryPolicy.Resolve(Topic(TopicPolicy), null), SnsDeliveryPolicy.Resolve(full, Subscription(SubscriptionPolicy)));
    }

    [Fact]
    public void Resolve_TopicAllowsOverrides_Explicitly()
    {
        var topic = Topic("""{"http":{"disableSubscriptionOverrides":false,"defaultThrottlePolicy":{"maxReceivesPerSecond":7}}}""");
        var subscription = Subscription("""{"throttlePolicy":{"maxReceivesPerSecond":2}}""");
        Assert.Equal(2, SnsDeliveryPolicy.Resolve(topic, subscription).MaxReceivesPerSecond);
    }
}

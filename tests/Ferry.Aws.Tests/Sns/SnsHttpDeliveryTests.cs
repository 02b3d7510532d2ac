using System.Text.Json;
using Ferry.Engine.Queues;

namespace Ferry.Aws.Tests.Sns;

/// <summary>HTTP/S subscriptions end to end: confirmation, signed notifications, retries on a manual clock, dead letters.</summary>
public sealed class SnsHttpDeliveryTests : IAsyncLifetime
{
    private SnsTestServer _server = null!;
    private RecordingEndpoint _endpoint = null!;

    public async Task InitializeAsync()
    {
        _server = await SnsTestServer.StartAsync();
        _endpoint = await RecordingEndpoint.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _endpoint.DisposeAsync();
    }

    /// <summary>Subscribes the endpoint and confirms through the SubscribeURL, as a receiver does.</summary>
    private async Task<(string TopicArn, string SubscriptionArn)> SubscribeConfirmedAsync(string? deliveryPolicy = null, string? redrivePolicy = null, bool raw = false)
    {
        var topic = (await _server.OkAsync("CreateTopic", ("Name", "t"))).Value("TopicArn");
        var parameters = new List<(string, string)> { ("TopicArn", topic), ("Protocol", "http"), ("Endpoint", _endpoint.Url.ToString()) };
        var n = 0;
        foreach (var (key, value) in new[] { ("DeliveryPolicy", deliveryPolicy), ("RedrivePolicy", redrivePolicy), ("RawMessageDelivery", raw ? "true" : null) })
        {
            if (value is not null)
            {
                n++;
                parameters.Add(($"Attributes.entry.{n}.key", key));
                parameters.Add(($"Attributes.entry.{n}.value", value));
            }
        }

        var subscribed = await _server.OkAsync("Subscribe", [.. parameters]);
        Assert.Equal("pending confirmation", subscribed.Value("SubscriptionArn"));
        var confirmation = await _endpoint.WaitForAsync(1);
        using var json = JsonDocument.Parse(confirmation.Body);
        using var confirm = await _server.Client.GetAsync(json.RootElement.GetProperty("SubscribeURL").GetString());
        Assert.True(confirm.IsSuccessStatusCode);
        var arn = System.Xml.Linq.XElement.Parse(await confirm.Content.ReadAsStringAsync()).Value("SubscriptionArn");
        return (topic, arn);
    }

    [Fact]
    public async Task Confirmation_AndNotifications_AreSignedSoThatReceiversVerifyThem()
    {
        var topic = (await _server.OkAsync("CreateTopic", ("Name", "t"))).Value("TopicArn");
        await _server.OkAsync("Subscribe", ("TopicArn", topic), ("Protocol", "http"), ("Endpoint", _endpoint.Url.ToString()));
        var confirmation = await _endpoint.WaitForAsync(1);
        Assert.Equal("SubscriptionConfirmation", confirmation.Headers["x-amz-sns-message-type"]);
        Assert.Equal(topic, confirmation.Headers["x-amz-sns-topic-arn"]);
        var listed = await _server.OkAsync("ListSubscriptionsByTopic", ("TopicArn", topic));
        Assert.Equal("PendingConfirmation", listed.Value("SubscriptionArn"));

        using var doc = JsonDocument.Parse(confirmation.Body);
        var root = doc.RootElement;
        var certificate = await _server.Client.GetStringAsync(root.GetProperty("SigningCertURL").GetString());
        Assert.True(SnsSignatureVerifier.Verify(confirmation.Body, certificate));

        // Confirm with the token, as an application would through the SDK.
        var confirmed = await _server.OkAsync("ConfirmSubscription", ("TopicArn", topic), ("Token", root.GetProperty("Token").GetString()!));
        var subscription = confirmed.Value("SubscriptionArn");
        Assert.StartsWith(topic + ":", subscription, StringComparison.Ordinal);
        var (status, bad) = await _server.CallAsync("ConfirmSubscription", ("TopicArn", topic), ("Token", "nope"));
        Assert.Equal(400, status);
        Assert.Equal("InvalidParameter", bad.Error().Code);

        var published = await _server.OkAsync("Publish", ("TopicArn", topic), ("Message", "hello"), ("Subject", "s"),
            ("MessageAttributes.entry.1.Name", "k"), ("MessageAttributes.entry.1.Value.DataType", "String"), ("MessageAttributes.entry.1.Value.StringValue", "v"));
        var notification = await _endpoint.WaitForAsync(2);
        Assert.Equal("Notification", notification.Headers["x-amz-sns-message-type"]);
        Assert.Equal(subscription, notification.Headers["x-amz-sns-subscription-arn"]);
        Assert.Equal(published.Value("MessageId"), notification.Headers["x-amz-sns-message-id"]);
        Assert.StartsWith("text/plain", notification.Headers["content-type"], StringComparison.Ordinal);
        Assert.True(SnsSignatureVerifier.Verify(notification.Body, certificate));
        Assert.False(SnsSignatureVerifier.Verify(notification.Body.Replace("hello", "HELLO", StringComparison.Ordinal), certificate));
        using var n = JsonDocument.Parse(notification.Body);
        Assert.Equal("hello", n.RootElement.GetProperty("Message").GetString());
        Assert.Equal("1", n.RootElement.GetProperty("SignatureVersion").GetString());

        // SignatureVersion 2 signs with SHA256.
        await _server.OkAsync("SetTopicAttributes", ("TopicArn", topic), ("AttributeName", "SignatureVersion"), ("AttributeValue", "2"));
        await _server.OkAsync("Publish", ("TopicArn", topic), ("Message", "v2"));
        var second = await _endpoint.WaitForAsync(3);
        using var v2 = JsonDocument.Parse(second.Body);
        Assert.Equal("2", v2.RootElement.GetProperty("SignatureVersion").GetString());
        Assert.True(SnsSignatureVerifier.Verify(second.Body, certificate));

        await _server.OkAsync("Unsubscribe", ("SubscriptionArn", subscription));
        var goodbye = await _endpoint.WaitForAsync(4);
        Assert.Equal("UnsubscribeConfirmation", goodbye.Headers["x-amz-sns-message-type"]);
        Assert.True(SnsSignatureVerifier.Verify(goodbye.Body, certificate));
    }

    [Fact]
    public async Task RawDelivery_PostsTheMessageItself()
    {
        var (topic, _) = await SubscribeConfirmedAsync(raw: true);
        await _server.OkAsync("Publish", ("TopicArn", topic), ("Message", "{\"raw\":true}"));
        var delivered = await _endpoint.WaitForAsync(2);
        Assert.Equal("{\"raw\":true}", delivered.Body);
        Assert.Equal("true", delivered.Headers["x-amz-sns-rawdelivery"]);
    }

    [Fact]
    public async Task FailingEndpoint_IsRetriedOnTheScheduleOfItsPolicy_AndSucceedsLater()
    {
        var policy = "{\"healthyRetryPolicy\":{\"minDelayTarget\":5,\"maxDelayTarget\":5,\"numRetries\":3}}";
        var (topic, _) = await SubscribeConfirmedAsync(deliveryPolicy: policy);
        _endpoint.Script.Enqueue(500);
        _endpoint.Script.Enqueue(503);
        await _server.OkAsync("Publish", ("TopicArn", topic), ("Message", "eventually"));
        await _endpoint.WaitForAsync(2);

        // Nothing happens before the delay has passed on the clock.
        await Task.Delay(200);
        Assert.Equal(2, _endpoint.Requests.Count);
        await AdvanceUntilAsync(3);
        await AdvanceUntilAsync(4);
        var last = _endpoint.Requests.Last();
        Assert.Contains("eventually", last.Body, StringComparison.Ordinal);
        await WaitUntilAsync(() => _server.Broker.Topics.PendingDeliveries == 0);
        Assert.Equal(1, _server.Broker.Topics.FindTopic("t")!.Counters.Delivered);
    }

    [Fact]
    public async Task EndpointThatNeverSucceeds_SendsTheMessageToTheDeadLetterQueue()
    {
        var dlq = await _server.Broker.CreateQueueAsync("dlq", null, null);
        var policy = "{\"healthyRetryPolicy\":{\"minDelayTarget\":1,\"maxDelayTarget\":1,\"numRetries\":1}}";
        var (topic, _) = await SubscribeConfirmedAsync(deliveryPolicy: policy, redrivePolicy: $"{{\"deadLetterTargetArn\":\"{dlq.Arn}\"}}");
        _endpoint.Script.Enqueue(500);
        _endpoint.Script.Enqueue(500);
        await _server.OkAsync("Publish", ("TopicArn", topic), ("Message", "doomed"));
        await _endpoint.WaitForAsync(2);
        await AdvanceUntilAsync(3);
        await WaitUntilAsync(() => _server.Broker.Topics.PendingDeliveries == 0);
        await Task.Delay(100);
        var dead = Assert.Single(await dlq.ReceiveAsync(new ReceiveRequest { MaxMessages = 10 }, default));
        Assert.Equal("doomed", JsonDocument.Parse(dead.Body).RootElement.GetProperty("Message").GetString());
        var counters = _server.Broker.Topics.FindTopic("t")!.Counters;
        Assert.Equal(1, counters.DeadLettered);
    }

    [Fact]
    public async Task EndpointThatDoesNotAnswerInTime_CountsAsAFailedAttempt()
    {
        var policy = "{\"healthyRetryPolicy\":{\"minDelayTarget\":1,\"maxDelayTarget\":1,\"numRetries\":1}}";
        var (topic, _) = await SubscribeConfirmedAsync(deliveryPolicy: policy);
        _endpoint.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _server.OkAsync("Publish", ("TopicArn", topic), ("Message", "slow"));
        await _endpoint.WaitForAsync(2);
        _server.Clock.Advance(TimeSpan.FromSeconds(16)); // past SNS's 15 s timeout
        _endpoint.Hold.TrySetResult();
        _endpoint.Hold = null;
        await AdvanceUntilAsync(3);
        await WaitUntilAsync(() => _server.Broker.Topics.PendingDeliveries == 0);
    }

    [Fact]
    public async Task ThrottlePolicy_SpacesDeliveriesToItsRate()
    {
        var policy = "{\"healthyRetryPolicy\":{\"minDelayTarget\":1,\"maxDelayTarget\":1,\"numRetries\":0},\"throttlePolicy\":{\"maxReceivesPerSecond\":1}}";
        var (topic, _) = await SubscribeConfirmedAsync(deliveryPolicy: policy);
        for (var i = 0; i < 3; i++)
        {
            await _server.OkAsync("Publish", ("TopicArn", topic), ("Message", "m" + i));
        }

        // One delivery now; the next two each wait for a second on the clock.
        await _endpoint.WaitForAsync(2);
        await Task.Delay(300);
        Assert.Equal(2, _endpoint.Requests.Count);
        _server.Clock.Advance(TimeSpan.FromSeconds(1));
        await _endpoint.WaitForAsync(3);
        await Task.Delay(300);
        Assert.Equal(3, _endpoint.Requests.Count);
        _server.Clock.Advance(TimeSpan.FromSeconds(1));
        await _endpoint.WaitForAsync(4);
    }

    /// <summary>Moves the clock a second at a time until the endpoint has seen <paramref name="count"/> requests.</summary>
    private async Task AdvanceUntilAsync(int count)
    {
        for (var i = 0; i < 100 && _endpoint.Requests.Count < count; i++)
        {
            _server.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        await _endpoint.WaitForAsync(count);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}

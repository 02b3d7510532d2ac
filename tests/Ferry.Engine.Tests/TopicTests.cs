using System.Security.Cryptography;
using System.Text;
using Ferry.Engine.Queues;
using Ferry.Engine.Topics;

namespace Ferry.Engine.Tests;

public class TopicTests
{
    private static ReceiveRequest Receive(int max = 10) => new() { MaxMessages = max, VisibilityTimeoutSeconds = 30 };

    private static string QueueArn(string name) => "arn:aws:sqs:us-east-1:000000000000:" + name;

    private static PublishRequest Message(string text, string? group = null, string? dedup = null) =>
        new() { Message = text, GroupId = group, DeduplicationId = dedup };

    [Fact]
    public async Task Publish_FansOutToEveryQueue_AndIsInTheQueuesWhenAcknowledged()
    {
        await using var f = await EngineFixture.StartAsync();
        var sink = RecordingDelivery.Attach(f.Broker);
        var (topic, created) = await f.Broker.Topics.CreateTopicAsync("orders", null, null);
        Assert.True(created);
        var queues = new List<Queue>();
        for (var i = 0; i < 5; i++)
        {
            var q = await f.Broker.CreateQueueAsync("q" + i, null, null);
            queues.Add(q);
            await f.Broker.Topics.SubscribeAsync(topic, "sqs", q.Arn, "000000000000", null, confirmed: true);
        }

        var result = await f.Broker.Topics.PublishAsync(topic, Message("hello"));
        foreach (var q in queues)
        {
            var received = Assert.Single(await q.ReceiveAsync(Receive(), default));
            Assert.Equal("hello", received.Body);
        }

        Assert.Null(result.SequenceNumber);
        Assert.Empty(sink.Pushed);
        Assert.Equal(5, topic.Counters.Delivered);
    }

    [Fact]
    public async Task Publish_SkipsPendingSubscriptions_AndCreateAndSubscribeAreIdempotent()
    {
        await using var f = await EngineFixture.StartAsync();
        var sink = RecordingDelivery.Attach(f.Broker);
        var (topic, _) = await f.Broker.Topics.CreateTopicAsync("t", null, null);
        var (again, created) = await f.Broker.Topics.CreateTopicAsync("t", null, null);
        Assert.False(created);
        Assert.Same(topic, again);
        var (pending, _) = await f.Broker.Topics.SubscribeAsync(topic, "http", "http://127.0.0.1:1/", "000000000000", null, confirmed: false);
        var (same, subscribedAgain) = await f.Broker.Topics.SubscribeAsync(topic, "http", "http://127.0.0.1:1/", "000000000000", null, confirmed: false);
        Assert.False(subscribedAgain);
        Assert.Same(pending, same);
        Assert.NotNull(pending.Token);
        await f.Broker.Topics.PublishAsync(topic, Message("nobody"));
        Assert.Empty(sink.Pushed);

        Assert.Same(pending, Ferry.Engine.Topics.Topics.FindByToken(topic, pending.Token!));
        await f.Broker.Topics.UpdateSubscriptionAsync(pending, pending.Attributes, confirm: true);
        await f.Broker.Topics.PublishAsync(topic, Message("somebody"));
        Assert.Equal("somebody", Assert.Single(sink.Pushed).Message.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OwedPushDeliveries_SurviveRestart_UntilCompleted(bool checkpointFirst)
    {
        await using var f = await EngineFixture.StartAsync();
        var sink = RecordingDelivery.Attach(f.Broker);
        var (topic, _) = await f.Broker.Topics.CreateTopicAsync("t", new Dictionary<string, string> { ["DisplayName"] = "T" }, new Dictionary<string, string> { ["team"] = "a" });
        var (http, _) = await f.Broker.Topics.SubscribeAsync(topic, "http", "http://127.0.0.1:1/a", "000000000000", new Dictionary<string, string> { ["RawMessageDelivery"] = "true" }, confirmed: true);
        var (other, _) = await f.Broker.Topics.SubscribeAsync(topic, "https", "https://127.0.0.1:1/b", "000000000000", null, confirmed: true);
        var first = await f.Broker.Topics.PublishAsync(topic, Message("one"));
        await f.Broker.Topics.PublishAsync(topic, Message("two"));
        Assert.Equal(4, sink.Pushed.Count);

        // Deliver "two" to both endpoints and "one" to the first only.
        foreach (var d in sink.Pushed.Where(d => d.Message.Message == "two" || d.Subscription == http).ToList())
        {
            f.Broker.Topics.CompleteDelivery(d, DeliveryOutcome.Delivered);
        }

        if (checkpointFirst)
        {
            await f.Broker.CheckpointAsync();
        }

        await f.RestartAsync();
        var sink2 = RecordingDelivery.Attach(f.Broker);
        var owed = Assert.Single(sink2.Pushed);
        Assert.Equal(first.MessageId, owed.Message.MessageId);
        Assert.Equal("one", owed.Message.Message);
        Assert.Equal(other.Id, owed.Subscription.Id);

        var topic2 = f.Broker.Topics.FindTopic("t")!;
        Assert.Equal("T", topic2.Attributes["DisplayName"]);
        Assert.Equal("a", topic2.Tags["team"]);
        Assert.True(topic2.Subscriptions.Single(s => s.Id == http.Id).RawMessageDelivery);

        f.Broker.Topics.CompleteDelivery(owed, DeliveryOutcome.Delivered);
        await f.Broker.Journal.FlushAsync();
        await f.RestartAsync();
        Assert.Empty(RecordingDelivery.Attach(f.Broker).Pushed);
        Assert.Equal(0, f.Broker.Topics.PendingDeliveries);
    }

    [Fact]
    public async Task FailedDeliveries_GoToTheDeadLetterQueue_OrAreDroppedAndCounted()
    {
        await using var f = await EngineFixture.StartAsync();
        var sink = RecordingDelivery.Attach(f.Broker);
        var dlq = await f.Broker.CreateQueueAsync("dlq", null, null);
        var (topic, _) = await f.Broker.Topics.CreateTopicAsync("t", null, null);
        var redrive = new Dictionary<string, string> { ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlq.Arn}\"}}" };
        await f.Broker.Topics.SubscribeAsync(topic, "http", "http://127.0.0.1:1/", "000000000000", redrive, confirmed: true);
        await f.Broker.Topics.SubscribeAsync(topic, "http", "http://127.0.0.1:2/", "000000000000", null, confirmed: true);

        // A queue subscription whose queue is gone dead-letters at once.
        await f.Broker.Topics.SubscribeAsync(topic, "sqs", QueueArn("missing"), "000000000000", redrive, confirmed: true);
        await f.Broker.Topics.PublishAsync(topic, Message("m"));
        foreach (var d in sink.Pushed)
        {
            f.Broker.Topics.CompleteDelivery(d, DeliveryOutcome.Failed);
        }

        await f.Broker.Journal.FlushAsync();
        await Task.Delay(50);
        var dead = await dlq.ReceiveAsync(Receive(), default);
        Assert.Equal(2, dead.Count);
        Assert.All(dead, m => Assert.Equal("m", m.Body));
        Assert.Equal(3, topic.Counters.Failed);
        Assert.Equal(2, topic.Counters.DeadLettered);
        Assert.Equal(1, topic.Counters.Dropped);
        Assert.Equal(0, f.Broker.Topics.PendingDeliveries);
    }

    [Fact]
    public async Task FifoTopic_KeepsOrderSequenceAndDeduplication_AcrossRestart()
    {
        await using var f = await EngineFixture.StartAsync();
        RecordingDelivery.Attach(f.Broker);
        var (topic, _) = await f.Broker.Topics.CreateTopicAsync("t.fifo", new Dictionary<string, string> { ["FifoTopic"] = "true" }, null);
        var q = await f.Broker.CreateQueueAsync("q.fifo", new Dictionary<string, string> { ["FifoQueue"] = "true" }, null);
        await f.Broker.Topics.SubscribeAsync(topic, "sqs", q.Arn, "000000000000", null, confirmed: true);
        var results = new List<PublishResult>();
        for (var i = 0; i < 5; i++)
        {
            results.Add(await f.Broker.Topics.PublishAsync(topic, Message("m" + i, group: "g", dedup: "d" + i)));
        }

        Assert.Equal(results.Select(r => r.SequenceNumber).Order(StringComparer.Ordinal), results.Select(r => r.SequenceNumber));
        var duplicate = await f.Broker.Topics.PublishAsync(topic, Message("again", group: "g", dedup: "d2"));
        Assert.Equal(results[2], duplicate);

        await f.RestartAsync();
        RecordingDelivery.Attach(f.Broker);
        var topic2 = f.Broker.Topics.FindTopic("t.fifo")!;
        Assert.Equal(results[4], await f.Broker.Topics.PublishAsync(topic2, Message("again", group: "g", dedup: "d4")));
        var next = await f.Broker.Topics.PublishAsync(topic2, Message("m5", group: "g", dedup: "d5"));
        Assert.True(string.CompareOrdinal(next.SequenceNumber, results[4].SequenceNumber) > 0);

        var q2 = f.Broker.FindQueue("q.fifo")!;
        var bodies = new List<string>();
        while ((await q2.ReceiveAsync(Receive(), default)) is { Count: > 0 } batch)
        {
            bodies.AddRange(batch.Select(m => m.Body));
            foreach (var m in batch)
            {
                await q2.DeleteAsync(m.ReceiptHandle);
            }
        }

        Assert.Equal(["m0", "m1", "m2", "m3", "m4", "m5"], bodies);
    }

    [Fact]
    public async Task DeleteTopicAndUnsubscribe_SurviveRestart()
    {
        await using var f = await EngineFixture.StartAsync();
        RecordingDelivery.Attach(f.Broker);
        var (keep, _) = await f.Broker.Topics.CreateTopicAsync("keep", null, null);
        var (gone, _) = await f.Broker.Topics.CreateTopicAsync("gone", null, null);
        var (s1, _) = await f.Broker.Topics.SubscribeAsync(keep, "sqs", QueueArn("a"), "000000000000", null, confirmed: true);
        var (s2, _) = await f.Broker.Topics.SubscribeAsync(keep, "sqs", QueueArn("b"), "000000000000", null, confirmed: true);
        await f.Broker.Topics.SubscribeAsync(gone, "sqs", QueueArn("c"), "000000000000", null, confirmed: true);
        await f.Broker.Topics.UnsubscribeAsync(s1);
        await f.Broker.Topics.DeleteTopicAsync(gone);
        await f.RestartAsync();
        Assert.Equal(["keep"], f.Broker.Topics.ListTopics().Select(t => t.Name));
        var remaining = Assert.Single(f.Broker.Topics.ListSubscriptions());
        Assert.Equal(s2.Arn, remaining.Arn);
        Assert.Null(f.Broker.Topics.FindSubscription(s1.Arn));
        Assert.Equal(1, f.Broker.Topics.FindTopic("keep")!.SubscriptionsDeleted);
    }

    /// <summary>A delivery face that shapes queue messages as the raw text and records pushes without completing them.</summary>
    private sealed class RecordingDelivery : ITopicDelivery
    {
        public List<TopicDelivery> Pushed { get; } = [];

        public static RecordingDelivery Attach(Broker broker)
        {
            var sink = new RecordingDelivery();
            broker.Topics.AttachDelivery(sink);
            return sink;
        }

        public SendRequest ToQueueMessage(Subscription subscription, TopicMessage message) => new()
        {
            Body = message.Message,
            BodyDigest = MD5.HashData(Encoding.UTF8.GetBytes(message.Message)),
            GroupId = message.GroupId,
            DeduplicationId = message.DeduplicationId,
        };

        public void Push(TopicDelivery delivery)
        {
            lock (Pushed)
            {
                Pushed.Add(delivery);
            }
        }
    }
}

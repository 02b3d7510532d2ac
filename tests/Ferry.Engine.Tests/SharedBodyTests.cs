using System.Security.Cryptography;
using System.Text;
using Ferry.Engine.Queues;
using Ferry.Engine.Topics;

namespace Ferry.Engine.Tests;

/// <summary>
/// A publish fanned out to many queues stores its body once: each queue message refers to the shared body and holds
/// only the bytes it writes over it. The body's record lives exactly as long as some message refers to it, across
/// deletes, purges, queue deletion, dead-lettering, checkpoints, restarts and compaction.
/// </summary>
public class SharedBodyTests
{
    private const string Placeholder = "????????-????-????-????-????????????";

    private static ReceiveRequest Receive(int max = 10, int visibility = 30) => new() { MaxMessages = max, VisibilityTimeoutSeconds = visibility };

    private static PublishRequest Message(string text) => new() { Message = text };

    /// <summary>The body a queue subscription's message has: the template with the subscription's id filled in.</summary>
    private static string Expected(Subscription s, string text) => TemplateDelivery.Format(text).Replace(Placeholder, s.Id.ToString("D"), StringComparison.Ordinal);

    private static async Task<(Topic Topic, List<(Queue Queue, Subscription Subscription)> Queues)> FanOutAsync(EngineFixture f, int queues,
        Func<int, Dictionary<string, string>?>? attributes = null)
    {
        var (topic, _) = await f.Broker.Topics.CreateTopicAsync("fan", null, null);
        var list = new List<(Queue, Subscription)>();
        for (var i = 0; i < queues; i++)
        {
            var q = await f.Broker.CreateQueueAsync("q" + i, attributes?.Invoke(i), null);
            var (s, _) = await f.Broker.Topics.SubscribeAsync(topic, "sqs", q.Arn, "000000000000", null, confirmed: true);
            list.Add((q, s));
        }

        return (topic, list);
    }

    private static async Task DeleteAllAsync(Queue queue)
    {
        foreach (var m in await queue.ReceiveAsync(Receive(), default))
        {
            await queue.DeleteAsync(m.ReceiptHandle);
        }
    }

    [Fact]
    public async Task FanOut_StoresTheBodyOnce_AndEveryQueueReadsItsOwn()
    {
        await using var f = await EngineFixture.StartAsync();
        TemplateDelivery.Attach(f.Broker);
        var (topic, queues) = await FanOutAsync(f, 5);
        var text = new string('m', 8000);

        var before = f.Broker.Journal.GetStats();
        await f.Broker.Topics.PublishAsync(topic, Message(text));
        var after = f.Broker.Journal.GetStats();

        Assert.Equal(1, f.Broker.SharedBodies.Count);
        // One body of 8 KB and five small messages, where five whole copies would be 40 KB.
        Assert.InRange(after.Tail - before.Tail, 8000, 12_000);
        Assert.Equal(6, after.LiveRecords - before.LiveRecords);
        foreach (var (q, s) in queues)
        {
            var m = Assert.Single(await q.ReceiveAsync(Receive(), default));
            Assert.Equal(Expected(s, text), m.Body);
            Assert.Equal(MD5.HashData(Encoding.UTF8.GetBytes(m.Body)), m.BodyDigest);
        }
    }

    [Fact]
    public async Task OneQueue_HoldsTheWholeBody()
    {
        await using var f = await EngineFixture.StartAsync();
        TemplateDelivery.Attach(f.Broker);
        var (topic, queues) = await FanOutAsync(f, 1);
        await f.Broker.Topics.PublishAsync(topic, Message("alone"));
        Assert.Equal(0, f.Broker.SharedBodies.Count);
        var (q, s) = queues[0];
        Assert.Equal(Expected(s, "alone"), Assert.Single(await q.ReceiveAsync(Receive(), default)).Body);
    }

    [Fact]
    public async Task TheBody_GoesWithTheLastMessage_DeletedPurgedOrWithItsQueue()
    {
        await using var f = await EngineFixture.StartAsync();
        TemplateDelivery.Attach(f.Broker);
        var (topic, queues) = await FanOutAsync(f, 4);
        var baseline = f.Broker.Journal.GetStats().LiveRecords;
        await f.Broker.Topics.PublishAsync(topic, Message("one"));
        await f.Broker.Topics.PublishAsync(topic, Message("two"));
        Assert.Equal(2, f.Broker.SharedBodies.Count);
        Assert.Equal(baseline + 10, f.Broker.Journal.GetStats().LiveRecords);

        await DeleteAllAsync(queues[0].Queue);
        await queues[1].Queue.PurgeAsync();
        await f.Broker.DeleteQueueAsync(queues[2].Queue);
        Assert.Equal(2, f.Broker.SharedBodies.Count);

        var last = queues[3];
        var messages = await last.Queue.ReceiveAsync(Receive(), default);
        Assert.Equal([Expected(last.Subscription, "one"), Expected(last.Subscription, "two")], messages.Select(m => m.Body));
        await last.Queue.DeleteAsync(messages[0].ReceiptHandle);
        Assert.Equal(1, f.Broker.SharedBodies.Count);
        await last.Queue.DeleteAsync(messages[1].ReceiptHandle);
        Assert.Equal(0, f.Broker.SharedBodies.Count);

        // Every record the publishes kept is released (the deletes, purge and queue deletion write records of their
        // own, which are released as they are written).
        Assert.Equal(baseline, f.Broker.Journal.GetStats().LiveRecords);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task SharedBodies_SurviveRestart_FromReplayOrCheckpoint(bool checkpoint, bool deleteAfterCheckpoint)
    {
        await using var f = await EngineFixture.StartAsync();
        TemplateDelivery.Attach(f.Broker);
        var (topic, queues) = await FanOutAsync(f, 4);
        var text = new string('b', 3000);
        await f.Broker.Topics.PublishAsync(topic, Message(text));
        await DeleteAllAsync(queues[0].Queue);
        if (checkpoint)
        {
            await f.Broker.CheckpointAsync();
        }

        if (deleteAfterCheckpoint)
        {
            await DeleteAllAsync(queues[1].Queue);
        }

        var live = f.Broker.Journal.GetStats().LiveRecords;
        await f.RestartAsync();
        TemplateDelivery.Attach(f.Broker);

        Assert.Equal(1, f.Broker.SharedBodies.Count);
        Assert.Equal(live, f.Broker.Journal.GetStats().LiveRecords);
        var remaining = queues.Skip(deleteAfterCheckpoint ? 2 : 1).ToList();
        foreach (var (q, s) in remaining)
        {
            var queue = f.Broker.FindQueue(q.Name)!;
            var m = Assert.Single(await queue.ReceiveAsync(Receive(), default));
            Assert.Equal(Expected(s, text), m.Body);
            await queue.DeleteAsync(m.ReceiptHandle);
        }

        Assert.Equal(0, f.Broker.SharedBodies.Count);
        await f.RestartAsync();
        Assert.Equal(0, f.Broker.SharedBodies.Count);
    }

    [Fact]
    public async Task Replay_ReleasesTheBodiesOfDeletedMessages_AndKeepsTheOthers()
    {
        // Replay meets the first body, its three messages and their deletes (the body goes), then the second body,
        // its messages and one delete (the body stays, for two messages).
        await using var f = await EngineFixture.StartAsync();
        TemplateDelivery.Attach(f.Broker);
        var (topic, queues) = await FanOutAsync(f, 3);
        await f.Broker.Topics.PublishAsync(topic, Message("first"));
        await DeleteAllAsync(queues[0].Queue);
        await DeleteAllAsync(queues[1].Queue);
        await DeleteAllAsync(queues[2].Queue);
        await f.Broker.Topics.PublishAsync(topic, Message("second"));
        await DeleteAllAsync(queues[0].Queue);

        await f.RestartAsync();
        TemplateDelivery.Attach(f.Broker);
        Assert.Equal(1, f.Broker.SharedBodies.Count);
        foreach (var (q, s) in queues.Skip(1))
        {
            var m = Assert.Single(await f.Broker.FindQueue(q.Name)!.ReceiveAsync(Receive(), default));
            Assert.Equal(Expected(s, "second"), m.Body);
        }
    }

    [Fact]
    public async Task Compaction_MovesASharedBody_AndItsMessagesStillReadIt()
    {
        await using var f = await EngineFixture.StartAsync();
        TemplateDelivery.Attach(f.Broker);
        var (topic, queues) = await FanOutAsync(f, 3);
        var text = new string('c', 2000);
        await f.Broker.Topics.PublishAsync(topic, Message(text));

        // Fill the first segments with messages that are then deleted, so the body's segment is sparse.
        var filler = await f.Broker.CreateQueueAsync("filler", null, null);
        for (var i = 0; i < 600; i++)
        {
            await filler.SendAsync(EngineFixture.Message(new string('x', 4000)));
        }

        for (var batch = await filler.ReceiveAsync(Receive(), default); batch.Count > 0; batch = await filler.ReceiveAsync(Receive(), default))
        {
            foreach (var m in batch)
            {
                await filler.DeleteAsync(m.ReceiptHandle);
            }
        }

        await f.Broker.CheckpointAsync();
        var relocated = await f.Broker.Journal.CompactAsync(f.Broker, 0.5);
        Assert.True(relocated > 0);
        await f.Broker.CheckpointAsync();
        Assert.True(f.Broker.Journal.GetStats().Segments <= 2, $"{f.Broker.Journal.GetStats().Segments} segments left");

        // Read both before and after a restart (which replays the relocated copies).
        Assert.Equal(Expected(queues[0].Subscription, text), Assert.Single(await queues[0].Queue.ReceiveAsync(Receive(), default)).Body);
        await f.RestartAsync();
        TemplateDelivery.Attach(f.Broker);
        Assert.Equal(1, f.Broker.SharedBodies.Count);
        foreach (var (q, s) in queues.Skip(1))
        {
            Assert.Equal(Expected(s, text), Assert.Single(await f.Broker.FindQueue(q.Name)!.ReceiveAsync(Receive(), default)).Body);
        }
    }

    [Fact]
    public async Task DeadLettering_CopiesTheWholeBody_AndReleasesTheShare()
    {
        await using var f = await EngineFixture.StartAsync();
        TemplateDelivery.Attach(f.Broker);
        var dlq = await f.Broker.CreateQueueAsync("dlq", null, null);
        var (topic, queues) = await FanOutAsync(f, 2, _ => new Dictionary<string, string>
        {
            ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlq.Arn}\",\"maxReceiveCount\":1}}",
        });
        await f.Broker.Topics.PublishAsync(topic, Message("poison"));
        foreach (var (q, _) in queues)
        {
            Assert.Single(await q.ReceiveAsync(Receive(visibility: 0), default));
            Assert.Empty(await q.ReceiveAsync(Receive(), default));
        }

        Assert.Equal(0, f.Broker.SharedBodies.Count);
        var dead = await dlq.ReceiveAsync(Receive(), default);
        Assert.Equal(queues.Select(q => Expected(q.Subscription, "poison")).Order(), dead.Select(m => m.Body).Order());
    }

    [Fact]
    public void Compose_RefusesAPatchOutsideTheTemplate()
    {
        Assert.Equal("aXYd", StoredMessage.Compose("abcd"u8, 1, "XY"u8));
        Assert.Throws<InvalidDataException>(() => StoredMessage.Compose("abcd"u8, 3, "XY"u8));
        Assert.Throws<InvalidDataException>(() => StoredMessage.Compose("abcd"u8, -1, "X"u8));
    }

    /// <summary>A delivery face that shapes queue messages as SNS's does: one template per message, with the
    /// subscription's id written over a placeholder.</summary>
    private sealed class TemplateDelivery : ITopicDelivery
    {
        public static string Format(string text) => $"{{\"Message\":\"{text}\",\"UnsubscribeURL\":\"sub={Placeholder}\",\"tail\":1}}";

        public static void Attach(Broker broker) => broker.Topics.AttachDelivery(new TemplateDelivery());

        public SendRequest ToQueueMessage(Subscription subscription, TopicMessage message)
        {
            var template = message.FaceState as BodyTemplate ?? new BodyTemplate(Encoding.UTF8.GetBytes(Format(message.Message)));
            message.FaceState = template;
            var offset = template.Utf8.Span.IndexOf(Encoding.UTF8.GetBytes(Placeholder));
            var id = Encoding.UTF8.GetBytes(subscription.Id.ToString("D"));
            var body = Format(message.Message).Replace(Placeholder, subscription.Id.ToString("D"), StringComparison.Ordinal);
            return new SendRequest
            {
                Template = template,
                PatchOffset = offset,
                Patch = id,
                BodyDigest = MD5.HashData(Encoding.UTF8.GetBytes(body)),
            };
        }

        public void Push(TopicDelivery delivery)
        {
        }
    }
}

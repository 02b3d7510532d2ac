using Ferry.Engine.Queues;

namespace Ferry.Engine.Tests;

public class FifoQueueTests
{
    private static ReceiveRequest Receive(int max = 10, string? attempt = null, int wait = 0) =>
        new() { MaxMessages = max, ReceiveRequestAttemptId = attempt, WaitTimeSeconds = wait };

    [Fact]
    public async Task Fifo_DeliversInOrderWithinAGroup_AndBlocksTheGroupWhileInFlight()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q.fifo", new Dictionary<string, string> { ["ContentBasedDeduplication"] = "true" }, null);
        for (var i = 0; i < 5; i++)
        {
            await q.SendAsync(EngineFixture.Message("a" + i, group: "A"));
        }

        await q.SendAsync(EngineFixture.Message("b0", group: "B"));
        var first = await q.ReceiveAsync(Receive(max: 2), default);
        Assert.Equal(["a0", "a1"], first.Select(m => m.Body));
        // Group A is blocked while a0 and a1 are in flight; B is not.
        var second = await q.ReceiveAsync(Receive(), default);
        Assert.Equal(["b0"], second.Select(m => m.Body));
        Assert.Empty(await q.ReceiveAsync(Receive(), default));

        await q.DeleteAsync(first[0].ReceiptHandle);
        Assert.Empty(await q.ReceiveAsync(Receive(), default));
        await q.DeleteAsync(first[1].ReceiptHandle);
        Assert.Equal(["a2", "a3", "a4"], (await q.ReceiveAsync(Receive(), default)).Select(m => m.Body));
        Assert.True(string.CompareOrdinal(first[0].SequenceNumber, first[1].SequenceNumber) < 0);
    }

    [Fact]
    public async Task Fifo_LongPoll_WhileTheOnlyGroupIsInFlight_WaitsWithoutSpinning()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q.fifo", new Dictionary<string, string> { ["ContentBasedDeduplication"] = "true" }, null);
        await q.SendAsync(EngineFixture.Message("1", group: "g"));
        await q.SendAsync(EngineFixture.Message("2", group: "g"));
        Assert.Equal(["1"], (await q.ReceiveAsync(Receive(max: 1), default)).Select(m => m.Body));

        // "2" is ready but blocked behind "1": the poll must wait on the clock, not loop until its deadline. A loop
        // never hands back its task while the manual clock stands still.
        Task<IReadOnlyList<ReceivedMessage>>? poll = null;
        var caller = new Thread(() => poll = q.ReceiveAsync(new ReceiveRequest { MaxMessages = 1, WaitTimeSeconds = 20 }, default)) { IsBackground = true };
        caller.Start();
        Assert.True(caller.Join(TimeSpan.FromSeconds(10)), "the long poll spins instead of waiting");
        Assert.False(poll!.IsCompleted);
        f.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Empty(await poll.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Fifo_VisibilityExpiry_RedeliversFromTheHeadInOrder()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q.fifo", new Dictionary<string, string> { ["ContentBasedDeduplication"] = "true", ["VisibilityTimeout"] = "5" }, null);
        await q.SendAsync(EngineFixture.Message("1", group: "g"));
        await q.SendAsync(EngineFixture.Message("2", group: "g"));
        Assert.Equal(["1"], (await q.ReceiveAsync(Receive(max: 1), default)).Select(m => m.Body));
        f.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(["1", "2"], (await q.ReceiveAsync(Receive(), default)).Select(m => m.Body));
    }

    [Fact]
    public async Task Fifo_DeduplicatesWithinFiveMinutes_ReturningTheOriginalId()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q.fifo", null, null);
        var a = await q.SendAsync(EngineFixture.Message("x", group: "g", dedup: "d1"));
        var b = await q.SendAsync(EngineFixture.Message("y", group: "g", dedup: "d1"));
        Assert.Equal(a.MessageId, b.MessageId);
        Assert.Equal(1, q.GetCounts().Visible);
        f.Clock.Advance(TimeSpan.FromMinutes(5));
        await f.Broker.MaintainOnceAsync();
        var c = await q.SendAsync(EngineFixture.Message("z", group: "g", dedup: "d1"));
        Assert.NotEqual(a.MessageId, c.MessageId);
        Assert.Equal(2, q.GetCounts().Visible);
    }

    [Fact]
    public async Task Fifo_DuplicateOfAMessageNotYetDurable_IsAcknowledgedOnlyOnceTheOriginalIsDurable()
    {
        // A duplicate is answered with the original's id. Answered before the original's record is durable, a crash
        // in between would lose a message whose send was acknowledged.
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q.fifo", null, null);
        var journal = f.Broker.Journal;
        for (var i = 0; i < 20; i++)
        {
            var before = journal.Tail;
            var original = q.SendAsync(EngineFixture.Message($"x{i}", group: "g", dedup: $"d{i}"));
            var duplicate = await q.SendAsync(EngineFixture.Message($"x{i}", group: "g", dedup: $"d{i}"));
            Assert.True(journal.GetStats().Durable > before, $"duplicate {i} was acknowledged before its original was durable");
            Assert.Equal((await original).MessageId, duplicate.MessageId);
        }

        Assert.Equal(20, q.GetCounts().Visible);
    }

    [Fact]
    public async Task Fifo_WithoutDedupIdOrContentBasedDedup_IsRefused()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q.fifo", null, null);
        var ex = await Assert.ThrowsAsync<EngineException>(() => q.SendAsync(EngineFixture.Message("x", group: "g")));
        Assert.Equal(EngineError.InvalidParameterValue, ex.Error);
        var noGroup = await Assert.ThrowsAsync<EngineException>(() => q.SendAsync(EngineFixture.Message("x", dedup: "d")));
        Assert.Equal(EngineError.InvalidParameterValue, noGroup.Error);
    }

    [Fact]
    public async Task Fifo_ReceiveRequestAttemptId_RetryReturnsTheSameMessages()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q.fifo", new Dictionary<string, string> { ["ContentBasedDeduplication"] = "true" }, null);
        await q.SendAsync(EngineFixture.Message("1", group: "g"));
        await q.SendAsync(EngineFixture.Message("2", group: "h"));
        var first = await q.ReceiveAsync(Receive(max: 1, attempt: "try-1"), default);
        var retry = await q.ReceiveAsync(Receive(max: 1, attempt: "try-1"), default);
        Assert.Equal(first.Select(m => m.ReceiptHandle), retry.Select(m => m.ReceiptHandle));
    }

    [Fact]
    public async Task Fifo_ReceiveRetriedWhileTheFirstIsNotDurable_AnswersOnlyOnceItIs()
    {
        // The retry hands out the first receive's receipt handles. Before that receive is durable a crash could undo
        // it, and a delete with those handles would then succeed without deleting.
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q.fifo", new Dictionary<string, string> { ["ContentBasedDeduplication"] = "true" }, null);
        var journal = f.Broker.Journal;
        for (var i = 0; i < 20; i++)
        {
            await q.SendAsync(EngineFixture.Message($"m{i}", group: $"g{i}"));
            var before = journal.Tail;
            var first = q.ReceiveAsync(Receive(max: 1, attempt: $"try-{i}"), default);
            var retry = await q.ReceiveAsync(Receive(max: 1, attempt: $"try-{i}"), default);
            Assert.True(journal.GetStats().Durable > before, $"retry {i} answered before the receive it repeats was durable");
            Assert.Equal((await first).Select(m => m.ReceiptHandle), retry.Select(m => m.ReceiptHandle));
        }
    }

    [Fact]
    public async Task RedrivePolicy_ToADeletedQueue_KeepsThePoisonMessageInItsGroup()
    {
        await using var f = await EngineFixture.StartAsync();
        var dlq = await f.Broker.CreateQueueAsync("dlq.fifo", null, null);
        var q = await f.Broker.CreateQueueAsync("q.fifo", new Dictionary<string, string>
        {
            ["ContentBasedDeduplication"] = "true",
            ["VisibilityTimeout"] = "1",
            ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlq.Arn}\",\"maxReceiveCount\":1}}",
        }, null);
        await q.SendAsync(EngineFixture.Message("poison", group: "A"));
        await q.SendAsync(EngineFixture.Message("next", group: "A"));
        Assert.Equal(["poison"], (await q.ReceiveAsync(Receive(max: 1), default)).Select(m => m.Body));
        f.Clock.Advance(TimeSpan.FromSeconds(1));
        await f.Broker.DeleteQueueAsync(dlq);

        // Past maxReceiveCount with no dead-letter queue to go to: the message is delivered again, first in its
        // group. Setting it aside dropped it from its group, so the receive went on to the next message, and the
        // poison message was left ready but unreachable.
        var again = await q.ReceiveAsync(Receive(max: 1, wait: 20), default);
        var message = Assert.Single(again);
        Assert.Equal("poison", message.Body);
        Assert.Equal(2, message.ReceiveCount);
        await q.DeleteAsync(message.ReceiptHandle);
        Assert.Equal(["next"], (await q.ReceiveAsync(Receive(), default)).Select(m => m.Body));
        Assert.Equal(new QueueCounts(0, 1, 0), q.GetCounts());
    }

    [Fact]
    public async Task RedrivePolicy_MovesThePoisonMessage_AndTheGroupGoesOn()
    {
        await using var f = await EngineFixture.StartAsync();
        var dlq = await f.Broker.CreateQueueAsync("dlq.fifo", null, null);
        var q = await f.Broker.CreateQueueAsync("q.fifo", new Dictionary<string, string>
        {
            ["ContentBasedDeduplication"] = "true",
            ["VisibilityTimeout"] = "1",
            ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlq.Arn}\",\"maxReceiveCount\":1}}",
        }, null);
        await q.SendAsync(EngineFixture.Message("poison", group: "A"));
        await q.SendAsync(EngineFixture.Message("next", group: "A"));
        Assert.Equal(["poison"], (await q.ReceiveAsync(Receive(max: 1), default)).Select(m => m.Body));
        f.Clock.Advance(TimeSpan.FromSeconds(1));

        // The receive that moves the poison message goes on to the next one of its group (a long poll, so that the
        // receive tries again after moving it rather than answering empty).
        Assert.Equal(["next"], (await q.ReceiveAsync(Receive(wait: 20), default)).Select(m => m.Body));
        var dead = Assert.Single(await dlq.ReceiveAsync(Receive(), default));
        Assert.Equal("poison", dead.Body);
        Assert.Equal(q.Arn, dead.DeadLetterQueueSourceArn);
    }
}

public class UniqueIdTests
{
    [Fact]
    public void UniqueIds_AreUniqueVersion4Uuids()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => UniqueIds.Next()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id =>
        {
            var text = id.ToString();
            Assert.Equal('4', text[14]);
            Assert.Contains(text[19], "89ab");
        });
    }
}

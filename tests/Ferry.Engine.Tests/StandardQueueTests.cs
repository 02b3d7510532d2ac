using Ferry.Engine.Queues;

namespace Ferry.Engine.Tests;

public class StandardQueueTests
{
    private static ReceiveRequest Receive(int max = 10, int? visibility = null, int wait = 0) =>
        new() { MaxMessages = max, VisibilityTimeoutSeconds = visibility, WaitTimeSeconds = wait };

    [Fact]
    public async Task SendReceiveDelete_RoundTripsBodyAndAttributes()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("orders", null, null);
        var attributes = new[] { new MessageAttribute("kind", "String", "new", null), new MessageAttribute("blob", "Binary", null, [1, 2, 3]) };
        var sent = await q.SendAsync(EngineFixture.Message("hello", attributes: attributes));

        var received = Assert.Single(await q.ReceiveAsync(Receive(), default));
        Assert.Equal(sent.MessageId, received.MessageId);
        Assert.Equal("hello", received.Body);
        Assert.Equal(attributes.Select(a => (a.Name, a.DataType, a.StringValue, Convert.ToHexString(a.BinaryValue ?? []))),
            received.Attributes.Select(a => (a.Name, a.DataType, a.StringValue, Convert.ToHexString(a.BinaryValue ?? []))));
        Assert.Equal(1, received.ReceiveCount);
        Assert.Equal(f.Clock.GetUtcNow().ToUnixTimeMilliseconds(), received.SentTimestamp);
        Assert.Equal(new QueueCounts(0, 1, 0), q.GetCounts());

        await q.DeleteAsync(received.ReceiptHandle);
        Assert.Equal(new QueueCounts(0, 0, 0), q.GetCounts());
        Assert.Empty(await q.ReceiveAsync(Receive(), default));
    }

    [Fact]
    public async Task Delete_RepeatedWhileTheFirstIsNotDurable_AnswersOnlyOnceItIs()
    {
        // The repeat finds nothing left to delete. Answered before the first delete is durable, a crash in between
        // would bring back a message whose deletion was acknowledged.
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("orders", null, null);
        var journal = f.Broker.Journal;
        for (var i = 0; i < 20; i++)
        {
            await q.SendAsync(EngineFixture.Message($"m{i}"));
            var handle = Assert.Single(await q.ReceiveAsync(Receive(max: 1), default)).ReceiptHandle;
            var before = journal.Tail;
            var first = q.DeleteAsync(handle);
            await q.DeleteAsync(handle);
            Assert.True(journal.GetStats().Durable > before, $"repeat {i} answered before the delete it repeats was durable");
            await first;
        }

        Assert.Equal(new QueueCounts(0, 0, 0), q.GetCounts());
    }

    [Fact]
    public async Task ReceiveMessage_AfterVisibilityTimeout_RedeliversWithNewReceiptHandle()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", new Dictionary<string, string> { ["VisibilityTimeout"] = "10" }, null);
        await q.SendAsync(EngineFixture.Message("a"));
        var first = Assert.Single(await q.ReceiveAsync(Receive(), default));
        Assert.Empty(await q.ReceiveAsync(Receive(), default));

        f.Clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(await q.ReceiveAsync(Receive(), default));
        f.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = Assert.Single(await q.ReceiveAsync(Receive(), default));
        Assert.NotEqual(first.ReceiptHandle, second.ReceiptHandle);
        Assert.Equal(2, second.ReceiveCount);
        Assert.Equal(first.FirstReceiveTimestamp, second.FirstReceiveTimestamp);

        // The old handle no longer changes visibility, and deleting with it leaves the message.
        var ex = await Assert.ThrowsAsync<EngineException>(() => q.ChangeVisibilityAsync(first.ReceiptHandle, 100));
        Assert.Equal(EngineError.InvalidParameterValue, ex.Error);
        await q.DeleteAsync(first.ReceiptHandle);
        Assert.Equal(1, q.GetCounts().NotVisible);
        await q.DeleteAsync(second.ReceiptHandle);
        Assert.Equal(0, q.GetCounts().NotVisible);
    }

    [Fact]
    public async Task ChangeVisibility_ZeroMakesVisibleAtOnce_AndNotInflightIsRefused()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", null, null);
        await q.SendAsync(EngineFixture.Message("a"));
        var m = Assert.Single(await q.ReceiveAsync(Receive(), default));
        await q.ChangeVisibilityAsync(m.ReceiptHandle, 0);
        Assert.Equal(new QueueCounts(1, 0, 0), q.GetCounts());
        var ex = await Assert.ThrowsAsync<EngineException>(() => q.ChangeVisibilityAsync(m.ReceiptHandle, 5));
        Assert.Equal(EngineError.MessageNotInflight, ex.Error);
        var invalid = await Assert.ThrowsAsync<EngineException>(() => q.DeleteAsync("not-a-handle"));
        Assert.Equal(EngineError.ReceiptHandleIsInvalid, invalid.Error);
    }

    [Fact]
    public async Task LongPoll_ResumesOnTheThreadThatMadeTheMessageReceivable()
    {
        // A woken poll runs its receive where the message became receivable (here, with no disk, inside the send),
        // not on a pool thread that a loaded machine may take milliseconds to run.
        await using var journal = await Ferry.Storage.Journal.OpenAsync(new Ferry.Storage.JournalOptions
        {
            Directory = Path.Combine(Path.GetTempPath(), "ferry-engine-" + Guid.NewGuid().ToString("N")),
            Durability = Ferry.Storage.Durability.Parse("memory"),
        });
        await using var broker = Broker.Open(journal, new BrokerOptions(), new ManualTimeProvider(), startMaintenance: false);
        var q = await broker.CreateQueueAsync("q", null, null);
        var waiting = q.ReceiveAsync(Receive(wait: 20), default);
        Assert.False(waiting.IsCompleted);

        // Sent from a pool thread, as the journal's flusher or an event loop sends: the test's own thread has a
        // synchronization context, where the runtime never runs another task's continuation inline.
        var (sent, completedInside) = await Task.Run(() =>
        {
            var send = q.SendAsync(EngineFixture.Message("wake"));
            return (send, waiting.IsCompleted);
        });
        Assert.True(completedInside, "the woken receive did not run inside the send");
        await sent;
        Assert.Equal("wake", Assert.Single(await waiting).Body);
    }

    [Fact]
    public async Task LongPoll_CancelledWhileWaiting_EndsWithTheCancellation()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", null, null);
        using var cancel = new CancellationTokenSource();
        var waiting = q.ReceiveAsync(Receive(wait: 20), cancel.Token);
        Assert.False(waiting.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));

        // The cancelled poll left no waiter behind: a message sent now is there for the next receive.
        await q.SendAsync(EngineFixture.Message("after"));
        Assert.Equal("after", Assert.Single(await q.ReceiveAsync(Receive(), default)).Body);
    }

    [Fact]
    public async Task LongPoll_ReturnsAsSoonAsAMessageIsSent()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", null, null);
        var waiting = q.ReceiveAsync(Receive(wait: 20), default);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        await q.SendAsync(EngineFixture.Message("wake"));
        var got = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("wake", Assert.Single(got).Body);
    }

    [Fact]
    public async Task LongPoll_WakesWhenADelayedMessageBecomesVisible_AndTimesOutEmpty()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", null, null);
        await q.SendAsync(EngineFixture.Message("later", delay: 5));
        Assert.Equal(new QueueCounts(0, 0, 1), q.GetCounts());
        var waiting = q.ReceiveAsync(Receive(wait: 20), default);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        f.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("later", Assert.Single(await waiting.WaitAsync(TimeSpan.FromSeconds(5))).Body);

        var empty = q.ReceiveAsync(Receive(wait: 3), default);
        await Task.Delay(50);
        f.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Empty(await empty.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Retention_ExpiredMessagesDisappear()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", new Dictionary<string, string> { ["MessageRetentionPeriod"] = "60" }, null);
        await q.SendAsync(EngineFixture.Message("old"));
        f.Clock.Advance(TimeSpan.FromSeconds(30));
        await q.SendAsync(EngineFixture.Message("young"));
        f.Clock.Advance(TimeSpan.FromSeconds(31));
        await f.Broker.MaintainOnceAsync();
        Assert.Equal(1, q.GetCounts().Visible);
        Assert.Equal("young", Assert.Single(await q.ReceiveAsync(Receive(), default)).Body);
    }

    [Fact]
    public async Task RedrivePolicy_MovesTheMessageOnTheReceiveThatExceedsMaxReceiveCount()
    {
        await using var f = await EngineFixture.StartAsync();
        var dlq = await f.Broker.CreateQueueAsync("dlq", null, null);
        var q = await f.Broker.CreateQueueAsync("q", new Dictionary<string, string>
        {
            ["VisibilityTimeout"] = "1",
            ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlq.Arn}\",\"maxReceiveCount\":2}}",
        }, null);
        var sent = await q.SendAsync(EngineFixture.Message("poison"));
        for (var i = 0; i < 2; i++)
        {
            Assert.Single(await q.ReceiveAsync(Receive(), default));
            f.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Empty(await q.ReceiveAsync(Receive(), default));
        var dead = Assert.Single(await dlq.ReceiveAsync(Receive(), default));
        Assert.Equal(sent.MessageId, dead.MessageId);
        Assert.Equal(q.Arn, dead.DeadLetterQueueSourceArn);
        Assert.Equal([q], f.Broker.ListDeadLetterSourceQueues(dlq));
        Assert.Equal(new QueueCounts(0, 0, 0), q.GetCounts());
    }

    [Fact]
    public async Task RedrivePolicy_ToADeletedQueue_DeliversThePoisonMessageInsteadOfSpinning()
    {
        await using var f = await EngineFixture.StartAsync();
        var dlq = await f.Broker.CreateQueueAsync("dlq", null, null);
        var q = await f.Broker.CreateQueueAsync("q", new Dictionary<string, string>
        {
            ["VisibilityTimeout"] = "1",
            ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlq.Arn}\",\"maxReceiveCount\":1}}",
        }, null);
        await q.SendAsync(EngineFixture.Message("poison"));
        Assert.Single(await q.ReceiveAsync(Receive(), default));
        f.Clock.Advance(TimeSpan.FromSeconds(1));
        await f.Broker.DeleteQueueAsync(dlq);

        // The message is past maxReceiveCount and its dead-letter queue is gone. Setting it aside and handing it
        // back looped until the poll's deadline, which a manual clock never reaches: the call never returned.
        Task<IReadOnlyList<ReceivedMessage>>? poll = null;
        var caller = new Thread(() => poll = q.ReceiveAsync(Receive(wait: 20), default)) { IsBackground = true };
        caller.Start();
        Assert.True(caller.Join(TimeSpan.FromSeconds(10)), "the long poll spins instead of delivering or waiting");
        var message = Assert.Single(await poll!.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("poison", message.Body);
        Assert.Equal(2, message.ReceiveCount);
    }

    [Fact]
    public async Task MoveTask_RedrivesDeadLettersBackToTheirSource()
    {
        await using var f = await EngineFixture.StartAsync();
        var dlq = await f.Broker.CreateQueueAsync("dlq", null, null);
        var q = await f.Broker.CreateQueueAsync("q", new Dictionary<string, string>
        {
            ["VisibilityTimeout"] = "1",
            ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlq.Arn}\",\"maxReceiveCount\":1}}",
        }, null);
        for (var i = 0; i < 3; i++)
        {
            await q.SendAsync(EngineFixture.Message("m" + i));
        }

        Assert.Equal(3, (await q.ReceiveAsync(Receive(), default)).Count);
        f.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(await q.ReceiveAsync(Receive(), default));
        Assert.Equal(3, dlq.GetCounts().Visible);

        await f.Broker.StartMessageMoveTaskAsync(dlq, null, null);
        for (var i = 0; i < 100 && f.Broker.ListMessageMoveTasks(dlq, 10)[0].Status == "RUNNING"; i++)
        {
            await Task.Delay(20);
        }

        var task = Assert.Single(f.Broker.ListMessageMoveTasks(dlq, 10));
        Assert.Equal("COMPLETED", task.Status);
        Assert.Equal(3, task.ApproximateNumberOfMessagesMoved);
        Assert.Equal(3, q.GetCounts().Visible);
        Assert.Equal(0, dlq.GetCounts().Visible);
    }

    [Fact]
    public async Task MoveTask_ThatFails_LeavesEveryMessageItDidNotMoveInTheQueue()
    {
        await using var f = await EngineFixture.StartAsync();
        var dlq = await f.Broker.CreateQueueAsync("dlq", null, null);
        var settings = new Dictionary<string, string>
        {
            ["VisibilityTimeout"] = "1",
            ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlq.Arn}\",\"maxReceiveCount\":1}}",
        };
        var gone = await f.Broker.CreateQueueAsync("gone", settings, null);
        var kept = await f.Broker.CreateQueueAsync("kept", settings, null);
        foreach (var (q, body) in new[] { (gone, "g0"), (gone, "g1"), (gone, "g2"), (kept, "k0") })
        {
            await q.SendAsync(EngineFixture.Message(body));
            Assert.Single(await q.ReceiveAsync(Receive(), default));
            f.Clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Empty(await q.ReceiveAsync(Receive(), default));
        }

        Assert.Equal(4, dlq.GetCounts().Visible);
        await f.Broker.DeleteQueueAsync(gone);

        // Back to their sources: the first message's no longer exists, so the task fails there. The messages it had
        // set aside with it stayed invisible, counted nowhere, until a restart.
        await f.Broker.StartMessageMoveTaskAsync(dlq, null, null);
        for (var i = 0; i < 100 && f.Broker.ListMessageMoveTasks(dlq, 10)[0].Status == "RUNNING"; i++)
        {
            await Task.Delay(20);
        }

        var task = Assert.Single(f.Broker.ListMessageMoveTasks(dlq, 10));
        Assert.Equal("FAILED", task.Status);
        Assert.Equal(0, task.ApproximateNumberOfMessagesMoved);
        Assert.Equal(new QueueCounts(4, 0, 0), dlq.GetCounts());
        Assert.Equal(["g0", "g1", "g2", "k0"], (await dlq.ReceiveAsync(Receive(), default)).Select(m => m.Body).Order());
    }

    [Fact]
    public async Task Purge_RemovesEverything_AndASecondPurgeWithin60SecondsIsRefused()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", null, null);
        await q.SendAsync(EngineFixture.Message("a"));
        await q.SendAsync(EngineFixture.Message("b"));
        Assert.Single(await q.ReceiveAsync(Receive(max: 1), default));
        await q.PurgeAsync();
        Assert.Equal(new QueueCounts(0, 0, 0), q.GetCounts());
        var ex = await Assert.ThrowsAsync<EngineException>(q.PurgeAsync);
        Assert.Equal(EngineError.PurgeQueueInProgress, ex.Error);
        f.Clock.Advance(TimeSpan.FromSeconds(60));
        await q.PurgeAsync();
    }

    [Fact]
    public async Task Priority_HigherIsDeliveredFirst()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", null, null);
        await q.SendAsync(EngineFixture.Message("low", priority: 1));
        await q.SendAsync(EngineFixture.Message("high", priority: 9));
        await q.SendAsync(EngineFixture.Message("mid", priority: 5));
        var got = await q.ReceiveAsync(Receive(), default);
        Assert.Equal(["high", "mid", "low"], got.Select(m => m.Body));
    }

    [Fact]
    public async Task DeliverAt_KeepsTheMessageInvisibleBeyondFifteenMinutes()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", null, null);
        var body = EngineFixture.Message("scheduled");
        await q.SendAsync(new SendRequest { Body = body.Body, BodyDigest = body.BodyDigest, DeliverAt = f.Clock.GetUtcNow().AddHours(2) });
        f.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await q.ReceiveAsync(Receive(), default));
        f.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Single(await q.ReceiveAsync(Receive(), default));
    }

    [Fact]
    public async Task CreateQueue_IsIdempotentWithTheSameAttributes_AndRefusesDifferentOnes()
    {
        await using var f = await EngineFixture.StartAsync();
        var attributes = new Dictionary<string, string> { ["VisibilityTimeout"] = "40" };
        var a = await f.Broker.CreateQueueAsync("q", attributes, null);
        Assert.Same(a, await f.Broker.CreateQueueAsync("q", attributes, null));
        var ex = await Assert.ThrowsAsync<EngineException>(() => f.Broker.CreateQueueAsync("q", new Dictionary<string, string> { ["VisibilityTimeout"] = "41" }, null));
        Assert.Equal(EngineError.QueueNameExists, ex.Error);
        await f.Broker.DeleteQueueAsync(a);
        var recent = await Assert.ThrowsAsync<EngineException>(() => f.Broker.CreateQueueAsync("q", attributes, null));
        Assert.Equal(EngineError.QueueDeletedRecently, recent.Error);
        f.Clock.Advance(TimeSpan.FromSeconds(61));
        await f.Broker.CreateQueueAsync("q", attributes, null);
    }
}

using Ferry.Engine.Queues;

namespace Ferry.Engine.Tests;

public class RecoveryTests
{
    private static ReceiveRequest Receive(int max = 10, int? visibility = null) => new() { MaxMessages = max, VisibilityTimeoutSeconds = visibility };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_KeepsQueuesMessagesInFlightDeadlinesReceiveCountsAndDeletions(bool checkpointFirst)
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", new Dictionary<string, string> { ["VisibilityTimeout"] = "30" }, new Dictionary<string, string> { ["team"] = "a" });
        for (var i = 0; i < 10; i++)
        {
            await q.SendAsync(EngineFixture.Message("m" + i));
        }

        var inFlight = await q.ReceiveAsync(Receive(max: 4), default);
        await q.DeleteAsync(inFlight[0].ReceiptHandle);
        if (checkpointFirst)
        {
            await f.Broker.CheckpointAsync();
            await q.SendAsync(EngineFixture.Message("after-checkpoint"));
            await q.DeleteAsync(inFlight[1].ReceiptHandle);
        }

        await f.RestartAsync();
        var q2 = f.Broker.FindQueue("q")!;
        Assert.Equal("a", q2.Tags["team"]);
        Assert.Equal(30, q2.Settings.VisibilityTimeoutSeconds);
        var deleted = checkpointFirst ? 2 : 1;
        Assert.Equal(new QueueCounts(6 + (checkpointFirst ? 1 : 0), 4 - deleted, 0), q2.GetCounts());

        // The surviving in-flight message keeps its deadline and its receipt handle.
        var survivor = inFlight[deleted];
        await q2.ChangeVisibilityAsync(survivor.ReceiptHandle, 30);
        f.Clock.Advance(TimeSpan.FromSeconds(31));
        var all = await q2.ReceiveAsync(Receive(max: 10), default);
        Assert.Equal(10 - deleted + (checkpointFirst ? 1 : 0), all.Count);
        Assert.Equal(2, all.Single(m => m.MessageId == survivor.MessageId).ReceiveCount);
        Assert.DoesNotContain(all, m => m.MessageId == inFlight[0].MessageId);
    }

    [Fact]
    public async Task Receive_AnswersOnlyAfterItsRecordIsDurable()
    {
        // A crash right after a receive answered must not forget its receive count and in-flight deadline.
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", null, null);
        for (var i = 0; i < 20; i++)
        {
            await q.SendAsync(EngineFixture.Message("m" + i));
            Assert.Single(await q.ReceiveAsync(Receive(max: 1), default));
            var stats = f.Broker.Journal.GetStats();
            Assert.Equal(stats.Tail, stats.Durable);
        }
    }

    [Fact]
    public async Task Restart_FifoKeepsOrderAndDeduplication()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q.fifo", null, null);
        var first = await q.SendAsync(EngineFixture.Message("1", group: "g", dedup: "one"));
        await q.SendAsync(EngineFixture.Message("2", group: "g", dedup: "two"));
        await f.Broker.CheckpointAsync();
        await q.SendAsync(EngineFixture.Message("3", group: "g", dedup: "three"));
        await f.RestartAsync();
        var q2 = f.Broker.FindQueue("q.fifo")!;
        Assert.Equal(first.MessageId, (await q2.SendAsync(EngineFixture.Message("dup", group: "g", dedup: "one"))).MessageId);
        Assert.Equal("00000000000000000003", (await q2.SendAsync(EngineFixture.Message("dup3", group: "g", dedup: "three"))).SequenceNumber);
        Assert.Equal(["1", "2", "3"], (await q2.ReceiveAsync(Receive(), default)).Select(m => m.Body));
    }

    [Fact]
    public async Task Checkpoint_ReclaimsSegmentsOfDeletedMessages_AndCompactionKeepsLiveOnes()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", null, null);
        var body = new string('x', 4000);
        for (var i = 0; i < 600; i++)
        {
            await q.SendAsync(EngineFixture.Message(i + body));
        }

        // Keep every 50th message, delete the rest.
        var kept = new HashSet<string>();
        while (true)
        {
            var batch = await q.ReceiveAsync(Receive(max: 10, visibility: 0), default);
            if (batch.Count == 0 || batch.All(m => kept.Contains(m.Body)))
            {
                break;
            }

            foreach (var m in batch)
            {
                if (int.Parse(m.Body[..m.Body.IndexOf('x', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture) % 50 == 0)
                {
                    kept.Add(m.Body);
                }
                else
                {
                    await q.DeleteAsync(m.ReceiptHandle);
                }
            }
        }

        Assert.Equal(12, kept.Count);
        await f.Broker.CheckpointAsync();
        await f.Broker.Journal.CompactAsync(f.Broker, 0.5);
        await f.Broker.CheckpointAsync();
        await f.RestartAsync();
        var q2 = f.Broker.FindQueue("q")!;
        var all = await q2.ReceiveAsync(Receive(max: 10), default);
        all = [.. all, .. await q2.ReceiveAsync(Receive(max: 10), default)];
        Assert.Equal(kept.Order(), all.Select(m => m.Body).Order());
        Assert.True(f.Broker.Journal.GetStats().Segments <= 2, $"{f.Broker.Journal.GetStats().Segments} segments left");
    }

    [Fact]
    public async Task AQueueCapture_WrittenAfterMoreOperations_IsTheStateAtTheCapture()
    {
        await using var f = await EngineFixture.StartAsync();
        var q = await f.Broker.CreateQueueAsync("q", null, null);
        var fifo = await f.Broker.CreateQueueAsync("f.fifo", new Dictionary<string, string> { ["ContentBasedDeduplication"] = "true" }, null);
        for (var i = 0; i < 30; i++)
        {
            await q.SendAsync(EngineFixture.Message("m" + i, priority: i % 3));
            await fifo.SendAsync(EngineFixture.Message("f" + i, group: "g" + (i % 4)));
        }

        var inFlight = await q.ReceiveAsync(Receive(max: 5), default);
        await fifo.ReceiveAsync(Receive(max: 3), default);
        using var atCapture = new Internal.PayloadWriter();
        q.WriteSnapshot(atCapture);
        fifo.WriteSnapshot(atCapture);
        var write = q.CaptureSnapshot();
        var writeFifo = fifo.CaptureSnapshot();

        // Everything that changes a queue's entries or deduplication window, after the capture.
        await q.DeleteAsync(inFlight[0].ReceiptHandle);
        await q.ChangeVisibilityAsync(inFlight[1].ReceiptHandle, 0);
        await q.SendAsync(EngineFixture.Message("late"));
        await q.ReceiveAsync(Receive(max: 10), default);
        await fifo.SendAsync(EngineFixture.Message("late", group: "g9"));
        await fifo.PurgeAsync();
        f.Clock.Advance(TimeSpan.FromMinutes(10));
        fifo.ExpireMessages();

        using var later = new Internal.PayloadWriter();
        write(later);
        writeFifo(later);
        Assert.Equal(atCapture.WrittenSpan.ToArray(), later.WrittenSpan.ToArray());
    }

    [Fact]
    public void RecordTypes_ArePinned()
    {
        // Persisted values: a change here would misread every existing journal.
        Assert.Equal(1, (int)RecordType.QueueCreated);
        Assert.Equal(2, (int)RecordType.QueueUpdated);
        Assert.Equal(3, (int)RecordType.QueueDeleted);
        Assert.Equal(4, (int)RecordType.QueuePurged);
        Assert.Equal(10, (int)RecordType.MessageSent);
        Assert.Equal(11, (int)RecordType.MessagesReceived);
        Assert.Equal(12, (int)RecordType.MessagesDeleted);
        Assert.Equal(13, (int)RecordType.VisibilityChanged);
        Assert.Equal(14, (int)RecordType.SharedBodyStored);
        Assert.Equal(20, (int)RecordType.MoveTaskUpdated);
        Assert.Equal(30, (int)RecordType.StreamCreated);
        Assert.Equal(31, (int)RecordType.StreamUpdated);
        Assert.Equal(32, (int)RecordType.StreamDeleted);
        Assert.Equal(33, (int)RecordType.StreamShardsChanged);
        Assert.Equal(34, (int)RecordType.StreamRecords);
    }
}

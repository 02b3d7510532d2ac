using Ferry.Server.Tests;
using StackExchange.Redis;

namespace Ferry.RedisClients.Tests;

/// <summary>StackExchange.Redis, unmodified, against a Ferry server process: the handshake it makes on connect, pub/sub
/// with channels, patterns and shard channels over RESP2 and RESP3, streams with a consumer group of two consumers,
/// and a SIGKILL between XREADGROUP and XACK after which XAUTOCLAIM recovers the pending entries.</summary>
public sealed class StackExchangeRedisTests(FerryRedisFixture fixture) : IClassFixture<FerryRedisFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static RedisKey Key(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task Connects_AndSpeaksTheProtocolItAskedFor(RedisProtocol protocol)
    {
        var connection = await fixture.Server.ConnectAsync(protocol);
        var server = connection.GetServers().Single();

        Assert.True(connection.IsConnected);
        Assert.Equal(protocol, server.Protocol);
        Assert.True(await connection.GetDatabase().PingAsync() < Patience);
        var echoed = await connection.GetDatabase().ExecuteAsync("ECHO", "hello");
        Assert.Equal("hello", (string?)echoed);
        var info = await server.InfoAsync("server");
        Assert.Contains(info.Single().AsEnumerable(), pair => pair.Key == "redis_version");
    }

    [Fact]
    public async Task AnUnknownCommand_FailsWithRedissWords_AndTheConnectionGoesOn()
    {
        var db = (await fixture.Server.ConnectAsync()).GetDatabase();

        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("NOSUCH", "x"));

        Assert.Equal("ERR unknown command 'NOSUCH', with args beginning with: 'x' ", error.Message);
        Assert.True(await db.PingAsync() < Patience);
    }

    [Fact]
    public async Task AnXaddWithAnIdNotAboveTheTop_FailsAsRedisFailsIt()
    {
        var db = (await fixture.Server.ConnectAsync()).GetDatabase();
        var key = Key("ids");
        await db.StreamAddAsync(key, "a", "1", messageId: "5-1");

        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.StreamAddAsync(key, "a", "2", messageId: "5-1"));

        Assert.Equal("ERR The ID specified in XADD is equal or smaller than the target stream top item", error.Message);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task PubSub_DeliversToChannelAndPatternSubscribers_InOrder(RedisProtocol protocol)
    {
        var subscriberConnection = await fixture.Server.ConnectAsync(protocol);
        var publisher = (await fixture.Server.ConnectAsync()).GetSubscriber();
        var channel = $"news-{Guid.NewGuid():N}";
        var subscriber = subscriberConnection.GetSubscriber();

        // One queue per subscription: the client keeps each subscription's order, not an order across them.
        var plain = await subscriber.SubscribeAsync(RedisChannel.Literal(channel));
        var patterned = await subscriber.SubscribeAsync(RedisChannel.Pattern($"{channel}.*"));

        Assert.Equal(1, await publisher.PublishAsync(RedisChannel.Literal(channel), "plain"));
        Assert.Equal(1, await publisher.PublishAsync(RedisChannel.Literal($"{channel}.tech"), "patterned"));
        Assert.Equal(0, await publisher.PublishAsync(RedisChannel.Literal($"{channel}-other"), "nobody"));
        for (var i = 0; i < 100; i++)
        {
            await publisher.PublishAsync(RedisChannel.Literal(channel), i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var timeout = new CancellationTokenSource(Patience);
        Assert.Equal($"{channel} plain", Text(await plain.ReadAsync(timeout.Token)));
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal($"{channel} {i}", Text(await plain.ReadAsync(timeout.Token)));
        }

        var first = await patterned.ReadAsync(timeout.Token);
        Assert.Equal($"{channel}.tech patterned", Text(first));
        Assert.Equal(RedisChannel.Pattern($"{channel}.*"), first.SubscriptionChannel);

        var server = subscriberConnection.GetServers().Single();
        Assert.Equal(1, await server.SubscriptionSubscriberCountAsync(RedisChannel.Literal(channel)));
        Assert.Contains(RedisChannel.Literal(channel), await server.SubscriptionChannelsAsync(RedisChannel.Pattern($"{channel}*")));

        await plain.UnsubscribeAsync();
        Assert.Equal(0, await publisher.PublishAsync(RedisChannel.Literal(channel), "gone"));
        Assert.Equal(1, await publisher.PublishAsync(RedisChannel.Literal($"{channel}.still"), "still"));
        Assert.Equal($"{channel}.still still", Text(await patterned.ReadAsync(timeout.Token)));
    }

    private static string Text(ChannelMessage message) => $"{message.Channel} {message.Message}";

    [Fact]
    public async Task ShardChannels_DeliverThroughSsubscribeAndSpublish()
    {
        var subscriber = (await fixture.Server.ConnectAsync()).GetSubscriber();
        var publisher = (await fixture.Server.ConnectAsync()).GetSubscriber();
        var channel = RedisChannel.Sharded($"shard-{Guid.NewGuid():N}");
        var queue = await subscriber.SubscribeAsync(channel);

        Assert.Equal(1, await publisher.PublishAsync(channel, "sharded"));

        using var timeout = new CancellationTokenSource(Patience);
        var message = await queue.ReadAsync(timeout.Token);
        Assert.Equal(channel, message.Channel);
        Assert.Equal("sharded", (string?)message.Message);
    }

    [Fact]
    public async Task AConsumerGroupWithTwoConsumers_SharesTheEntries_AndAcknowledgesThem()
    {
        var db = (await fixture.Server.ConnectAsync()).GetDatabase();
        var key = Key("orders");
        Assert.True(await db.StreamCreateConsumerGroupAsync(key, "workers", StreamPosition.NewMessages, createStream: true));
        var added = new List<RedisValue>();
        for (var i = 0; i < 6; i++)
        {
            added.Add(await db.StreamAddAsync(key, [new NameValueEntry("n", i), new NameValueEntry("kind", "order")]));
        }

        var alice = await db.StreamReadGroupAsync(key, "workers", "alice", StreamPosition.NewMessages, count: 3);
        var bob = await db.StreamReadGroupAsync(key, "workers", "bob", StreamPosition.NewMessages, count: 10);

        Assert.Equal(added.Take(3), alice.Select(e => e.Id));
        Assert.Equal(added.Skip(3), bob.Select(e => e.Id));
        Assert.Equal(["3", "4", "5"], bob.Select(e => (string?)e["n"]));
        Assert.All(bob, e => Assert.Equal("order", (string?)e["kind"]));
        Assert.Empty(await db.StreamReadGroupAsync(key, "workers", "alice", StreamPosition.NewMessages));

        var pending = await db.StreamPendingAsync(key, "workers");
        Assert.Equal(6, pending.PendingMessageCount);
        Assert.Equal(added[0], pending.LowestPendingMessageId);
        Assert.Equal(added[5], pending.HighestPendingMessageId);
        Assert.Equal([("alice", 3), ("bob", 3)], pending.Consumers.Select(c => ((string)c.Name!, c.PendingMessageCount)));

        var bobs = await db.StreamPendingMessagesAsync(key, "workers", count: 10, consumerName: "bob");
        Assert.Equal(added.Skip(3), bobs.Select(p => p.MessageId));
        Assert.All(bobs, p => Assert.Equal(1, p.DeliveryCount));

        // Alice reads her own history again: the entries she holds, delivered a second time.
        var history = await db.StreamReadGroupAsync(key, "workers", "alice", "0-0");
        Assert.Equal(added.Take(3), history.Select(e => e.Id));
        Assert.All(await db.StreamPendingMessagesAsync(key, "workers", 10, "alice"), p => Assert.Equal(2, p.DeliveryCount));

        Assert.Equal(6, await db.StreamAcknowledgeAsync(key, "workers", [.. added]));
        Assert.Equal(0, (await db.StreamPendingAsync(key, "workers")).PendingMessageCount);
        Assert.Equal(0, await db.StreamAcknowledgeAsync(key, "workers", added[0]));

        var group = Assert.Single(await db.StreamGroupInfoAsync(key));
        Assert.Equal("workers", group.Name);
        Assert.Equal(2, group.ConsumerCount);
        Assert.Equal(0, group.PendingMessageCount);
        Assert.Equal(added[5], (RedisValue)group.LastDeliveredId);
        Assert.Equal(["alice", "bob"], (await db.StreamConsumerInfoAsync(key, "workers")).Select(c => c.Name));
    }

    [Fact]
    public async Task StreamCommands_ReadTrimAndDeleteAsRedisDoes()
    {
        var connection = await fixture.Server.ConnectAsync();
        var db = connection.GetDatabase();
        var key = Key("log");
        var ids = new List<RedisValue>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await db.StreamAddAsync(key, "i", i));
        }

        Assert.Equal(10, await db.StreamLengthAsync(key));
        Assert.Equal(RedisType.Stream, await db.KeyTypeAsync(key));
        Assert.Equal(ids.Skip(2).Take(3), (await db.StreamRangeAsync(key, ids[2], ids[4])).Select(e => e.Id));
        Assert.Equal(ids.AsEnumerable().Reverse().Take(2), (await db.StreamRangeAsync(key, count: 2, messageOrder: Order.Descending)).Select(e => e.Id));
        Assert.Equal(ids.Skip(8), (await db.StreamReadAsync(key, ids[7])).Select(e => e.Id));

        Assert.Equal(1, await db.StreamDeleteAsync(key, [ids[9]]));
        Assert.Equal(4, await db.StreamTrimAsync(key, 5));
        Assert.Equal(ids.Skip(4).Take(5), (await db.StreamRangeAsync(key)).Select(e => e.Id));

        var info = await db.StreamInfoAsync(key);
        Assert.Equal(5, info.Length);
        Assert.Equal(ids[4], info.FirstEntry.Id);
        Assert.Equal(ids[8], info.LastEntry.Id);
        Assert.Equal(ids[9], info.LastGeneratedId);

        var server = connection.GetServers().Single();
        Assert.Contains(key, server.Keys(pattern: $"{key}*", pageSize: 10));
        Assert.True(await db.KeyExistsAsync(key));
        Assert.True(await db.KeyDeleteAsync(key));
        Assert.False(await db.KeyExistsAsync(key));
        Assert.Equal(0, await db.StreamLengthAsync(key));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task Transactions_RunTheirCommandsTogether_AndAConditionOnAStreamDecidesWhetherTheyRun(RedisProtocol protocol)
    {
        var db = (await fixture.Server.ConnectAsync(protocol)).GetDatabase();
        var orders = Key("orders");
        var audit = Key("audit");

        var both = db.CreateTransaction();
        var order = both.StreamAddAsync(orders, "n", 1, messageId: "1-1");
        var entry = both.StreamAddAsync(audit, "order", "1-1", messageId: "1-1");
        var length = both.StreamLengthAsync(orders);
        Assert.True(await both.ExecuteAsync());
        Assert.Equal("1-1", (string?)await order);
        Assert.Equal("1-1", (string?)await entry);
        Assert.Equal(1, await length);

        // StackExchange.Redis checks a condition with WATCH and the condition's read before MULTI ... EXEC.
        var holds = db.CreateTransaction();
        holds.AddCondition(Condition.StreamLengthEqual(orders, 1));
        var second = holds.StreamAddAsync(orders, "n", 2, messageId: "2-1");
        Assert.True(await holds.ExecuteAsync());
        Assert.Equal("2-1", (string?)await second);

        var fails = db.CreateTransaction();
        fails.AddCondition(Condition.StreamLengthEqual(orders, 1));
        _ = fails.StreamAddAsync(orders, "n", 3, messageId: "3-1");
        Assert.False(await fails.ExecuteAsync());
        Assert.Equal(2, await db.StreamLengthAsync(orders));

        var error = db.CreateTransaction();
        var refused = error.StreamAddAsync(orders, "n", 4, messageId: "1-0");
        var after = error.StreamAddAsync(audit, "order", "x", messageId: "2-1");
        Assert.True(await error.ExecuteAsync());
        var failure = await Assert.ThrowsAsync<RedisServerException>(() => refused);
        Assert.Equal("ERR The ID specified in XADD is equal or smaller than the target stream top item", failure.Message);
        Assert.Equal("2-1", (string?)await after);
    }

    [Fact]
    public async Task Waitaof_WhenWritesAreNotSyncedEach_SyncsTheJournalBeforeItAnswers()
    {
        using var data = new TempDirectory();
        await using var server = await FerryRedisServer.StartAsync(data.Path, durability: "none");
        var connection = await server.ConnectAsync();
        var db = connection.GetDatabase();
        var ferry = connection.GetServers().Single();
        async Task<long> Syncs() =>
            long.Parse((await ferry.InfoAsync("persistence")).SelectMany(g => g).Single(p => p.Key == "ferry_journal_syncs").Value, System.Globalization.CultureInfo.InvariantCulture);

        await db.StreamAddAsync("s", "f", "v");
        var before = await Syncs();
        var reply = (RedisResult[])(await db.ExecuteAsync("WAITAOF", 1, 0, 0))!;

        Assert.Equal([1L, 0L], reply.Select(r => (long)r));
        Assert.True(await Syncs() > before, "WAITAOF answered before an fdatasync covered the XADD");
    }

    [Fact]
    public async Task ASigkillBetweenXreadgroupAndXack_LosesNothing_AndXautoclaimRecoversThePendingEntries()
    {
        using var data = new TempDirectory();
        var added = new List<RedisValue>();
        await using (var first = await FerryRedisServer.StartAsync(data.Path))
        {
            var db = (await first.ConnectAsync()).GetDatabase();
            Assert.True(await db.StreamCreateConsumerGroupAsync("jobs", "g", "0-0", createStream: true));
            for (var i = 0; i < 5; i++)
            {
                added.Add(await db.StreamAddAsync("jobs", "job", i));
            }

            Assert.Equal(5, (await db.StreamReadGroupAsync("jobs", "g", "worker-1", StreamPosition.NewMessages, count: 5)).Length);
            Assert.Equal(1, await db.StreamAcknowledgeAsync("jobs", "g", added[0]));
            await first.KillAsync();
        }

        await using var second = await FerryRedisServer.StartAsync(data.Path);
        var db2 = (await second.ConnectAsync()).GetDatabase();
        Assert.Equal(5, await db2.StreamLengthAsync("jobs"));
        var pending = await db2.StreamPendingAsync("jobs", "g");
        Assert.Equal(4, pending.PendingMessageCount);
        Assert.Equal(("worker-1", 4), ((string)pending.Consumers.Single().Name!, pending.Consumers.Single().PendingMessageCount));

        var claimed = await db2.StreamAutoClaimAsync("jobs", "g", "worker-2", minIdleTimeInMs: 0, startAtId: "0-0", count: 10);

        Assert.Equal("0-0", (string?)claimed.NextStartId);
        Assert.Equal(added.Skip(1), claimed.ClaimedEntries.Select(e => e.Id));
        Assert.Equal(["1", "2", "3", "4"], claimed.ClaimedEntries.Select(e => (string?)e["job"]));
        Assert.Empty(claimed.DeletedIds);
        var after = await db2.StreamPendingMessagesAsync("jobs", "g", 10, RedisValue.Null);
        Assert.Equal(added.Skip(1).Select(id => (id, "worker-2", 2)), after.Select(p => (p.MessageId, (string)p.ConsumerName!, p.DeliveryCount)));
        Assert.Equal(4, await db2.StreamAcknowledgeAsync("jobs", "g", [.. added.Skip(1)]));
        Assert.Equal(0, (await db2.StreamPendingAsync("jobs", "g")).PendingMessageCount);
    }

    [Fact]
    public async Task KeyExpiryAndRename_OnStreams_HoldAcrossASigkill_AndAnExpiredKeyGoesAwayOnTime()
    {
        using var data = new TempDirectory();
        await using (var first = await FerryRedisServer.StartAsync(data.Path))
        {
            var db = (await first.ConnectAsync()).GetDatabase();
            await db.StreamAddAsync("session", "event", "login");
            await db.StreamAddAsync("audit", "event", "login");
            await db.StreamAddAsync("brief", "event", "login");
            Assert.True(await db.KeyExpireAsync("session", TimeSpan.FromHours(1)));
            Assert.True(await db.KeyExpireAsync("audit", TimeSpan.FromHours(1)));
            Assert.True(await db.KeyPersistAsync("audit"));
            Assert.True(await db.KeyExpireAsync("brief", TimeSpan.FromSeconds(2)));
            Assert.False(await db.KeyExpireAsync("brief", TimeSpan.FromHours(1), ExpireWhen.HasNoExpiry));
            Assert.True(await db.KeyRenameAsync("audit", "audit:archived"));
            Assert.False(await db.KeyRenameAsync("session", "audit:archived", When.NotExists));
            await first.KillAsync();
        }

        await using var second = await FerryRedisServer.StartAsync(data.Path);
        var db2 = (await second.ConnectAsync()).GetDatabase();
        var ttl = await db2.KeyTimeToLiveAsync("session");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.Null(await db2.KeyTimeToLiveAsync("audit:archived"));
        Assert.Equal(1, await db2.StreamLengthAsync("audit:archived"));
        Assert.False(await db2.KeyExistsAsync("audit"));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await db2.KeyExistsAsync("brief"))
        {
            Assert.True(DateTime.UtcNow < deadline, "brief did not expire");
            await Task.Delay(50);
        }

        Assert.Equal(0, await db2.StreamLengthAsync("brief"));
        var keys = (RedisResult[])(await db2.ExecuteAsync("KEYS", "*"))!;
        Assert.Equal(["audit:archived", "session"], keys.Select(k => (string)k!).Order());
    }
}

namespace Ferry.Redis.Tests;

/// <summary>Commands over a real socket, replies compared with what redis-server 7 sends byte for byte.</summary>
public sealed partial class RespCommandTests : IAsyncLifetime
{
    private RespTestServer _server = null!;
    private RespClient _c = null!;

    public async Task InitializeAsync()
    {
        _server = await RespTestServer.StartAsync();
        _c = await _server.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        _c.Dispose();
        await _server.DisposeAsync();
    }

    private async Task Expect(string reply, params string[] command) => Assert.Equal(reply, await _c.CallAsync(command));

    [Fact]
    public async Task Stop_WithClientsIdleAndBlockedInXread_ClosesThemAtOnce()
    {
        // Kestrel waits for every connection of a stop until its drain timeout (30 s here): a RESP connection ends as
        // soon as the stop is asked for, as redis-server closes its clients at shutdown.
        var server = await RespTestServer.StartAsync();
        using var idle = await server.ConnectAsync();
        using var blocked = await server.ConnectAsync();
        Assert.Equal("+PONG\r\n", await idle.CallAsync("PING"));
        await blocked.SendRawAsync(RespClient.Encode("XREAD", "BLOCK", "0", "STREAMS", "nothing", "$"));
        await Task.Delay(100);

        var stopping = server.DisposeAsync().AsTask();
        Assert.Same(stopping, await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(10))));
        await stopping;
        Assert.True(await idle.IsClosedAsync());
        Assert.True(await blocked.IsClosedAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stop_WithAClientThatReadsNoneOfItsReplies_DropsThemAtOnce(bool eventLoop)
    {
        // The transport sends what was written before it closes: without dropping the output of a client that reads
        // nothing, the stop waited for the drain timeout (30 s here).
        var server = await RespTestServer.StartAsync(eventLoop: eventLoop);
        using var writer = await server.ConnectAsync();
        Assert.StartsWith("$", await writer.CallAsync("XADD", "big", "*", "f", new string('x', 256 * 1024)));
        using var stuck = await server.ConnectAsync();
        await stuck.SendRawAsync(Enumerable.Range(0, 200).SelectMany(_ => RespClient.Encode("XRANGE", "big", "-", "+")).ToArray());
        await Task.Delay(300);

        var stopping = server.DisposeAsync().AsTask();
        Assert.Same(stopping, await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(10))));
        await stopping;
    }

    [Fact]
    public async Task Connection_PingEchoSelectClient()
    {
        await Expect("+PONG\r\n", "PING");
        await Expect("$2\r\nhi\r\n", "ping", "hi");
        await Expect("-ERR wrong number of arguments for 'ping' command\r\n", "PING", "a", "b");
        await Expect("$3\r\nabc\r\n", "ECHO", "abc");
        await Expect("-ERR wrong number of arguments for 'echo' command\r\n", "ECHO");
        await Expect("+OK\r\n", "SELECT", "0");
        await Expect("-ERR DB index is out of range\r\n", "SELECT", "1");
        await Expect("-ERR value is not an integer or out of range\r\n", "SELECT", "x");
        await Expect("$-1\r\n", "CLIENT", "GETNAME");
        await Expect("+OK\r\n", "CLIENT", "SETNAME", "worker");
        await Expect("$6\r\nworker\r\n", "CLIENT", "GETNAME");
        await Expect("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETNAME", "a b");
        await Expect("+OK\r\n", "CLIENT", "SETINFO", "LIB-NAME", "tests");
        Assert.StartsWith(":", await _c.CallAsync("CLIENT", "ID"));
        Assert.Contains("name=worker", await _c.CallAsync("CLIENT", "INFO"));
        Assert.Contains("lib-name=tests", await _c.CallAsync("CLIENT", "LIST"));
        await Expect("-ERR unknown subcommand 'NOPE'. Try CLIENT HELP.\r\n", "CLIENT", "NOPE");
        await Expect("-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n", "foo", "a", "b");
        await Expect("-ERR unknown command 'foo', with args beginning with: \r\n", "foo");
    }

    [Fact]
    public async Task Hello_SwitchesToResp3AndBack()
    {
        var hello = await _c.CallAsync("HELLO", "3");
        Assert.StartsWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n", hello);
        Assert.Contains("$5\r\nproto\r\n:3\r\n", hello);
        await Expect("_\r\n", "CLIENT", "GETNAME");
        await Expect("-NOPROTO unsupported protocol version\r\n", "HELLO", "4");
        Assert.StartsWith("*14\r\n", await _c.CallAsync("HELLO", "2"));
        await Expect("+RESET\r\n", "RESET");
    }

    [Fact]
    public async Task InlineCommands_AsRedisCliAndTelnetSendThem()
    {
        await _c.SendRawAsync("PING\r\n");
        Assert.Equal("+PONG\r\n", await _c.ReadAsync());
        await _c.SendRawAsync("ECHO \"a b\"\n");
        Assert.Equal("$3\r\na b\r\n", await _c.ReadAsync());
    }

    [Fact]
    public async Task ProtocolError_RepliesAndCloses()
    {
        await _c.SendRawAsync("*1\r\n$4\r\nPING\r\n*2000000\r\n");
        Assert.Equal("+PONG\r\n", await _c.ReadAsync());
        Assert.Equal("-ERR Protocol error: invalid multibulk length\r\n", await _c.ReadAsync());
        Assert.True(await _c.IsClosedAsync());
    }

    [Fact]
    public async Task ProtocolError_ExpectedDollar()
    {
        await _c.SendRawAsync("*1\r\n:1\r\n");
        Assert.Equal("-ERR Protocol error: expected '$', got ':'\r\n", await _c.ReadAsync());
        Assert.True(await _c.IsClosedAsync());
    }

    [Fact]
    public async Task Quit_RepliesOkAndCloses()
    {
        await Expect("+OK\r\n", "QUIT");
        Assert.True(await _c.IsClosedAsync());
    }

    [Fact]
    public async Task Pipeline_RepliesInOrder()
    {
        var batch = new List<byte>();
        for (var i = 0; i < 50; i++)
        {
            batch.AddRange(RespClient.Encode("XADD", "p", "*", "n", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            batch.AddRange(RespClient.Encode("XLEN", "p"));
        }

        await _c.SendRawAsync([.. batch]);
        for (var i = 0; i < 50; i++)
        {
            Assert.StartsWith("$", await _c.ReadAsync());
            Assert.Equal($":{i + 1}\r\n", await _c.ReadAsync());
        }
    }

    [Fact]
    public async Task Pipeline_DeferredRepliesAndErrorsKeepTheirPlaces_UpToAProtocolError()
    {
        // XADD and XACK wait for the journal; the errors between them, the commands that do not wait (XLEN,
        // XREADGROUP) and the protocol error at the end must still answer in the order they were sent.
        await _c.SendRawAsync([
            .. RespClient.Encode("XGROUP", "CREATE", "q", "g", "$", "MKSTREAM"),
            .. RespClient.Encode("XADD", "q", "1-1", "f", "v"),
            .. RespClient.Encode("XADD", "q", "1-1", "f", "v"),
            .. RespClient.Encode("XADD", "q", "*"),
            .. RespClient.Encode("XLEN", "q"),
            .. RespClient.Encode("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "q", ">"),
            .. RespClient.Encode("XACK", "q", "g", "1-1"),
            .. RespClient.Encode("XADD", "q", "2-1", "f", "w"),
            .. RespClient.Encode("XACK", "q", "g", "1-1"),
            .. "*1\r\n:1\r\n"u8.ToArray(),
        ]);
        Assert.Equal("+OK\r\n", await _c.ReadAsync());
        Assert.Equal("$3\r\n1-1\r\n", await _c.ReadAsync());
        Assert.Equal("-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n", await _c.ReadAsync());
        Assert.Equal("-ERR wrong number of arguments for 'xadd' command\r\n", await _c.ReadAsync());
        Assert.Equal(":1\r\n", await _c.ReadAsync());
        Assert.Equal("*1\r\n*2\r\n$1\r\nq\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n", await _c.ReadAsync());
        Assert.Equal(":1\r\n", await _c.ReadAsync());
        Assert.Equal("$3\r\n2-1\r\n", await _c.ReadAsync());
        Assert.Equal(":0\r\n", await _c.ReadAsync());
        Assert.Equal("-ERR Protocol error: expected '$', got ':'\r\n", await _c.ReadAsync());
        Assert.True(await _c.IsClosedAsync());
        using var other = await _server.ConnectAsync();
        Assert.Equal(":2\r\n", await other.CallAsync("XLEN", "q"));
    }

    [Fact]
    public async Task Keyspace_ExistsTypeDelKeysScanDbsizeFlush()
    {
        await Expect(":0\r\n", "DBSIZE");
        await Expect("$3\r\n1-1\r\n", "XADD", "k1", "1-1", "f", "v");
        await Expect("$3\r\n1-1\r\n", "XADD", "k2", "1-1", "f", "v");
        await Expect(":2\r\n", "EXISTS", "k1", "k2", "k3");
        await Expect("+stream\r\n", "TYPE", "k1");
        await Expect("+none\r\n", "TYPE", "k3");
        await Expect("*1\r\n$2\r\nk1\r\n", "KEYS", "*1");
        await Expect("*2\r\n$1\r\n0\r\n*2\r\n$2\r\nk1\r\n$2\r\nk2\r\n", "SCAN", "0", "MATCH", "k*", "COUNT", "100", "TYPE", "stream");
        await Expect("*2\r\n$1\r\n1\r\n*1\r\n$2\r\nk1\r\n", "SCAN", "0", "COUNT", "1");
        await Expect("-ERR invalid cursor\r\n", "SCAN", "x");
        await Expect(":2\r\n", "DBSIZE");
        await Expect(":1\r\n", "DEL", "k1", "k3");
        await Expect("+OK\r\n", "FLUSHALL");
        await Expect(":0\r\n", "DBSIZE");
        Assert.Contains("# Keyspace", await _c.CallAsync("INFO"));
        Assert.Contains("redis_version:", await _c.CallAsync("INFO", "server"));
        Assert.StartsWith(":", await _c.CallAsync("COMMAND", "COUNT"));
        Assert.StartsWith("*1\r\n*10\r\n$4\r\nxadd\r\n:-5\r\n", await _c.CallAsync("COMMAND", "INFO", "xadd"));
    }

    [Fact]
    public async Task InfoPersistence_CountsTheJournalsAppendsBatchesAndSyncs()
    {
        static Dictionary<string, long> Journal(string info) => info.Split("\r\n")
            .Where(l => l.StartsWith("ferry_journal_", StringComparison.Ordinal))
            .Select(l => l.Split(':'))
            .ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));

        var before = Journal(await _c.CallAsync("INFO", "persistence"));
        Assert.Equal(["ferry_journal_appends", "ferry_journal_batches", "ferry_journal_live_bytes", "ferry_journal_position", "ferry_journal_segments", "ferry_journal_syncs"], before.Keys.Order());
        for (var i = 1; i <= 3; i++)
        {
            await Expect($"$3\r\n1-{i}\r\n", "XADD", "counted", $"1-{i}", "f", "v");
        }

        var after = Journal(await _c.CallAsync("INFO", "persistence"));
        Assert.InRange(after["ferry_journal_appends"] - before["ferry_journal_appends"], 3, 4); // the stream's creation may be one more
        Assert.InRange(after["ferry_journal_batches"] - before["ferry_journal_batches"], 1, 4);
        Assert.InRange(after["ferry_journal_syncs"] - before["ferry_journal_syncs"], 1, 4);
        Assert.True(after["ferry_journal_position"] > before["ferry_journal_position"]);
        Assert.True(after["ferry_journal_live_bytes"] > before["ferry_journal_live_bytes"]);
        Assert.True(after["ferry_journal_segments"] >= 1);
    }

    [Fact]
    public async Task Flush_CanBeDisabled()
    {
        await using var server = await RespTestServer.StartAsync(new RespOptions { AllowFlush = false });
        using var c = await server.ConnectAsync();
        Assert.StartsWith("-ERR FLUSHALL is disabled", await c.CallAsync("FLUSHALL"));
    }

    [Fact]
    public async Task Auth_RequiredBeforeOtherCommands()
    {
        await using var server = await RespTestServer.StartAsync(new RespOptions { Password = "secret" });
        using var c = await server.ConnectAsync();
        Assert.Equal("-NOAUTH Authentication required.\r\n", await c.CallAsync("PING"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", await c.CallAsync("AUTH", "nope"));
        Assert.StartsWith("-NOAUTH HELLO must be called with the client already authenticated", await c.CallAsync("HELLO", "3"));
        Assert.StartsWith("%7\r\n", await c.CallAsync("HELLO", "3", "AUTH", "default", "secret"));
        Assert.Equal("+PONG\r\n", await c.CallAsync("PING"));
        using var d = await server.ConnectAsync();
        Assert.Equal("+OK\r\n", await d.CallAsync("AUTH", "secret"));
        Assert.Equal("+PONG\r\n", await d.CallAsync("PING"));
    }

    [Fact]
    public async Task Auth_WithoutPasswordConfigured_IsAnError() =>
        await Expect("-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n", "AUTH", "x");

    [Fact]
    public async Task PubSub_ChannelsPatternsAndSubscriberMode()
    {
        using var sub = await _server.ConnectAsync();
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", await sub.CallAsync("SUBSCRIBE", "news"));
        await sub.SendRawAsync(RespClient.Encode("PSUBSCRIBE", "n[aeiou]ws.*"));
        Assert.Equal("*3\r\n$10\r\npsubscribe\r\n$12\r\nn[aeiou]ws.*\r\n:2\r\n", await sub.ReadAsync());
        Assert.Equal("-ERR Can't execute 'xlen': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
            await sub.CallAsync("XLEN", "x"));
        Assert.Equal("*2\r\n$4\r\npong\r\n$0\r\n\r\n", await sub.CallAsync("PING"));

        await Expect(":1\r\n", "PUBLISH", "news", "hello");
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n", await sub.ReadAsync());
        await Expect(":1\r\n", "PUBLISH", "news.tech", "x");
        Assert.Equal("*4\r\n$8\r\npmessage\r\n$12\r\nn[aeiou]ws.*\r\n$9\r\nnews.tech\r\n$1\r\nx\r\n", await sub.ReadAsync());
        await Expect(":0\r\n", "PUBLISH", "other", "x");

        await Expect("*1\r\n$4\r\nnews\r\n", "PUBSUB", "CHANNELS");
        await Expect("*4\r\n$4\r\nnews\r\n:1\r\n$5\r\nother\r\n:0\r\n", "PUBSUB", "NUMSUB", "news", "other");
        await Expect(":1\r\n", "PUBSUB", "NUMPAT");
        await Expect("-ERR unknown subcommand 'x'. Try PUBSUB HELP.\r\n", "PUBSUB", "x");

        Assert.Equal("*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:1\r\n", await sub.CallAsync("UNSUBSCRIBE"));
        Assert.Equal("*3\r\n$12\r\npunsubscribe\r\n$12\r\nn[aeiou]ws.*\r\n:0\r\n", await sub.CallAsync("PUNSUBSCRIBE"));
        Assert.Equal(":0\r\n", await sub.CallAsync("XLEN", "x"));
    }

    [Fact]
    public async Task PubSub_ShardChannels()
    {
        using var sub = await _server.ConnectAsync();
        Assert.Equal("*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n", await sub.CallAsync("SSUBSCRIBE", "s"));
        await Expect(":1\r\n", "SPUBLISH", "s", "m");
        Assert.Equal("*3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$1\r\nm\r\n", await sub.ReadAsync());
        await Expect("*1\r\n$1\r\ns\r\n", "PUBSUB", "SHARDCHANNELS");
        await Expect("*2\r\n$1\r\ns\r\n:1\r\n", "PUBSUB", "SHARDNUMSUB", "s");
    }

    [Fact]
    public async Task PubSub_Resp3PushFrames()
    {
        using var sub = await _server.ConnectAsync();
        await sub.CallAsync("HELLO", "3");
        Assert.Equal(">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n", await sub.CallAsync("SUBSCRIBE", "c"));
        Assert.Equal("+PONG\r\n", await sub.CallAsync("PING"));
        await Expect(":1\r\n", "PUBLISH", "c", "m");
        Assert.Equal(">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n", await sub.ReadAsync());
    }

    [Fact]
    public async Task PubSub_SlowSubscriberIsDisconnectedAtTheLimit()
    {
        await using var server = await RespTestServer.StartAsync(new RespOptions { PubSubBufferLimit = 1 << 20 });
        using var sub = await server.ConnectAsync();
        using var pub = await server.ConnectAsync();
        await sub.CallAsync("SUBSCRIBE", "c");
        var big = new string('x', 60000);
        var closed = false;
        for (var i = 0; i < 2000 && !closed; i++)
        {
            var reply = await pub.CallAsync("PUBLISH", "c", big);
            closed = reply == ":0\r\n";
        }

        Assert.True(closed, "the subscriber that never reads was never disconnected");
    }

    [Fact]
    public async Task XAdd_IdsAndErrors()
    {
        await Expect("-ERR The ID specified in XADD must be greater than 0-0\r\n", "XADD", "s", "0-0", "a", "b");
        await Expect("$3\r\n1-1\r\n", "XADD", "s", "1-1", "a", "b");
        await Expect("-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n", "XADD", "s", "1-1", "a", "b");
        await Expect("$3\r\n1-2\r\n", "XADD", "s", "1-*", "a", "b");
        await Expect("$3\r\n5-0\r\n", "XADD", "s", "5", "a", "b");
        await Expect("-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n", "XADD", "s", "4-*", "a", "b");
        await Expect("-ERR Invalid stream ID specified as stream command argument\r\n", "XADD", "s", "x-1", "a", "b");
        await Expect("-ERR wrong number of arguments for 'xadd' command\r\n", "XADD", "s", "*", "a");
        await Expect("-ERR wrong number of arguments for 'xadd' command\r\n", "XADD", "s", "*", "a", "b", "c");
        await Expect("-ERR The MAXLEN argument must be >= 0.\r\n", "XADD", "s", "MAXLEN", "-1", "*", "a", "b");
        await Expect("-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n", "XADD", "s", "LIMIT", "5", "*", "a", "b");
        await Expect("-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n", "XADD", "s", "MAXLEN", "5", "LIMIT", "5", "*", "a", "b");
        await Expect("$-1\r\n", "XADD", "missing", "NOMKSTREAM", "*", "a", "b");
        await Expect(":0\r\n", "EXISTS", "missing");
        await Expect("$3\r\n6-0\r\n", "XADD", "s", "MAXLEN", "=", "2", "6-0", "a", "b");
        await Expect(":2\r\n", "XLEN", "s");
        await Expect("$3\r\n7-0\r\n", "XADD", "s", "MINID", "6", "7-0", "a", "b");
        await Expect(":2\r\n", "XLEN", "s");
        await Expect("*2\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$3\r\n7-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", "XRANGE", "s", "-", "+");
    }

    [Fact]
    public async Task XRange_BoundsCountAndReverse()
    {
        for (var i = 1; i <= 5; i++)
        {
            await _c.CallAsync("XADD", "r", $"{i}-0", "n", $"{i}");
        }

        Assert.StartsWith("*2\r\n*2\r\n$3\r\n3-0\r\n", await _c.CallAsync("XRANGE", "r", "(2", "4"));
        Assert.StartsWith("*3\r\n*2\r\n$3\r\n2-0\r\n", await _c.CallAsync("XRANGE", "r", "2", "+", "COUNT", "3"));
        Assert.StartsWith("*2\r\n*2\r\n$3\r\n5-0\r\n", await _c.CallAsync("XREVRANGE", "r", "+", "-", "COUNT", "2"));
        await Expect("*-1\r\n", "XRANGE", "r", "-", "+", "COUNT", "0");
        await Expect("*0\r\n", "XRANGE", "r", "5", "1");
        await Expect("-ERR Invalid stream ID specified as stream command argument\r\n", "XRANGE", "r", "(-", "+");
        await Expect("-ERR invalid end ID for the interval\r\n", "XRANGE", "r", "-", "(0-0");
        await Expect("-ERR syntax error\r\n", "XRANGE", "r", "-", "+", "LIMIT", "1");
        await Expect(":2\r\n", "XDEL", "r", "1-0", "9-0", "2-0");
        await Expect(":3\r\n", "XLEN", "r");
        await Expect(":1\r\n", "XTRIM", "r", "MAXLEN", "2");
        await Expect(":1\r\n", "XTRIM", "r", "MINID", "5");
        await Expect("-ERR syntax error\r\n", "XTRIM", "r", "FOO", "1");
        await Expect("-ERR The ID specified in XSETID is smaller than the target stream top item\r\n", "XSETID", "r", "1-0");
        await Expect("+OK\r\n", "XSETID", "r", "10-0");
        await Expect("-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n", "XADD", "r", "9-0", "a", "b");
    }

    [Fact]
    public async Task XRead_ReturnsNewEntriesAndBlocksUntilXAdd()
    {
        await Expect("*-1\r\n", "XREAD", "STREAMS", "b", "0");
        await _c.CallAsync("XADD", "b", "1-0", "a", "1");
        await Expect("*1\r\n*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", "XREAD", "COUNT", "1", "STREAMS", "b", "0");
        await Expect("*1\r\n*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", "XREAD", "STREAMS", "b", "+");
        await Expect("-ERR Unbalanced 'xread' list of streams: for each stream key an ID, '+', or '$' must be specified.\r\n", "XREAD", "STREAMS", "b", "c", "0");
        await Expect("-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.\r\n", "XREAD", "STREAMS", "b", ">");
        await Expect("-ERR timeout is negative\r\n", "XREAD", "BLOCK", "-1", "STREAMS", "b", "$");

        using var reader = await _server.ConnectAsync();
        await reader.SendRawAsync(RespClient.Encode("XREAD", "BLOCK", "5000", "STREAMS", "b", "newkey", "$", "$"));
        await Task.Delay(200);
        await _c.CallAsync("XADD", "newkey", "7-0", "x", "y");
        Assert.Equal("*1\r\n*2\r\n$6\r\nnewkey\r\n*1\r\n*2\r\n$3\r\n7-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n", await reader.ReadAsync());
        Assert.Equal("*-1\r\n", await reader.CallAsync("XREAD", "BLOCK", "100", "STREAMS", "b", "$"));
    }

    [Fact]
    public async Task Groups_ReadAckPendingClaim()
    {
        await Expect("-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n",
            "XGROUP", "CREATE", "g", "grp", "0");
        await Expect("+OK\r\n", "XGROUP", "CREATE", "g", "grp", "$", "MKSTREAM");
        await Expect("-BUSYGROUP Consumer Group name already exists\r\n", "XGROUP", "CREATE", "g", "grp", "0");
        await Expect("-ERR unknown subcommand 'foo'. Try XGROUP HELP.\r\n", "XGROUP", "foo");
        await Expect("-NOGROUP No such key 'g' or consumer group 'x' in XREADGROUP with GROUP option\r\n", "XREADGROUP", "GROUP", "x", "c", "STREAMS", "g", ">");
        await Expect("-NOGROUP No such key 'g' or consumer group 'x'\r\n", "XPENDING", "g", "x");
        for (var i = 1; i <= 4; i++)
        {
            await _c.CallAsync("XADD", "g", $"{i}-0", "n", $"{i}");
        }

        Assert.StartsWith("*1\r\n*2\r\n$1\r\ng\r\n*2\r\n*2\r\n$3\r\n1-0\r\n", await _c.CallAsync("XREADGROUP", "GROUP", "grp", "alice", "COUNT", "2", "STREAMS", "g", ">"));
        Assert.StartsWith("*1\r\n*2\r\n$1\r\ng\r\n*2\r\n*2\r\n$3\r\n3-0\r\n", await _c.CallAsync("XREADGROUP", "GROUP", "grp", "bob", "STREAMS", "g", ">"));
        await Expect("*1\r\n*2\r\n$1\r\ng\r\n*0\r\n", "XREADGROUP", "GROUP", "grp", "carol", "STREAMS", "g", "0");
        Assert.StartsWith("*1\r\n*2\r\n$1\r\ng\r\n*2\r\n*2\r\n$3\r\n1-0\r\n", await _c.CallAsync("XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "g", "0"));
        await Expect("*4\r\n:4\r\n$3\r\n1-0\r\n$3\r\n4-0\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n2\r\n*2\r\n$3\r\nbob\r\n$1\r\n2\r\n", "XPENDING", "g", "grp");
        Assert.StartsWith("*2\r\n*4\r\n$3\r\n3-0\r\n$3\r\nbob\r\n:", await _c.CallAsync("XPENDING", "g", "grp", "-", "+", "10", "bob"));
        await Expect(":2\r\n", "XACK", "g", "grp", "1-0", "2-0", "9-0");
        await Expect(":0\r\n", "XACK", "g", "grp", "1-0");
        await Expect("-ERR Invalid stream ID specified as stream command argument\r\n", "XACK", "g", "grp", "x");
        await Expect("*1\r\n$3\r\n3-0\r\n", "XCLAIM", "g", "grp", "alice", "0", "3-0", "JUSTID");
        Assert.StartsWith("*1\r\n*4\r\n$3\r\n3-0\r\n$5\r\nalice\r\n:", await _c.CallAsync("XPENDING", "g", "grp", "IDLE", "0", "3-0", "3-0", "1"));
        await Expect(":1\r\n", "XDEL", "g", "4-0");
        await Expect("*3\r\n$3\r\n0-0\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nn\r\n$1\r\n3\r\n*1\r\n$3\r\n4-0\r\n", "XAUTOCLAIM", "g", "grp", "carol", "0", "0");
        await Expect("-ERR COUNT must be > 0\r\n", "XAUTOCLAIM", "g", "grp", "carol", "0", "0", "COUNT", "0");
        await Expect(":1\r\n", "XGROUP", "CREATECONSUMER", "g", "grp", "dave");
        await Expect(":0\r\n", "XGROUP", "CREATECONSUMER", "g", "grp", "dave");
        await Expect(":1\r\n", "XGROUP", "DELCONSUMER", "g", "grp", "carol");
        await Expect("-NOGROUP No such consumer group 'nope' for key name 'g'\r\n", "XGROUP", "DELCONSUMER", "g", "nope", "c");
        Assert.Contains("$5\r\nalice\r\n", await _c.CallAsync("XINFO", "CONSUMERS", "g", "grp"));
        Assert.Contains("$17\r\nlast-delivered-id\r\n$3\r\n4-0\r\n", await _c.CallAsync("XINFO", "GROUPS", "g"));
        Assert.Contains("$6\r\nlength\r\n:3\r\n", await _c.CallAsync("XINFO", "STREAM", "g"));
        Assert.Contains("$9\r\npel-count\r\n", await _c.CallAsync("XINFO", "STREAM", "g", "FULL"));
        await Expect("-ERR no such key\r\n", "XINFO", "STREAM", "nokey");
        await Expect("+OK\r\n", "XGROUP", "SETID", "g", "grp", "0");
        await Expect(":1\r\n", "XGROUP", "DESTROY", "g", "grp");
        await Expect(":0\r\n", "XGROUP", "DESTROY", "g", "grp");
    }

    [Fact]
    public async Task XReadGroup_BlockWakesOnXAdd()
    {
        await _c.CallAsync("XGROUP", "CREATE", "w", "grp", "$", "MKSTREAM");
        using var reader = await _server.ConnectAsync();
        await reader.SendRawAsync(RespClient.Encode("XREADGROUP", "GROUP", "grp", "c", "BLOCK", "5000", "NOACK", "STREAMS", "w", ">"));
        await Task.Delay(200);
        await _c.CallAsync("XADD", "w", "1-0", "k", "v");
        Assert.Equal("*1\r\n*2\r\n$1\r\nw\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n", await reader.ReadAsync());
        await Expect("*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n", "XPENDING", "w", "grp");
    }

    [Fact]
    public async Task Streams_MissingKeysAndGroupsAreReportedBeforeBadIds_AsRedisOrdersItsChecks()
    {
        await Expect(":0\r\n", "XACK", "nokey", "grp", "not-an-id");
        await Expect(":0\r\n", "XDEL", "nokey", "not-an-id");
        await Expect("-NOGROUP No such key 'nokey' or consumer group 'grp'\r\n", "XCLAIM", "nokey", "grp", "alice", "0", "+", "1-0");
        await Expect("-NOGROUP No such key 'nokey' or consumer group 'grp' in XREADGROUP with GROUP option\r\n", "XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "nokey", "-");
        await Expect("-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n", "XGROUP", "CREATE", "nokey", "grp", "-");
        await Expect("-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.\r\n", "XGROUP", "CREATE", "nokey", "grp", "0", "BOGUS");
        await _c.CallAsync("XADD", "k", "1-0", "f", "v");
        await Expect("-NOGROUP No such consumer group 'grp' for key name 'k'\r\n", "XGROUP", "SETID", "k", "grp", "bad");
        await _c.CallAsync("XGROUP", "CREATE", "k", "grp", "0");
        await Expect("-ERR Invalid stream ID specified as stream command argument\r\n", "XACK", "k", "grp", "not-an-id");
        await Expect("-ERR Invalid stream ID specified as stream command argument\r\n", "XDEL", "k", "not-an-id");
        await Expect("-ERR Unrecognized XCLAIM option '+'\r\n", "XCLAIM", "k", "grp", "alice", "0", "+");
    }

    [Fact]
    public async Task Streams_RangeCountZero_SetIdBounds_GroupOrder_AndXsetidBelowTheLastId()
    {
        await Expect("*0\r\n", "XRANGE", "nokey", "-", "+", "COUNT", "0");
        await _c.CallAsync("XADD", "s", "4-1", "f", "v");
        await Expect("*-1\r\n", "XRANGE", "s", "-", "+", "COUNT", "0");
        await Expect("*-1\r\n", "XREVRANGE", "s", "+", "-", "COUNT", "-3");

        // XGROUP SETID takes - and + as the smallest and largest ids; CREATE does not.
        await _c.CallAsync("XGROUP", "CREATE", "s", "zeta", "0");
        await _c.CallAsync("XGROUP", "CREATE", "s", "alpha", "0");
        await Expect("+OK\r\n", "XGROUP", "SETID", "s", "zeta", "+");
        await Expect("-ERR Invalid stream ID specified as stream command argument\r\n", "XGROUP", "CREATE", "s", "beta", "-");
        var groups = await _c.CallAsync("XINFO", "GROUPS", "s");
        Assert.True(groups.IndexOf("alpha", StringComparison.Ordinal) < groups.IndexOf("zeta", StringComparison.Ordinal), groups);
        Assert.Contains("$17\r\nlast-delivered-id\r\n$41\r\n18446744073709551615-18446744073709551615\r\n", groups);

        // The last id may go back down to the last entry still in the stream.
        await Expect("+OK\r\n", "XSETID", "s", "7-1");
        await Expect("+OK\r\n", "XSETID", "s", "5-0");
        await Expect("-ERR The ID specified in XSETID is smaller than the target stream top item\r\n", "XSETID", "s", "4-0");
    }

    [Fact]
    public async Task XAutoClaim_CountsDeletedEntriesAgainstCount_AsRedisDoes()
    {
        await _c.CallAsync("XGROUP", "CREATE", "a", "grp", "0", "MKSTREAM");
        for (var i = 1; i <= 4; i++)
        {
            await _c.CallAsync("XADD", "a", $"{i}-0", "n", $"{i}");
        }

        await _c.CallAsync("XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "a", ">");
        await _c.CallAsync("XDEL", "a", "1-0", "2-0");

        await Expect("*3\r\n$3\r\n3-0\r\n*0\r\n*2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n", "XAUTOCLAIM", "a", "grp", "bob", "0", "0", "COUNT", "2");
        await Expect("*3\r\n$3\r\n0-0\r\n*2\r\n$3\r\n3-0\r\n$3\r\n4-0\r\n*0\r\n", "XAUTOCLAIM", "a", "grp", "bob", "0", "3-0", "COUNT", "2", "JUSTID");
    }

    [Fact]
    public async Task XTrim_LeavesTheMaxDeletedIdAlone_XDelMovesIt()
    {
        for (var i = 1; i <= 4; i++)
        {
            await _c.CallAsync("XADD", "t", $"{i}-0", "f", "v");
        }

        await Expect(":2\r\n", "XTRIM", "t", "MAXLEN", "2");
        Assert.Contains("$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n", await _c.CallAsync("XINFO", "STREAM", "t"));
        await Expect(":1\r\n", "XDEL", "t", "3-0");
        Assert.Contains("$20\r\nmax-deleted-entry-id\r\n$3\r\n3-0\r\n", await _c.CallAsync("XINFO", "STREAM", "t"));
        await _c.CallAsync("XADD", "t", "MINID", "5", "5-0", "f", "v");
        Assert.Contains("$20\r\nmax-deleted-entry-id\r\n$3\r\n3-0\r\n", await _c.CallAsync("XINFO", "STREAM", "t"));
        await Expect(":1\r\n", "XLEN", "t");
    }

    [Fact]
    public async Task XClaimForce_StartsAtOneDelivery_AndXSetIdMaxDeletedIdZeroKeepsTheOldOne()
    {
        await _c.CallAsync("XADD", "f", "1-0", "k", "v");
        await _c.CallAsync("XGROUP", "CREATE", "f", "grp", "$");
        await Expect("*1\r\n$3\r\n1-0\r\n", "XCLAIM", "f", "grp", "alice", "0", "1-0", "JUSTID", "FORCE");
        Assert.EndsWith(":1\r\n", await _c.CallAsync("XPENDING", "f", "grp", "-", "+", "1"));

        await Expect("+OK\r\n", "XSETID", "f", "5-0", "MAXDELETEDID", "3-0");
        await Expect("+OK\r\n", "XSETID", "f", "6-0", "ENTRIESADDED", "1", "MAXDELETEDID", "0-0");
        Assert.Contains("$20\r\nmax-deleted-entry-id\r\n$3\r\n3-0\r\n", await _c.CallAsync("XINFO", "STREAM", "f"));
    }

    [Fact]
    public async Task TrimAndXGroupArguments_AreReadAsRedisReadsThem()
    {
        await _c.CallAsync("XADD", "m", "1-0", "f", "v");
        await Expect("-ERR value is not an integer or out of range\r\n", "XTRIM", "m", "MAXLEN", "=");
        await Expect("-ERR Invalid stream ID specified as stream command argument\r\n", "XTRIM", "m", "MINID", "~");
        await Expect("-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n", "XTRIM", "m", "MAXLEN", "1", "MINID", "0");
        await _c.CallAsync("XGROUP", "CREATE", "m", "grp", "0");
        await Expect("-ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP.\r\n", "XGROUP", "SETID", "m", "grp", "0", "ENTRIESREAD", "4", "COUNT");
        await Expect("-ERR unknown subcommand or wrong number of arguments for 'setid'. Try XGROUP HELP.\r\n", "XGROUP", "setid", "m", "grp", "0", "ENTRIESREAD");
        await Expect("-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.\r\n", "XGROUP", "CREATE", "m", "g2", "0", "MKSTREAM", "MKSTREAM", "ENTRIESREAD", "1");
        await Expect("-ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified.\r\n", "XREADGROUP", "GROUP", "grp", "c", "STREAMS", "m", "n", ">");
    }

    [Fact]
    public async Task XPendingAndXInfoStream_ReadTheirArgumentsAsRedisDoes()
    {
        await Expect("-ERR no such key\r\n", "XINFO", "STREAM", "nokey", "COUNT");
        await _c.CallAsync("XADD", "p", "1-0", "f", "v");
        await Expect("-ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.\r\n", "XINFO", "STREAM", "p", "BOGUS");
        await Expect("-NOGROUP No such key 'p' or consumer group 'grp'\r\n", "XPENDING", "p", "grp", "-", "+", "10", "alice", "EXTRA");
        await Expect("-ERR syntax error\r\n", "XPENDING", "p", "grp", "-", "+");
        await Expect("-ERR value is not an integer or out of range\r\n", "XPENDING", "p", "grp", "bad", "+", "many");
        await _c.CallAsync("XGROUP", "CREATE", "p", "grp", "0");
        await _c.CallAsync("XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "p", ">");
        Assert.StartsWith("*1\r\n*4\r\n$3\r\n1-0\r\n$5\r\nalice\r\n", await _c.CallAsync("XPENDING", "p", "grp", "-", "+", "10", "alice", "EXTRA"));
    }

    [Fact]
    public async Task PubSubChannels_WithExtraWords_IsASubcommandSyntaxError()
    {
        await Expect("-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n", "PUBSUB", "CHANNELS", "a", "b");
        await Expect("-ERR unknown subcommand or wrong number of arguments for 'shardchannels'. Try PUBSUB HELP.\r\n", "PUBSUB", "shardchannels", "a", "b");
        await Expect("-ERR wrong number of arguments for 'pubsub|numpat' command\r\n", "PUBSUB", "NUMPAT", "x");
    }

    [Fact]
    public async Task PubSubNumSub_InResp3_IsAFlatArray()
    {
        await _c.CallAsync("HELLO", "3");
        await Expect("*4\r\n$4\r\nnews\r\n:0\r\n$1\r\ns\r\n:0\r\n", "PUBSUB", "NUMSUB", "news", "s");
        await Expect("*2\r\n$1\r\ns\r\n:0\r\n", "PUBSUB", "SHARDNUMSUB", "s");
        await Expect("*0\r\n", "PUBSUB", "NUMSUB");
    }

    [Fact]
    public async Task AnEntryDeliveredAsNewAgain_StartsItsDeliveryCountAgain()
    {
        await _c.CallAsync("XADD", "r", "1-0", "f", "v");
        await _c.CallAsync("XGROUP", "CREATE", "r", "grp", "0");
        await _c.CallAsync("XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "r", ">");
        await _c.CallAsync("XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "r", "0");
        Assert.EndsWith(":2\r\n", await _c.CallAsync("XPENDING", "r", "grp", "-", "+", "1"));

        await _c.CallAsync("XGROUP", "SETID", "r", "grp", "0");
        await _c.CallAsync("XREADGROUP", "GROUP", "grp", "bob", "STREAMS", "r", ">");
        var pending = await _c.CallAsync("XPENDING", "r", "grp", "-", "+", "1");
        Assert.Contains("$3\r\nbob\r\n", pending);
        Assert.EndsWith(":1\r\n", pending);
    }
}

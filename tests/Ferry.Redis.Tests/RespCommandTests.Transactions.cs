namespace Ferry.Redis.Tests;

// MULTI / EXEC / DISCARD / WATCH / UNWATCH, and WAIT / WAITAOF / TIME, over a real socket, replies as redis-server 7
// sends them.
public sealed partial class RespCommandTests
{
    [Fact]
    public async Task Exec_RunsTheQueuedCommandsInOrder_AndAnswersTheirRepliesInOneArray()
    {
        await Expect("+OK\r\n", "MULTI");
        await Expect("+QUEUED\r\n", "XADD", "s", "1-1", "a", "1");
        await Expect("+QUEUED\r\n", "XADD", "s", "2-1", "b", "2");
        await Expect("+QUEUED\r\n", "XLEN", "s");
        await Expect("+QUEUED\r\n", "XADD", "s", "0-0", "c", "3");
        await Expect("+QUEUED\r\n", "XRANGE", "s", "-", "+", "COUNT", "1");
        await Expect("+QUEUED\r\n", "PING");
        await Expect(
            "*6\r\n$3\r\n1-1\r\n$3\r\n2-1\r\n:2\r\n-ERR The ID specified in XADD must be greater than 0-0\r\n"
            + "*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n+PONG\r\n",
            "EXEC");
        await Expect(":2\r\n", "XLEN", "s");
        await Expect("-ERR EXEC without MULTI\r\n", "EXEC");

        await Expect("+OK\r\n", "MULTI");
        await Expect("*0\r\n", "EXEC");
    }

    [Fact]
    public async Task ExecOfWritesOnly_SendsAllRepliesOnceDurable_InOnePipeline()
    {
        // Writes are appended one after the other (no wait between them): the whole pipeline is answered in order.
        var pipeline = string.Concat(
            System.Text.Encoding.UTF8.GetString(RespClient.Encode("MULTI")),
            System.Text.Encoding.UTF8.GetString(RespClient.Encode("XADD", "a", "5-1", "f", "v")),
            System.Text.Encoding.UTF8.GetString(RespClient.Encode("XADD", "b", "5-1", "f", "v")),
            System.Text.Encoding.UTF8.GetString(RespClient.Encode("XDEL", "a", "5-1")),
            System.Text.Encoding.UTF8.GetString(RespClient.Encode("EXEC")),
            System.Text.Encoding.UTF8.GetString(RespClient.Encode("XLEN", "b")));
        await _c.SendRawAsync(pipeline);
        Assert.Equal("+OK\r\n", await _c.ReadAsync());
        Assert.Equal("+QUEUED\r\n", await _c.ReadAsync());
        Assert.Equal("+QUEUED\r\n", await _c.ReadAsync());
        Assert.Equal("+QUEUED\r\n", await _c.ReadAsync());
        Assert.Equal("*3\r\n$3\r\n5-1\r\n$3\r\n5-1\r\n:1\r\n", await _c.ReadAsync());
        Assert.Equal(":1\r\n", await _c.ReadAsync());
    }

    [Fact]
    public async Task Refusals_InsideMulti_DiscardTheTransactionAtExec()
    {
        await Expect("+OK\r\n", "MULTI");
        await Expect("-ERR MULTI calls can not be nested\r\n", "MULTI");
        await Expect("-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "s");
        await Expect("+QUEUED\r\n", "PING");
        await Expect("*1\r\n+PONG\r\n", "EXEC");

        foreach (var refused in new[]
        {
            (new[] { "NOSUCH", "x" }, "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n"),
            (new[] { "XLEN", "s", "extra" }, "-ERR wrong number of arguments for 'xlen' command\r\n"),
            (new[] { "XGROUP", "DELCONSUMER", "s", "g" }, "-ERR wrong number of arguments for 'xgroup|delconsumer' command\r\n"),
            (new[] { "XINFO", "NOPE", "s" }, "-ERR unknown subcommand 'NOPE'. Try XINFO HELP.\r\n"),
            (new[] { "PUBSUB", "NUMPAT", "x" }, "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n"),
        })
        {
            await Expect("+OK\r\n", "MULTI");
            await Expect("+QUEUED\r\n", "XADD", "s", "*", "f", "v");
            await Expect(refused.Item2, refused.Item1);
            await Expect("+QUEUED\r\n", "PING");
            await Expect("-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC");
            await Expect(":0\r\n", "XLEN", "s");
        }

        await Expect("+OK\r\n", "MULTI");
        await Expect("+QUEUED\r\n", "XADD", "s", "*", "f", "v");
        await Expect("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n", "EXEC", "now");
        await Expect("-ERR EXEC without MULTI\r\n", "EXEC");
        await Expect(":0\r\n", "XLEN", "s");

        await Expect("-ERR DISCARD without MULTI\r\n", "DISCARD");
        await Expect("+OK\r\n", "MULTI");
        await Expect("+QUEUED\r\n", "XADD", "s", "*", "f", "v");
        await Expect("+OK\r\n", "DISCARD");
        await Expect(":0\r\n", "XLEN", "s");

        await Expect("+OK\r\n", "MULTI");
        await Expect("+RESET\r\n", "RESET");
        await Expect("-ERR EXEC without MULTI\r\n", "EXEC");
    }

    [Fact]
    public async Task Watch_FailsExec_OnlyWhenAWatchedKeyChanged()
    {
        using var other = await _server.ConnectAsync();
        Assert.Equal("$3\r\n1-1\r\n", await other.CallAsync("XADD", "s", "1-1", "f", "v"));

        async Task<string> Transaction(string[] change)
        {
            await Expect("+OK\r\n", "WATCH", "s", "t");
            await other.CallAsync(change);
            await Expect("+OK\r\n", "MULTI");
            await Expect("+QUEUED\r\n", "PING");
            return await _c.CallAsync("EXEC");
        }

        const string Ran = "*1\r\n+PONG\r\n";
        const string Aborted = "*-1\r\n";
        Assert.Equal(Aborted, await Transaction(["XADD", "s", "2-1", "f", "v"]));
        Assert.Equal(Aborted, await Transaction(["XADD", "t", "*", "f", "v"]));
        Assert.Equal(Ran, await Transaction(["XADD", "s", "0-1", "f", "v"]));
        Assert.Equal(Ran, await Transaction(["XADD", "u", "*", "f", "v"]));
        Assert.Equal(Ran, await Transaction(["XGROUP", "CREATE", "s", "g", "0"]));
        Assert.Equal(Ran, await Transaction(["XGROUP", "CREATE", "s", "g2", "0", "MKSTREAM"]));
        Assert.Equal(Aborted, await Transaction(["DEL", "t"]));
        Assert.Equal(Aborted, await Transaction(["XGROUP", "CREATE", "t", "g", "0", "MKSTREAM"])); // creates t
        Assert.Equal(Ran, await Transaction(["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]));
        Assert.Equal(Ran, await Transaction(["XACK", "s", "g", "1-1"]));
        Assert.Equal(Ran, await Transaction(["XDEL", "s", "9-9"]));
        Assert.Equal(Aborted, await Transaction(["XDEL", "s", "1-1"]));
        Assert.Equal(Ran, await Transaction(["XTRIM", "s", "MAXLEN", "5"]));
        Assert.Equal(Aborted, await Transaction(["XTRIM", "s", "MAXLEN", "0"]));
        Assert.Equal(Ran, await Transaction(["DEL", "nokey"]));
        Assert.Equal(Aborted, await Transaction(["DEL", "t"]));
        await other.CallAsync("XADD", "s", "*", "f", "v");
        Assert.Equal(Aborted, await Transaction(["FLUSHALL"]));

        // The watcher's own write counts too; UNWATCH, EXEC and DISCARD forget the keys.
        await Expect("+OK\r\n", "WATCH", "s");
        await Expect("$3\r\n7-1\r\n", "XADD", "s", "7-1", "f", "v");
        await Expect("+OK\r\n", "UNWATCH");
        await Expect("+OK\r\n", "MULTI");
        await Expect("*0\r\n", "EXEC");
        await Expect("+OK\r\n", "WATCH", "s");
        await Expect("+OK\r\n", "MULTI");
        await Expect("+OK\r\n", "DISCARD");
        await other.CallAsync("XADD", "s", "*", "f", "v");
        await Expect("+OK\r\n", "MULTI");
        await Expect("*0\r\n", "EXEC");
    }

    [Fact]
    public async Task Watch_InResp3_AnAbortedExecIsNull()
    {
        await _c.CallAsync("HELLO", "3");
        using var other = await _server.ConnectAsync();
        await Expect("+OK\r\n", "WATCH", "s");
        await other.CallAsync("XADD", "s", "*", "f", "v");
        await Expect("+OK\r\n", "MULTI");
        await Expect("_\r\n", "EXEC");
    }

    [Fact]
    public async Task BlockingReadsInsideExec_AnswerAtOnce()
    {
        await Expect("+OK\r\n", "MULTI");
        await Expect("+QUEUED\r\n", "XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        await Expect("+QUEUED\r\n", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        await Expect("+QUEUED\r\n", "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("*3\r\n*-1\r\n+OK\r\n*-1\r\n", await _c.CallAsync("EXEC"));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ClientList_ShowsATransaction()
    {
        await Expect("+OK\r\n", "MULTI");
        await Expect("+QUEUED\r\n", "PING");
        await Expect("+QUEUED\r\n", "PING");
        using var other = await _server.ConnectAsync();
        var list = await other.CallAsync("CLIENT", "LIST");
        Assert.Contains("flags=x db=0 sub=0 psub=0 ssub=0 multi=2 ", list, StringComparison.Ordinal);
        Assert.Contains("flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 ", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimeWaitAndWaitaof_AnswerAsARedisWithoutReplicas()
    {
        var time = await _c.CallAsync("TIME");
        var parts = time.Split("\r\n");
        Assert.Equal("*2", parts[0]);
        var seconds = long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(seconds, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
        Assert.InRange(long.Parse(parts[4], System.Globalization.CultureInfo.InvariantCulture), 0, 999_999);

        await Expect(":0\r\n", "WAIT", "0", "0");
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Expect(":0\r\n", "WAIT", "1", "200");
        Assert.True(started.ElapsedMilliseconds >= 150, "WAIT for a replica waits out its timeout");
        await Expect("-ERR value is not an integer or out of range\r\n", "WAIT", "x", "0");
        await Expect("-ERR timeout is negative\r\n", "WAIT", "0", "-1");

        // Every write was durable when it was answered (fsync): the local count is 1 at once.
        await Expect("$3\r\n1-1\r\n", "XADD", "s", "1-1", "f", "v");
        await Expect("*2\r\n:1\r\n:0\r\n", "WAITAOF", "1", "0", "0");
        await Expect("-ERR timeout is negative\r\n", "WAITAOF", "1", "0", "-1");

        // Inside a transaction nothing blocks.
        await Expect("+OK\r\n", "MULTI");
        await Expect("+QUEUED\r\n", "WAIT", "1", "0");
        await Expect("+QUEUED\r\n", "WAITAOF", "1", "1", "0");
        await Expect("*2\r\n:0\r\n*2\r\n:1\r\n:0\r\n", "EXEC");
    }

    [Fact]
    public async Task Waitaof_WithoutPersistence_RefusesALocalCount()
    {
        await using var server = await RespTestServer.StartAsync(new RespOptions { Durability = "memory" });
        using var c = await server.ConnectAsync();
        Assert.Equal("-ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.\r\n", await c.CallAsync("WAITAOF", "1", "0", "0"));
        Assert.Equal("*2\r\n:0\r\n:0\r\n", await c.CallAsync("WAITAOF", "0", "0", "0"));
    }
}

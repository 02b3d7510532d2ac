namespace Ferry.Redis.Tests;

// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT / TTL / PTTL / EXPIRETIME / PEXPIRETIME / PERSIST on stream keys, over a real
// socket, replies as redis-server 7 sends them.
public sealed partial class RespCommandTests
{
    [Fact]
    public async Task Expire_SetsReadsAndRemovesExpiries_WithRedisConditions()
    {
        await Expect("$3\r\n1-1\r\n", "XADD", "s", "1-1", "f", "v");
        await Expect(":-1\r\n", "TTL", "s");
        await Expect(":-1\r\n", "PEXPIRETIME", "s");
        await Expect(":-2\r\n", "TTL", "missing");
        await Expect(":-2\r\n", "EXPIRETIME", "missing");
        await Expect(":0\r\n", "EXPIRE", "missing", "10");
        await Expect(":0\r\n", "PERSIST", "missing");

        await Expect(":0\r\n", "EXPIRE", "s", "100", "XX");
        await Expect(":0\r\n", "EXPIRE", "s", "100", "GT");
        await Expect(":1\r\n", "EXPIRE", "s", "100", "lt");
        await Expect(":100\r\n", "TTL", "s");
        await Expect(":0\r\n", "EXPIRE", "s", "200", "NX");
        await Expect(":1\r\n", "EXPIRE", "s", "300", "XX", "GT");
        await Expect(":300\r\n", "TTL", "s");
        await Expect(":0\r\n", "EXPIRE", "s", "400", "LT");
        await Expect(":1\r\n", "PERSIST", "s");
        await Expect(":0\r\n", "PERSIST", "s");
        await Expect(":-1\r\n", "TTL", "s");

        await Expect(":1\r\n", "EXPIREAT", "s", "4102444800");
        await Expect(":4102444800\r\n", "EXPIRETIME", "s");
        await Expect(":4102444800000\r\n", "PEXPIRETIME", "s");
        await Expect(":1\r\n", "PEXPIREAT", "s", "4102444800623");
        await Expect(":4102444801\r\n", "EXPIRETIME", "s");
        await Expect(":4102444800623\r\n", "PEXPIRETIME", "s");
        Assert.Contains("db0:keys=1,expires=1,avg_ttl=", await _c.CallAsync("INFO", "keyspace"));

        // A time already past deletes the key, and answers 1.
        await Expect(":1\r\n", "EXPIRE", "s", "0");
        await Expect(":0\r\n", "EXISTS", "s");
        await Expect("+none\r\n", "TYPE", "s");
        await Expect("$3\r\n1-1\r\n", "XADD", "s", "1-1", "f", "v");
        await Expect(":1\r\n", "EXPIREAT", "s", "1");
        await Expect(":0\r\n", "XLEN", "s");
        await Expect(":0\r\n", "DBSIZE");
    }

    [Fact]
    public async Task Expire_Errors_AreRedisErrors()
    {
        await Expect("$3\r\n1-1\r\n", "XADD", "s", "1-1", "f", "v");
        await Expect("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", "EXPIRE", "s", "1", "NX", "XX");
        await Expect("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", "EXPIRE", "s", "1", "GT", "NX");
        await Expect("-ERR GT and LT options at the same time are not compatible\r\n", "PEXPIRE", "s", "1", "GT", "LT");
        await Expect("-ERR Unsupported option FOO\r\n", "EXPIRE", "s", "1", "FOO");
        await Expect("-ERR value is not an integer or out of range\r\n", "EXPIRE", "s", "1.5");
        await Expect("-ERR invalid expire time in 'expire' command\r\n", "EXPIRE", "s", "9223372036854775807");
        await Expect("-ERR invalid expire time in 'expire' command\r\n", "EXPIRE", "s", "9223372036854775");
        await Expect("-ERR invalid expire time in 'pexpire' command\r\n", "PEXPIRE", "s", "9223372036854775807");
        await Expect("-ERR invalid expire time in 'expireat' command\r\n", "EXPIREAT", "s", "-9223372036854776");
        await Expect(":1\r\n", "PEXPIREAT", "s", "9223372036854775807");
        await Expect(":9223372036854775807\r\n", "PEXPIRETIME", "s");
        await Expect("-ERR wrong number of arguments for 'expire' command\r\n", "EXPIRE", "s");
        await Expect("-ERR wrong number of arguments for 'ttl' command\r\n", "TTL", "s", "t");
        await Expect("-ERR wrong number of arguments for 'persist' command\r\n", "PERSIST");
    }

    [Fact]
    public async Task Expire_TheKeyGoesAwayOnTime_AndAWatchedKeyThatExpiresFailsExec()
    {
        await Expect("$3\r\n1-1\r\n", "XADD", "s", "1-1", "f", "v");
        await Expect("$3\r\n1-1\r\n", "XADD", "gone", "1-1", "f", "v");
        await Expect(":1\r\n", "PEXPIRE", "gone", "1");
        await WaitUntilGone("gone");
        await Expect(":1\r\n", "PEXPIRE", "s", "200");
        await Expect("+OK\r\n", "WATCH", "s", "gone");
        await WaitUntilGone("s");
        await Expect("*0\r\n", "KEYS", "*");
        await Expect("+OK\r\n", "MULTI");
        await Expect("+QUEUED\r\n", "PING");
        await Expect("*-1\r\n", "EXEC");

        // A key that had already expired when watched is no change.
        await Expect("+OK\r\n", "WATCH", "s", "gone");
        await Expect("+OK\r\n", "MULTI");
        await Expect("+QUEUED\r\n", "PING");
        await Expect("*1\r\n+PONG\r\n", "EXEC");

        // A write at an expired key starts a new stream, without expiry.
        await Expect("$3\r\n2-1\r\n", "XADD", "s", "2-1", "f", "v");
        await Expect(":1\r\n", "XLEN", "s");
        await Expect(":-1\r\n", "PTTL", "s");
    }

    private async Task WaitUntilGone(string key)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await _c.CallAsync("EXISTS", key) != ":0\r\n")
        {
            Assert.True(DateTime.UtcNow < deadline, $"{key} did not expire");
            await Task.Delay(20);
        }
    }
}

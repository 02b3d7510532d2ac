namespace Ferry.Redis.Tests;

// RENAME / RENAMENX / TOUCH / RANDOMKEY over a real socket, replies as redis-server 7 sends them.
public sealed partial class RespCommandTests
{
    [Fact]
    public async Task Rename_MovesTheStreamWithItsGroupsAndExpiry_AsRedisDoes()
    {
        await Expect("-ERR no such key\r\n", "RENAME", "a", "b");
        await Expect("-ERR no such key\r\n", "RENAMENX", "a", "b");
        await Expect("-ERR no such key\r\n", "RENAME", "a", "a");
        await Expect("$-1\r\n", "RANDOMKEY");
        await Expect("$3\r\n1-1\r\n", "XADD", "a", "1-1", "f", "v");
        await Expect("+OK\r\n", "RENAME", "a", "a");
        await Expect(":0\r\n", "RENAMENX", "a", "a");
        await Expect("+OK\r\n", "XGROUP", "CREATE", "a", "g", "0");
        await Expect(":1\r\n", "EXPIRE", "a", "1000");
        await Expect("+OK\r\n", "RENAME", "a", "b");
        await Expect(":0\r\n", "EXISTS", "a");
        await Expect(":1\r\n", "XLEN", "b");
        await Expect(":1000\r\n", "TTL", "b");
        Assert.StartsWith("*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n", await _c.CallAsync("XINFO", "GROUPS", "b"));

        await Expect("$3\r\n5-5\r\n", "XADD", "c", "5-5", "x", "y");
        await Expect(":0\r\n", "RENAMENX", "b", "c");
        await Expect("+OK\r\n", "RENAME", "b", "c");
        await Expect("*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n", "XRANGE", "c", "-", "+");
        await Expect(":2\r\n", "TOUCH", "a", "b", "c", "d", "c");
        await Expect("$1\r\nc\r\n", "RANDOMKEY");
        await Expect("-ERR wrong number of arguments for 'rename' command\r\n", "RENAME", "c");
        await Expect("-ERR wrong number of arguments for 'renamenx' command\r\n", "RENAMENX", "c", "d", "e");

        // An expired destination is no obstacle to RENAMENX.
        await Expect("$3\r\n1-1\r\n", "XADD", "d", "1-1", "f", "v");
        await Expect(":1\r\n", "PEXPIRE", "d", "1");
        await Task.Delay(20);
        await Expect(":1\r\n", "RENAMENX", "c", "d");
        await Expect(":1\r\n", "XLEN", "d");
        Assert.Matches("^:(999|1000)\r\n$", await _c.CallAsync("TTL", "d")); // c's expiry went along
    }
}

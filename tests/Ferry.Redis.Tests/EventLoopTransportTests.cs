using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Transport;

namespace Ferry.Redis.Tests;

/// <summary>
/// What a transport must get right beyond one small command and its reply: replies larger than the socket's buffer to
/// a client that reads late, requests larger than the read buffer, clients that vanish or close their side. Each runs
/// on Ferry's event loop and on Kestrel's socket transport, which must behave alike.
/// </summary>
public sealed class EventLoopTransportTests
{
    public static TheoryData<bool> Transports => new() { true, false };

    [Fact]
    public async Task TheServerRunsOnTheEventLoopWhereItIsSupported()
    {
        Assert.Equal(OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture ==
            System.Runtime.InteropServices.Architecture.X64, EventLoopTransportFactory.Supported);
        await using var server = await RespTestServer.StartAsync();
        using var client = await server.ConnectAsync();
        Assert.Equal("+PONG\r\n", await client.CallAsync("PING"));
        Assert.Equal(EventLoopTransportFactory.Supported, ThreadNames("/proc/self/task").Contains("resp-loop"));
    }

    /// <summary>The names of the threads listed under <paramref name="tasks"/> (<c>/proc/&lt;pid&gt;/task</c>); a thread
    /// that ends between the listing and the read of its name is left out.</summary>
    internal static List<string> ThreadNames(string tasks)
    {
        var names = new List<string>();
        if (!Directory.Exists(tasks))
        {
            return names;
        }

        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                names.Add(File.ReadAllText(Path.Combine(task, "comm")).Trim());
            }
            catch (IOException)
            {
                // The thread ended after the listing (the test runner's pool threads come and go).
            }
        }

        return names;
    }

    [Fact]
    public void ThreadNames_LeaveOutAThreadThatEndedAfterTheListing()
    {
        var tasks = Directory.CreateTempSubdirectory("ferry-tasks-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(tasks, "100"));
            File.WriteAllText(Path.Combine(tasks, "100", "comm"), "resp-loop\n");
            Directory.CreateDirectory(Path.Combine(tasks, "101")); // its comm is gone, as a thread's that just ended

            Assert.Equal(["resp-loop"], ThreadNames(tasks));
        }
        finally
        {
            Directory.Delete(tasks, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task AReplyLargerThanTheSocketBuffer_ReachesAClientThatReadsLate_Whole(bool eventLoop)
    {
        await using var server = await RespTestServer.StartAsync(eventLoop: eventLoop);
        using var client = await server.ConnectAsync();
        var value = new string('v', 16 * 1024);
        const int Entries = 600; // about 10 MB of reply
        for (var i = 1; i <= Entries; i++)
        {
            Assert.Equal($"${(i.ToString().Length + 2)}\r\n{i}-1\r\n", await client.CallAsync("XADD", "big", $"{i}-1", "f", value));
        }

        // The reply fills the socket's buffers long before the client reads: the server must wait for room, then go on.
        await client.SendRawAsync(RespClient.Encode("XRANGE", "big", "-", "+"));
        await client.SendRawAsync(RespClient.Encode("PING"));
        await Task.Delay(300);
        var reply = await client.ReadAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith($"*{Entries}\r\n*2\r\n$3\r\n1-1\r\n", reply, StringComparison.Ordinal);
        Assert.EndsWith($"${Entries.ToString().Length + 2}\r\n{Entries}-1\r\n*2\r\n$1\r\nf\r\n$16384\r\n{value}\r\n", reply, StringComparison.Ordinal);
        Assert.Equal("+PONG\r\n", await client.ReadAsync());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RequestsLargerThanTheReadBuffer_AreReadWholeAndAnsweredInOrder(bool eventLoop)
    {
        await using var server = await RespTestServer.StartAsync(eventLoop: eventLoop);
        using var client = await server.ConnectAsync();
        var value = new string('w', 30 * 1024);
        const int Commands = 120; // 3.6 MB in one write, past the 1 MiB at which reading pauses
        var burst = new List<byte>();
        for (var i = 1; i <= Commands; i++)
        {
            burst.AddRange(RespClient.Encode("XADD", "in", $"{i}-1", "f", value));
        }

        var sending = client.SendRawAsync([.. burst]);
        for (var i = 1; i <= Commands; i++)
        {
            Assert.Equal($"${(i.ToString().Length + 2)}\r\n{i}-1\r\n", await client.ReadAsync(TimeSpan.FromSeconds(30)));
        }

        await sending;
        Assert.Equal($":{Commands}\r\n", await client.CallAsync("XLEN", "in"));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task AClientThatResetsWithRepliesQueued_LeavesTheOthersServed(bool eventLoop)
    {
        await using var server = await RespTestServer.StartAsync(eventLoop: eventLoop);
        using (var writer = await server.ConnectAsync())
        {
            var value = new string('x', 16 * 1024);
            for (var i = 1; i <= 300; i++)
            {
                await writer.CallAsync("XADD", "s", "*", "f", value);
            }
        }

        for (var round = 0; round < 5; round++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, server.Port);
            await socket.SendAsync(RespClient.Encode("XRANGE", "s", "-", "+"));
            await Task.Delay(50);
            socket.LingerState = new LingerOption(true, 0); // close with a reset, the reply unread
        }

        using var client = await server.ConnectAsync();
        Assert.Equal("+PONG\r\n", await client.CallAsync("PING"));
        await WaitUntilAsync(async () => CountOf(await client.CallAsync("CLIENT", "LIST"), "id=") == 1);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task AClientThatClosesItsSide_StillGetsItsReplies(bool eventLoop)
    {
        await using var server = await RespTestServer.StartAsync(eventLoop: eventLoop);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.Port);
        await socket.SendAsync(RespClient.Encode("XADD", "h", "1-1", "f", "v").Concat(RespClient.Encode("PING")).ToArray());
        socket.Shutdown(SocketShutdown.Send);
        Assert.Equal("$3\r\n1-1\r\n+PONG\r\n", await ReceiveToEndAsync(socket));
    }

    /// <summary>Commands that arrive together with the client's FIN (<c>echo 'XADD s * f v' | nc -N</c>) still run and
    /// answer, as in redis-server: the end of the client's input is not the end of the connection.</summary>
    [Theory]
    [MemberData(nameof(Transports))]
    public async Task CommandsSentJustBeforeTheClientClosesItsSide_RunAndAnswer(bool eventLoop)
    {
        await using var server = await RespTestServer.StartAsync(eventLoop: eventLoop);
        for (var round = 0; round < 40; round++)
        {
            var key = "h" + round;
            var (request, expected) = (round % 4) switch
            {
                0 => (RespClient.Encode("XADD", key, "1-1", "f", "v"), "$3\r\n1-1\r\n"),
                1 => (Encoding.ASCII.GetBytes($"XADD {key} 1-1 f v\r\n"), "$3\r\n1-1\r\n"),
                2 => ([.. RespClient.Encode("XADD", key, "1-1", "f", "v"), .. RespClient.Encode("XLEN", key)], "$3\r\n1-1\r\n:1\r\n"),
                _ => ([.. RespClient.Encode("XADD", key, "1-1", "f", "v"), .. RespClient.Encode("XGROUP", "CREATE", key, "g", "0"),
                    .. RespClient.Encode("XREADGROUP", "GROUP", "g", "c", "STREAMS", key, ">")],
                    "$3\r\n1-1\r\n+OK\r\n*1\r\n*2\r\n$" + key.Length + "\r\n" + key + "\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
            };
            using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                await socket.ConnectAsync(IPAddress.Loopback, server.Port);
                await socket.SendAsync(request);
                socket.Shutdown(SocketShutdown.Send);
                Assert.Equal(expected, await ReceiveToEndAsync(socket));
            }

            using var client = await server.ConnectAsync();
            Assert.Equal(":1\r\n", await client.CallAsync("XLEN", key));
        }
    }

    private static async Task<string> ReceiveToEndAsync(Socket socket)
    {
        var received = new List<byte>();
        var buffer = new byte[1024];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int n;
        while ((n = await socket.ReceiveAsync(buffer, cts.Token)) > 0)
        {
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        return Encoding.ASCII.GetString([.. received]);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("The condition did not hold within 5 s.");
    }
}

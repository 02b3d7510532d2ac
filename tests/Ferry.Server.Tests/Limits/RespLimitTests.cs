using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace Ferry.Server.Tests.Limits;

/// <summary>Hostile RESP length prefixes: refused with Redis's words, or waited on without allocating what they announce.</summary>
[Collection(LimitsCollection.Name)]
public sealed class RespLimitTests(LimitsServer server, ITestOutputHelper output)
{
    [Theory]
    [InlineData("*1048577\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*9223372036854775807\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*99999999999999999999\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*1\r\n$536870913\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$9223372036854775807\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$-2\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    public async Task LengthsPastTheLimits_AreRefusedAndTheConnectionClosed(string frame, string reply)
    {
        using var client = await server.ConnectRedisAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(frame));
        Assert.Equal(reply, await ReadToEndAsync(stream));
    }

    [Fact]
    public async Task AnnouncedLengths_AreNotAllocatedBeforeTheBytesArrive()
    {
        // Each connection announces a million arguments, then a 16 MiB bulk (the largest allowed), and sends a
        // kilobyte of it. Allocating what was announced would take gigabytes.
        var connections = LimitScale.Count(full: 1000, normal: 200);
        var before = await server.ResidentBytesAsync();
        var clients = new List<TcpClient>();
        try
        {
            var partial = Encoding.ASCII.GetBytes("*1048576\r\n$16777216\r\n" + new string('x', 1024));
            for (var i = 0; i < connections; i++)
            {
                var client = await server.ConnectRedisAsync();
                clients.Add(client);
                await client.GetStream().WriteAsync(partial);
            }

            var during = await server.ResidentBytesAsync();
            output.WriteLine($"{connections} connections announcing 1,048,576 arguments and 16 MiB each: RSS {before / 1048576.0:F1} -> {during / 1048576.0:F1} MiB"
                + $" ({(during - before) / connections / 1024.0:F1} KiB a connection)");
            Assert.True(during - before < connections * (256L << 10), $"RSS grew by {(during - before) >> 20} MiB");
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        await server.AssertRedisAnswersAsync();
    }

    private static async Task<string> ReadToEndAsync(NetworkStream stream)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var text = new MemoryStream();
        await stream.CopyToAsync(text, cts.Token);
        return Encoding.ASCII.GetString(text.ToArray());
    }
}

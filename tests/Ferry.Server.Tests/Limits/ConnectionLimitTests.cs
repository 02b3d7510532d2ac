using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Ferry.Server.Tests.Limits;

/// <summary>Many and slow connections against the running server: it keeps answering, and its memory is measured.</summary>
[Collection(LimitsCollection.Name)]
public sealed class ConnectionLimitTests(LimitsServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task Slowloris_IsCutOffByKestrelsHeaderTimeout()
    {
        // The limit itself, from the server as the host configures it.
        using (var dir = new TempDirectory())
        await using (var app = FerryHost.Build(["--port", "0", "--redis-port", "0", "--data", dir.Path, "--durability", "memory"], configDirectory: dir.Path))
        {
            var kestrel = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
            Assert.Equal(TimeSpan.FromSeconds(30), kestrel.Limits.RequestHeadersTimeout);
        }

        if (!LimitScale.Full)
        {
            return; // Trickling takes the whole 30 seconds: FERRY_LIMITS_FULL=1 does.
        }

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync("POST / HTTP/1.1\r\nHost: localhost\r\nX-Slow: "u8.ToArray());
        var clock = Stopwatch.StartNew();
        try
        {
            // One byte a second, never finishing the headers.
            while (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await stream.WriteAsync("a"u8.ToArray());
                await Task.Delay(1000);
            }
        }
        catch (IOException)
        {
        }

        output.WriteLine($"slowloris connection cut off after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(45));
        await server.AssertHealthyAsync();
    }

    [Fact]
    public async Task IdleConnections_AreHeldCheaply_AndTheServerKeepsAnswering()
    {
        // Half on the HTTP port, half on the RESP port; none sends a byte.
        var count = LimitScale.Count(full: 10_000, normal: 1_000);
        var before = await server.ResidentBytesAsync();
        var clients = new List<TcpClient>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, i % 2 == 0 ? server.Address.Port : server.RedisPort);
                clients.Add(client);
            }

            var during = await server.ResidentBytesAsync();
            output.WriteLine($"{count:N0} idle connections: RSS {before / 1048576.0:F1} -> {during / 1048576.0:F1} MiB ({(during - before) / (double)count / 1024:F1} KiB a connection)");
            await server.AssertHealthyAsync();
            await server.AssertRedisAnswersAsync();
            Assert.True(during - before < count * (64L << 10), $"RSS grew by {(during - before) >> 20} MiB");
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task ConcurrentLongPolls_AreAllAnswered()
    {
        var count = LimitScale.Count(full: 10_000, normal: 1_000);
        var (status, _) = await server.PostAsync(null, "application/x-www-form-urlencoded", "Action=CreateQueue&Version=2012-11-05&QueueName=polls");
        Assert.Equal(200, status);
        var queueUrl = $"{server.Address.GetLeftPart(UriPartial.Authority)}/000000000000/polls";
        var before = await server.ResidentBytesAsync();

        // Each poll waits up to 20 seconds on its own connection; sends then wake them one message each.
        using var pollClient = server.CreateClient();
        var poll = Encoding.UTF8.GetBytes($"{{\"QueueUrl\":\"{queueUrl}\",\"WaitTimeSeconds\":20,\"MaxNumberOfMessages\":1}}");
        var polls = Enumerable.Range(0, count).Select(_ => server.PostAsync(pollClient, "AmazonSQS.ReceiveMessage", "application/x-amz-json-1.0", poll)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(LimitScale.Full ? 5 : 2));
        var waiting = await server.ResidentBytesAsync();
        Assert.DoesNotContain(polls, p => p.IsCompleted);

        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < count; sent += 10)
        {
            var entries = string.Join(',', Enumerable.Range(sent, 10).Select(i => $"{{\"Id\":\"m{i}\",\"MessageBody\":\"{i}\"}}"));
            (status, _) = await server.PostAsync("AmazonSQS.SendMessageBatch", "application/x-amz-json-1.0", $"{{\"QueueUrl\":\"{queueUrl}\",\"Entries\":[{entries}]}}");
            Assert.Equal(200, status);
        }

        var answers = await Task.WhenAll(polls).WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"{count:N0} long polls waiting: RSS {before / 1048576.0:F1} -> {waiting / 1048576.0:F1} MiB "
            + $"({(waiting - before) / (double)count / 1024:F1} KiB a poll); all answered {clock.Elapsed.TotalSeconds:F1} s after the first send");
        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Equal(count, answers.Count(a => a.Body.Contains("\"Body\"", StringComparison.Ordinal)));
        Assert.True(waiting - before < count * (128L << 10), $"RSS grew by {(waiting - before) >> 20} MiB");
        await server.AssertHealthyAsync();
    }
}

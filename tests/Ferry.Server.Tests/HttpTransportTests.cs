using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Ferry.Server.Tests;

/// <summary>
/// The HTTP face on each transport (Ferry's event loop and Kestrel's sockets), past one small request and its answer:
/// responses larger than the socket's buffers to a client that reads late, requests that arrive in pieces, requests
/// pipelined in one write, and a long poll whose client leaves. Both transports must behave alike.
/// </summary>
public sealed class HttpTransportTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    public static TheoryData<bool> Transports => new() { true, false };

    /// <summary>A Ferry in-process on the chosen transport, with a client and a queue.</summary>
    private sealed class RunningFerry : IAsyncDisposable
    {
        private readonly TempDirectory _dir;

        private RunningFerry(TempDirectory dir, FerryApp app)
        {
            _dir = dir;
            App = app;
        }

        public FerryApp App { get; }

        public Uri Address => App.Address;

        public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { Timeout = s_wait };

        public string QueueUrl { get; private set; } = string.Empty;

        public static async Task<RunningFerry> StartAsync(bool eventLoop, string queue)
        {
            var dir = new TempDirectory();
            var app = FerryHost.Build(
                ["--port", "0", "--redis-port", "0", "--data", dir.Path, "--durability", "interval:5", "--Ferry:HttpEventLoop", eventLoop ? "true" : "false"],
                configDirectory: dir.Path);
            await app.StartAsync(CancellationToken.None);
            var ferry = new RunningFerry(dir, app);
            ferry.Http.BaseAddress = app.Address;
            ferry.QueueUrl = (await SqsAsync(ferry.Http, "CreateQueue", $"{{\"QueueName\":\"{queue}\"}}")).GetProperty(nameof(QueueUrl)).GetString()!;
            return ferry;
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.DisposeAsync();
            _dir.Dispose();
        }
    }

    /// <summary>An SQS JSON request, unsigned, as one buffer with its head.</summary>
    private static byte[] SqsRequest(Uri address, string action, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var head = $"POST / HTTP/1.1\r\nHost: {address.Authority}\r\nX-Amz-Target: AmazonSQS.{action}\r\n" +
            $"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {body.Length}\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    private static async Task<JsonElement> SqsAsync(HttpClient http, string action, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/x-amz-json-1.0"),
        };
        request.Headers.Add("X-Amz-Target", "AmazonSQS." + action);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{action}: {(int)response.StatusCode} {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task AResponseLargerThanTheSocketBuffers_ReachesAClientThatReadsLate_Whole_ThenThePipelinedNext(bool eventLoop)
    {
        await using var ferry = await RunningFerry.StartAsync(eventLoop, "big");
        var (http, url) = (ferry.Http, ferry.QueueUrl);
        var bodies = Enumerable.Range(0, 10).Select(i => new string((char)('a' + i), 200 * 1024)).ToArray();
        foreach (var body in bodies)
        {
            await SqsAsync(http, "SendMessage", JsonSerializer.Serialize(new { QueueUrl = url, MessageBody = body }));
        }

        // About 2 MB of response, then a second request's answer, in one write; the client reads only later.
        using var client = new RawHttpClient(ferry.Address);
        await client.SendAsync((byte[])
        [
            .. SqsRequest(ferry.Address, "ReceiveMessage", JsonSerializer.Serialize(new { QueueUrl = url, MaxNumberOfMessages = 10, VisibilityTimeout = 600 })),
            .. SqsRequest(ferry.Address, "GetQueueAttributes", JsonSerializer.Serialize(new { QueueUrl = url, AttributeNames = new[] { "ApproximateNumberOfMessagesNotVisible" } })),
        ]);
        await Task.Delay(300);

        var (status, received) = await client.ReadResponseAsync();
        Assert.Equal(200, status);
        using (var document = JsonDocument.Parse(received))
        {
            var got = document.RootElement.GetProperty("Messages").EnumerateArray().Select(m => m.GetProperty("Body").GetString()).Order(StringComparer.Ordinal);
            Assert.Equal(bodies, got);
        }

        var (nextStatus, attributes) = await client.ReadResponseAsync();
        Assert.Equal(200, nextStatus);
        Assert.Contains("\"ApproximateNumberOfMessagesNotVisible\":\"10\"", attributes, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ARequestArrivingInPieces_IsReadWhole(bool eventLoop)
    {
        await using var ferry = await RunningFerry.StartAsync(eventLoop, "pieces");
        var (http, url) = (ferry.Http, ferry.QueueUrl);
        var entries = Enumerable.Range(0, 10).Select(i => new { Id = $"e{i}", MessageBody = new string((char)('k' + i), 90 * 1024) }).ToArray();
        var request = SqsRequest(ferry.Address, "SendMessageBatch", JsonSerializer.Serialize(new { QueueUrl = url, Entries = entries }));

        // The head split inside a header, the body in uneven pieces, each after a pause.
        using var client = new RawHttpClient(ferry.Address);
        int[] cuts = [40, 300, 4_000, 70_000, 500_000, request.Length];
        var from = 0;
        foreach (var cut in cuts)
        {
            await client.SendAsync(request.AsMemory(from, cut - from));
            from = cut;
            await Task.Delay(50);
        }

        var (status, text) = await client.ReadResponseAsync();
        Assert.Equal(200, status);
        using (var document = JsonDocument.Parse(text))
        {
            Assert.Equal(10, document.RootElement.GetProperty("Successful").GetArrayLength());
        }

        var counts = await SqsAsync(http, "GetQueueAttributes", JsonSerializer.Serialize(new { QueueUrl = url, AttributeNames = new[] { "ApproximateNumberOfMessages" } }));
        Assert.Equal("10", counts.GetProperty("Attributes").GetProperty("ApproximateNumberOfMessages").GetString());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ALongPollWhoseClientLeft_DoesNotTakeTheNextMessage(bool eventLoop)
    {
        await using var ferry = await RunningFerry.StartAsync(eventLoop, "left");
        var (http, url) = (ferry.Http, ferry.QueueUrl);

        using (var client = new RawHttpClient(ferry.Address))
        {
            await client.SendAsync(SqsRequest(ferry.Address, "ReceiveMessage", JsonSerializer.Serialize(new { QueueUrl = url, WaitTimeSeconds = 20, VisibilityTimeout = 600 })));
            await Task.Delay(200); // the poll is waiting
        }

        // Once the server has seen the close, the message goes to a receiver that is still there.
        await Task.Delay(500);
        await SqsAsync(http, "SendMessage", JsonSerializer.Serialize(new { QueueUrl = url, MessageBody = "for someone present" }));
        var received = await SqsAsync(http, "ReceiveMessage", JsonSerializer.Serialize(new { QueueUrl = url, WaitTimeSeconds = 5 }));
        Assert.Equal("for someone present", received.GetProperty("Messages")[0].GetProperty("Body").GetString());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ManyConnections_AreAnsweredConcurrently_AndAnOversizedBodyIsRefused(bool eventLoop)
    {
        await using var ferry = await RunningFerry.StartAsync(eventLoop, "many");
        var (http, url) = (ferry.Http, ferry.QueueUrl);

        await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            for (var j = 0; j < 20; j++)
            {
                await SqsAsync(http, "SendMessage", JsonSerializer.Serialize(new { QueueUrl = url, MessageBody = $"{i}-{j}" }));
            }
        }));
        var counts = await SqsAsync(http, "GetQueueAttributes", JsonSerializer.Serialize(new { QueueUrl = url, AttributeNames = new[] { "ApproximateNumberOfMessages" } }));
        Assert.Equal("1280", counts.GetProperty("Attributes").GetProperty("ApproximateNumberOfMessages").GetString());

        // A declared body over the limit is refused before it is read, and the connection closed.
        using var client = new RawHttpClient(ferry.Address);
        await client.SendAsync(Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nHost: {ferry.Address.Authority}\r\nContent-Length: {Ferry.Aws.AwsLimits.MaxRequestBodyBytes + 1}\r\n\r\n"));
        var (status, _) = await client.ReadResponseAsync();
        Assert.Equal(413, status);
        Assert.True(await client.ReadsEndAsync());
    }

    /// <summary>HTTP/1.1 over a plain socket, for what HttpClient will not do: pipelining, pieces, reading late.</summary>
    private sealed class RawHttpClient : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly List<byte> _buffered = [];

        public RawHttpClient(Uri address)
        {
            _socket.ReceiveBufferSize = 64 * 1024;
            _socket.Connect(IPAddress.Loopback, address.Port);
        }

        public async Task SendAsync(ReadOnlyMemory<byte> bytes) => await _socket.SendAsync(bytes);

        /// <summary>Reads one response: its status and body (Content-Length or chunked).</summary>
        public async Task<(int Status, string Body)> ReadResponseAsync()
        {
            var headEnd = await FillUntilAsync(() => IndexOf("\r\n\r\n"u8));
            var head = Encoding.ASCII.GetString(_buffered.GetRange(0, headEnd).ToArray());
            _buffered.RemoveRange(0, headEnd + 4);
            var lines = head.Split("\r\n");
            var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var length = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p[0].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                .Select(p => (int?)int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
            var body = new List<byte>();
            if (length is { } n)
            {
                await FillUntilAsync(() => _buffered.Count >= n ? n : -1);
                body.AddRange(_buffered.GetRange(0, n));
                _buffered.RemoveRange(0, n);
            }
            else
            {
                Assert.Contains(lines, l => l.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase));
                while (true)
                {
                    var lineEnd = await FillUntilAsync(() => IndexOf("\r\n"u8));
                    var size = Convert.ToInt32(Encoding.ASCII.GetString(_buffered.GetRange(0, lineEnd).ToArray()), 16);
                    await FillUntilAsync(() => _buffered.Count >= lineEnd + 2 + size + 2 ? 0 : -1);
                    body.AddRange(_buffered.GetRange(lineEnd + 2, size));
                    _buffered.RemoveRange(0, lineEnd + 2 + size + 2);
                    if (size == 0)
                    {
                        break;
                    }
                }
            }

            return (status, Encoding.UTF8.GetString(body.ToArray()));
        }

        /// <summary>Whether the server closes the connection (rather than sending more) within the wait.</summary>
        public async Task<bool> ReadsEndAsync()
        {
            var chunk = new byte[4096];
            using var timeout = new CancellationTokenSource(s_wait);
            try
            {
                return await _socket.ReceiveAsync(chunk, SocketFlags.None, timeout.Token) == 0;
            }
            catch (SocketException)
            {
                return true; // reset
            }
        }

        private int IndexOf(ReadOnlySpan<byte> needle) => _buffered.ToArray().AsSpan().IndexOf(needle);

        private async Task<int> FillUntilAsync(Func<int> found)
        {
            var chunk = new byte[64 * 1024];
            using var timeout = new CancellationTokenSource(s_wait);
            while (true)
            {
                var at = found();
                if (at >= 0)
                {
                    return at;
                }

                var n = await _socket.ReceiveAsync(chunk, SocketFlags.None, timeout.Token);
                Assert.True(n > 0, "the server closed the connection before the response was whole");
                _buffered.AddRange(chunk.AsSpan(0, n));
            }
        }

        public void Dispose() => _socket.Dispose();
    }
}

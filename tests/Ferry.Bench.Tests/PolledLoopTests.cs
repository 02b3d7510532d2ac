using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Bench.Http;
using Ferry.Bench.Measurement;

namespace Ferry.Bench.Tests;

/// <summary>The synchronous half of <see cref="HttpConnection"/> and the loop that drives many of them from one thread.</summary>
public sealed class PolledLoopTests : IClassFixture<TestServer>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    private readonly TestServer _server;

    public PolledLoopTests(TestServer server) => _server = server;

    /// <summary>Waits until the socket is readable and reads, until the response is whole.</summary>
    private static HttpResponseView Receive(HttpConnection connection)
    {
        while (true)
        {
            Assert.True(connection.Socket!.Poll(s_wait, SelectMode.SelectRead), "no response within the wait");
            if (connection.TryReceive(out HttpResponseView response))
            {
                return response;
            }
        }
    }

    private HttpConnection Get(HttpConnection connection, string path)
    {
        connection.Send(HttpRequestEncoder.ToArray("GET", path, _server.EndPoint.ToString()));
        return connection;
    }

    [Fact]
    public void Send_ConnectsOnFirstUse_AndReadsContentLengthResponsesOnOneConnection()
    {
        using var created = new ConnectionScope(HttpConnection.Create(_server.EndPoint));
        HttpConnection connection = created.Connection;
        Assert.Null(connection.Socket);

        HttpResponseView first = Receive(Get(connection, "/length"));
        Assert.Equal(200, first.StatusCode);
        Assert.Equal("hello world", first.BodyAsString());

        HttpResponseView empty = Receive(Get(connection, "/empty"));
        Assert.Equal(204, empty.StatusCode);
        Assert.Equal(0, empty.Body.Length);

        // 300 KB: larger than the initial buffer, so it grows while the body arrives.
        HttpResponseView big = Receive(Get(connection, "/big-length"));
        Assert.Equal(300_000, big.Body.Length);
        Assert.True(big.Body.Span.IndexOfAnyExcept((byte)'y') < 0);
        Assert.True(big.TryGetHeader("Content-Length", out string length));
        Assert.Equal("300000", length);

        Assert.Equal("hello world", Receive(Get(connection, "/length")).BodyAsString());
        Assert.Equal(1, connection.ConnectCount);
    }

    [Fact]
    public void ConnectionClose_ClosesTheSocket_AndTheNextSendReconnects()
    {
        using var created = new ConnectionScope(HttpConnection.Create(_server.EndPoint));
        HttpConnection connection = created.Connection;

        Assert.Equal("bye", Receive(Get(connection, "/close-length")).BodyAsString());
        Assert.Null(connection.Socket);
        Assert.Equal("hello world", Receive(Get(connection, "/length")).BodyAsString());
        Assert.Equal(2, connection.ConnectCount);
    }

    [Fact]
    public void ChunkedResponse_IsRefused()
    {
        using var created = new ConnectionScope(HttpConnection.Create(_server.EndPoint));
        HttpConnection connection = Get(created.Connection, "/chunked");

        Assert.Throws<NotSupportedException>(() => Receive(connection));
    }

    [Fact]
    public async Task ResponseInPieces_IsWholeOnlyWhenItsLastByteArrives()
    {
        var read = new SemaphoreSlim(0);
        using var raw = new RawServer(async peer =>
        {
            foreach (string piece in new[] { "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Le", "ngth: 5\r\n\r\nhe", "llo" })
            {
                await peer.SendAsync(Encoding.ASCII.GetBytes(piece));
                Assert.True(await read.WaitAsync(s_wait)); // the client has read this piece before the next is sent
            }
        });

        HttpConnection connection = raw.Connection;
        connection.Send(HttpRequestEncoder.ToArray("GET", "/", "test"));
        var steps = new List<bool>();
        HttpResponseView response;
        while (true)
        {
            Assert.True(connection.Socket!.Poll(s_wait, SelectMode.SelectRead));
            bool whole = connection.TryReceive(out response);
            steps.Add(whole);
            read.Release();
            if (whole)
            {
                break;
            }
        }

        await raw.Served.WaitAsync(s_wait);
        Assert.Equal([false, false, true], steps);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("hello", response.BodyAsString());
    }

    [Fact]
    public async Task BodyFramedByTheClose_IsWholeAtTheEndOfTheStream()
    {
        using RawServer raw = RawServer.AnswersThenCloses("HTTP/1.0 200 OK\r\nServer: old\r\n\r\nuntil the end");
        HttpConnection connection = await raw.RequestAsync();
        HttpResponseView response = Receive(connection);
        Assert.Equal("until the end", response.BodyAsString());
        Assert.False(response.KeepAlive);
        Assert.Null(connection.Socket);
    }

    [Fact]
    public async Task ServerClosingBeforeAWholeResponse_Throws()
    {
        using RawServer raw = RawServer.AnswersThenCloses("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
        HttpConnection connection = await raw.RequestAsync();
        Assert.Throws<IOException>(() => Receive(connection));
        Assert.Null(connection.Socket);
    }

    [Fact]
    public async Task Loop_RunsEveryOperationUntilStopped_ThenDrains()
    {
        var operations = Enumerable.Range(0, 8).Select(_ => new GetOperation(HttpConnection.Create(_server.EndPoint), _server.EndPoint)).ToArray();
        var phase = new LoadPhase();
        var latency = new LatencyHistogram();
        Task run = PolledLoop.RunAsync(operations, latency, phase);

        await WaitUntilAsync(() => operations.All(o => o.Completed >= 3));
        phase.StartMeasuring();
        // Counted from operations started after the phase began: by now the loop may have completed hundreds already.
        await WaitUntilAsync(() => operations.Sum(o => o.MeasuredStarts) >= 200);
        phase.Stop();
        await run.WaitAsync(s_wait);

        Assert.All(operations, o => Assert.Equal(o.Started, o.Completed)); // every response read before the loop ended
        Assert.All(operations, o => Assert.Equal(1, o.Connection.ConnectCount));
        Assert.InRange(latency.TotalCount, 1, operations.Sum(o => o.Completed));
        Assert.Equal(operations.Sum(o => o.MeasuredStarts), latency.TotalCount);
        foreach (GetOperation operation in operations)
        {
            await operation.Connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Loop_FailsWithTheFirstOperationsException()
    {
        var operations = new[] { new GetOperation(HttpConnection.Create(_server.EndPoint), _server.EndPoint, path: "/chunked") };
        Task run = PolledLoop.RunAsync(operations, new LatencyHistogram(), new LoadPhase());

        await Assert.ThrowsAsync<NotSupportedException>(() => run.WaitAsync(s_wait));
        await operations[0].Connection.DisposeAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + s_wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(5);
        }
    }

    /// <summary>A one-connection server: reads the request's head, then runs its script on the socket.</summary>
    private sealed class RawServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public RawServer(Func<Socket, Task> script)
        {
            _listener.Start();
            Connection = HttpConnection.Create((IPEndPoint)_listener.LocalEndpoint);
            Served = Task.Run(async () =>
            {
                using Socket peer = await _listener.AcceptSocketAsync();
                await ReadHeadAsync(peer);
                await script(peer);
            });
        }

        public HttpConnection Connection { get; }

        public Task Served { get; }

        /// <summary>A server that sends <paramref name="response"/> and closes the connection.</summary>
        public static RawServer AnswersThenCloses(string response) => new(async peer =>
        {
            await peer.SendAsync(Encoding.ASCII.GetBytes(response));
            peer.Shutdown(SocketShutdown.Both);
        });

        /// <summary>Sends a request and waits until the server's script has run.</summary>
        public async Task<HttpConnection> RequestAsync()
        {
            Connection.Send(HttpRequestEncoder.ToArray("GET", "/", "test"));
            await Served.WaitAsync(s_wait);
            return Connection;
        }

        public void Dispose()
        {
            Connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _listener.Dispose();
        }
    }

    private static async Task ReadHeadAsync(Socket peer)
    {
        var received = new List<byte>();
        var buffer = new byte[1024];
        while (!Encoding.ASCII.GetString(received.ToArray()).Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int n = await peer.ReceiveAsync(buffer);
            Assert.NotEqual(0, n);
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    private sealed class ConnectionScope(HttpConnection connection) : IDisposable
    {
        public HttpConnection Connection { get; } = connection;

        public void Dispose() => Connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private sealed class GetOperation(HttpConnection connection, IPEndPoint endPoint, string path = "/length") : IPolledOperation
    {
        private readonly byte[] _request = HttpRequestEncoder.ToArray("GET", path, endPoint.ToString());
        private int _started;
        private int _completed;
        private int _measuredStarts;

        public HttpConnection Connection => connection;

        public int Started => Volatile.Read(ref _started);

        public int Completed => Volatile.Read(ref _completed);

        public int MeasuredStarts => Volatile.Read(ref _measuredStarts);

        public Socket? Socket => connection.Socket;

        public void Start(long startTimestamp, bool measuring)
        {
            connection.Send(_request);
            Interlocked.Increment(ref _started);
            if (measuring)
            {
                Interlocked.Increment(ref _measuredStarts);
            }
        }

        public bool TryComplete()
        {
            if (!connection.TryReceive(out HttpResponseView response))
            {
                return false;
            }

            Assert.Equal("hello world", response.BodyAsString());
            Interlocked.Increment(ref _completed);
            return true;
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Ferry.Bench.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Bench.Tests;

/// <summary>A Kestrel server with one endpoint per response framing, shared by the client tests.</summary>
public sealed class TestServer : IAsyncLifetime
{
    private WebApplication? _app;

    public IPEndPoint EndPoint { get; private set; } = null!;

    /// <summary>Kestrel's id of every connection that carried a request.</summary>
    public ConcurrentBag<string> ConnectionIds { get; } = [];

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Use((context, next) =>
        {
            ConnectionIds.Add(context.Connection.Id);
            return next(context);
        });
        _app.MapGet("/length", () => Results.Text("hello world"));
        _app.MapGet("/chunked", async context =>
        {
            // No Content-Length and several flushes: Kestrel answers with Transfer-Encoding: chunked.
            foreach (string part in new[] { "alpha,", "beta,", "gamma" })
            {
                await context.Response.WriteAsync(part);
                await context.Response.Body.FlushAsync();
            }
        });
        _app.MapGet("/big-chunked", async context =>
        {
            // 300 KB in 3 KB chunks: larger than the client's initial buffer, so it must grow mid-body.
            byte[] block = Encoding.ASCII.GetBytes(new string('x', 3000));
            for (int i = 0; i < 100; i++)
            {
                await context.Response.Body.WriteAsync(block);
                await context.Response.Body.FlushAsync();
            }
        });
        _app.MapGet("/big-length", () => Results.Text(new string('y', 300_000)));
        _app.MapGet("/close", context =>
        {
            context.Response.Headers.Connection = "close";
            return context.Response.WriteAsync("bye");
        });
        _app.MapGet("/close-length", context =>
        {
            context.Response.Headers.Connection = "close";
            context.Response.ContentLength = 3;
            return context.Response.WriteAsync("bye");
        });
        _app.MapGet("/empty", context =>
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
        _app.MapPost("/echo", async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            context.Response.Headers["X-Echo-Length"] = body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body.ToArray());
        });
        await _app.StartAsync();
        var address = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        EndPoint = new IPEndPoint(IPAddress.Parse(address.Host), address.Port);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

// Its allocation test counts the whole process: it runs alone.
[Collection(nameof(MeasurementCollection))]
public sealed class HttpConnectionTests : IClassFixture<TestServer>
{
    private readonly TestServer _server;

    public HttpConnectionTests(TestServer server) => _server = server;

    [Fact]
    public async Task ContentLengthResponse_IsReadWhole()
    {
        await using HttpConnection connection = await HttpConnection.ConnectAsync(_server.EndPoint);
        HttpResponseView response = await connection.SendAsync("GET", "/length", null, default);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("hello world", response.BodyAsString());
        Assert.True(response.TryGetHeader("content-length", out string length));
        Assert.Equal("11", length);
        Assert.True(response.KeepAlive);
    }

    [Fact]
    public async Task ChunkedResponse_IsDecoded()
    {
        await using HttpConnection connection = await HttpConnection.ConnectAsync(_server.EndPoint);
        HttpResponseView response = await connection.SendAsync("GET", "/chunked", null, default);

        Assert.Equal(200, response.StatusCode);
        Assert.True(response.TryGetHeader("Transfer-Encoding", out string encoding));
        Assert.Equal("chunked", encoding);
        Assert.Equal("alpha,beta,gamma", response.BodyAsString());
    }

    [Fact]
    public async Task LargeChunkedResponse_GrowsTheBufferAndKeepsHeaders()
    {
        await using HttpConnection connection = await HttpConnection.ConnectAsync(_server.EndPoint);
        HttpResponseView response = await connection.SendAsync("GET", "/big-chunked", null, default);

        Assert.Equal(300_000, response.Body.Length);
        Assert.True(response.Body.Span.IndexOfAnyExcept((byte)'x') < 0);
        Assert.True(response.TryGetHeader("Transfer-Encoding", out _)); // header views survive the buffer growing

        HttpResponseView next = await connection.SendAsync("GET", "/length", null, default);
        Assert.Equal("hello world", next.BodyAsString());
    }

    [Fact]
    public async Task KeepAlive_ReusesOneConnectionAcrossRequestsOfEveryFraming()
    {
        await using HttpConnection connection = await HttpConnection.ConnectAsync(_server.EndPoint);
        var before = _server.ConnectionIds.ToHashSet();
        for (int i = 0; i < 20; i++)
        {
            string path = (i % 3) switch { 0 => "/length", 1 => "/chunked", _ => "/empty" };
            HttpResponseView response = await connection.SendAsync("GET", path, null, default);
            Assert.True(response.StatusCode is 200 or 204);
        }

        Assert.Equal(1, connection.ConnectCount);
        Assert.Single(_server.ConnectionIds.Where(id => !before.Contains(id)).Distinct());
    }

    [Fact]
    public async Task ConnectionClose_IsHonoured_AndTheNextRequestReconnects()
    {
        await using HttpConnection connection = await HttpConnection.ConnectAsync(_server.EndPoint);
        HttpResponseView closing = await connection.SendAsync("GET", "/close", null, default);
        Assert.False(closing.KeepAlive);
        Assert.Equal("bye", closing.BodyAsString());

        HttpResponseView next = await connection.SendAsync("GET", "/length", null, default);
        Assert.Equal("hello world", next.BodyAsString());
        Assert.Equal(2, connection.ConnectCount);
    }

    [Fact]
    public async Task PostBody_AndCustomHeaders_ReachTheServer()
    {
        await using HttpConnection connection = await HttpConnection.ConnectAsync(_server.EndPoint);
        byte[] body = Encoding.UTF8.GetBytes("{\"QueueName\":\"orders\"}");
        HttpResponseView response = await connection.SendAsync(
            "POST", "/echo", [new("Content-Type", "application/x-amz-json-1.0"), new("X-Amz-Target", "AmazonSQS.CreateQueue")], body);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("{\"QueueName\":\"orders\"}", response.BodyAsString());
        Assert.True(response.TryGetHeader("X-Echo-Length", out string length));
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), length);
    }

    [Fact]
    public async Task Pool_RentedConnectionsServeConcurrentRequests()
    {
        await using HttpConnectionPool pool = await HttpConnectionPool.OpenAsync(_server.EndPoint, 4);
        async Task<string> OneAsync()
        {
            HttpConnection connection = await pool.RentAsync();
            try
            {
                return (await connection.SendAsync("GET", "/length", null, default)).BodyAsString();
            }
            finally
            {
                pool.Return(connection);
            }
        }

        string[] bodies = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => OneAsync()));
        Assert.All(bodies, body => Assert.Equal("hello world", body));
        Assert.All(pool.Connections, connection => Assert.Equal(1, connection.ConnectCount));
    }

    [Fact]
    public async Task PrebuiltRequest_SteadyState_DoesNotAllocatePerRequest()
    {
        await using HttpConnection connection = await HttpConnection.ConnectAsync(_server.EndPoint);
        byte[] request = HttpRequestEncoder.ToArray("GET", "/empty", _server.EndPoint.ToString());
        for (int i = 0; i < 200; i++)
        {
            await connection.SendAsync(request); // warm up: JIT, pooled state machines
        }

        const int Requests = 500;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < Requests; i++)
        {
            await connection.SendAsync(request);
        }

        long perRequest = (GC.GetTotalAllocatedBytes(precise: true) - before) / Requests;
        // The whole process is counted, Kestrel included (it allocates per request); the client's own share is
        // zero, so a generous bound still catches a client that allocates its buffers or parser per request.
        Assert.True(perRequest < 2048, $"{perRequest} bytes allocated per request");
    }
}

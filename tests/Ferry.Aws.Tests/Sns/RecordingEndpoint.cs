using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Aws.Tests.Sns;

/// <summary>An HTTP endpoint that records what SNS posts to it and answers with the status the test scripts.</summary>
public sealed class RecordingEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SemaphoreSlim _arrived = new(0);

    private RecordingEndpoint(WebApplication app) => _app = app;

    /// <summary>One request as it arrived.</summary>
    public sealed record Request(string Body, IReadOnlyDictionary<string, string> Headers);

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>Statuses to answer, in order; 200 once they run out.</summary>
    public ConcurrentQueue<int> Script { get; } = new();

    /// <summary>When set, requests wait for it before answering (an endpoint that does not answer in time).</summary>
    public TaskCompletionSource? Hold { get; set; }

    public Uri Url { get; private set; } = null!;

    public static async Task<RecordingEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new RecordingEndpoint(app);
        app.MapPost("/{**path}", endpoint.HandleAsync);
        await app.StartAsync();
        endpoint.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First() + "/hook");
        return endpoint;
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        Requests.Enqueue(new Request(body, headers));
        _arrived.Release();
        if (Hold is { } hold)
        {
            await hold.Task;
        }

        http.Response.StatusCode = Script.TryDequeue(out var status) ? status : 200;
    }

    /// <summary>Waits for the next request (the count so far must reach <paramref name="count"/>).</summary>
    public async Task<Request> WaitForAsync(int count)
    {
        while (Requests.Count < count)
        {
            if (!await _arrived.WaitAsync(TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException($"The endpoint got {Requests.Count} requests, not {count}.");
            }
        }

        return Requests.ElementAt(count - 1);
    }

    public async ValueTask DisposeAsync()
    {
        Hold?.TrySetResult();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }
}

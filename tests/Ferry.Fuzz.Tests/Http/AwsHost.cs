using Ferry.Aws;
using Ferry.Aws.Sns;
using Ferry.Engine;
using Ferry.Engine.Tests;
using Ferry.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Fuzz.Tests.Http;

/// <summary>
/// Ferry's AWS faces as the server runs them (<c>AddFerryAws</c>, <c>MapFerryAws</c>, a real broker on an in-memory
/// journal) behind <see cref="InProcessServer"/>: a request costs microseconds, not a socket round trip. The clock is
/// manual, so that a long poll finishes when the fuzzer moves time on rather than after twenty real seconds.
/// </summary>
internal sealed class AwsHost : IAsyncDisposable
{
    /// <summary>The host name requests carry, as SDKs send it for the default endpoint.</summary>
    public const string Authority = "localhost:4566";

    /// <summary>No request may wait longer than this much simulated time (SQS's longest poll is 20 seconds).</summary>
    private static readonly TimeSpan MaxSimulatedWait = TimeSpan.FromMinutes(2);

    /// <summary>How far the clock moves each time a waiting request is looked at again.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    private readonly InProcessServer _server = new();
    private WebApplication _app = null!;
    private Journal _journal = null!;
    private Broker _broker = null!;

    private AwsHost()
    {
    }

    public ManualTimeProvider Clock { get; } = new();

    public ErrorLog Errors { get; } = new();

    /// <summary>Starts a host and sends <paramref name="setup"/> (requests in <see cref="FuzzRequest"/> form, each of
    /// which must succeed) to create the resources the seeds name.</summary>
    public static async Task<AwsHost> StartAsync(IEnumerable<byte[]> setup)
    {
        var host = new AwsHost();
        await host.InitializeAsync();
        foreach (var request in setup)
        {
            var response = await host.SendAsync(FuzzRequest.Parse(request));
            if (response.Status != StatusCodes.Status200OK)
            {
                throw new InvalidOperationException($"Setup request failed with {response.Status}: {response.Text}");
            }
        }

        return host;
    }

    private async Task InitializeAsync()
    {
        _journal = await Journal.OpenAsync(new JournalOptions { Directory = "memory", Durability = Durability.Memory });
        _broker = Broker.Open(_journal, new BrokerOptions { StreamTransitionDelay = TimeSpan.Zero }, Clock, startMaintenance: false);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseServer(_server);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(Errors);
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.Services.AddFerryAws(_ => () => _broker, new SnsOptions { BaseUrl = "http://" + Authority, PushConcurrency = 1 });
        _app = builder.Build();
        _app.MapFerryAws();
        await _app.StartAsync();
        // Deliveries are accepted but never pushed: fuzzed subscriptions must not reach out to the network.
        AwsServices.AttachFerryTopics(_app.Services, "http://" + Authority);
    }

    /// <summary>Runs one request through the whole pipeline, moving the clock on while it waits.</summary>
    public async Task<FuzzResponse> SendAsync(FuzzRequest request)
    {
        var requestHeaders = new HeaderDictionary();
        foreach (var (name, value) in request.Headers)
        {
            requestHeaders.Append(name, value);
        }

        if (!requestHeaders.ContainsKey("Host"))
        {
            requestHeaders["Host"] = Authority;
        }

        requestHeaders.ContentLength = request.Body.Length;
        var responseBody = new MemoryStream();
        var responseBodyFeature = new StreamResponseBodyFeature(responseBody);
        var response = new HttpResponseFeature();
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Method = request.Method,
            Scheme = "http",
            Protocol = "HTTP/1.1",
            PathBase = "",
            Path = request.DecodedPath,
            QueryString = request.QueryString,
            RawTarget = request.Path + request.QueryString,
            Headers = requestHeaders,
            Body = new MemoryStream(request.Body, writable: false),
        });
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(responseBodyFeature);
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature());

        var run = _server.ProcessAsync(features);
        var waited = TimeSpan.Zero;
        while (!run.IsCompleted)
        {
            if (await Task.WhenAny(run, Task.Delay(1)) == run)
            {
                break;
            }

            if (waited >= MaxSimulatedWait)
            {
                throw new TimeoutException($"The request still waits after {waited.TotalSeconds} simulated seconds.");
            }

            Clock.Advance(Step);
            waited += Step;
        }

        await run;
        await responseBodyFeature.CompleteAsync();
        return new FuzzResponse(response.StatusCode, response.Headers, responseBody.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await AwsServices.StopFerryTopicsAsync(_app.Services);
        await _app.DisposeAsync();
        await _broker.DisposeAsync();
        await _journal.DisposeAsync();
    }
}

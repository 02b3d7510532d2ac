using Ferry.Aws.Sqs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Aws.Tests;

/// <summary>A Kestrel app on 127.0.0.1 with <c>MapFerryAws()</c> and a <see cref="FakeSqsService"/>, shared by a test class.</summary>
public sealed class SqsTestServer : IAsyncLifetime
{
    private WebApplication? _app;

    internal FakeSqsService Service { get; } = new();

    public Uri Address { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ISqsService>(Service);
        _app = builder.Build();
        _app.MapGet("/health", () => "ok");
        _app.MapFerryAws();
        await _app.StartAsync();
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        Client = new HttpClient { BaseAddress = Address };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Ferry.Server;

/// <summary>A built Ferry server: start it, wait for a stop signal, stop it.</summary>
/// <remarks>
/// The journal is opened before Kestrel listens and closed after Kestrel has drained, explicitly here rather
/// than as a hosted service, so that the order does not depend on registration and a damaged journal is
/// reported in one line instead of the host's start-up failure dump.
/// </remarks>
internal sealed class FerryApp : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly JournalService _journal;
    private readonly BrokerService _broker;
    private Uri? _address;

    public FerryApp(WebApplication web, FerrySettings settings)
    {
        _web = web;
        Settings = settings;
        _journal = web.Services.GetRequiredService<JournalService>();
        _broker = web.Services.GetRequiredService<BrokerService>();
        Logger = web.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ferry");
    }

    public FerrySettings Settings { get; }

    public IServiceProvider Services => _web.Services;

    /// <summary>Ferry's own log category, for the few lines the host itself writes.</summary>
    public ILogger Logger { get; }

    /// <summary>The address the HTTP listener is bound to, with the actual port when 0 was asked for.</summary>
    /// <exception cref="InvalidOperationException">The server is not started.</exception>
    public Uri Address => _address ?? throw new InvalidOperationException("Ferry is not started.");

    /// <summary>The address the RESP listener is bound to, with the actual port when 0 was asked for.</summary>
    public System.Net.IPEndPoint? RedisEndPoint { get; private set; }

    /// <summary>Opens the journal, starts listening and logs the one start-up line.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Services.GetRequiredService<FerryClock>();
        await _journal.OpenAsync(cancellationToken);
        try
        {
            _broker.Open();
            var configuredUrl = $"http://{Settings.ListenAddress}:{(Settings.Port == 0 ? 4566 : Settings.Port)}";
            Aws.AwsServices.AttachFerryTopics(Services, Settings.Topics.PublicUrl ?? configuredUrl);
            if (Settings.Queues.Count > 0)
            {
                await Aws.DeclaredQueues.ApplyAsync(Services, Settings.Queues, configuredUrl, Logger, cancellationToken);
            }

            await _web.StartAsync(cancellationToken);
        }
        catch
        {
            await _broker.DisposeAsync();
            await _journal.DisposeAsync();
            throw;
        }

        var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        _address = new Uri(addresses.Addresses.First());
        var resp = Services.GetRequiredService<RespListener>().EndPoint!;
        RedisEndPoint = resp;
        Services.GetRequiredService<Ferry.Redis.RespServer>().Port = resp.Port;
        Aws.AwsServices.StartFerryTopics(Services, Settings.Topics.PublicUrl ?? _address.GetLeftPart(UriPartial.Authority));
        Logger.LogInformation(
            "Listening on {Address} and redis://{Redis}, data in {Data}, durability {Durability}",
            _address.GetLeftPart(UriPartial.Authority),
            resp,
            Settings.DataDescription,
            Settings.Durability);
    }

    /// <summary>Waits for SIGTERM, Ctrl-C or <see cref="StopAsync"/>, then drains requests and closes the journal.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        await _web.WaitForShutdownAsync(cancellationToken);
        await CloseJournalAsync();
    }

    /// <summary>Stops listening, drains in-flight requests (bounded by <see cref="FerryHost.DrainTimeout"/>) and closes the journal.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _web.StopAsync(cancellationToken);
        await CloseJournalAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _broker.DisposeAsync();
        await _journal.DisposeAsync();
        await _web.DisposeAsync();
    }

    private async Task CloseJournalAsync()
    {
        await Aws.AwsServices.StopFerryTopicsAsync(Services);
        await _broker.DisposeAsync();
        await _journal.DisposeAsync();
        Logger.LogInformation("Stopped; journal flushed and closed");
    }
}

using Ferry.Aws;
using Microsoft.AspNetCore.Connections;
using Ferry.Redis;
using Ferry.Transport;
using Ferry.Storage;
using Microsoft.AspNetCore.Http.Features;

namespace Ferry.Server;

/// <summary>Builds and runs a Ferry server: configuration, logging, Kestrel, the journal, the endpoints.</summary>
internal static class FerryHost
{
    /// <summary>Exit code for a clean stop, including after SIGTERM or Ctrl-C.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code when the server could not start: journal damaged, port taken, data directory unusable.</summary>
    public const int ExitStartFailed = 1;

    /// <summary>Exit code for invalid configuration or command-line arguments.</summary>
    public const int ExitBadConfiguration = 2;

    /// <summary>
    /// How long a stop waits for in-flight requests before closing their connections. Container runtimes give a
    /// process 10 s between SIGTERM and SIGKILL by default; 8 s of draining leaves time to flush the journal.
    /// </summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(8);

    /// <summary>The environment variable with which .NET's socket engine completes operations on its own threads.</summary>
    internal const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Runs Ferry until SIGTERM or Ctrl-C and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (FerryConfiguration.IsHelp(args))
        {
            await Console.Out.WriteLineAsync(FerryConfiguration.Usage);
            return ExitOk;
        }

        FerryApp app;
        try
        {
            app = Build(args);
        }
        catch (FerryConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"Ferry: invalid configuration: {e.Message}");
            return ExitBadConfiguration;
        }

        // Read once, when the first socket is created (at start): from then on the socket engine runs completions on
        // its own threads, one per core. Only the server process sets it: hosts of FerryHost.Build in tests keep
        // .NET's default for their own sockets.
        if (app.Settings.InlineIo && Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }

        await using (app)
        {
            try
            {
                await app.StartAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is JournalException or IOException or UnauthorizedAccessException or Ferry.Aws.QueueDeclarationException)
            {
                // Disposing the app below drains the console logger, so this line is written before exit.
                app.Logger.LogError("Ferry cannot start: {Reason}", e.Message);
                return ExitStartFailed;
            }

            await app.WaitForShutdownAsync(CancellationToken.None);
        }

        return ExitOk;
    }

    /// <summary>ASP.NET Core's per-request logging category.</summary>
    internal const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>Builds a Ferry server from command-line arguments and configuration, without starting it.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="configDirectory">
    /// Where appsettings.json is read from; by default the directory of the executable, so that the server finds
    /// its own defaults whatever the current directory.
    /// </param>
    /// <param name="currentDirectory">What a relative data directory is relative to; by default the current directory.</param>
    /// <exception cref="FerryConfigurationException">The configuration is invalid.</exception>
    public static FerryApp Build(string[] args, string? configDirectory = null, string? currentDirectory = null)
    {
        FerryConfiguration.CheckCommandLine(args);
        configDirectory ??= AppContext.BaseDirectory;

        WebApplicationBuilder builder;
        try
        {
            builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                Args = args,
                ContentRootPath = configDirectory,
            });

            // Replace the default sources so that precedence is exactly: files < environment < command line, and
            // the command line knows Ferry's short switches.
            builder.Configuration.Sources.Clear();
            builder.Configuration
                .SetBasePath(configDirectory)
                .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
                .AddJsonFile($"appsettings.{builder.Environment.EnvironmentName}.json", optional: true, reloadOnChange: false)
                // FERRY__PORT becomes FERRY:PORT, which configuration keys match as Ferry:Port.
                .AddEnvironmentVariables()
                .AddCommandLine(args, new Dictionary<string, string>(FerryConfiguration.SwitchMappings));
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            // The outer exception names the file; the inner ones say what is wrong with it.
            var reason = e.InnerException?.InnerException?.Message ?? e.InnerException?.Message;
            throw new FerryConfigurationException(reason is null ? e.Message : $"{e.Message} {reason}", e);
        }

        var configuration = builder.Configuration;
        var settings = FerryConfiguration.Resolve(
            configuration.GetSection(FerryOptions.SectionName),
            currentDirectory ?? Directory.GetCurrentDirectory());

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.IncludeScopes = false;
        });
        // The generic host logs a failed start (port taken, journal damaged) with a full stack trace; Ferry
        // reports those itself in one line. Its Critical lines (a background service stopping the host) still show.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        // ASP.NET Core starts an Activity and a logging scope for every request whenever its hosting category logs at
        // any level, and Ferry logs nothing there: off, unless the configuration names the category itself.
        if (configuration[$"Logging:LogLevel:{HostingDiagnosticsCategory}"] is null)
        {
            builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        }

        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = DrainTimeout);
        builder.Services.AddOptions<FerryOptions>().Bind(configuration.GetSection(FerryOptions.SectionName));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<FerryClock>();
        builder.Services.AddSingleton<JournalService>();
        builder.Services.AddSingleton<BrokerService>();
        // Faces reach the broker on every request: the service is looked up once, its broker (open once started) read
        // each time.
        builder.Services.AddFerryAws(sp => sp.GetRequiredService<BrokerService>().GetBroker, new Ferry.Aws.Sns.SnsOptions
        {
            SigningDirectory = settings.DataDirectory,
            SignQueueDeliveries = settings.Topics.SignQueueDeliveries,
        });
        builder.Services.AddSingleton(sp => new RespServer(
            new RespOptions
            {
                Password = settings.Redis.Password,
                PubSubBufferLimit = settings.Redis.PubSubBufferLimit,
                MaxBulkLength = settings.Redis.MaxBulkLength,
                AllowFlush = settings.Redis.AllowFlush,
                Durability = settings.Durability.ToString(),
            },
            sp.GetRequiredService<BrokerService>().GetBroker,
            sp.GetRequiredService<TimeProvider>()));

        var respListener = new RespListener();
        builder.Services.AddSingleton(respListener);
        // On Kestrel's socket transport (a listener whose event loop is off, or a machine without one), Kestrel runs a
        // connection's request processing where its data arrived instead of queueing it to the thread pool; with the
        // socket engine's inline completions (set by RunAsync, process-wide) a small request is read, handled and
        // answered on one thread. Every handler awaits rather than blocks, so no socket thread stalls.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = settings.InlineIo);
        builder.Services.AddSingleton<IConnectionListenerFactory>(sp =>
            new EventLoopTransportFactory(() => sp.GetRequiredService<JournalService>().Journal, sp.GetRequiredService<IMemoryPoolFactory<byte>>()));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The HTTP face (SQS, SNS, Kinesis and /health) and the RESP face each get a transport by their endpoint's
            // type: Ferry's event loop where it runs and is on, Kestrel's sockets otherwise.
            kestrel.Listen(Endpoint(new System.Net.IPEndPoint(settings.ListenAddress, settings.Port), settings.HttpEventLoop, "http-loop", syncsSmallPasses: false));
            // The RESP face: Kestrel accepts and schedules the connections, Ferry.Redis speaks the protocol.
            var respEndPoint = Endpoint(new System.Net.IPEndPoint(settings.ListenAddress, settings.Redis.Port), settings.Redis.EventLoop, "resp-loop", syncsSmallPasses: true);
            kestrel.Listen(respEndPoint, listen =>
            {
                listen.UseConnectionHandler<RespConnectionHandler>();
                respListener.Options = listen;
            });
            kestrel.AddServerHeader = false;
            // The one limit Ferry sets itself: nothing larger than the largest request any face accepts.
            kestrel.Limits.MaxRequestBodySize = AwsLimits.MaxRequestBodyBytes;
            // Kestrel's other defaults suit a server facing untrusted clients and are kept on purpose:
            // - request line 8 KiB, headers 32 KiB in total and at most 100 of them: SigV4 headers and SDK user
            //   agents fit easily, and the SDKs send large parameters in the body, never in the URL;
            // - 30 s to receive all request headers, against slowloris;
            // - a minimum body rate of 240 bytes/s after a 5 s grace, against slow-drip bodies;
            // - 130 s keep-alive, longer than the 20 s long polls of SQS and the SDKs' idle pool timeouts;
            // - no connection limit: each long poll holds a connection open, and the OS limit on sockets applies.
        });

        var app = builder.Build();
        app.Use(RefuseOversizedBodies);
        app.MapGet(HealthEndpoint.Path, HealthEndpoint.HandleAsync);
        app.MapFerryAws();
        return new FerryApp(app, settings);
    }

    /// <summary>Where Kestrel listens: on an event loop named <paramref name="loopName"/> when <paramref name="eventLoop"/>
    /// is on and the machine runs it, else on Kestrel's socket transport. The RESP loop syncs its small passes itself,
    /// as redis-server does (a Redis command costs a few microseconds, less than handing the sync to the flusher and
    /// back); the HTTP loop, whose requests cost tens, hands every pass to the flusher and reads on while it syncs
    /// (for SNS fan-out, alternated runs showed no difference either way).</summary>
    private static System.Net.EndPoint Endpoint(System.Net.IPEndPoint address, bool eventLoop, string loopName, bool syncsSmallPasses) =>
        eventLoop && EventLoopTransportFactory.Supported
            ? new EventLoopEndPoint(address, loopName) { SyncsSmallPasses = syncsSmallPasses }
            : address;

    /// <summary>
    /// Answers 413 to a request whose declared Content-Length is over the limit, before any of its body is read.
    /// </summary>
    /// <remarks>
    /// Kestrel checks <see cref="IHttpMaxRequestBodySizeFeature"/> only when the body is first read, so a route
    /// that never reads it would answer something else and then drain megabytes to keep the connection alive.
    /// The connection is closed instead: the unread body must not be parsed as the next request.
    /// </remarks>
    private static Task RefuseOversizedBodies(HttpContext context, RequestDelegate next)
    {
        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            context.Response.Headers.Connection = "close";
            return Task.CompletedTask;
        }

        return next(context);
    }
}

/// <summary>The RESP listener's Kestrel options: after start, its endpoint holds the port actually bound.</summary>
internal sealed class RespListener
{
    public Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? Options { get; set; }

    /// <summary>The bound endpoint (with the real port when 0 was asked for).</summary>
    public System.Net.IPEndPoint? EndPoint => Options?.EndPoint switch
    {
        System.Net.IPEndPoint ip => ip,
        EventLoopEndPoint loop => loop.IPEndPoint,
        _ => null,
    };
}

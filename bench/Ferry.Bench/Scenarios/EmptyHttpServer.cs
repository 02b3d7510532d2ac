using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Bench.Scenarios;

/// <summary>
/// Kestrel answering <c>GET /</c> with 200 and an empty body: the ceiling for any HTTP face on this machine.
/// Runs in a child process by default (so its CPU and memory are measured apart from the load generator),
/// or in-process.
/// </summary>
internal sealed class EmptyHttpServer : IAsyncDisposable
{
    /// <summary>The hidden command line verb that makes Ferry.Bench serve instead of measure.</summary>
    public const string ServeVerb = "serve-empty";

    // The child's first stdout line is this prefix and its bound address; the parent waits for it, so the
    // load starts only once the port (chosen by the kernel) is known and accepting.
    private const string ListeningPrefix = "listening ";

    private readonly WebApplication? _app;
    private readonly Process? _child;

    private EmptyHttpServer(IPEndPoint endPoint, int processId, WebApplication? app, Process? child)
    {
        EndPoint = endPoint;
        ProcessId = processId;
        _app = app;
        _child = child;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The process serving the requests (this one when in-process).</summary>
    public int ProcessId { get; }

    public static async Task<EmptyHttpServer> StartInProcessAsync(CancellationToken cancellationToken = default)
    {
        WebApplication app = Build();
        await app.StartAsync(cancellationToken);
        return new EmptyHttpServer(BoundEndPoint(app), Environment.ProcessId, app, null);
    }

    /// <summary>Starts <c>dotnet Ferry.Bench.dll serve-empty</c> and waits for it to report its port.</summary>
    public static async Task<EmptyHttpServer> StartChildAsync(CancellationToken cancellationToken = default)
    {
        string assembly = typeof(EmptyHttpServer).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost(), ["exec", assembly, ServeVerb])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        Process child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the HTTP target process.");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // Startup of a cold .NET process with Kestrel takes well under a second; 30 s means it is broken.
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            while (true)
            {
                string? line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException("The HTTP target process exited before listening.");
                if (line.StartsWith(ListeningPrefix, StringComparison.Ordinal))
                {
                    return new EmptyHttpServer(IPEndPoint.Parse(line[ListeningPrefix.Length..]), child.Id, null, child);
                }
            }
        }
        catch
        {
            child.Kill();
            child.Dispose();
            throw;
        }
    }

    /// <summary>The child's side: serve until stdin closes (the parent went away) or SIGTERM.</summary>
    public static async Task<int> ServeAsync()
    {
        await using WebApplication app = Build();
        await app.StartAsync();
        Console.Out.WriteLine(ListeningPrefix + BoundEndPoint(app).ToString());
        Console.Out.Flush();

        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        Task stdinClosed = Task.Run(() => Console.In.ReadToEnd());
        await Task.WhenAny(stdinClosed, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        await app.StopAsync();
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_child is not null)
        {
            _child.StandardInput.Close(); // the child stops when its stdin closes
            if (!_child.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                _child.Kill();
            }

            _child.Dispose();
        }
    }

    private static WebApplication Build()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0); // port 0: the kernel picks a free port
        });
        WebApplication app = builder.Build();
        app.Run(context =>
        {
            bool root = HttpMethods.IsGet(context.Request.Method) && context.Request.Path == "/";
            context.Response.StatusCode = root ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
            context.Response.ContentLength = 0;
            return Task.CompletedTask;
        });
        return app;
    }

    private static IPEndPoint BoundEndPoint(WebApplication app)
    {
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var uri = new Uri(address);
        return new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port);
    }

    /// <summary>The <c>dotnet</c> host that runs this process's runtime (…/dotnet/shared/Microsoft.NETCore.App/x.y.z/ → …/dotnet/dotnet).</summary>
    private static string DotnetHost()
    {
        string runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        string root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        string host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }
}

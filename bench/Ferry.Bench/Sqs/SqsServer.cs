using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ferry.Bench.Http;

namespace Ferry.Bench.Sqs;

/// <summary>
/// An SQS server process that the benchmark starts on a free loopback port and stops by its pid: Ferry
/// (<c>dotnet Ferry.Server.dll --port P --data DIR --durability D</c>, built in Release if missing) or
/// <c>moto_server -H 127.0.0.1 -p P</c>. Ferry can be stopped (SIGTERM or SIGKILL) and started again on the
/// same data directory.
/// </summary>
internal sealed partial class SqsServer : IAsyncDisposable
{
    public const string Ferry = "ferry";
    public const string Moto = "moto";
    public const string Kinesalite = "kinesalite";

    // Every process started here, killed on exit of the benchmark if a scenario could not stop it itself.
    private static readonly ConcurrentDictionary<int, Process> s_running = new();
    private static int s_exitHookInstalled;

    private readonly string _durability;
    private readonly bool _ownsDataDirectory;
    private readonly Queue<string> _outputTail = new();
    private Process? _process;

    private SqsServer(string target, string? dataDirectory, bool ownsDataDirectory, string durability)
    {
        Target = target;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        _durability = durability;
    }

    public string Target { get; }

    /// <summary>Ferry's data directory (null for moto, which keeps everything in memory).</summary>
    public string? DataDirectory { get; }

    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The server is not running.");

    /// <summary>When the current process was started (a <see cref="Stopwatch"/> timestamp).</summary>
    public long StartedAt { get; private set; }

    /// <summary>Whether <c>moto_server</c> is on the PATH.</summary>
    public static bool MotoAvailable => FindOnPath("moto_server") is not null;

    /// <summary>Starts a fresh server of <paramref name="target"/> and waits until it answers HTTP.</summary>
    /// <param name="durability">Ferry's durability mode; ignored for moto.</param>
    public static async Task<SqsServer> StartAsync(
        string target, string dataParent, string durability, TextWriter log, CancellationToken cancellationToken)
    {
        SqsServer server;
        switch (target)
        {
            case Ferry:
                await EnsureFerryBuiltAsync(log, cancellationToken);
                Directory.CreateDirectory(dataParent);
                string data = Path.Combine(Path.GetFullPath(dataParent), $"ferry-sqs-{Environment.ProcessId}-{Guid.NewGuid():N}");
                Directory.CreateDirectory(data);
                server = new SqsServer(Ferry, data, ownsDataDirectory: true, durability);
                break;
            case Moto:
                if (!MotoAvailable)
                {
                    throw new InvalidOperationException("moto_server is not on the PATH (pip install 'moto[server]').");
                }

                server = new SqsServer(Moto, null, ownsDataDirectory: false, durability);
                break;
            case Kinesalite:
                if (KinesaliteScript() is null)
                {
                    throw new InvalidOperationException("kinesalite is not installed (bench/run.sh installs it under bench/node_modules with npm).");
                }

                server = new SqsServer(Kinesalite, null, ownsDataDirectory: false, durability);
                break;
            default:
                throw new ArgumentException($"Unknown target '{target}' (ferry, moto or kinesalite).");
        }

        try
        {
            await server.StartProcessAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server again (Ferry: on the same data directory) on a new free port; returns when it answers <c>/health</c>.</summary>
    public Task StartAgainAsync(CancellationToken cancellationToken)
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("The server is still running.");
        }

        return StartProcessAsync(cancellationToken);
    }

    /// <summary>Sends SIGTERM (or SIGKILL) and waits for the process to exit; returns how long that took.</summary>
    public async Task<TimeSpan> StopAsync(bool kill, CancellationToken cancellationToken = default)
    {
        Process process = _process ?? throw new InvalidOperationException("The server is not running.");
        long start = Stopwatch.GetTimestamp();
        if (kill)
        {
            process.Kill();
        }
        else if (Kill(process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {process.Id} failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill();
            throw new TimeoutException($"{Target} (pid {process.Id}) did not exit within 60 s of SIGTERM.");
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        Forget();
        return elapsed;
    }

    /// <summary>The last lines the server printed, for error messages.</summary>
    public string OutputTail()
    {
        lock (_outputTail)
        {
            return string.Join('\n', _outputTail);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    // SIGTERM first so Ferry closes its journal cleanly; SIGKILL if it does not exit.
                    Kill(process.Id, SigTerm);
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    try
                    {
                        await process.WaitForExitAsync(timeout.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        process.Kill();
                        await process.WaitForExitAsync(CancellationToken.None);
                    }
                }
            }
            catch (InvalidOperationException)
            {
                // The process was never started or is already gone.
            }

            Forget();
        }

        if (_ownsDataDirectory && DataDirectory is not null && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private void Forget()
    {
        if (_process is { } process)
        {
            s_running.TryRemove(process.Id, out _);
            process.Dispose();
            _process = null;
        }
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        InstallExitHook();
        int port = FreePort();
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
        string portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ProcessStartInfo start = Target switch
        {
            Ferry => new ProcessStartInfo(DotnetHost(), [FerryServerDll(), "--port", portText, "--data", DataDirectory!, "--durability", _durability, "--redis-port", "0"]),
            // kinesalite's defaults: in-memory LevelDB, streams ACTIVE after 500 ms; node runs its CLI directly so the pid is the server's.
            Kinesalite => new ProcessStartInfo(FindOnPath("node")!, [KinesaliteScript()!, "--port", portText]),
            _ => new ProcessStartInfo(FindOnPath("moto_server")!, ["-H", "127.0.0.1", "-p", portText]),
        };
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;

        var process = new Process { StartInfo = start };
        // Both streams are drained continuously (a full pipe would block the server) and their tail kept.
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        StartedAt = Stopwatch.GetTimestamp();
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {Target}.");
        }

        _process = process;
        s_running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitUntilReadyAsync(process, cancellationToken);
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputTail)
        {
            _outputTail.Enqueue(line);
            while (_outputTail.Count > 40)
            {
                _outputTail.Dequeue();
            }
        }
    }

    /// <summary>Polls until an HTTP request is answered: <c>GET /health</c> with 200 for Ferry, any response for moto.</summary>
    private async Task WaitUntilReadyAsync(Process process, CancellationToken cancellationToken)
    {
        string path = Target switch { Ferry => "/health", Kinesalite => "/", _ => "/moto-api/" };
        byte[] request = HttpRequestEncoder.ToArray("GET", path, EndPoint.ToString());
        // Cold start of a .NET server with a large journal to replay, or of moto (imports) takes seconds; a
        // minute without an answer means it is broken.
        long deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 120);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Target} exited with code {process.ExitCode} before answering HTTP:\n{OutputTail()}");
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{Target} did not answer {path} within 120 s:\n{OutputTail()}");
            }

            try
            {
                await using HttpConnection connection = await HttpConnection.ConnectAsync(EndPoint, cancellationToken);
                HttpResponseView response = await connection.SendAsync(request, cancellationToken: cancellationToken);
                if (Target != Ferry || response.StatusCode == 200)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is SocketException or IOException)
            {
                // Not listening yet.
            }

            await Task.Delay(2, cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static void InstallExitHook()
    {
        if (Interlocked.Exchange(ref s_exitHookInstalled, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (Process process in s_running.Values)
                {
                    try
                    {
                        process.Kill();
                    }
                    catch (InvalidOperationException)
                    {
                        // Already exited.
                    }
                }
            };
        }
    }

    /// <summary>The repository root: the nearest directory above the benchmark's binaries (or the working directory) with Ferry.slnx.</summary>
    /// <summary>kinesalite's CLI under bench/node_modules, where bench/run.sh installs it; null when missing.</summary>
    internal static string? KinesaliteScript()
    {
        string script = Path.Combine(RepositoryRoot(), "bench", "node_modules", "kinesalite", "cli.js");
        return File.Exists(script) ? script : null;
    }

    internal static string RepositoryRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (DirectoryInfo? directory = new(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Ferry.slnx")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (Ferry.slnx) above the benchmark or the working directory.");
    }

    internal static string FerryServerDll() =>
        Path.Combine(RepositoryRoot(), "src", "Ferry.Server", "bin", "Release", "net10.0", "Ferry.Server.dll");

    private static readonly SemaphoreSlim s_buildLock = new(1, 1);

    /// <summary>
    /// Builds Ferry.Server in Release if its assembly is missing or older than any source under <c>src/</c> or the
    /// build properties at the root, so a benchmark never measures a stale server (bench/run.sh builds it every time).
    /// </summary>
    private static async Task EnsureFerryBuiltAsync(TextWriter log, CancellationToken cancellationToken)
    {
        await s_buildLock.WaitAsync(cancellationToken);
        try
        {
            if (!FerryBuildIsStale())
            {
                return;
            }

            string project = Path.Combine(RepositoryRoot(), "src", "Ferry.Server", "Ferry.Server.csproj");
            log.WriteLine($"building {project} (Release)");
            var start = new ProcessStartInfo(DotnetHost(), ["build", "-c", "Release", "--nologo", "-v", "quiet", project])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process build = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet build.");
            Task<string> output = build.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> errors = build.StandardError.ReadToEndAsync(cancellationToken);
            await build.WaitForExitAsync(cancellationToken);
            if (build.ExitCode != 0 || !File.Exists(FerryServerDll()))
            {
                throw new InvalidOperationException($"Building Ferry.Server failed:\n{await output}{await errors}");
            }
        }
        finally
        {
            s_buildLock.Release();
        }
    }

    private static bool FerryBuildIsStale()
    {
        var dll = new FileInfo(FerryServerDll());
        if (!dll.Exists)
        {
            return true;
        }

        string root = RepositoryRoot();
        IEnumerable<string> sources = Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Concat(Directory.EnumerateFiles(root, "Directory.*.props"));
        return sources.Any(path => File.GetLastWriteTimeUtc(path) > dll.LastWriteTimeUtc);
    }

    private static string? FindOnPath(string program)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The <c>dotnet</c> host that runs this process's runtime.</summary>
    private static string DotnetHost()
    {
        string root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        string host = Path.Combine(root, "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

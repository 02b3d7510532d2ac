using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Ferry.Torture;

/// <summary>The built server as a child process on free ports, with its output kept for diagnosis.</summary>
internal sealed partial class FerryServer : IDisposable
{
    /// <summary>How long a start may take, recovery included, on a busy two-core machine.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private const int KeptLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly TaskCompletionSource<Match> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FerryServer(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException($"the server exited with {ExitCodeOrNone()}"));
    }

    /// <summary>The HTTP endpoint every AWS face answers on.</summary>
    public Uri Http { get; private set; } = null!;

    public int RedisPort { get; private set; }

    public int Id => _process.Id;

    /// <summary>The last lines the server printed.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }

    /// <summary>Starts <c>dotnet &lt;dll&gt;</c> with fsync durability on <paramref name="dataDirectory"/> and waits until it
    /// listens and answers <c>GET /health</c>.</summary>
    /// <param name="checkpointIntervalMs">The server's <c>Ferry:CheckpointInterval</c>.</param>
    /// <exception cref="InvalidOperationException">It exited or did not come up; the message holds its last lines.</exception>
    public static async Task<FerryServer> StartAsync(string dll, string dataDirectory, int checkpointIntervalMs, HttpClient http)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(dataDirectory))!,
        };
        string[] args = [dll, "--port", "0", "--redis-port", "0", "--data", dataDirectory, "--durability", "fsync",
            "--Ferry:CheckpointInterval", checkpointIntervalMs.ToString(CultureInfo.InvariantCulture)];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var server = new FerryServer(Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet"));
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            var line = await server._listening.Task.WaitAsync(StartTimeout);
            server.Http = new Uri(line.Groups["http"].Value);
            server.RedisPort = int.Parse(line.Groups["redis"].Value, CultureInfo.InvariantCulture);
            using var health = await http.GetAsync(new Uri(server.Http, "/health"));
            health.EnsureSuccessStatusCode();
            return server;
        }
        catch (Exception ex)
        {
            server.Kill();
            var output = server.Output;
            server.Dispose();
            throw new InvalidOperationException($"Ferry did not start ({ex.Message}):{Environment.NewLine}{output}", ex);
        }
    }

    /// <summary>SIGKILL: no chance to flush, drain or close anything.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        _process.WaitForExit();
    }

    public bool HasExited => _process.HasExited;

    public void Dispose() => _process.Dispose();

    private string ExitCodeOrNone() => _process.HasExited ? _process.ExitCode.ToString(CultureInfo.InvariantCulture) : "?";

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }

        if (StartLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(match);
        }
    }

    // info: Ferry[0] Listening on http://127.0.0.1:4566 and redis://127.0.0.1:6379, data in /abs/data, durability fsync
    [GeneratedRegex(@"Listening on (?<http>http://127\.0\.0\.1:[0-9]+) and redis://127\.0\.0\.1:(?<redis>[0-9]+),")]
    private static partial Regex StartLine();
}

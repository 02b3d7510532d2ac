using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Ferry.Storage;

namespace Ferry.Server.Tests;

/// <summary>The built server run as a child process, the way an operator runs it.</summary>
[Collection(EnvironmentCollection.Name)] // The child inherits the environment; keep it clear of tests that change it.
public sealed partial class ServerProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Run_ThenSigterm_LogsOneStartLineDrainsAndExitsZero()
    {
        using var dir = new TempDirectory();
        var data = dir.Combine("data");
        using var server = ServerProcess.Start(dir.Path, ["--port", "0", "--redis-port", "0", "--data", data], ("FERRY__DURABILITY", "interval:10"));

        var line = await server.WaitForLineAsync(l => l.Contains("Listening on", StringComparison.Ordinal), Patience);
        var match = StartLine().Match(line);
        Assert.True(match.Success, $"unexpected start-up line: {line}");
        Assert.Equal(data, match.Groups["data"].Value);
        Assert.Equal("interval:10", match.Groups["durability"].Value);

        using (var http = new HttpClient { Timeout = Patience })
        {
            using var response = await http.GetAsync(new Uri(new Uri(match.Groups["address"].Value), "/health"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        server.Terminate();
        var exitCode = await server.WaitForExitAsync(Patience);

        Assert.Equal(0, exitCode);
        Assert.True(Directory.Exists(Path.Combine(data, "journal")));
        Assert.Single(server.Output, l => l.Contains("Listening on", StringComparison.Ordinal));
        Assert.Contains(server.Output, l => l.Contains("journal flushed and closed", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Output, l => l.Contains("Microsoft.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_WithoutDataSwitch_KeepsDataUnderTheCurrentDirectory()
    {
        using var dir = new TempDirectory();
        using var server = ServerProcess.Start(dir.Path, ["--port", "0", "--redis-port", "0"]);

        var line = await server.WaitForLineAsync(l => l.Contains("Listening on", StringComparison.Ordinal), Patience);
        server.Terminate();
        var exitCode = await server.WaitForExitAsync(Patience);

        Assert.Equal(dir.Combine("data"), StartLine().Match(line).Groups["data"].Value);
        Assert.Equal(0, exitCode);
        Assert.True(Directory.Exists(dir.Combine("data", "journal")));
    }

    [Fact]
    public async Task Run_WithInvalidOption_ExitsTwoWithOneLine()
    {
        using var dir = new TempDirectory();
        using var server = ServerProcess.Start(dir.Path, ["--port", "99999", "--redis-port", "0"]);

        var exitCode = await server.WaitForExitAsync(Patience);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(server.Errors);
        Assert.Equal("Ferry: invalid configuration: Ferry:Port (--port) must be a whole number from 0 to 65535, not '99999'.", line);
        Assert.False(Directory.Exists(dir.Combine("data")));
    }

    [Fact]
    public async Task Run_OnACorruptJournal_ExitsOneNamingFileAndOffset()
    {
        using var dir = new TempDirectory();
        var journalDirectory = dir.Combine("data", "journal");
        var refs = new List<RecordRef>();
        await using (var journal = await Journal.OpenAsync(new JournalOptions { Directory = journalDirectory }))
        {
            for (var i = 0; i < 10; i++)
            {
                refs.Add(await journal.AppendAsync(1, (ulong)i, new byte[200]));
            }
        }

        // A flipped bit in a record that later records follow: damage recovery must refuse, not truncate.
        var segment = Assert.Single(Directory.GetFiles(journalDirectory, "*.seg"));
        var bytes = await File.ReadAllBytesAsync(segment);
        var offset = refs[4].Position;
        bytes[offset + 40] ^= 0x10;
        await File.WriteAllBytesAsync(segment, bytes);

        using var server = ServerProcess.Start(dir.Path, ["--port", "0", "--redis-port", "0"]);
        var exitCode = await server.WaitForExitAsync(Patience);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(server.Output.Concat(server.Errors), l => l.Length > 0);
        Assert.StartsWith("fail: Ferry[0] Ferry cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(segment, line, StringComparison.Ordinal);
        Assert.Contains($"offset {offset}", line, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(segment));
    }

    [Fact]
    public async Task Run_WithHelp_PrintsUsageAndExitsZero()
    {
        using var dir = new TempDirectory();
        using var server = ServerProcess.Start(dir.Path, ["--help"]);

        var exitCode = await server.WaitForExitAsync(Patience);

        Assert.Equal(0, exitCode);
        Assert.Contains(server.Output, l => l.TrimStart().StartsWith("--durability <mode>", StringComparison.Ordinal));
        Assert.False(Directory.Exists(dir.Combine("data")));
    }

    [Fact]
    public async Task Run_OnAPortInUse_ExitsOneWithOneLine()
    {
        using var dir = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var server = ServerProcess.Start(dir.Path, ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--redis-port", "0"]);

        var exitCode = await server.WaitForExitAsync(Patience);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(server.Output.Concat(server.Errors), l => l.Length > 0);
        Assert.Contains($"Ferry cannot start: Failed to bind to address http://127.0.0.1:{port}", line, StringComparison.Ordinal);
    }

    // info: Ferry[0] Listening on http://127.0.0.1:4566 and redis://127.0.0.1:6379, data in /abs/data, durability fsync
    [GeneratedRegex(@"^info: Ferry\[0\] Listening on (?<address>http://127\.0\.0\.1:[1-9][0-9]*) and redis://127\.0\.0\.1:[1-9][0-9]*, data in (?<data>.+), durability (?<durability>\S+)$")]
    private static partial Regex StartLine();

    /// <summary>`dotnet Ferry.Server.dll ...` with its output captured line by line.</summary>
    private sealed partial class ServerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _output = [];
        private readonly List<string> _errors = [];
        private readonly SemaphoreSlim _newLine = new(0);

        private ServerProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => Add(_output, e.Data);
            _process.ErrorDataReceived += (_, e) => Add(_errors, e.Data);
        }

        public IReadOnlyList<string> Output
        {
            get
            {
                lock (_output)
                {
                    return [.. _output];
                }
            }
        }

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_errors)
                {
                    return [.. _errors];
                }
            }
        }

        public static ServerProcess Start(string workingDirectory, string[] args, params (string Name, string Value)[] environment)
        {
            // The server's assembly, runtimeconfig and appsettings.json are copied beside the tests' own.
            var serverDll = typeof(FerryHost).Assembly.Location;
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(serverDll);
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            var process = new ServerProcess(Process.Start(start)!);
            process._process.BeginOutputReadLine();
            process._process.BeginErrorReadLine();
            return process;
        }

        public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            while (true)
            {
                var found = Output.FirstOrDefault(predicate);
                if (found is not null)
                {
                    return found;
                }

                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"server exited with {_process.ExitCode}: {string.Join(" | ", Output.Concat(Errors))}");
                }

                try
                {
                    await _newLine.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"no matching line within {timeout}: {string.Join(" | ", Output.Concat(Errors))}");
                }
            }
        }

        /// <summary>Sends SIGTERM, as a service manager or container runtime does to stop the server.</summary>
        public void Terminate()
        {
            const int SIGTERM = 15;
            Assert.Equal(0, Kill(_process.Id, SIGTERM));
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
            _newLine.Dispose();
        }

        private void Add(List<string> lines, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(line);
            }

            _newLine.Release();
        }

        [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static partial int Kill(int pid, int signal);
    }
}

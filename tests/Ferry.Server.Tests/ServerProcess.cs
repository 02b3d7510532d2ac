using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Ferry.Server.Tests;

/// <summary>The built server run as a child process (<c>dotnet Ferry.Server.dll ...</c>), the way an operator runs it,
/// with its output collected line by line.</summary>
internal sealed partial class ServerProcess : IDisposable
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

    /// <summary>The memory the process holds now: VmRSS from <c>/proc/&lt;pid&gt;/status</c>, in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS line in /proc/<pid>/status");
    }

    /// <summary>The names of the process's threads now, from <c>/proc/&lt;pid&gt;/task/*/comm</c>.</summary>
    public IReadOnlyList<string> ThreadNames()
    {
        var names = new List<string>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            try
            {
                names.Add(File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'));
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }

        return names;
    }

    public static ServerProcess Start(string workingDirectory, string[] args, params (string Name, string Value)[] environment) =>
        StartUnder([], workingDirectory, args, environment);

    /// <summary>Starts the server under a wrapper command (<c>strace ... --</c>), or directly when it is empty.</summary>
    public static ServerProcess StartUnder(string[] wrapper, string workingDirectory, string[] args, params (string Name, string Value)[] environment)
    {
        // The server's assembly, runtimeconfig and appsettings.json are copied beside the tests' own.
        var serverDll = typeof(FerryHost).Assembly.Location;
        var start = new ProcessStartInfo(wrapper.Length > 0 ? wrapper[0] : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var part in wrapper.Skip(1))
        {
            start.ArgumentList.Add(part);
        }

        if (wrapper.Length > 0)
        {
            start.ArgumentList.Add("dotnet");
        }

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

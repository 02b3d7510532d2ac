using System.Net;
using System.Net.Sockets;
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Run_InlineIo_GivesTheSocketEngineOneThreadPerCore(bool inline)
    {
        // With inline completions .NET's socket engine runs one event thread per core, so that handlers running on
        // them never wait for one another; without, one thread (per 30 cores) only hands events to the thread pool.
        using var dir = new TempDirectory();
        using var server = ServerProcess.Start(dir.Path, ["--port", "0", "--redis-port", "0", "--durability", "memory", "--Ferry:InlineIo", inline ? "true" : "false"]);
        await server.WaitForLineAsync(l => l.Contains("Listening on", StringComparison.Ordinal), Patience);

        int socketThreads = server.ThreadNames().Count(n => n == ".NET Sockets");
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync(Patience));

        if (inline)
        {
            Assert.Equal(Environment.ProcessorCount, socketThreads);
        }
        else
        {
            Assert.InRange(socketThreads, 1, Math.Max(1, Environment.ProcessorCount / 30));
        }
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task Run_EventLoops_ServeEachFaceOnItsLoopThreadOrOnKestrelsSockets(bool httpLoop, bool redisLoop)
    {
        using var dir = new TempDirectory();
        using var server = ServerProcess.Start(dir.Path, ["--port", "0", "--redis-port", "0", "--durability", "memory",
            "--Ferry:HttpEventLoop", httpLoop ? "true" : "false", "--Ferry:RedisEventLoop", redisLoop ? "true" : "false"]);
        var line = await server.WaitForLineAsync(l => l.Contains("Listening on", StringComparison.Ordinal), Patience);
        var port = int.Parse(RedisPort().Match(line).Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);

        using (var http = new HttpClient { Timeout = Patience })
        {
            using var response = await http.GetAsync(new Uri(new Uri(StartLine().Match(line).Groups["address"].Value), "/health"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var reply = new byte[7];
            await stream.ReadExactlyAsync(reply);
            Assert.Equal("+PONG\r\n", System.Text.Encoding.ASCII.GetString(reply));
        }

        var threads = server.ThreadNames();
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync(Patience));
        var supported = Ferry.Transport.EventLoopTransportFactory.Supported;
        Assert.Equal(httpLoop && supported ? 1 : 0, threads.Count(n => n == "http-loop"));
        Assert.Equal(redisLoop && supported ? 1 : 0, threads.Count(n => n == "resp-loop"));
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

    [GeneratedRegex(@"redis://127\.0\.0\.1:(?<port>[1-9][0-9]*),")]
    private static partial Regex RedisPort();
}

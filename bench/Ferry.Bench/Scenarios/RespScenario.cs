using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Bench.Measurement;
using Ferry.Bench.Reporting;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Scenarios;

/// <summary>
/// Ferry's RESP face against redis-server, through the same clients: redis-benchmark for PING, PUBLISH and XADD
/// (without and with pipelining), and a small client of the benchmark's own for XREADGROUP followed by XACK.
/// </summary>
/// <remarks>redis-server runs twice: without persistence (appendonly no) and with every write fsynced
/// (appendonly yes, appendfsync always), the one comparable with Ferry's fsync durability for XADD.</remarks>
internal sealed class RespScenario : IScenario
{
    // 50 clients: redis-benchmark's default, the figure Redis's own published numbers use.
    private const int Clients = 50;

    // Measured runs per target and configuration, interleaved: this machine's speed drifts by a fifth within a
    // minute (XADD against one redis-server: 26,700 to 45,000 requests/s in consecutive runs), and one run per target
    // compared whatever moments each happened to meet.
    private const int MeasuredRounds = 3;

    public string Name => "resp";

    public string Description => "Ferry's RESP face vs redis-server (appendonly no / appendfsync always): PING, PUBLISH, XADD, XREADGROUP+XACK";

    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; } = [new("pipeline", "1,16")];

    public async Task<ScenarioReport> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        int[] pipelines = options.IntList("pipeline", Settings[0].Value);
        string durability = options.Setting("durability", "fsync");
        // Every target is first warmed up with an unmeasured run of the same command (Ferry's code is compiled in tiers
        // while it runs: cold, PING measured 96,000/s where warm it does 150,000), and each measured run is sized from
        // the warm-up's rate so that a target's rounds together last about `measure`.
        int warmupRequests = options.Quick ? 20_000 : 200_000;
        TimeSpan measure = options.Duration(normal: 6, quick: 0.5);
        int rounds = options.Quick ? 1 : MeasuredRounds;
        TimeSpan groupDuration = options.Duration(normal: 9, quick: 1);
        TimeSpan groupWarmup = options.Warmup(normal: 5, quick: 0.2);
        var report = new ScenarioReport(Name, "Redis protocol: Ferry vs redis-server, redis-benchmark and a consumer-group client");
        report.AddParameter("clients", Clients.ToString(CultureInfo.InvariantCulture));
        report.AddParameter("redis-benchmark", $"a warm-up run of {warmupRequests:N0} requests per target, then {rounds} measured round(s) alternating between the targets, each run sized to last about {measure.TotalSeconds / rounds:0.#} s; a row is the target's median round");
        report.AddParameter("XREADGROUP+XACK", $"{rounds} round(s) of {groupDuration.TotalSeconds / rounds:0.#} s alternating between the targets, the first after {groupWarmup.TotalSeconds:0.#} s of warm-up; a row is the target's median round");
        report.AddParameter("ferry durability", durability);
        if (FindOnPath("redis-benchmark") is null || FindOnPath("redis-server") is null)
        {
            report.Notes.Add("redis-benchmark or redis-server is not installed (apt-get install redis-tools redis-server): nothing measured.");
            return report;
        }

        string root = Path.Combine(options.DataDirectory, "resp-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var targets = new List<(string Name, ChildServer Server)>();
        try
        {
            targets.Add((ResultRow.FerryTarget, await ChildServer.StartFerryAsync(Path.Combine(root, "ferry"), durability, cancellationToken)));
            targets.Add(("redis-server (appendonly no)", await ChildServer.StartRedisAsync(Path.Combine(root, "redis-noaof"), ["--appendonly", "no"], cancellationToken)));
            targets.Add(("redis-server (appendfsync always)", await ChildServer.StartRedisAsync(Path.Combine(root, "redis-always"), ["--appendonly", "yes", "--appendfsync", "always"], cancellationToken)));

            (string Label, string[] Command)[] tests =
            [
                ("PING", ["PING"]),
                ("PUBLISH", ["PUBLISH", "bench-channel", "hello"]),
                ("XADD", ["XADD", "bench-stream", "*", "field", "value"]),
            ];
            foreach (var (label, command) in tests)
            {
                foreach (int pipeline in pipelines)
                {
                    string configuration = $"{label}, -P {pipeline}";
                    var requests = new int[targets.Count];
                    for (int t = 0; t < targets.Count; t++)
                    {
                        var (name, server) = targets[t];
                        options.Log.WriteLine($"resp: {configuration} against {name}, warm-up");
                        var warm = await RedisBenchmarkAsync(name, server.Port, configuration, command, pipeline, warmupRequests, cancellationToken);
                        requests[t] = (int)Math.Clamp(warm.OperationsPerSecond * measure.TotalSeconds / rounds, warmupRequests / rounds, 100_000_000);
                    }

                    report.Rows.AddRange(await InterleavedAsync(targets.Count, rounds, (t, round) =>
                    {
                        var (name, server) = targets[t];
                        options.Log.WriteLine($"resp: {configuration} against {name}, round {round + 1} of {rounds}");
                        return RedisBenchmarkAsync(name, server.Port, configuration, command, pipeline, requests[t], cancellationToken);
                    }));
                }
            }

            // After the first round each target is warm: the later rounds of the consumer-group load warm up for a
            // second only.
            report.Rows.AddRange(await InterleavedAsync(targets.Count, rounds, (t, round) =>
            {
                var (name, server) = targets[t];
                options.Log.WriteLine($"resp: XREADGROUP+XACK against {name}, round {round + 1} of {rounds}");
                var warmup = round == 0 ? groupWarmup : TimeSpan.FromSeconds(Math.Min(1, groupWarmup.TotalSeconds));
                return GroupLoadAsync(name, server.Port, warmup, groupDuration / rounds, cancellationToken);
            }));
        }
        finally
        {
            foreach (var (_, server) in targets)
            {
                await server.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
        }

        foreach (var group in report.Rows.GroupBy(r => r.Configuration))
        {
            var ferry = group.FirstOrDefault(r => r.Target == ResultRow.FerryTarget);
            if (ferry is null)
            {
                continue;
            }

            var ratios = group.Where(r => r != ferry && r.OperationsPerSecond > 0)
                .Select(r => $"{ferry.OperationsPerSecond / r.OperationsPerSecond:0.00}× {r.Target}");
            report.Notes.Add($"Ferry {group.Key}: {ferry.OperationsPerSecond:N0} ops/s = {string.Join(", ", ratios)}.");
        }

        report.Notes.Add("Latency percentiles of the redis-benchmark rows are redis-benchmark's own (it reports p50 and p99, and max); CPU is not sampled for them.");
        return report;
    }

    /// <summary>
    /// Measures every target <paramref name="rounds"/> times, alternating between them, each round starting with the
    /// next one, so that all meet the same moments of a machine whose speed drifts; a target's row is its median round
    /// (of an even count, the slower of the middle two). <paramref name="run"/> takes the target's index and the round.
    /// </summary>
    private static async Task<List<ResultRow>> InterleavedAsync(int targets, int rounds, Func<int, int, Task<ResultRow>> run)
    {
        var measured = Enumerable.Range(0, targets).Select(_ => new List<ResultRow>()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < targets; i++)
            {
                int t = (round + i) % targets;
                measured[t].Add(await run(t, round));
            }
        }

        return measured.Select(runs => runs.OrderBy(r => r.OperationsPerSecond).ElementAt((runs.Count - 1) / 2)).ToList();
    }

    private static async Task<ResultRow> RedisBenchmarkAsync(string target, int port, string configuration, string[] command, int pipeline, int requests, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("redis-benchmark", [
            "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-c", Clients.ToString(CultureInfo.InvariantCulture),
            "-n", requests.ToString(CultureInfo.InvariantCulture), "-P", pipeline.ToString(CultureInfo.InvariantCulture), "--csv", .. command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-benchmark.");
        string output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        string line = output.Split('\n').LastOrDefault(l => l.StartsWith('"') && !l.StartsWith("\"test\"", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"redis-benchmark printed no result against {target}: {output}");
        string[] cells = line.Trim().Split(',').Select(c => c.Trim('"')).ToArray();
        double rps = double.Parse(cells[1], CultureInfo.InvariantCulture);
        long Nanos(int i) => (long)(double.Parse(cells[i], CultureInfo.InvariantCulture) * 1e6);
        return new ResultRow(target, configuration, requests, requests / rps, null, Nanos(4), Nanos(6), Nanos(6), Nanos(7), 0, null);
    }

    /// <summary>
    /// Clients that each loop XREADGROUP COUNT 1 then XACK of what they got, over a stream filled first; the loop runs
    /// for <paramref name="warmup"/> unmeasured, then for <paramref name="duration"/> measured.
    /// </summary>
    private static async Task<ResultRow> GroupLoadAsync(string target, int port, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        string stream = "bench-group-" + Guid.NewGuid().ToString("N")[..8];
        // Enough entries that no client runs out before the end: well above what redis-server without persistence
        // (the fastest target, about 50,000 pairs/s here) consumes in the whole run.
        int fill = (int)Math.Min(10_000_000, Math.Max(200_000, (warmup + duration).TotalSeconds * 100_000));
        using (var setup = await RespPipe.ConnectAsync(port, cancellationToken))
        {
            await setup.CallAsync(cancellationToken, "XGROUP", "CREATE", stream, "g", "0", "MKSTREAM");
            for (int done = 0; done < fill; done += 1000)
            {
                await setup.PipelineAsync(1000, cancellationToken, "XADD", stream, "*", "field", "value");
            }
        }

        var histogram = new LatencyHistogram();
        long operations = 0;
        long measureFrom = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        long measureUntil = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, Clients).Select(async worker =>
        {
            using var client = await RespPipe.ConnectAsync(port, cancellationToken);
            var local = new LatencyHistogram();
            long count = 0;
            while (true)
            {
                long t0 = Stopwatch.GetTimestamp();
                if (t0 >= measureUntil)
                {
                    break;
                }

                string reply = await client.CallAsync(cancellationToken, "XREADGROUP", "GROUP", "g", $"c{worker}", "COUNT", "1", "STREAMS", stream, ">");
                string? id = RespPipe.FirstEntryId(reply)
                    ?? throw new InvalidOperationException($"The stream of {fill:N0} entries ran dry against {target}: raise the fill.");
                await client.CallAsync(cancellationToken, "XACK", stream, "g", id);
                if (t0 >= measureFrom)
                {
                    local.RecordTicks(Stopwatch.GetTimestamp() - t0);
                    count++;
                }
            }

            lock (histogram)
            {
                histogram.Add(local);
                operations += count;
            }
        }).ToList();
        await Task.WhenAll(workers);
        return ResultRow.From(target, "XREADGROUP+XACK (own client, 1 entry each)", histogram, duration.TotalSeconds, null, 0, null) with { Operations = operations };
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    /// <summary>A RESP connection for the benchmark's own load: sends commands, reads whole replies as text.</summary>
    private sealed class RespPipe : IDisposable
    {
        private readonly Socket _socket;
        private readonly byte[] _buffer = new byte[1 << 16];
        private int _start;
        private int _end;

        private RespPipe(Socket socket) => _socket = socket;

        public static async Task<RespPipe> ConnectAsync(int port, CancellationToken cancellationToken)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return new RespPipe(socket);
        }

        private static byte[] Encode(string[] args)
        {
            var text = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
            foreach (string a in args)
            {
                text.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
            }

            return Encoding.UTF8.GetBytes(text.ToString());
        }

        public async Task<string> CallAsync(CancellationToken cancellationToken, params string[] args)
        {
            await _socket.SendAsync(Encode(args), cancellationToken);
            return await ReadReplyAsync(cancellationToken);
        }

        public async Task PipelineAsync(int count, CancellationToken cancellationToken, params string[] args)
        {
            byte[] one = Encode(args);
            byte[] all = new byte[one.Length * count];
            for (int i = 0; i < count; i++)
            {
                one.CopyTo(all, i * one.Length);
            }

            await _socket.SendAsync(all, cancellationToken);
            for (int i = 0; i < count; i++)
            {
                string reply = await ReadReplyAsync(cancellationToken);
                if (reply.StartsWith('-'))
                {
                    throw new InvalidOperationException(reply);
                }
            }
        }

        /// <summary>The first entry id in an XREADGROUP reply (key, then entries), or null for an empty reply.</summary>
        public static string? FirstEntryId(string reply)
        {
            string[] lines = reply.Split("\r\n");
            // *1 *2 $len key *n *2 $len id ...
            return lines.Length > 7 && lines[5] == "*2" ? lines[7] : null;
        }

        private async Task<string> ReadReplyAsync(CancellationToken cancellationToken)
        {
            var text = new StringBuilder();
            await ReadValueAsync(text, cancellationToken);
            return text.ToString();
        }

        private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                int i = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
                if (i >= 0)
                {
                    string line = Encoding.UTF8.GetString(_buffer, _start, i);
                    _start += i + 2;
                    return line;
                }

                await FillAsync(cancellationToken);
            }
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            int n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
            if (n == 0)
            {
                throw new IOException("The server closed the connection.");
            }

            _end += n;
        }

        private async Task ReadValueAsync(StringBuilder text, CancellationToken cancellationToken)
        {
            string line = await ReadLineAsync(cancellationToken);
            text.Append(line).Append("\r\n");
            long n = line.Length > 1 && long.TryParse(line.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : 0;
            if (line[0] == '$' && n >= 0)
            {
                while (_end - _start < n + 2)
                {
                    await FillAsync(cancellationToken);
                }

                text.Append(Encoding.UTF8.GetString(_buffer, _start, (int)n)).Append("\r\n");
                _start += (int)n + 2;
            }
            else if (line[0] == '*')
            {
                for (long i = 0; i < n; i++)
                {
                    await ReadValueAsync(text, cancellationToken);
                }
            }
        }

        public void Dispose() => _socket.Dispose();
    }

    /// <summary>A Ferry or redis-server child process on a free port, stopped (and waited for) on dispose.</summary>
    private sealed class ChildServer : IAsyncDisposable
    {
        private readonly Process _process;

        private ChildServer(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static Task<ChildServer> StartFerryAsync(string data, string durability, CancellationToken cancellationToken)
        {
            int port = FreePort();
            int http = FreePort();
            string dll = Path.Combine(SqsServer.RepositoryRoot(), "src", "Ferry.Server", "bin", "Release", "net10.0", "Ferry.Server.dll");
            return StartAsync(new ProcessStartInfo("dotnet", [dll, "--port", http.ToString(CultureInfo.InvariantCulture), "--redis-port", port.ToString(CultureInfo.InvariantCulture),
                "--data", data, "--durability", durability]), port, cancellationToken);
        }

        public static Task<ChildServer> StartRedisAsync(string dir, string[] persistence, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(dir);
            int port = FreePort();
            return StartAsync(new ProcessStartInfo("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", dir, "--save", "", .. persistence]), port, cancellationToken);
        }

        private static async Task<ChildServer> StartAsync(ProcessStartInfo start, int port, CancellationToken cancellationToken)
        {
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new ChildServer(process, port);
            long deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60);
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{start.FileName} exited with code {process.ExitCode}.");
                }

                try
                {
                    using var pipe = await RespPipe.ConnectAsync(port, cancellationToken);
                    if (await pipe.CallAsync(cancellationToken, "PING") == "+PONG\r\n")
                    {
                        return server;
                    }
                }
                catch (SocketException) when (Stopwatch.GetTimestamp() < deadline)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}

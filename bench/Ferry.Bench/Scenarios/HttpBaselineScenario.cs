using System.Diagnostics;
using System.Globalization;
using Ferry.Bench.Http;
using Ferry.Bench.Measurement;
using Ferry.Bench.Reporting;

namespace Ferry.Bench.Scenarios;

/// <summary>
/// How fast Kestrel on this machine answers an empty request, driven by the benchmark's own HTTP/1.1
/// keep-alive client: the ceiling that every HTTP face of Ferry (SQS, SNS, Kinesis) is measured against.
/// </summary>
internal sealed class HttpBaselineScenario : IScenario
{
    // 64 connections: enough outstanding requests to saturate Kestrel on a small machine without
    // measuring mostly queueing in the accept backlog; comparable to the SDK pools of a few services.
    private const int DefaultConnections = 64;

    public string Name => "http-baseline";

    public string Description => "Kestrel answering GET / with an empty 200, over N keep-alive connections";

    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; } =
    [
        new("connections", DefaultConnections.ToString(CultureInfo.InvariantCulture)),
        new("server", "child"),
    ];

    public async Task<ScenarioReport> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        int connections = options.IntList("connections", Settings[0].Value)[0];
        string serverMode = options.Setting("server", Settings[1].Value);
        bool child = serverMode switch
        {
            "child" => true,
            "inprocess" => false,
            _ => throw new ArgumentException($"--server must be child or inprocess, not '{serverMode}'."),
        };

        // One row: 10 s after 3 s of warm-up (JIT tiering and Kestrel's pools settle within ~2 s).
        TimeSpan duration = options.Duration(normal: 10, quick: 1);
        TimeSpan warmup = options.Warmup(normal: 3, quick: 0.5);

        var report = new ScenarioReport(Name, "Kestrel answering an empty GET (HTTP/1.1 keep-alive, no pipelining)");
        report.AddParameter("connections", connections.ToString(CultureInfo.InvariantCulture));
        report.AddParameter("server", child ? "child process" : "in-process");
        report.AddParameter("duration", $"{duration.TotalSeconds:0.###} s");
        report.AddParameter("warmup", $"{warmup.TotalSeconds:0.###} s");
        report.Notes.Add(child
            ? "CPU and peak RSS are of the Kestrel process alone; the load generator runs on the same cores."
            : "CPU and peak RSS are of the one process hosting both Kestrel and the load generator.");

        options.Log.WriteLine($"http-baseline: starting Kestrel ({(child ? "child process" : "in-process")})");
        await using EmptyHttpServer server = child
            ? await EmptyHttpServer.StartChildAsync(cancellationToken)
            : await EmptyHttpServer.StartInProcessAsync(cancellationToken);
        await using HttpConnectionPool pool = await HttpConnectionPool.OpenAsync(server.EndPoint, connections, cancellationToken);
        byte[] request = HttpRequestEncoder.ToArray("GET", "/", server.EndPoint.ToString());

        // One request per connection before the clock starts: proves the target answers 200 and takes the
        // cold-start cost (JIT of Kestrel's request path) out of the warm-up, which may be short in quick runs.
        foreach (HttpConnection connection in pool.Connections)
        {
            HttpResponseView first = await connection.SendAsync(request, cancellationToken: cancellationToken);
            if (first.StatusCode != 200)
            {
                throw new InvalidOperationException($"Expected 200 from the empty server, got {first.StatusCode}.");
            }
        }

        options.Log.WriteLine($"http-baseline: {connections} connections to {server.EndPoint}");
        LoadResult result = await ClosedLoop.RunAsync(
            connections,
            (worker, histogram, phase) => RequestLoopAsync(pool.Connections[worker], request, histogram, phase),
            warmup,
            duration,
            new ProcessSampler(server.ProcessId));

        report.Rows.Add(ResultRow.From("kestrel", $"GET / → 200, {connections} connections", result.Latency, result.Seconds, null, result.CpuSeconds, result.PeakResidentBytes));
        return report;
    }

    private static async Task RequestLoopAsync(HttpConnection connection, byte[] request, LatencyHistogram histogram, LoadPhase phase)
    {
        while (phase.IsRunning)
        {
            bool measuring = phase.IsMeasuring;
            long start = Stopwatch.GetTimestamp();
            HttpResponseView response = await connection.SendAsync(request);
            if (measuring)
            {
                histogram.RecordTicks(Stopwatch.GetTimestamp() - start);
            }

            if (response.StatusCode != 200)
            {
                throw new InvalidOperationException($"Expected 200 from the empty server, got {response.StatusCode}.");
            }
        }
    }
}

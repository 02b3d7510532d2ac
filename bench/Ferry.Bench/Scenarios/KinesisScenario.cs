using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ferry.Bench.Kinesis;
using Ferry.Bench.Measurement;
using Ferry.Bench.Reporting;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Scenarios;

/// <summary>
/// Kinesis end to end over JSON 1.1, SigV4-signed: producers call PutRecords (500 × 1 KiB, random partition keys)
/// into one 4-shard stream while one reader per shard drains it with GetRecords (Limit 10,000), following
/// NextShardIterator. Records/s and MB/s in and out, latency per call type, CPU and RSS of the server.
/// </summary>
/// <remarks>
/// A producer sends the same body on every call, so it hashes it for SigV4 once: an SDK hashes every call, which for
/// 700 KB bodies took 40 % of the load generator's CPU — CPU that the server it shares the two cores with would not
/// get. The requests are byte for byte what an SDK would send.
/// </remarks>
internal sealed class KinesisScenario : IScenario
{
    // 16 producer connections: a handful of services with SDK pools, and enough outstanding batches to fill the
    // journal's group commit on a small machine.
    private const int DefaultProducers = 16;

    private const int DefaultShards = 4;

    // PutRecords' maximum: how high-throughput producers (KPL, Firehose-style batchers) call it.
    private const int RecordsPerCall = 500;

    private const int DefaultRecordBytes = 1024;

    // A reader that found nothing new waits this long, as the KCL's idle poll does (its default is 1 s; shorter
    // keeps the drain close behind the producers).
    private const int IdlePollMilliseconds = 20;

    private const double TargetRecordsPerSecond = 200_000;

    public string Name => "kinesis";

    public string Description => "Kinesis PutRecords (500 × 1 KiB) into a 4-shard stream while GetRecords drains every shard (JSON 1.1, SigV4)";

    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; } =
    [
        new("producers", DefaultProducers.ToString(CultureInfo.InvariantCulture)),
        new("shards", DefaultShards.ToString(CultureInfo.InvariantCulture)),
        new("record-bytes", DefaultRecordBytes.ToString(CultureInfo.InvariantCulture)),
        new("targets", $"{SqsServer.Ferry},{SqsServer.Kinesalite}"),
        SqsSupport.DurabilitySetting,
    ];

    public async Task<ScenarioReport> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        int producers = SqsSupport.Int(options, "producers", DefaultProducers, DefaultProducers);
        int shards = SqsSupport.Int(options, "shards", DefaultShards, DefaultShards);
        int recordBytes = SqsSupport.Int(options, "record-bytes", DefaultRecordBytes, DefaultRecordBytes);
        // 10 s after 15 s of warm-up per target, for tiered compilation to finish on two shared cores.
        TimeSpan duration = options.Duration(normal: 10, quick: 1);
        TimeSpan warmup = options.Warmup(normal: 15, quick: 0.5);

        var report = new ScenarioReport(Name, "Kinesis: PutRecords in, GetRecords out, one stream");
        report.AddParameter("producers", producers.ToString(CultureInfo.InvariantCulture));
        report.AddParameter("readers", $"{shards} (one per shard)");
        report.AddParameter("batch", $"{RecordsPerCall} × {recordBytes} B");
        report.AddParameter("duration", $"{duration.TotalSeconds:0.###} s");
        report.AddParameter("warmup", $"{warmup.TotalSeconds:0.###} s");
        string[] targets = options.List("targets", $"{SqsServer.Ferry},{SqsServer.Kinesalite}");
        report.AddParameter("targets", string.Join(' ', targets));
        report.AddParameter("ferry durability", SqsSupport.Durability(options));

        double? ferryRate = null;
        foreach (string target in targets)
        {
            options.Log.WriteLine($"kinesis: starting {target}");
            if (target == SqsServer.Kinesalite && SqsServer.KinesaliteScript() is null)
            {
                report.Notes.Add("kinesalite: not measured — not installed (bench/run.sh installs it with npm under bench/node_modules).");
                continue;
            }

            await using SqsServer server = await SqsServer.StartAsync(target, options.DataDirectory, SqsSupport.Durability(options), options.Log, cancellationToken);
            double rate = await RunTargetAsync(server, report, options, producers, shards, recordBytes, warmup, duration, cancellationToken);
            if (target == SqsServer.Ferry)
            {
                ferryRate = rate;
            }
            else if (ferryRate is double f && rate > 0)
            {
                report.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"Ferry / {target}: {f / rate:0.0}× records in."));
            }
        }

        if (ferryRate is double met)
        {
            report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"Target ≥ {TargetRecordsPerSecond:N0} records/s in and out: {SqsSupport.Verdict(met >= TargetRecordsPerSecond)} ({met:N0} in)."));
        }

        report.Notes.Add("Rows count records (500 per PutRecords call; whatever each GetRecords returned); latencies are per call. "
            + "CPU seconds and peak RSS are of the server process over the measured interval; the load generator runs on the same cores.");
        return report;
    }

    private static async Task<double> RunTargetAsync(
        SqsServer server, ScenarioReport report, BenchOptions options, int producers, int shards, int recordBytes,
        TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        KinesisClient[] clients = await KinesisClient.ConnectManyAsync(server.EndPoint, producers + shards, cancellationToken);
        try
        {
            const string stream = "ferry-bench-kinesis";
            await clients[0].CallAsync("CreateStream", $$"""{"StreamName":"{{stream}}","ShardCount":{{shards}}}""", cancellationToken);
            byte[] describe = Encoding.UTF8.GetBytes($$"""{"StreamName":"{{stream}}"}""");
            while (KinesisClient.StreamStatus((await clients[0].CallAsync("DescribeStreamSummary", describe, cancellationToken)).Span) != "ACTIVE")
            {
                await Task.Delay(50, cancellationToken);
            }

            var iterators = new string[shards];
            for (int s = 0; s < shards; s++)
            {
                string shardId = "shardId-" + s.ToString("D12", CultureInfo.InvariantCulture);
                ReadOnlyMemory<byte> it = await clients[0].CallAsync("GetShardIterator",
                    Encoding.UTF8.GetBytes($$"""{"StreamName":"{{stream}}","ShardId":"{{shardId}}","ShardIteratorType":"LATEST"}"""), cancellationToken);
                iterators[s] = KinesisClient.ShardIterator(it.Span);
            }

            var bodies = new byte[producers][];
            for (int p = 0; p < producers; p++)
            {
                bodies[p] = KinesisClient.PutRecordsBody(stream, RecordsPerCall, recordBytes, new Random(p));
            }

            var put = new LatencyHistogram[producers + shards];
            var get = new LatencyHistogram[producers + shards];
            long[] recordsOut = new long[producers + shards];
            long[] bytesOut = new long[producers + shards];
            for (int i = 0; i < put.Length; i++)
            {
                put[i] = new LatencyHistogram();
                get[i] = new LatencyHistogram();
            }

            options.Log.WriteLine($"kinesis: {server.Target}: {producers} producers, {shards} readers");
            LoadResult result = await ClosedLoop.RunAsync(
                producers + shards,
                (worker, _, phase) => worker < producers
                    ? ProduceAsync(clients[worker], bodies[worker], put[worker], phase)
                    : ReadAsync(clients[worker], iterators[worker - producers], get[worker], recordsOut, bytesOut, worker, phase),
                warmup,
                duration,
                new ProcessSampler(server.ProcessId));

            LatencyHistogram puts = SqsSupport.Merge(put);
            LatencyHistogram gets = SqsSupport.Merge(get);
            long recordsIn = puts.TotalCount * RecordsPerCall;
            string t = server.Target;
            report.Rows.Add(SqsSupport.Row(t, $"PutRecords {RecordsPerCall} × {recordBytes} B: records in", recordsIn, puts, result.Seconds,
                recordsIn * recordBytes, result.CpuSeconds, result.PeakResidentBytes));
            report.Rows.Add(SqsSupport.Row(t, "GetRecords ≤ 10,000: records out", recordsOut.Sum(), gets, result.Seconds, bytesOut.Sum(),
                result.CpuSeconds, result.PeakResidentBytes));
            return recordsIn / result.Seconds;
        }
        finally
        {
            foreach (KinesisClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task ProduceAsync(KinesisClient client, byte[] body, LatencyHistogram latency, LoadPhase phase)
    {
        string payloadHash = KinesisClient.PayloadHash(body);
        while (phase.IsRunning)
        {
            bool measuring = phase.IsMeasuring;
            long start = Stopwatch.GetTimestamp();
            ReadOnlyMemory<byte> response = await client.CallAsync("PutRecords", body, payloadHash, CancellationToken.None);
            if (KinesisClient.FailedRecordCount(response.Span) != 0)
            {
                throw new SqsException("PutRecords reported failed records.");
            }

            if (measuring)
            {
                latency.RecordSince(start);
            }
        }
    }

    private static async Task ReadAsync(KinesisClient client, string iterator, LatencyHistogram latency, long[] records, long[] bytes, int worker, LoadPhase phase)
    {
        byte[] body = new byte[512];
        while (phase.IsRunning)
        {
            int length = Encoding.UTF8.GetBytes($$"""{"ShardIterator":"{{iterator}}","Limit":10000}""", body);
            long start = Stopwatch.GetTimestamp();
            ReadOnlyMemory<byte> response = await client.CallAsync("GetRecords", body.AsMemory(0, length));
            (int count, long data, string? next, long _) = KinesisClient.ParseGetRecords(response.Span);

            // Records count when they arrive: a slow server's GetRecords can start before the measured interval
            // and deliver inside it (kinesalite takes seconds per call under write load).
            if (phase.IsMeasuring)
            {
                latency.RecordSince(start);
                records[worker] += count;
                bytes[worker] += data;
            }

            iterator = next ?? throw new SqsException("GetRecords ended an open shard.");
            if (count == 0)
            {
                await Task.Delay(IdlePollMilliseconds);
            }
        }
    }
}

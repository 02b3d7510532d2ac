using System.Text;
using System.Text.Json.Nodes;
using Ferry.Torture.Clients;

namespace Ferry.Torture.Loads;

/// <summary>
/// A four-shard Kinesis stream: writers put batches of records with random partition keys.
/// </summary>
/// <remarks>Promises checked: every record a PutRecords answer acknowledged is read back from its shard, with its
/// sequence number, exactly once; a shard reads in increasing sequence order, and one writer's acknowledged records on
/// a shard follow its put order; a record whose put was in flight at a kill is there at most once; nothing else is.</remarks>
internal sealed class KinesisLoad(AwsJsonClient aws, TortureReport report, int seed) : ITortureLoad
{
    private const string Stream = "torture-stream";
    private const int Shards = 4;
    private const int Writers = 2;

    private readonly Lock _lock = new();

    /// <summary>Every record put: its acknowledged shard and sequence number, or null while its outcome is unknown.</summary>
    private readonly Dictionary<string, (string Shard, string Sequence)?> _put = new(StringComparer.Ordinal);

    public string Name => "kinesis";

    public async Task SetUpAsync(ServerLink.Endpoints server, CancellationToken cancellationToken)
    {
        await aws.KinesisAsync(server.Http, "CreateStream", new JsonObject { ["StreamName"] = Stream, ["ShardCount"] = Shards }, cancellationToken);
        while (true)
        {
            var summary = await aws.KinesisAsync(server.Http, "DescribeStreamSummary", new JsonObject { ["StreamName"] = Stream }, cancellationToken);
            if (summary.GetProperty("StreamDescriptionSummary").GetProperty("StreamStatus").GetString() == "ACTIVE")
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    public Task RunAsync(ServerLink link, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => PutLoopAsync(link, w, new Random(seed + 400 + w), stop))));

    private async Task PutLoopAsync(ServerLink link, int writer, Random random, CancellationToken stop)
    {
        var n = 0;
        var lastByShard = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!stop.IsCancellationRequested)
        {
            if (await link.WaitUpOrStopAsync(stop) is not { } server)
            {
                return;
            }

            var tokens = Enumerable.Range(0, random.Next(1, 11)).Select(_ => $"k{writer}-{n++}").ToList();
            var records = new JsonArray();
            lock (_lock)
            {
                foreach (var token in tokens)
                {
                    _put.Add(token, null);
                    records.Add(new JsonObject
                    {
                        ["Data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(Payloads.Body(token, random.Next(0, 1000)))),
                        ["PartitionKey"] = $"pk-{random.Next(1000)}",
                    });
                }
            }

            try
            {
                var result = await aws.KinesisAsync(server.Http, "PutRecords", new JsonObject { ["StreamName"] = Stream, ["Records"] = records }, stop);
                var i = 0;
                foreach (var entry in result.GetProperty("Records").EnumerateArray())
                {
                    var token = tokens[i++];
                    if (entry.TryGetProperty("ErrorCode", out var error))
                    {
                        report.Violation($"{Name}: a record was refused", $"{token}: {error.GetString()}");
                        continue;
                    }

                    var shard = entry.GetProperty("ShardId").GetString()!;
                    var sequence = entry.GetProperty("SequenceNumber").GetString()!;
                    if (lastByShard.TryGetValue(shard, out var last) && CompareSequences(sequence, last) <= 0)
                    {
                        report.Violation($"{Name}: a later put got a lower sequence number on the same shard", $"{token} on {shard}: {sequence} after {last}");
                    }

                    lastByShard[shard] = sequence;
                    lock (_lock)
                    {
                        _put[token] = (shard, sequence);
                    }

                    report.Count($"{Name}: records acknowledged");
                }
            }
            catch (Exception ex) when (Failures.Note(report, link, server.Generation, Name, "PutRecords", ex, stop))
            {
                try
                {
                    await link.WaitNextAsync(server.Generation, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sequence numbers are decimal strings; a longer one is larger.</summary>
    private static int CompareSequences(string a, string b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);

    public async Task VerifyAsync(ServerLink.Endpoints server, CancellationToken cancellationToken)
    {
        var shards = await aws.KinesisAsync(server.Http, "ListShards", new JsonObject { ["StreamName"] = Stream }, cancellationToken);
        var seen = new Dictionary<string, List<(string Shard, string Sequence)>>(StringComparer.Ordinal);
        foreach (var shard in shards.GetProperty("Shards").EnumerateArray())
        {
            var shardId = shard.GetProperty("ShardId").GetString()!;
            var iterator = (await aws.KinesisAsync(server.Http, "GetShardIterator", new JsonObject
            {
                ["StreamName"] = Stream,
                ["ShardId"] = shardId,
                ["ShardIteratorType"] = "TRIM_HORIZON",
            }, cancellationToken)).GetProperty("ShardIterator").GetString();
            string? previous = null;
            while (iterator is not null)
            {
                var page = await aws.KinesisAsync(server.Http, "GetRecords", new JsonObject { ["ShardIterator"] = iterator, ["Limit"] = 10000 }, cancellationToken);
                var records = page.GetProperty("Records");
                foreach (var record in records.EnumerateArray())
                {
                    var sequence = record.GetProperty("SequenceNumber").GetString()!;
                    var body = Encoding.UTF8.GetString(Convert.FromBase64String(record.GetProperty("Data").GetString()!));
                    if (previous is not null && CompareSequences(sequence, previous) <= 0)
                    {
                        report.Violation($"{Name}: a shard read out of sequence order", $"{shardId}: {sequence} after {previous}");
                    }

                    previous = sequence;
                    if (Payloads.Token(body) is not { } token)
                    {
                        report.Violation($"{Name}: a record read back is damaged", $"{shardId} {sequence}");
                        continue;
                    }

                    if (!seen.TryGetValue(token, out var list))
                    {
                        seen.Add(token, list = []);
                    }

                    list.Add((shardId, sequence));
                }

                var caughtUp = records.GetArrayLength() == 0 && page.TryGetProperty("MillisBehindLatest", out var behind) && behind.GetInt64() == 0;
                iterator = caughtUp || !page.TryGetProperty("NextShardIterator", out var next) ? null : next.GetString();
            }
        }

        lock (_lock)
        {
            foreach (var (token, copies) in seen)
            {
                if (!_put.ContainsKey(token))
                {
                    report.Violation($"{Name}: a record was read that was never put", token);
                }
                else if (copies.Count > 1)
                {
                    report.Violation($"{Name}: a record was read more than once", $"{token}: {string.Join(", ", copies)}");
                }
            }

            foreach (var (token, acknowledged) in _put)
            {
                if (acknowledged is not { } at)
                {
                    continue;
                }

                if (!seen.TryGetValue(token, out var copies))
                {
                    report.Violation($"{Name}: an acknowledged record was lost", $"{token} ({at.Shard} {at.Sequence})");
                }
                else if (copies[0] != at)
                {
                    report.Violation($"{Name}: an acknowledged record moved", $"{token}: acknowledged as {at}, read as {copies[0]}");
                }
                else
                {
                    report.Count($"{Name}: records verified (read back once, same shard and sequence number)");
                }
            }
        }
    }
}

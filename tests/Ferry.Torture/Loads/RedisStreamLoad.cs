using System.Globalization;
using Ferry.Torture.Clients;

namespace Ferry.Torture.Loads;

/// <summary>
/// A Redis stream with one consumer group: producers XADD, consumers XREADGROUP new entries and XACK most of them.
/// </summary>
/// <remarks>
/// <para>Promises checked: every acknowledged XADD is in the stream with the id it was given; an entry delivered by an
/// answered XREADGROUP is never delivered again as new, and stays pending until XACKed (so the XACK counts it); an
/// acknowledged XACK leaves the entry out of the pending list; a delivered entry never XACKed is pending for its
/// consumer; no acknowledged entry is skipped by the group; nothing else is in the stream.</para>
/// </remarks>
internal sealed class RedisStreamLoad(TortureReport report, int seed) : ITortureLoad
{
    private const string Key = "torture:stream";
    private const string Group = "tg";
    private const int Producers = 2;
    private const int Consumers = 2;

    private readonly Lock _lock = new();

    /// <summary>Every entry added, by token: its id once the XADD was answered, null while its outcome is unknown.</summary>
    private readonly Dictionary<string, string?> _added = new(StringComparer.Ordinal);

    /// <summary>Entries delivered by an answered XREADGROUP: id to consumer.</summary>
    private readonly Dictionary<string, string> _delivered = new(StringComparer.Ordinal);

    /// <summary>Entries an XACK was sent for: true once answered.</summary>
    private readonly Dictionary<string, bool> _acked = new(StringComparer.Ordinal);

    public string Name => "redis";

    public async Task SetUpAsync(ServerLink.Endpoints server, CancellationToken cancellationToken)
    {
        using var redis = await RespClient.ConnectAsync(server.RedisPort, cancellationToken);
        var reply = await redis.CallAsync(cancellationToken, "XGROUP", "CREATE", Key, Group, "0", "MKSTREAM");
        if (reply.IsError)
        {
            throw new InvalidOperationException($"XGROUP CREATE: {reply}");
        }
    }

    public Task RunAsync(ServerLink link, CancellationToken stop) =>
        Task.WhenAll(
            Enumerable.Range(0, Producers).Select(w =>
            {
                // One producer's state outlives its connections: a new connection after a restart carries on.
                var random = new Random(seed + 500 + w);
                var next = 0;
                return Task.Run(() => WorkAsync(link, (redis, ct) => ProduceAsync(redis, $"r{w}", () => next++, random, ct), stop));
            }).Concat(Enumerable.Range(0, Consumers).Select(w =>
            {
                var random = new Random(seed + 600 + w);
                return Task.Run(() => WorkAsync(link, (redis, ct) => ConsumeAsync(redis, $"c{w}", random, ct), stop));
            })));

    /// <summary>Runs <paramref name="loop"/> on a connection to each server in turn until <paramref name="stop"/>.</summary>
    private async Task WorkAsync(ServerLink link, Func<RespClient, CancellationToken, Task> loop, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (await link.WaitUpOrStopAsync(stop) is not { } server)
            {
                return;
            }

            try
            {
                using var redis = await RespClient.ConnectAsync(server.RedisPort, stop);
                await loop(redis, stop);
            }
            catch (Exception ex) when (Failures.Note(report, link, server.Generation, Name, "a command", ex, stop))
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

    private async Task ProduceAsync(RespClient redis, string producer, Func<int> next, Random random, CancellationToken stop)
    {
        while (true)
        {
            var token = $"{producer}-{next()}";
            lock (_lock)
            {
                _added.Add(token, null);
            }

            var reply = await redis.CallAsync(stop, "XADD", Key, "*", "t", Payloads.Body(token, random.Next(0, 1000)));
            if (reply.IsError || reply.Text is null)
            {
                throw new InvalidOperationException($"XADD: {reply}");
            }

            lock (_lock)
            {
                _added[token] = reply.Text;
            }

            report.Count($"{Name}: XADD acknowledged");
        }
    }

    private async Task ConsumeAsync(RespClient redis, string consumer, Random random, CancellationToken stop)
    {
        while (true)
        {
            var reply = await redis.CallAsync(stop, "XREADGROUP", "GROUP", Group, consumer, "COUNT", "10", "BLOCK", "100", "STREAMS", Key, ">");
            if (reply.IsError)
            {
                throw new InvalidOperationException($"XREADGROUP: {reply}");
            }

            var toAck = new List<string>();
            foreach (var (id, token) in Entries(reply, perStream: true))
            {
                lock (_lock)
                {
                    if (!_delivered.TryAdd(id, consumer))
                    {
                        report.Violation($"{Name}: an entry was delivered as new twice", $"{id} to {_delivered[id]}, then to {consumer}");
                    }
                }

                report.Count($"{Name}: deliveries acknowledged");
                if (CheckEntry(id, token, "delivered") && random.Next(5) != 0)
                {
                    toAck.Add(id);
                }
            }

            if (toAck.Count == 0)
            {
                continue;
            }

            lock (_lock)
            {
                foreach (var id in toAck)
                {
                    _acked[id] = false;
                }
            }

            var acked = await redis.CallAsync(stop, ["XACK", Key, Group, .. toAck]);
            if (acked.Integer != toAck.Count)
            {
                report.Violation($"{Name}: delivered entries were not pending when XACKed", $"XACK of {toAck.Count} answered {acked}");
            }

            lock (_lock)
            {
                foreach (var id in toAck)
                {
                    _acked[id] = true;
                }
            }

            report.Count($"{Name}: XACK acknowledged", toAck.Count);
        }
    }

    /// <summary>The (id, token) pairs of an XREADGROUP reply (<paramref name="perStream"/>) or an XRANGE reply; a
    /// damaged entry gets a null token.</summary>
    private static IEnumerable<(string Id, string? Token)> Entries(RespReply reply, bool perStream)
    {
        // XREADGROUP: [[key, [entry...]]] or nil; XRANGE: [entry...]; an entry is [id, [field, value, ...]].
        var entries = perStream ? reply.Items is [{ Items: [_, { Items: { } inner }] }] ? inner : [] : reply.Items ?? [];
        foreach (var entry in entries)
        {
            if (entry.Items is [{ Text: { } id }, { Items: [{ Text: "t" }, { Text: var body }] }])
            {
                yield return (id, Payloads.Token(body));
            }
            else
            {
                yield return (entry.Items?.FirstOrDefault()?.Text ?? "?", null);
            }
        }
    }

    /// <summary>Whether an entry is one that was added, intact and with the id its XADD was answered with.</summary>
    private bool CheckEntry(string id, string? token, string when)
    {
        if (token is null)
        {
            report.Violation($"{Name}: an entry is damaged", $"{when}: {id}");
            return false;
        }

        lock (_lock)
        {
            if (!_added.TryGetValue(token, out var addedId))
            {
                report.Violation($"{Name}: an entry was never added", $"{when}: {id} {token}");
                return false;
            }

            if (addedId is not null && addedId != id)
            {
                report.Violation($"{Name}: an entry's id is not the one XADD answered", $"{when}: {token} added as {addedId}, found as {id}");
                return false;
            }
        }

        return true;
    }

    public async Task VerifyAsync(ServerLink.Endpoints server, CancellationToken cancellationToken)
    {
        using var redis = await RespClient.ConnectAsync(server.RedisPort, cancellationToken);

        // Every entry in the stream, a page at a time.
        var stream = new Dictionary<string, string>(StringComparer.Ordinal);
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        var start = "-";
        while (true)
        {
            var page = await redis.CallAsync(cancellationToken, "XRANGE", Key, start, "+", "COUNT", "1000");
            var entries = Entries(page, perStream: false).ToList();
            foreach (var (id, token) in entries)
            {
                if (CheckEntry(id, token, "in the stream") && !tokens.Add(token!))
                {
                    report.Violation($"{Name}: an entry is in the stream twice", token!);
                }

                stream[id] = token ?? "";
            }

            if (entries.Count < 1000)
            {
                break;
            }

            start = "(" + entries[^1].Id;
        }

        var pending = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in (await redis.CallAsync(cancellationToken, "XPENDING", Key, Group, "-", "+", "1000000")).Items ?? [])
        {
            pending[entry.Items![0].Text!] = entry.Items[1].Text!;
        }

        // What the group has not delivered yet.
        var undelivered = new HashSet<string>(StringComparer.Ordinal);
        var drain = await redis.CallAsync(cancellationToken, "XREADGROUP", "GROUP", Group, "verifier", "COUNT", "1000000", "STREAMS", Key, ">");
        foreach (var (id, _) in Entries(drain, perStream: true))
        {
            undelivered.Add(id);
        }

        lock (_lock)
        {
            foreach (var (token, id) in _added)
            {
                if (id is null)
                {
                    continue;
                }

                if (!stream.TryGetValue(id, out var found) || found != token)
                {
                    report.Violation($"{Name}: an acknowledged XADD is not in the stream", $"{token} as {id}");
                    continue;
                }

                report.Count($"{Name}: XADD verified (in the stream with its id)");
                if (!_delivered.ContainsKey(id) && !undelivered.Contains(id) && !pending.ContainsKey(id))
                {
                    report.Violation($"{Name}: the group skipped an acknowledged entry", $"{token} as {id}: never delivered, not pending, not new");
                }
            }

            foreach (var (id, consumer) in _delivered)
            {
                if (undelivered.Contains(id))
                {
                    report.Violation($"{Name}: a delivered entry was new again after a restart", id);
                }

                if (_acked.TryGetValue(id, out var answered))
                {
                    if (answered && pending.TryGetValue(id, out var holder))
                    {
                        report.Violation($"{Name}: an acknowledged XACK did not stick", $"{id} is pending for {holder}");
                    }
                    else if (answered)
                    {
                        report.Count($"{Name}: XACK verified (not pending)");
                    }
                }
                else if (pending.GetValueOrDefault(id) != consumer)
                {
                    report.Violation($"{Name}: a delivered entry never XACKed is not pending for its consumer", $"{id}: {consumer}, pending for {pending.GetValueOrDefault(id) ?? "nobody"}");
                }
                else
                {
                    report.Count($"{Name}: deliveries verified (pending until XACKed)");
                }
            }
        }
    }
}

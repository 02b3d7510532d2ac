using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Torture.Clients;

namespace Ferry.Torture.Loads;

/// <summary>
/// A FIFO queue: one sender per message group, sending in order and retrying a send whose outcome a kill made
/// unknown with the same deduplication id; receivers delete almost everything they receive.
/// </summary>
/// <remarks>
/// <para>Promises checked, besides those of <see cref="SqsStandardLoad"/>: within a group a message is delivered only
/// once every earlier message of the group was deleted (or a delete of it was under way); a send repeated with the
/// same deduplication id — deliberately, or as a retry across a restart — creates no second message and is answered
/// with the original's message id.</para>
/// </remarks>
internal sealed class SqsFifoLoad(AwsJsonClient aws, TortureReport report, int seed) : ITortureLoad
{
    private const string Queue = "torture.fifo";
    private const int Groups = 4;
    private const int Receivers = 2;
    private const int VisibilitySeconds = 4;
    private static readonly TimeSpan DeleteDeadline = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Sent> _sent = new(StringComparer.Ordinal);

    /// <summary>Per group, the logical time a delete of each message was first issued.</summary>
    private readonly Dictionary<int, long>[] _deleteIssued = [.. Enumerable.Range(0, Groups).Select(_ => new Dictionary<int, long>())];

    /// <summary>Per group, the lowest index with no delete issued yet (everything below has one).</summary>
    private readonly int[] _undeleted = new int[Groups];

    private sealed class Sent(int group, int index)
    {
        public int Group { get; } = group;

        public int Index { get; } = index;

        public bool Acknowledged;
        public string? MessageId;
        public readonly HashSet<string> ReceivedIds = new(StringComparer.Ordinal);
        public bool DeleteAttempted;
        public long DeletedAt = long.MaxValue;
        public int Drained;
    }

    public string Name => "sqs-fifo";

    private static string Token(int group, int index) => $"fifo{group}-{index}";

    private static (int Group, int Index) Parse(string token)
    {
        var dash = token.IndexOf('-', StringComparison.Ordinal);
        return (int.Parse(token.AsSpan(4, dash - 4), CultureInfo.InvariantCulture), int.Parse(token.AsSpan(dash + 1), CultureInfo.InvariantCulture));
    }

    public Task SetUpAsync(ServerLink.Endpoints server, CancellationToken cancellationToken) =>
        SqsQueues.CreateAsync(aws, server, Queue, new JsonObject { ["FifoQueue"] = "true" }, cancellationToken);

    public Task RunAsync(ServerLink link, CancellationToken stop) =>
        Task.WhenAll(
            Enumerable.Range(0, Groups).Select(g => Task.Run(() => SendLoopAsync(link, g, new Random(seed + 200 + g), stop)))
                .Concat(Enumerable.Range(0, Receivers).Select(w => Task.Run(() => ReceiveLoopAsync(link, new Random(seed + 300 + w), stop)))));

    private async Task SendLoopAsync(ServerLink link, int group, Random random, CancellationToken stop)
    {
        var index = 0;
        while (!stop.IsCancellationRequested)
        {
            if (await link.WaitUpOrStopAsync(stop) is not { } server)
            {
                return;
            }

            // The next message, or the same one again after a kill: a producer retries with the same deduplication id.
            var sent = Register(group, index);
            try
            {
                if (await SendAsync(server, sent, stop) is not { } messageId)
                {
                    continue;
                }

                lock (_lock)
                {
                    sent.Acknowledged = true;
                    sent.MessageId = messageId;
                }

                report.Count($"{Name}: sends acknowledged");
                index++;

                // Now and then, a deliberate duplicate of a recent message: it must return that message's id.
                if (random.Next(5) == 0)
                {
                    Sent again;
                    lock (_lock)
                    {
                        again = _sent[Token(group, Math.Max(0, index - 1 - random.Next(5)))];
                    }

                    if (await SendAsync(server, again, stop) is { } duplicateId)
                    {
                        report.Count($"{Name}: duplicate sends acknowledged");
                        if (duplicateId != again.MessageId)
                        {
                            report.Violation($"{Name}: a duplicate send was answered with another message id",
                                $"{Token(again.Group, again.Index)}: {again.MessageId} then {duplicateId}");
                        }
                    }
                }
            }
            catch (Exception ex) when (Failures.Note(report, link, server.Generation, Name, "SendMessage", ex, stop))
            {
                await link.WaitNextOrStopAsync(server.Generation, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private Sent Register(int group, int index)
    {
        var token = Token(group, index);
        lock (_lock)
        {
            if (!_sent.TryGetValue(token, out var sent))
            {
                _sent.Add(token, sent = new Sent(group, index));
            }

            return sent;
        }
    }

    private async Task<string?> SendAsync(ServerLink.Endpoints server, Sent sent, CancellationToken stop)
    {
        var token = Token(sent.Group, sent.Index);
        var result = await aws.SqsAsync(server.Http, "SendMessage", new JsonObject
        {
            ["QueueUrl"] = SqsQueues.Url(server, Queue).ToString(),
            ["MessageBody"] = Payloads.Body(token, ((sent.Index * 37) + (sent.Group * 11)) % 1500),
            ["MessageGroupId"] = $"g{sent.Group}",
            ["MessageDeduplicationId"] = token,
        }, stop);
        return result.GetProperty("MessageId").GetString();
    }

    private async Task ReceiveLoopAsync(ServerLink link, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (await link.WaitUpOrStopAsync(stop) is not { } server)
            {
                return;
            }

            try
            {
                var issued = Clock.Tick();
                var result = await SqsQueues.ReceiveAsync(aws, server, Queue, VisibilitySeconds, waitSeconds: 1, stop);
                var received = Stopwatch.StartNew();
                var answered = Clock.Tick();
                foreach (var (sent, handle) in Check(result, issued, answered, "during the load"))
                {
                    // A few are left in flight: their group stays blocked until the visibility timeout returns them.
                    if (random.Next(20) == 0 || received.Elapsed > DeleteDeadline)
                    {
                        continue;
                    }

                    await DeleteAsync(link, server, sent, handle, received, stop);
                }
            }
            catch (Exception ex) when (Failures.Note(report, link, server.Generation, Name, "ReceiveMessage", ex, stop))
            {
                await link.WaitNextOrStopAsync(server.Generation, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void IssueDelete(Sent sent)
    {
        var now = Clock.Tick();
        lock (_lock)
        {
            sent.DeleteAttempted = true;
            _deleteIssued[sent.Group].TryAdd(sent.Index, now);
            while (_deleteIssued[sent.Group].ContainsKey(_undeleted[sent.Group]))
            {
                _undeleted[sent.Group]++;
            }
        }
    }

    private async Task DeleteAsync(ServerLink link, ServerLink.Endpoints server, Sent sent, string handle, Stopwatch received, CancellationToken stop)
    {
        IssueDelete(sent);
        try
        {
            await SqsQueues.DeleteAsync(aws, server, Queue, handle, stop);
            if (received.Elapsed < DeleteDeadline)
            {
                var now = Clock.Tick();
                lock (_lock)
                {
                    sent.DeletedAt = Math.Min(sent.DeletedAt, now);
                }

                report.Count($"{Name}: deletes acknowledged");
            }
        }
        catch (Exception ex) when (Failures.Note(report, link, server.Generation, Name, "DeleteMessage", ex, stop))
        {
            await link.WaitNextOrStopAsync(server.Generation, stop);
        }
    }

    /// <summary>Checks the messages of one receive, issued at <paramref name="issued"/> and answered at
    /// <paramref name="answered"/> (logical times), and returns those that were sent, with their receipt handles.</summary>
    private List<(Sent Sent, string Handle)> Check(JsonElement result, long issued, long answered, string when)
    {
        var valid = new List<(Sent, string)>();
        var seenInThisReceive = new HashSet<(int, int)>();
        foreach (var message in SqsQueues.Messages(result))
        {
            var body = message.GetProperty("Body").GetString();
            var messageId = message.GetProperty("MessageId").GetString()!;
            var token = Payloads.Token(body);
            Sent? sent;
            lock (_lock)
            {
                sent = token is null ? null : _sent.GetValueOrDefault(token);
            }

            if (sent is null)
            {
                report.Violation($"{Name}: received a damaged body or one never sent", $"{when}: {body?[..Math.Min(body.Length, 60)]}");
                continue;
            }

            var (group, index) = Parse(token!);
            report.Count($"{Name}: deliveries checked for order");
            lock (_lock)
            {
                sent.ReceivedIds.Add(messageId);
                if (sent.DeletedAt < issued)
                {
                    report.Violation($"{Name}: a message came back after its delete was acknowledged", $"{when}: {token}");
                }

                // Every earlier message of the group must be gone: a delete of it issued before this answer, or
                // delivered ahead of it in this same receive.
                for (var earlier = _undeleted[group]; earlier < index; earlier++)
                {
                    var deleted = _deleteIssued[group].TryGetValue(earlier, out var at) && at < answered;
                    if (!deleted && !seenInThisReceive.Contains((group, earlier)))
                    {
                        report.Violation($"{Name}: a message was delivered before an earlier one of its group",
                            $"{when}: {token} delivered while {Token(group, earlier)} was neither deleted nor delivered ahead of it");
                        break;
                    }
                }
            }

            seenInThisReceive.Add((group, index));
            valid.Add((sent, message.GetProperty("ReceiptHandle").GetString()!));
        }

        return valid;
    }

    public async Task VerifyAsync(ServerLink.Endpoints server, CancellationToken cancellationToken)
    {
        while (true)
        {
            var issued = Clock.Tick();
            var result = await SqsQueues.ReceiveAsync(aws, server, Queue, visibilitySeconds: 60, waitSeconds: 0, cancellationToken);
            var answered = Clock.Tick();
            var messages = Check(result, issued, answered, "in the final drain");
            if (!SqsQueues.Messages(result).Any())
            {
                if (await SqsQueues.IsEmptyAsync(aws, server, Queue, cancellationToken))
                {
                    break;
                }

                await Task.Delay(200, cancellationToken);
                continue;
            }

            foreach (var (sent, handle) in messages)
            {
                lock (_lock)
                {
                    sent.Drained++;
                }

                IssueDelete(sent);
                await SqsQueues.DeleteAsync(aws, server, Queue, handle, cancellationToken);
            }
        }

        lock (_lock)
        {
            foreach (var (token, sent) in _sent)
            {
                if (sent.ReceivedIds.Count > 1 || (sent.MessageId is not null && sent.ReceivedIds.Any(id => id != sent.MessageId)))
                {
                    report.Violation($"{Name}: one deduplication id made more than one message",
                        $"{token}: sent as {sent.MessageId}, received as {string.Join(", ", sent.ReceivedIds)}");
                }

                if (sent.Drained > 1)
                {
                    report.Violation($"{Name}: a message was in the queue more than once", $"{token}: drained {sent.Drained} times");
                }

                if (sent.DeletedAt != long.MaxValue && sent.Drained == 0)
                {
                    report.Count($"{Name}: deletes verified (never came back)");
                }

                if (!sent.Acknowledged)
                {
                    continue;
                }

                if (sent.DeletedAt != long.MaxValue || sent.Drained > 0)
                {
                    report.Count($"{Name}: sends verified (deleted by an acknowledged delete, or still there)");
                }
                else if (sent.DeleteAttempted)
                {
                    report.Count($"{Name}: sends whose delete had an unknown outcome (either is right)");
                }
                else
                {
                    report.Violation($"{Name}: an acknowledged send was lost", $"{token} ({sent.MessageId})");
                }
            }
        }
    }
}

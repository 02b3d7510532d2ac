using System.Diagnostics;
using System.Text.Json.Nodes;
using Ferry.Torture.Clients;

namespace Ferry.Torture.Loads;

/// <summary>
/// A standard queue: senders, and receivers that delete most of what they receive and leave the rest to come back.
/// </summary>
/// <remarks>
/// <para>Promises checked: every acknowledged send is still receivable at the end unless a delete of it was
/// acknowledged (or attempted with an unknown outcome); no message comes back once its delete was acknowledged; every
/// body is intact and was sent.</para>
/// <para>A delete with a stale receipt handle (the message was received again since) succeeds without deleting, as
/// in SQS. Receivers therefore delete only within <see cref="DeleteDeadline"/> of the receive, well inside the
/// visibility timeout, and a delete acknowledged later counts as attempted, not as done.</para>
/// </remarks>
internal sealed class SqsStandardLoad(AwsJsonClient aws, TortureReport report, int seed) : ITortureLoad
{
    private const string Queue = "torture-standard";
    private const int Senders = 2;
    private const int Receivers = 2;
    private const int VisibilitySeconds = 4;
    private static readonly TimeSpan DeleteDeadline = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Sent> _sent = new(StringComparer.Ordinal);

    private sealed class Sent
    {
        public bool Acknowledged;
        public string? MessageId;
        public bool DeleteAttempted;

        /// <summary>The logical time the delete was acknowledged; <see cref="long.MaxValue"/> while not.</summary>
        public long DeletedAt = long.MaxValue;
    }

    public string Name => "sqs-standard";

    public Task SetUpAsync(ServerLink.Endpoints server, CancellationToken cancellationToken) =>
        SqsQueues.CreateAsync(aws, server, Queue, null, cancellationToken);

    public Task RunAsync(ServerLink link, CancellationToken stop) =>
        Task.WhenAll(
            Enumerable.Range(0, Senders).Select(w => Task.Run(() => SendLoopAsync(link, w, new Random(seed + w), stop)))
                .Concat(Enumerable.Range(0, Receivers).Select(w => Task.Run(() => ReceiveLoopAsync(link, new Random(seed + 100 + w), stop)))));

    private async Task SendLoopAsync(ServerLink link, int worker, Random random, CancellationToken stop)
    {
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            if (await link.WaitUpOrStopAsync(stop) is not { } server)
            {
                return;
            }

            var token = $"std{worker}-{n++}";
            var sent = new Sent();
            lock (_lock)
            {
                _sent.Add(token, sent);
            }

            try
            {
                var result = await aws.SqsAsync(server.Http, "SendMessage", new JsonObject
                {
                    ["QueueUrl"] = SqsQueues.Url(server, Queue).ToString(),
                    ["MessageBody"] = Payloads.Body(token, random.Next(0, 2000)),
                }, stop);
                lock (_lock)
                {
                    sent.Acknowledged = true;
                    sent.MessageId = result.GetProperty("MessageId").GetString();
                }

                report.Count($"{Name}: sends acknowledged");
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
                foreach (var message in SqsQueues.Messages(result))
                {
                    var token = Check(message.GetProperty("Body").GetString(), message.GetProperty("MessageId").GetString(), issued, "during the load");
                    if (token is null || random.Next(10) == 0 || received.Elapsed > DeleteDeadline)
                    {
                        continue; // left to come back when its visibility timeout ends
                    }

                    await DeleteAsync(link, server, token, message.GetProperty("ReceiptHandle").GetString()!, received, stop);
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

    private async Task DeleteAsync(ServerLink link, ServerLink.Endpoints server, string token, string handle, Stopwatch received, CancellationToken stop)
    {
        Sent sent;
        lock (_lock)
        {
            sent = _sent[token];
            sent.DeleteAttempted = true;
        }

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

    /// <summary>Checks a received message against the ledger; returns its token when it is one that was sent.</summary>
    private string? Check(string? body, string? messageId, long issued, string when)
    {
        var token = Payloads.Token(body);
        if (token is null)
        {
            report.Violation($"{Name}: a received body is damaged", $"{when}: {body?[..Math.Min(body.Length, 60)]}");
            return null;
        }

        lock (_lock)
        {
            if (!_sent.TryGetValue(token, out var sent))
            {
                report.Violation($"{Name}: received a message that was never sent", $"{when}: {token}");
                return null;
            }

            if (sent.DeletedAt < issued)
            {
                report.Violation($"{Name}: a message came back after its delete was acknowledged", $"{when}: {token}");
            }

            if (sent.MessageId is not null && sent.MessageId != messageId)
            {
                report.Violation($"{Name}: a message's id changed", $"{when}: {token} sent as {sent.MessageId}, received as {messageId}");
            }
        }

        return token;
    }

    public async Task VerifyAsync(ServerLink.Endpoints server, CancellationToken cancellationToken)
    {
        // Drain: receive and delete until the queue holds nothing (messages left in flight come back within the
        // visibility timeout), counting what comes out.
        var drained = new Dictionary<string, int>(StringComparer.Ordinal);
        while (true)
        {
            var issued = Clock.Tick();
            var result = await SqsQueues.ReceiveAsync(aws, server, Queue, visibilitySeconds: 60, waitSeconds: 0, cancellationToken);
            var messages = SqsQueues.Messages(result).ToList();
            if (messages.Count == 0)
            {
                if (await SqsQueues.IsEmptyAsync(aws, server, Queue, cancellationToken))
                {
                    break;
                }

                await Task.Delay(200, cancellationToken);
                continue;
            }

            foreach (var message in messages)
            {
                if (Check(message.GetProperty("Body").GetString(), message.GetProperty("MessageId").GetString(), issued, "in the final drain") is { } token)
                {
                    drained[token] = drained.GetValueOrDefault(token) + 1;
                }

                await SqsQueues.DeleteAsync(aws, server, Queue, message.GetProperty("ReceiptHandle").GetString()!, cancellationToken);
            }
        }

        lock (_lock)
        {
            foreach (var (token, sent) in _sent)
            {
                var there = drained.ContainsKey(token);
                if (sent.DeletedAt != long.MaxValue)
                {
                    report.Count($"{Name}: deletes verified (never came back)", there ? 0 : 1);
                }

                if (!sent.Acknowledged)
                {
                    continue;
                }

                if (sent.DeletedAt != long.MaxValue || there)
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

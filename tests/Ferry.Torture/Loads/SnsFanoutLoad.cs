using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Ferry.Torture.Clients;

namespace Ferry.Torture.Loads;

/// <summary>
/// A topic fanned out to three queues in SNS's JSON envelope (Ferry stores each publish's envelope once and each
/// queue's message as a reference to it): publishers, and one consumer per queue that deletes most of what it receives.
/// </summary>
/// <remarks>
/// <para>Promises checked: every acknowledged publish is in every queue at the end unless that queue's delete of it
/// was acknowledged (or attempted with an unknown outcome); no message comes back to a queue once its delete there was
/// acknowledged; every envelope is intact — its Message is a body that was published, with the publish's MessageId,
/// an UnsubscribeURL naming that queue's own subscription, and an MD5OfBody that matches.</para>
/// <para>Deletes follow the rules of <see cref="SqsStandardLoad"/>: only within <see cref="DeleteDeadline"/> of the
/// receive, so that an acknowledged delete did delete.</para>
/// </remarks>
internal sealed class SnsFanoutLoad(AwsJsonClient aws, HttpClient http, TortureReport report, int seed) : ITortureLoad
{
    private const string Topic = "torture-fanout";
    private const int QueueCount = 3;
    private const int Publishers = 2;
    private const int VisibilitySeconds = 4;
    private static readonly TimeSpan DeleteDeadline = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Published> _published = new(StringComparer.Ordinal);
    private readonly string[] _subscriptions = new string[QueueCount];
    private string _topicArn = "";

    private sealed class Published
    {
        public bool Acknowledged;
        public string? MessageId;
        public readonly bool[] DeleteAttempted = new bool[QueueCount];

        /// <summary>Per queue, the logical time its delete was acknowledged; <see cref="long.MaxValue"/> while not.</summary>
        public readonly long[] DeletedAt = Enumerable.Repeat(long.MaxValue, QueueCount).ToArray();
    }

    public string Name => "sns-fanout";

    private static string Queue(int i) => $"torture-fanout-{i}";

    public async Task SetUpAsync(ServerLink.Endpoints server, CancellationToken cancellationToken)
    {
        _topicArn = (await SnsAsync(server, "CreateTopic", [new("Name", Topic)], cancellationToken)).Descendants(Sns("TopicArn")).Single().Value;
        for (var i = 0; i < QueueCount; i++)
        {
            await SqsQueues.CreateAsync(aws, server, Queue(i), null, cancellationToken);
            var attributes = await aws.SqsAsync(server.Http, "GetQueueAttributes", new JsonObject
            {
                ["QueueUrl"] = SqsQueues.Url(server, Queue(i)).ToString(),
                ["AttributeNames"] = new JsonArray("QueueArn"),
            }, cancellationToken);
            var queueArn = attributes.GetProperty("Attributes").GetProperty("QueueArn").GetString()!;
            var subscribed = await SnsAsync(server, "Subscribe",
                [new("TopicArn", _topicArn), new("Protocol", "sqs"), new("Endpoint", queueArn), new("ReturnSubscriptionArn", "true")], cancellationToken);
            _subscriptions[i] = subscribed.Descendants(Sns("SubscriptionArn")).Single().Value;
        }
    }

    public Task RunAsync(ServerLink link, CancellationToken stop) =>
        Task.WhenAll(
            Enumerable.Range(0, Publishers).Select(w => Task.Run(() => PublishLoopAsync(link, w, new Random(seed + w), stop)))
                .Concat(Enumerable.Range(0, QueueCount).Select(q => Task.Run(() => ReceiveLoopAsync(link, q, new Random(seed + 100 + q), stop)))));

    private async Task PublishLoopAsync(ServerLink link, int worker, Random random, CancellationToken stop)
    {
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            if (await link.WaitUpOrStopAsync(stop) is not { } server)
            {
                return;
            }

            var token = $"fan{worker}-{n++}";
            var published = new Published();
            lock (_lock)
            {
                _published.Add(token, published);
            }

            try
            {
                var result = await SnsAsync(server, "Publish", [new("TopicArn", _topicArn), new("Message", Payloads.Body(token, random.Next(0, 3000)))], stop);
                lock (_lock)
                {
                    published.Acknowledged = true;
                    published.MessageId = result.Descendants(Sns("MessageId")).Single().Value;
                }

                report.Count($"{Name}: publishes acknowledged");
            }
            catch (Exception ex) when (Failures.Note(report, link, server.Generation, Name, "Publish", ex, stop))
            {
                await link.WaitNextOrStopAsync(server.Generation, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReceiveLoopAsync(ServerLink link, int queue, Random random, CancellationToken stop)
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
                var result = await SqsQueues.ReceiveAsync(aws, server, Queue(queue), VisibilitySeconds, waitSeconds: 1, stop);
                var received = Stopwatch.StartNew();
                foreach (var message in SqsQueues.Messages(result))
                {
                    var token = Check(queue, message, issued, "during the load");
                    if (token is null || random.Next(10) == 0 || received.Elapsed > DeleteDeadline)
                    {
                        continue; // left to come back when its visibility timeout ends
                    }

                    await DeleteAsync(link, server, queue, token, message.GetProperty("ReceiptHandle").GetString()!, received, stop);
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

    private async Task DeleteAsync(ServerLink link, ServerLink.Endpoints server, int queue, string token, string handle, Stopwatch received, CancellationToken stop)
    {
        Published published;
        lock (_lock)
        {
            published = _published[token];
            published.DeleteAttempted[queue] = true;
        }

        try
        {
            await SqsQueues.DeleteAsync(aws, server, Queue(queue), handle, stop);
            if (received.Elapsed < DeleteDeadline)
            {
                var now = Clock.Tick();
                lock (_lock)
                {
                    published.DeletedAt[queue] = Math.Min(published.DeletedAt[queue], now);
                }

                report.Count($"{Name}: deletes acknowledged");
            }
        }
        catch (Exception ex) when (Failures.Note(report, link, server.Generation, Name, "DeleteMessage", ex, stop))
        {
            await link.WaitNextOrStopAsync(server.Generation, stop);
        }
    }

    /// <summary>Checks a received envelope against the ledger; returns its token when it is one that was published.</summary>
    private string? Check(int queue, JsonElement message, long issued, string when)
    {
        var body = message.GetProperty("Body").GetString() ?? "";
        var md5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body)));
        if (message.GetProperty("MD5OfBody").GetString() != md5)
        {
            report.Violation($"{Name}: an envelope's MD5OfBody does not match it", $"{when}, queue {queue}: {body[..Math.Min(body.Length, 80)]}");
            return null;
        }

        string? text, messageId, unsubscribe;
        try
        {
            using var envelope = JsonDocument.Parse(body);
            text = envelope.RootElement.GetProperty("Message").GetString();
            messageId = envelope.RootElement.GetProperty("MessageId").GetString();
            unsubscribe = envelope.RootElement.GetProperty("UnsubscribeURL").GetString();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            report.Violation($"{Name}: a received envelope is damaged", $"{when}, queue {queue}: {body[..Math.Min(body.Length, 80)]}");
            return null;
        }

        var token = Payloads.Token(text);
        if (token is null)
        {
            report.Violation($"{Name}: a delivered message is damaged", $"{when}, queue {queue}: {text?[..Math.Min(text.Length, 60)]}");
            return null;
        }

        if (unsubscribe is null || !Uri.UnescapeDataString(unsubscribe).EndsWith("SubscriptionArn=" + _subscriptions[queue], StringComparison.Ordinal))
        {
            report.Violation($"{Name}: an envelope names another subscription", $"{when}, queue {queue}: {unsubscribe}");
        }

        lock (_lock)
        {
            if (!_published.TryGetValue(token, out var published))
            {
                report.Violation($"{Name}: received a message that was never published", $"{when}: {token}");
                return null;
            }

            if (published.DeletedAt[queue] < issued)
            {
                report.Violation($"{Name}: a message came back after its delete was acknowledged", $"{when}, queue {queue}: {token}");
            }

            if (published.MessageId is not null && published.MessageId != messageId)
            {
                report.Violation($"{Name}: a message's id changed", $"{when}: {token} published as {published.MessageId}, delivered as {messageId}");
            }
        }

        return token;
    }

    public async Task VerifyAsync(ServerLink.Endpoints server, CancellationToken cancellationToken)
    {
        for (var queue = 0; queue < QueueCount; queue++)
        {
            var drained = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                var issued = Clock.Tick();
                var result = await SqsQueues.ReceiveAsync(aws, server, Queue(queue), visibilitySeconds: 60, waitSeconds: 0, cancellationToken);
                var messages = SqsQueues.Messages(result).ToList();
                if (messages.Count == 0)
                {
                    if (await SqsQueues.IsEmptyAsync(aws, server, Queue(queue), cancellationToken))
                    {
                        break;
                    }

                    await Task.Delay(200, cancellationToken);
                    continue;
                }

                foreach (var message in messages)
                {
                    if (Check(queue, message, issued, "in the final drain") is { } token)
                    {
                        drained.Add(token);
                    }

                    await SqsQueues.DeleteAsync(aws, server, Queue(queue), message.GetProperty("ReceiptHandle").GetString()!, cancellationToken);
                }
            }

            lock (_lock)
            {
                foreach (var (token, published) in _published)
                {
                    var there = drained.Contains(token);
                    if (published.DeletedAt[queue] != long.MaxValue)
                    {
                        report.Count($"{Name}: deletes verified (never came back)", there ? 0 : 1);
                    }

                    if (!published.Acknowledged)
                    {
                        continue;
                    }

                    if (published.DeletedAt[queue] != long.MaxValue || there)
                    {
                        report.Count($"{Name}: deliveries verified (deleted by an acknowledged delete, or still there)");
                    }
                    else if (published.DeleteAttempted[queue])
                    {
                        report.Count($"{Name}: deliveries whose delete had an unknown outcome (either is right)");
                    }
                    else
                    {
                        report.Violation($"{Name}: an acknowledged publish is missing from a queue", $"{token} ({published.MessageId}), queue {queue}");
                    }
                }
            }
        }
    }

    private static XName Sns(string name) => XName.Get(name, "http://sns.amazonaws.com/doc/2010-03-31/");

    /// <summary>An SNS Query call (form-encoded, routed by its Version; Ferry accepts it unsigned).</summary>
    private async Task<XDocument> SnsAsync(ServerLink.Endpoints server, string action, KeyValuePair<string, string>[] parameters, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Http);
        request.Content = new FormUrlEncodedContent([new("Action", action), new("Version", "2010-03-31"), .. parameters]);
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var document = XDocument.Parse(text);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var code = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? "";
            var message = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? "";
            throw new AwsErrorException((int)response.StatusCode, code, message);
        }

        return document;
    }
}

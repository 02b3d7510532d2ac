using System.Buffers;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Ferry.Aws.Sns.Delivery;
using Ferry.Aws.Sqs;
using Ferry.Engine;
using Ferry.Engine.Queues;
using Ferry.Engine.Topics;
using Microsoft.Extensions.Logging;

namespace Ferry.Aws.Sns;

/// <summary>
/// SNS's side of delivery: the message a queue subscription receives (the signed or unsigned envelope, or the raw
/// message with its attributes), and the pushing of notifications to HTTP/S endpoints with the retries of their
/// delivery policy, the subscription's throttle, and dead-lettering after the last attempt.
/// </summary>
internal sealed partial class SnsDelivery : ITopicDelivery, IAsyncDisposable
{
    private readonly Func<Broker> _brokerAccessor;
    private readonly SnsOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<TopicDelivery> _ready = Channel.CreateUnbounded<TopicDelivery>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _stopping = new();
    private readonly HttpClient _http;
    private readonly Lazy<SnsSigner> _signer;
    private readonly List<Task> _workers = [];
    private string _baseUrl;

    public SnsDelivery(Func<Broker> broker, SnsOptions options, ILogger logger, TimeProvider time, HttpMessageHandler? handler = null)
    {
        _brokerAccessor = broker;
        _options = options;
        _logger = logger;
        _time = time;
        _baseUrl = options.BaseUrl;
        _signer = new Lazy<SnsSigner>(() => SnsSigner.LoadOrCreate(options.SigningDirectory, time));
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxConnectionsPerServer = options.PushConcurrency,
            AllowAutoRedirect = false,
            UseCookies = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(SnsHttpHeaders.UserAgent);
    }

    /// <summary>The broker, which opens after the services are built.</summary>
    private Broker _broker => _brokerAccessor();

    /// <summary>The key and certificate that sign what Ferry pushes.</summary>
    public SnsSigner Signer => _signer.Value;

    /// <summary>
    /// Connects delivery to the topics, before Ferry takes requests: publishes can fan out, and the deliveries owed
    /// since the last stop are queued. Loads (or creates) the signing key.
    /// </summary>
    public void Attach(string baseUrl)
    {
        _baseUrl = baseUrl.TrimEnd('/');
        _ = Signer;
        _broker.Topics.AttachDelivery(this);
    }

    /// <summary>Starts pushing, once Ferry listens at <paramref name="baseUrl"/>.</summary>
    public void Start(string baseUrl)
    {
        _baseUrl = baseUrl.TrimEnd('/');
        for (var i = 0; i < _options.PushConcurrency; i++)
        {
            _workers.Add(Task.Run(() => WorkAsync(_stopping.Token)));
        }
    }

    /// <inheritdoc/>
    public SendRequest ToQueueMessage(Subscription subscription, TopicMessage message)
    {
        if (subscription.RawMessageDelivery)
        {
            // Every raw queue subscription gets the same body and attributes: a template with nothing written over it,
            // stored once when several queues take it.
            var raw = RawTemplate(message);
            return new SendRequest
            {
                Template = raw.Body,
                BodyDigest = raw.BodyDigest,
                Attributes = message.Attributes.Count > 0 ? message.Attributes : null,
                AttributesDigest = raw.AttributesDigest,
                GroupId = message.GroupId,
                DeduplicationId = message.DeduplicationId,
            };
        }

        // Every queue subscription's envelope is the same but for the subscription id in its UnsubscribeURL: the
        // template is stored once, and each message holds the id it writes over the template's placeholder.
        var template = EnvelopeTemplate(subscription.Topic, message);
        var id = subscription.IdUtf8;
        var md5 = template.Prefix;
        md5.Append(id.Span);
        md5.Append(template.Body.Utf8.Span[(template.IdOffset + id.Length)..]);
        return Enveloped(template, subscription, message, md5.Finish());
    }

    /// <summary>A queue subscription's envelope: the template with its subscription id written over the placeholder.</summary>
    private static SendRequest Enveloped(EnvelopeTemplateBytes template, Subscription subscription, TopicMessage message, byte[] digest) => new()
    {
        Template = template.Body,
        PatchOffset = template.IdOffset,
        Patch = subscription.IdUtf8,
        BodyDigest = digest,
        GroupId = message.GroupId,
        DeduplicationId = message.DeduplicationId,
    };

    /// <inheritdoc/>
    /// <remarks>The envelopes of one message differ only in the subscription id, so their digests are taken together
    /// (<see cref="Md5.FinishMany"/>).</remarks>
    public void ToQueueMessages(List<Subscription> subscriptions, TopicMessage message, List<(Subscription, SendRequest)> sends)
    {
        var enveloped = 0;
        foreach (var s in subscriptions)
        {
            enveloped += s.RawMessageDelivery ? 0 : 1;
        }

        if (enveloped < 2)
        {
            foreach (var s in subscriptions)
            {
                sends.Add((s, ToQueueMessage(s, message)));
            }

            return;
        }

        var template = EnvelopeTemplate(subscriptions[0].Topic, message);
        var idLength = subscriptions[0].IdUtf8.Length;
        var tail = template.Body.Utf8.Span[(template.IdOffset + idLength)..];
        var ids = ArrayPool<byte>.Shared.Rent(idLength * enveloped);
        try
        {
            var n = 0;
            foreach (var s in subscriptions)
            {
                if (!s.RawMessageDelivery)
                {
                    s.IdUtf8.Span.CopyTo(ids.AsSpan(n++ * idLength, idLength));
                }
            }

            var digests = enveloped <= 64 ? stackalloc byte[enveloped * Md5.HashSizeInBytes] : new byte[enveloped * Md5.HashSizeInBytes];
            template.Prefix.FinishMany(ids, idLength, enveloped, tail, digests);
            n = 0;
            foreach (var s in subscriptions)
            {
                sends.Add((s, s.RawMessageDelivery
                    ? ToQueueMessage(s, message)
                    : Enveloped(template, s, message, digests.Slice(n++ * Md5.HashSizeInBytes, Md5.HashSizeInBytes).ToArray())));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(ids);
        }
    }

    /// <inheritdoc/>
    public void Push(TopicDelivery delivery) => _ready.Writer.TryWrite(delivery);

    /// <summary>The notification for one protocol's text, built once per message (every queue subscription shares it).</summary>
    private static SnsNotification Notification(Topic topic, TopicMessage message, string protocol)
    {
        var state = message.FaceState as MessageState ?? new MessageState();
        message.FaceState ??= state;
        var text = message.MessageFor(protocol);
        lock (state)
        {
            if (state.Notification is { } cached && ReferenceEquals(cached.Message, text))
            {
                return cached;
            }

            return state.Notification = NewNotification(topic, message, protocol);
        }
    }

    private static SnsNotification NewNotification(Topic topic, TopicMessage message, string protocol) => new(
        topic.Arn,
        message.MessageId.ToString("D"),
        message.Subject,
        message.MessageFor(protocol),
        DateTimeOffset.FromUnixTimeMilliseconds(message.Timestamp),
        message.Attributes.Count == 0 ? null : [.. message.Attributes.Select(a => new SnsMessageAttribute(a.Name, a.DataType, a.StringValue, a.BinaryValue))],
        message.SequenceNumber,
        message.GroupId,
        message.DeduplicationId);

    /// <summary>The signature of a message for one protocol's text, computed once per message and version.</summary>
    private SnsSignature Signature(Topic topic, TopicMessage message, string protocol)
    {
        var version = topic.Attributes.GetValueOrDefault("SignatureVersion") == "2" ? SnsSignatureVersion.V2 : SnsSignatureVersion.V1;
        var notification = Notification(topic, message, protocol);
        var state = (MessageState)message.FaceState!;
        lock (state)
        {
            if (state.Signature is { } cached && cached.Version == version && ReferenceEquals(state.SignedText, notification.Message))
            {
                return cached;
            }
        }

        var signature = SnsMessages.Sign(Signer, notification, version, SnsUrls.SigningCertificate(_baseUrl, Signer.CertificateFileName));
        lock (state)
        {
            state.Signature = signature;
            state.SignedText = notification.Message;
        }

        return signature;
    }

    /// <summary>The subscription id a template's UnsubscribeURL holds until each delivery writes its own.</summary>
    private static readonly Guid TemplateId = Guid.AllBitsSet;

    /// <summary>The envelope queue subscriptions get, as UTF-8, with the offset of the subscription id to fill in.</summary>
    private EnvelopeTemplateBytes EnvelopeTemplate(Topic topic, TopicMessage message)
    {
        var notification = Notification(topic, message, "sqs");
        var state = (MessageState)message.FaceState!;
        lock (state)
        {
            if (state.Template is { } cached && ReferenceEquals(cached.Text, notification.Message))
            {
                return cached;
            }
        }

        var url = SnsUrls.Unsubscribe(_baseUrl, topic.Arn + ":" + TemplateId.ToString("D"));
        var utf8 = SnsMessages.NotificationUtf8(notification, url, _options.SignQueueDeliveries ? Signature(topic, message, "sqs") : null);

        // A raw line break only appears between fields (inside values it is escaped), so the marker is the field's.
        var marker = "\n  \"UnsubscribeURL\" : \""u8;
        var field = utf8.AsSpan().IndexOf(marker);
        if (field < 0)
        {
            throw new InvalidOperationException("The notification envelope has no UnsubscribeURL field.");
        }

        var offset = field + marker.Length + url.Length - 36;
        var prefix = Md5.Create();
        prefix.Append(utf8.AsSpan(0, offset));
        var template = new EnvelopeTemplateBytes(notification.Message, new BodyTemplate(utf8), offset, prefix);
        lock (state)
        {
            state.Template = template;
        }

        return template;
    }

    /// <summary>An envelope with a placeholder id at <paramref name="IdOffset"/>, and the MD5 state of the bytes before it.</summary>
    private sealed record EnvelopeTemplateBytes(string Text, BodyTemplate Body, int IdOffset, Md5 Prefix);

    /// <summary>The body that raw queue subscriptions get, as a template, with its digests and those of the attributes.</summary>
    private static RawTemplateBytes RawTemplate(TopicMessage message)
    {
        var state = message.FaceState as MessageState ?? new MessageState();
        message.FaceState ??= state;
        lock (state)
        {
            if (state.Raw is { } cached)
            {
                return cached;
            }
        }

        var body = message.MessageFor("sqs");
        Dictionary<string, MessageAttributeValue>? attributes = null;
        if (message.Attributes.Count > 0)
        {
            attributes = new Dictionary<string, MessageAttributeValue>(message.Attributes.Count, StringComparer.Ordinal);
            foreach (var a in message.Attributes)
            {
                attributes[a.Name] = new MessageAttributeValue { DataType = a.DataType, StringValue = a.StringValue, BinaryValue = a.BinaryValue };
            }
        }

        var utf8 = System.Text.Encoding.UTF8.GetBytes(body);
        var bodyDigest = new byte[Md5.HashSizeInBytes];
        Md5.HashData(utf8, bodyDigest);
        var raw = new RawTemplateBytes(
            new BodyTemplate(utf8),
            bodyDigest,
            SqsMd5.OfMessageAttributes(attributes) is { } digest ? Convert.FromHexString(digest) : null);
        lock (state)
        {
            state.Raw ??= raw;
            return state.Raw;
        }
    }

    /// <summary>A raw delivery's body and digests: the same for every raw queue subscription of a message.</summary>
    private sealed record RawTemplateBytes(BodyTemplate Body, byte[] BodyDigest, byte[]? AttributesDigest);

    /// <summary>What deliveries of one message share: its notification and signature for the last protocol text asked.</summary>
    private sealed class MessageState
    {
        public EnvelopeTemplateBytes? Template { get; set; }

        public RawTemplateBytes? Raw { get; set; }

        public SnsNotification? Notification { get; set; }

        public SnsSignature? Signature { get; set; }

        public string? SignedText { get; set; }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _ready.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: owed deliveries stay in the journal.
        }

        _http.Dispose();
        if (_signer.IsValueCreated)
        {
            _signer.Value.Dispose();
        }

        _stopping.Dispose();
    }
}

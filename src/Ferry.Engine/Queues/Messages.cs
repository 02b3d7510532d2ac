namespace Ferry.Engine.Queues;

/// <summary>A message attribute: a name, a data type (<c>String</c>, <c>Number</c>, <c>Binary</c>, optionally with a
/// <c>.label</c>) and a string or binary value.</summary>
public sealed record MessageAttribute(string Name, string DataType, string? StringValue, byte[]? BinaryValue);

/// <summary>What a producer sends. The digests are computed by the protocol face and stored as given.</summary>
public sealed class SendRequest
{
    private string? _body;

    /// <summary>The body; given as text, or decoded on first use from <see cref="BodyUtf8"/> or <see cref="Template"/>.</summary>
    public string Body
    {
        get => _body ??= Template is { } template
            ? StoredMessage.Compose(template.Utf8.Span, PatchOffset, Patch.Span)
            : System.Text.Encoding.UTF8.GetString((BodyUtf8 ?? throw new InvalidOperationException("A message has no body.")).Span);
        init => _body = value;
    }

    /// <summary>The body already encoded, for senders that have it as UTF-8 (stored as given, never re-encoded).</summary>
    public ReadOnlyMemory<byte>? BodyUtf8 { get; init; }

    /// <summary>
    /// The body as bytes that other messages share, with <see cref="Patch"/> written over them at
    /// <see cref="PatchOffset"/>: a fan-out stores the shared bytes once and each message's few bytes of its own.
    /// </summary>
    public BodyTemplate? Template { get; init; }

    /// <summary>Where <see cref="Patch"/> is written over <see cref="Template"/>.</summary>
    public int PatchOffset { get; init; }

    /// <summary>This message's bytes over <see cref="Template"/>.</summary>
    public ReadOnlyMemory<byte> Patch { get; init; }

    /// <summary>About how many bytes the body takes, for sizing a record (without composing or encoding it).</summary>
    internal int SizeHint => Template?.Utf8.Length ?? BodyUtf8?.Length ?? Body.Length;

    public IReadOnlyList<MessageAttribute>? Attributes { get; init; }

    /// <summary>System attributes such as <c>AWSTraceHeader</c>.</summary>
    public IReadOnlyList<MessageAttribute>? SystemAttributes { get; init; }

    /// <summary>Per-message delay; null for the queue's DelaySeconds.</summary>
    public int? DelaySeconds { get; init; }

    /// <summary>Ferry extension: not visible before this time (overrides any delay).</summary>
    public DateTimeOffset? DeliverAt { get; init; }

    /// <summary>Ferry extension: 0–9, higher first, on standard queues.</summary>
    public int Priority { get; init; }

    public string? GroupId { get; init; }

    public string? DeduplicationId { get; init; }

    public string? SenderId { get; init; }

    public required byte[] BodyDigest { get; init; }

    public byte[]? AttributesDigest { get; init; }

    public byte[]? SystemAttributesDigest { get; init; }
}

/// <summary>The outcome of one send.</summary>
/// <param name="MessageId">The message's id (for a deduplicated send, the original message's id).</param>
/// <param name="SequenceNumber">FIFO queues: the message's sequence number.</param>
public readonly record struct SendResult(Guid MessageId, string? SequenceNumber);

/// <summary>What a consumer asks for.</summary>
public sealed class ReceiveRequest
{
    public int MaxMessages { get; init; } = 1;

    /// <summary>Null for the queue's VisibilityTimeout.</summary>
    public int? VisibilityTimeoutSeconds { get; init; }

    /// <summary>Null for the queue's ReceiveMessageWaitTimeSeconds.</summary>
    public int? WaitTimeSeconds { get; init; }

    /// <summary>FIFO: a retry with the same id within 5 minutes returns the same messages.</summary>
    public string? ReceiveRequestAttemptId { get; init; }
}

/// <summary>A delivered message.</summary>
public sealed class ReceivedMessage
{
    public required Guid MessageId { get; init; }

    public required string ReceiptHandle { get; init; }

    public required string Body { get; init; }

    public required byte[] BodyDigest { get; init; }

    public byte[]? AttributesDigest { get; init; }

    public required IReadOnlyList<MessageAttribute> Attributes { get; init; }

    public required IReadOnlyList<MessageAttribute> SystemAttributes { get; init; }

    public long SentTimestamp { get; init; }

    public int ReceiveCount { get; init; }

    public long FirstReceiveTimestamp { get; init; }

    public string? SenderId { get; init; }

    public string? GroupId { get; init; }

    public string? DeduplicationId { get; init; }

    public string? SequenceNumber { get; init; }

    /// <summary>Set on messages moved to a dead-letter queue: the ARN of the queue they came from.</summary>
    public string? DeadLetterQueueSourceArn { get; init; }
}

/// <summary>The approximate counters SQS reports.</summary>
public readonly record struct QueueCounts(long Visible, long NotVisible, long Delayed);

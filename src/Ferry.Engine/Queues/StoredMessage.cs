using Ferry.Engine.Internal;

namespace Ferry.Engine.Queues;

/// <summary>A message as its <see cref="RecordType.MessageSent"/> record holds it.</summary>
/// <remarks>Payload layout (version 1): <c>version:u8 | seq:i64 | messageId:16 | sentAt:i64 | visibleAt:i64 |
/// priority:u8 | receiveCount:i32 | firstReceiveAt:i64 | groupId | dedupId | senderId | sourceArn | bodyDigest |
/// attributesDigest | systemAttributesDigest | attributes | systemAttributes | body</c>; strings and byte arrays are
/// length-prefixed (-1 for null). The sequence number comes first so compaction can identify a record cheaply.</remarks>
internal sealed class StoredMessage
{
    private const byte Version = 1;

    public long Seq { get; private init; }

    public Guid MessageId { get; private init; }

    public long SentAt { get; private init; }

    public long VisibleAt { get; private init; }

    public byte Priority { get; private init; }

    public int ReceiveCount { get; private init; }

    public long FirstReceiveAt { get; private init; }

    public string? GroupId { get; private init; }

    public string? DeduplicationId { get; private init; }

    public string? SenderId { get; private init; }

    public string? SourceArn { get; private init; }

    public byte[] BodyDigest { get; private init; } = [];

    public byte[]? AttributesDigest { get; private init; }

    public byte[]? SystemAttributesDigest { get; private init; }

    public IReadOnlyList<MessageAttribute> Attributes { get; private init; } = [];

    public IReadOnlyList<MessageAttribute> SystemAttributes { get; private init; } = [];

    public string Body { get; private init; } = string.Empty;

    /// <summary>The sequence number of a message record without decoding the rest.</summary>
    public static long ReadSeq(ReadOnlySpan<byte> payload) => new PayloadReader(payload[1..]).I64();

    public static StoredMessage Read(ReadOnlySpan<byte> payload)
    {
        var r = new PayloadReader(payload);
        var version = r.U8();
        if (version != Version)
        {
            throw new InvalidDataException($"Message record version {version} is not one this Ferry reads.");
        }

        return new StoredMessage
        {
            Seq = r.I64(),
            MessageId = r.Guid(),
            SentAt = r.I64(),
            VisibleAt = r.I64(),
            Priority = r.U8(),
            ReceiveCount = r.I32(),
            FirstReceiveAt = r.I64(),
            GroupId = r.String(),
            DeduplicationId = r.String(),
            SenderId = r.String(),
            SourceArn = r.String(),
            BodyDigest = r.Bytes(),
            AttributesDigest = r.NullableBytes(),
            SystemAttributesDigest = r.NullableBytes(),
            Attributes = ReadAttributes(ref r),
            SystemAttributes = ReadAttributes(ref r),
            Body = r.RequiredString(),
        };
    }

    public static void Write(PayloadWriter w, long seq, Guid messageId, long sentAt, long visibleAt, SendRequest request, string? dedupId, MovedMessage? moved)
    {
        w.U8(Version);
        w.I64(seq);
        w.Guid(messageId);
        w.I64(sentAt);
        w.I64(visibleAt);
        w.U8((byte)request.Priority);
        w.I32(moved?.ReceiveCount ?? 0);
        w.I64(moved?.FirstReceiveAt ?? 0);
        w.String(request.GroupId);
        w.String(dedupId);
        w.String(request.SenderId);
        w.String(moved?.SourceArn);
        w.Bytes(request.BodyDigest);
        w.NullableBytes(request.AttributesDigest);
        w.NullableBytes(request.SystemAttributesDigest);
        WriteAttributes(w, request.Attributes);
        WriteAttributes(w, request.SystemAttributes);
        if (request.BodyUtf8 is { } utf8)
        {
            w.Bytes(utf8.Span); // the same layout as String: length, then the UTF-8 bytes
        }
        else
        {
            w.String(request.Body);
        }
    }

    /// <summary>A request that re-sends this message elsewhere, unchanged.</summary>
    public SendRequest ToRequest() => new()
    {
        Body = Body,
        Attributes = Attributes,
        SystemAttributes = SystemAttributes,
        GroupId = GroupId,
        DeduplicationId = DeduplicationId,
        SenderId = SenderId,
        Priority = Priority,
        BodyDigest = BodyDigest,
        AttributesDigest = AttributesDigest,
        SystemAttributesDigest = SystemAttributesDigest,
    };

    private static void WriteAttributes(PayloadWriter w, IReadOnlyList<MessageAttribute>? attributes)
    {
        w.I32(attributes?.Count ?? 0);
        foreach (var a in attributes ?? [])
        {
            w.String(a.Name);
            w.String(a.DataType);
            w.String(a.StringValue);
            w.NullableBytes(a.BinaryValue);
        }
    }

    private static MessageAttribute[] ReadAttributes(ref PayloadReader r)
    {
        var count = r.I32();
        if (count == 0)
        {
            return [];
        }

        var attributes = new MessageAttribute[count];
        for (var i = 0; i < count; i++)
        {
            attributes[i] = new MessageAttribute(r.RequiredString(), r.RequiredString(), r.String(), r.NullableBytes());
        }

        return attributes;
    }
}

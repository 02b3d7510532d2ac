using Ferry.Engine.Internal;

namespace Ferry.Engine.Queues;

/// <summary>A message as its <see cref="RecordType.MessageSent"/> record holds it.</summary>
/// <remarks>Payload layout (version 1): <c>version:u8 | seq:i64 | messageId:16 | sentAt:i64 | visibleAt:i64 |
/// priority:u8 | receiveCount:i32 | firstReceiveAt:i64 | groupId | dedupId | senderId | sourceArn | bodyDigest |
/// attributesDigest | systemAttributesDigest | attributes | systemAttributes | body</c>; strings and byte arrays are
/// length-prefixed (-1 for null). The sequence number comes first so compaction can identify a record cheaply.
/// Version 2, a message made of a shared body (<see cref="SharedBodies"/>), ends in
/// <c>sharedBodyId:i64 | patchOffset:i32 | patch</c> instead of the body: the shared bytes with the patch written over
/// them at the offset.</remarks>
internal sealed class StoredMessage
{
    private const byte Version = 1;
    private const byte SharedVersion = 2;

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

    /// <summary>The body; empty when a message made of a shared body is read without it.</summary>
    public string Body { get; private set; } = string.Empty;

    /// <summary>The shared body the message is made of; 0 when the record holds the whole body.</summary>
    public long SharedBodyId { get; private set; }

    /// <summary>The sequence number of a message record without decoding the rest.</summary>
    public static long ReadSeq(ReadOnlySpan<byte> payload) => new PayloadReader(payload[1..]).I64();

    /// <summary>Reads a message record; a message made of a shared body is composed from <paramref name="shared"/>,
    /// read with <paramref name="bodies"/>, or left without its body when they are null (replay needs no body).</summary>
    /// <exception cref="Storage.JournalException">The shared body's record is gone (the message was deleted meanwhile).</exception>
    public static StoredMessage Read(ReadOnlySpan<byte> payload, SharedBodies? bodies = null, SharedBody? shared = null)
    {
        var r = new PayloadReader(payload);
        var version = r.U8();
        if (version is not (Version or SharedVersion))
        {
            throw new InvalidDataException($"Message record version {version} is not one this Ferry reads.");
        }

        var message = ReadFields(ref r, withBody: version == Version);
        if (version == Version)
        {
            return message;
        }

        message.SharedBodyId = r.I64();
        var patchOffset = r.I32();
        var patch = r.BytesSpan();
        if (bodies is null || shared is null)
        {
            return message;
        }

        if (shared.Id != message.SharedBodyId)
        {
            throw new InvalidDataException($"A message record refers to shared body {message.SharedBodyId}, its message to {shared.Id}.");
        }

        message.Body = bodies.Compose(shared, patchOffset, patch);
        return message;
    }

    /// <summary>The body made of <paramref name="template"/> with <paramref name="patch"/> written over it at
    /// <paramref name="offset"/>, decoded from UTF-8.</summary>
    public static string Compose(ReadOnlySpan<byte> template, int offset, ReadOnlySpan<byte> patch)
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(template.Length);
        try
        {
            var body = rented.AsSpan(0, template.Length);
            template.CopyTo(body);
            Patch(body, offset, patch);
            return System.Text.Encoding.UTF8.GetString(body);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Writes <paramref name="patch"/> over <paramref name="body"/> at <paramref name="offset"/>.</summary>
    /// <exception cref="InvalidDataException">The patch does not fit inside the body.</exception>
    public static void Patch(Span<byte> body, int offset, ReadOnlySpan<byte> patch)
    {
        if (offset < 0 || offset > body.Length - patch.Length)
        {
            throw new InvalidDataException($"A patch of {patch.Length} bytes at {offset} does not fit a body of {body.Length} bytes.");
        }

        patch.CopyTo(body[offset..]);
    }

    /// <summary>Everything up to the body; a version 1 record's body too.</summary>
    private static StoredMessage ReadFields(ref PayloadReader r, bool withBody) => new()
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
        Body = withBody ? r.RequiredString() : string.Empty,
    };

    public static void Write(PayloadWriter w, long seq, Guid messageId, long sentAt, long visibleAt, SendRequest request, string? dedupId, MovedMessage? moved,
        SharedBody? shared)
    {
        w.U8(shared is null ? Version : SharedVersion);
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
        if (shared is not null)
        {
            w.I64(shared.Id);
            w.I32(request.PatchOffset);
            w.Bytes(request.Patch.Span);
        }
        else if (request.Template is { } template)
        {
            // The same layout as String: length, then the UTF-8 bytes.
            var body = w.Reserve(4 + template.Utf8.Length);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(body, template.Utf8.Length);
            template.Utf8.Span.CopyTo(body[4..]);
            Patch(body[4..], request.PatchOffset, request.Patch.Span);
        }
        else if (request.BodyUtf8 is { } utf8)
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

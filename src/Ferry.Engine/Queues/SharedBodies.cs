using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Ferry.Engine.Internal;
using Ferry.Engine.RedisStreams;
using Ferry.Storage;

namespace Ferry.Engine.Queues;

/// <summary>
/// The bytes many queue messages' bodies are made of (one SNS publish fanned out to many queues): the sender gives
/// them once, and each message adds the few bytes it writes over them (<see cref="SendRequest.Template"/>).
/// </summary>
/// <param name="utf8">The shared bytes, UTF-8.</param>
public sealed class BodyTemplate(ReadOnlyMemory<byte> utf8)
{
    public ReadOnlyMemory<byte> Utf8 { get; } = utf8;
}

/// <summary>
/// A body stored once in a <see cref="RecordType.SharedBodyStored"/> record and referred to by the messages made of
/// it; the record stays live while any message refers to it.
/// </summary>
internal sealed class SharedBody(long id, RecordRef record)
{
    public long Id { get; } = id;

    /// <summary>The record; guarded by the body's own lock (compaction moves it).</summary>
    public RecordRef Record = record;

    /// <summary>How many messages (and, while it stores them, the publish) refer to the body.</summary>
    public int References;
}

/// <summary>
/// The shared bodies of the broker: stores them, counts their references and releases each record when the last
/// message made of it goes; restores them from checkpoints and replay, and relocates them for compaction.
/// </summary>
/// <remarks>
/// A message refers to its body by id, never by position, so compaction can move a body without touching the
/// messages. The body's record is appended before the messages that refer to it, in the same write section, so it
/// is durable before any of them and on the same side of every checkpoint mark.
/// Record payload: <c>id:i64 | bytes</c>.
/// </remarks>
internal sealed class SharedBodies(Journal journal)
{
    private const int HeaderBytes = 8;

    private readonly Dictionary<long, SharedBody> _byId = [];
    private long _lastId;

    /// <summary>While the broker recovers, bodies nothing refers to are kept until <see cref="FinishRecovery"/>: a
    /// message replayed later may still refer to them.</summary>
    private bool _recovering = true;

    /// <summary>How many bodies are stored.</summary>
    public int Count
    {
        get
        {
            lock (_byId)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>Appends a body; the caller holds the write gate. The body starts with one reference, the caller's,
    /// which it gives up with <see cref="Release"/> once the messages made of it are appended.</summary>
    public SharedBody Store(ReadOnlySpan<byte> utf8)
    {
        using var w = new PayloadWriter(utf8.Length + HeaderBytes);
        var id = Interlocked.Increment(ref _lastId);
        w.I64(id);
        w.Raw(utf8);
        journal.AppendAsync((ushort)RecordType.SharedBodyStored, 0, w.WrittenSpan, out var record).Forget();
        var body = new SharedBody(id, record) { References = 1 };
        lock (_byId)
        {
            _byId.Add(id, body);
        }

        return body;
    }

    /// <summary>One more message is made of <paramref name="body"/>.</summary>
    public static void AddReference(SharedBody body) => Interlocked.Increment(ref body.References);

    /// <summary>A message made of <paramref name="body"/> is gone; the last one releases its record.</summary>
    public void Release(SharedBody body)
    {
        if (Interlocked.Decrement(ref body.References) != 0 || _recovering)
        {
            return;
        }

        lock (_byId)
        {
            _byId.Remove(body.Id);
        }

        lock (body)
        {
            journal.Release(body.Record);
        }
    }

    /// <summary>The body of a message made of <paramref name="body"/>: its bytes, read from its record, with
    /// <paramref name="patch"/> written over them at <paramref name="offset"/>, decoded from UTF-8.</summary>
    /// <exception cref="JournalException">The record is gone (every message made of it was deleted meanwhile).</exception>
    public string Compose(SharedBody body, int offset, ReadOnlySpan<byte> patch)
    {
        RecordRef record;
        lock (body)
        {
            record = body.Record;
        }

        var rented = ArrayPool<byte>.Shared.Rent(record.Length);
        try
        {
            var payload = rented.AsSpan(0, record.Length);
            journal.Read(record, payload);
            var id = BinaryPrimitives.ReadInt64LittleEndian(payload);
            if (id != body.Id)
            {
                throw new InvalidDataException($"The shared body at position {record.Position} is {id}, not {body.Id}.");
            }

            var bytes = payload[HeaderBytes..];
            StoredMessage.Patch(bytes, offset, patch);
            return Encoding.UTF8.GetString(bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The body with <paramref name="id"/>, which a message being restored refers to.</summary>
    public SharedBody Find(long id)
    {
        lock (_byId)
        {
            return _byId.TryGetValue(id, out var body)
                ? body
                : throw new InvalidDataException($"A message refers to shared body {id}, which the journal does not hold.");
        }
    }

    /// <summary>Replays a stored body: a new one, or the copy compaction made of one (which supersedes it).</summary>
    public void Replay(in JournalRecord record)
    {
        var id = BinaryPrimitives.ReadInt64LittleEndian(record.Payload.Span);
        _lastId = Math.Max(_lastId, id);
        if (_byId.TryGetValue(id, out var body))
        {
            journal.ReplayAgain(ref body.Record, record);
            return;
        }

        if (record.IsRelocated)
        {
            // The copy of a body whose messages were all gone before the copy's position was replayed.
            journal.Release(record.Ref);
            return;
        }

        _byId.Add(id, new SharedBody(id, record.Ref));
    }

    /// <summary>After restore and replay: releases the bodies no message refers to, and counts from now on.</summary>
    public void FinishRecovery()
    {
        foreach (var body in _byId.Values.Where(b => b.References == 0).ToList())
        {
            _byId.Remove(body.Id);
            journal.Release(body.Record);
        }

        _recovering = false;
    }

    /// <summary>Captures the bodies (not their bytes, which stay in the journal) for a checkpoint; the caller holds
    /// the write gate exclusively, and runs the returned writer after writes resume. The messages that refer to the
    /// bodies restore their counts.</summary>
    public Action<PayloadWriter> CaptureSnapshot()
    {
        long lastId;
        var bodies = new CaptureList<(long Id, RecordRef Record)>();
        lock (_byId)
        {
            lastId = _lastId;
            foreach (var body in _byId.Values)
            {
                lock (body)
                {
                    bodies.Add((body.Id, body.Record));
                }
            }
        }

        return w =>
        {
            w.I64(lastId);
            w.I32(bodies.Count);
            foreach (var (id, record) in bodies.Items())
            {
                w.I64(id);
                w.I64(record.Position);
                w.I32(record.Length);
            }
        };
    }

    public void ReadSnapshot(ref PayloadReader r)
    {
        _lastId = r.I64();
        var count = r.I32();
        for (var i = 0; i < count; i++)
        {
            var id = r.I64();
            _byId.Add(id, new SharedBody(id, new RecordRef(r.I64(), r.I32())));
        }
    }

    /// <summary>Compaction asks: is this body record still the one its body refers to?</summary>
    public bool IsLive(in JournalRecord record)
    {
        var id = BinaryPrimitives.ReadInt64LittleEndian(record.Payload.Span);
        SharedBody? body;
        lock (_byId)
        {
            body = _byId.GetValueOrDefault(id);
        }

        if (body is null)
        {
            return false;
        }

        lock (body)
        {
            return body.Record == record.Ref;
        }
    }

    /// <summary>Compaction copied a body record: the body refers to the copy from now on.</summary>
    public bool TryRelocate(in JournalRecord record, RecordRef copy)
    {
        var id = BinaryPrimitives.ReadInt64LittleEndian(record.Payload.Span);
        lock (_byId)
        {
            // Under the table's lock: a body still in the table has not been released.
            if (!_byId.TryGetValue(id, out var body))
            {
                return false;
            }

            lock (body)
            {
                if (body.Record != record.Ref)
                {
                    return false;
                }

                body.Record = copy;
                return true;
            }
        }
    }
}

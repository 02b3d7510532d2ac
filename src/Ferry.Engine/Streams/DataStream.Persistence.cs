using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.Streams;

public sealed partial class DataStream
{
    /// <summary>The size of an entry in a snapshot: counter, arrival and batch number (8 bytes each), offset and size (4).</summary>
    private const int SnapshotEntrySize = 32;

    /// <summary>Writes the descriptor and every shard's index. Caller holds the checkpoint gate exclusively.</summary>
    internal void WriteSnapshot(PayloadWriter w) => CaptureSnapshot()(w);

    /// <summary>
    /// Captures the descriptor and every shard's index for a checkpoint, and returns what writes them (see
    /// <see cref="BrokerModule.CaptureSnapshot"/>). The descriptor and the batch lists (which compaction changes in
    /// place, and which hold one item per put call and shard) are copied now; the entries, millions for a busy
    /// stream and never changed once appended, are written later from a capture of their chunks. Caller holds the
    /// checkpoint gate exclusively.
    /// </summary>
    internal Action<PayloadWriter> CaptureSnapshot()
    {
        lock (Gate)
        {
            using var part = new PayloadWriter();
            WriteDescriptor(part);
            var descriptor = part.WrittenSpan.ToArray();
            var shards = new (byte[] Batches, ChunkedLog<ShardEntry>.Capture Entries)[AllShards.Count];
            for (var i = 0; i < shards.Length; i++)
            {
                // Every appended entry, committed or not: its batch lies before the checkpoint's mark, and the
                // checkpoint is durable only after everything before its mark is.
                var s = AllShards[i];
                part.Reset();
                part.I64(s.Batches.First);
                part.I64(s.Batches.Count);
                for (var b = s.Batches.First; b < s.Batches.End; b++)
                {
                    var batch = s.Batches[b];
                    part.I64(batch.Ref.Position);
                    part.I32(batch.Ref.Length);
                    part.I64(batch.LastEntry);
                }

                shards[i] = (part.WrittenSpan.ToArray(), s.Entries.CaptureItems());
            }

            return w =>
            {
                w.Raw(descriptor);
                foreach (var (batches, entries) in shards)
                {
                    w.Raw(batches);
                    w.I64(entries.First);
                    w.I64(entries.End - entries.First);
                    WriteEntries(w, entries);
                }
            };
        }
    }

    private static void WriteEntries(PayloadWriter w, ChunkedLog<ShardEntry>.Capture entries)
    {
        for (var at = entries.First; at < entries.End;)
        {
            var run = entries.Run(at);
            if (BitConverter.IsLittleEndian && Unsafe.SizeOf<ShardEntry>() == SnapshotEntrySize)
            {
                // The entry's fields in order, little-endian, unpadded: exactly the snapshot's layout.
                w.Raw(MemoryMarshal.AsBytes(run));
            }
            else
            {
                foreach (var entry in run)
                {
                    w.I64(entry.Counter);
                    w.I64(entry.ArrivedAt);
                    w.I64(entry.BatchNo);
                    w.I32(entry.Offset);
                    w.I32(entry.Size);
                }
            }

            at += run.Length;
        }
    }

    internal static DataStream ReadSnapshot(StreamsModule module, ref PayloadReader r)
    {
        var (id, name, createdAt, key) = ReadIdentity(ref r);
        var stream = new DataStream(module, id, name, createdAt, key);
        stream.ApplyDescriptor(ref r);
        foreach (var s in stream.AllShards)
        {
            s.Batches.Reset(r.I64());
            var batches = r.I64();
            for (var b = 0L; b < batches; b++)
            {
                s.Batches.Append(new ShardBatch(new RecordRef(r.I64(), r.I32()), r.I64()));
            }

            s.Entries.Reset(r.I64());
            var entries = r.I64();
            for (var e = 0L; e < entries; e++)
            {
                s.Entries.Append(new ShardEntry(r.I64(), r.I64(), r.I64(), r.I32(), r.I32()));
            }

            s.Visible = s.Entries.End;
        }

        return stream;
    }

    /// <summary>Replays a StreamRecords batch: indexes its records and keeps the journal record.</summary>
    internal void ReplayRecords(in JournalRecord record)
    {
        var payload = record.Payload.Span;
        var shardIndex = BinaryPrimitives.ReadInt32LittleEndian(payload);
        var arrival = BinaryPrimitives.ReadInt64LittleEndian(payload[4..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(payload[12..]);
        if (shardIndex < 0 || shardIndex >= AllShards.Count || count <= 0)
        {
            throw new InvalidDataException($"Stream {Name}: a batch at position {record.Ref.Position} names shard {shardIndex} of {AllShards.Count}.");
        }

        var shard = AllShards[shardIndex];
        var first = BinaryPrimitives.ReadInt64LittleEndian(payload[BatchHeaderSize..]);
        var at = shard.FirstAtOrAfter(first);
        if (at < shard.Entries.End && shard.Entries[at].Counter == first)
        {
            // Known already: a copy made by compaction supersedes the original; anything else is not needed.
            ref var batch = ref shard.Batches[shard.Entries[at].BatchNo];
            var held = batch.Ref;
            Journal.ReplayAgain(ref held, record);
            batch.Ref = held;
            return;
        }

        if (record.IsRelocated || (shard.Entries.Count > 0 && first <= shard.Entries[shard.Entries.End - 1].Counter))
        {
            // The copy of a batch that retention released before the copy was replayed.
            Journal.Release(record.Ref);
            return;
        }

        var batchNo = shard.Batches.End;
        var offset = BatchHeaderSize;
        long last = 0;
        for (var i = 0; i < count; i++)
        {
            var counter = BinaryPrimitives.ReadInt64LittleEndian(payload[offset..]);
            var keyLength = BinaryPrimitives.ReadInt32LittleEndian(payload[(offset + 8)..]);
            var dataLength = BinaryPrimitives.ReadInt32LittleEndian(payload[(offset + 12 + keyLength)..]);
            shard.Entries.Append(new ShardEntry(counter, arrival, batchNo, offset, keyLength + dataLength));
            offset += RecordOverhead + keyLength + dataLength;
            last = counter;
        }

        shard.Batches.Append(new ShardBatch(record.Ref, shard.Entries.End - 1));
        shard.Visible = shard.Entries.End;
        Counter = Math.Max(Counter, last);
        _lastArrival = Math.Max(_lastArrival, arrival);
    }

    /// <summary>Drops records past retention from every shard and releases their batches. Returns how many records.</summary>
    internal long Trim()
    {
        long trimmed = 0;
        Broker.EnterWrite(background: true);
        try
        {
            lock (Gate)
            {
                var cutoff = Now - (RetentionHours * 3_600_000L);
                foreach (var s in AllShards)
                {
                    var until = Math.Min(s.FirstArrivedAtOrAfter(cutoff), s.Visible);
                    trimmed += Math.Max(0, until - s.Entries.First);
                    s.TrimBefore(until, Journal);
                }
            }
        }
        finally
        {
            Broker.ExitWrite();
        }

        return trimmed;
    }

    /// <summary>Releases every batch (the stream was deleted). Caller holds <see cref="Gate"/>.</summary>
    internal void ReleaseAll()
    {
        foreach (var s in AllShards)
        {
            s.ReleaseAll(Journal);
        }
    }

    /// <summary>The batch index slot that holds <paramref name="record"/>, if this stream still reads it.</summary>
    private bool TryFindBatch(in JournalRecord record, out Shard shard, out long batchNo)
    {
        shard = null!;
        batchNo = -1;
        var payload = record.Payload.Span;
        if (payload.Length < BatchHeaderSize + 8)
        {
            return false;
        }

        var shardIndex = BinaryPrimitives.ReadInt32LittleEndian(payload);
        if (shardIndex < 0 || shardIndex >= AllShards.Count)
        {
            return false;
        }

        shard = AllShards[shardIndex];
        var first = BinaryPrimitives.ReadInt64LittleEndian(payload[BatchHeaderSize..]);
        var at = shard.FirstAtOrAfter(first);
        if (at >= shard.Entries.End || shard.Entries[at].Counter != first)
        {
            return false;
        }

        batchNo = shard.Entries[at].BatchNo;
        return shard.Batches[batchNo].Ref == record.Ref;
    }

    internal bool References(in JournalRecord record)
    {
        lock (Gate)
        {
            return DeletedAt is null && TryFindBatch(record, out _, out _);
        }
    }

    internal bool Relocate(in JournalRecord record, RecordRef newRef)
    {
        lock (Gate)
        {
            if (DeletedAt is null && TryFindBatch(record, out var shard, out var batchNo))
            {
                shard.Batches[batchNo].Ref = newRef;
                return true;
            }

            return false;
        }
    }
}

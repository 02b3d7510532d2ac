using System.Buffers;
using System.Buffers.Binary;
using Ferry.Storage;

namespace Ferry.Engine.Streams;

public sealed partial class DataStream
{
    /// <summary>Kinesis's per-shard write limits, enforced when <see cref="BrokerOptions.EnforceShardLimits"/> is on.</summary>
    internal const int ShardBytesPerSecond = 1024 * 1024;
    internal const int ShardRecordsPerSecond = 1000;

    /// <summary>A shard batch's header: shard index, arrival time, record count.</summary>
    internal const int BatchHeaderSize = 4 + 8 + 4;

    /// <summary>A record's fixed part in a batch: counter, key length, data length.</summary>
    internal const int RecordOverhead = 8 + 4 + 4;

    /// <summary>The hash key of a partition key: MD5 of its UTF-8 bytes, read as a big-endian 128-bit integer.</summary>
    public static UInt128 HashKey(ReadOnlySpan<byte> partitionKeyUtf8)
    {
        Span<byte> md5 = stackalloc byte[Md5.HashSizeInBytes];
        Md5.HashData(partitionKeyUtf8, md5);
        return BinaryPrimitives.ReadUInt128BigEndian(md5);
    }

    /// <summary>Puts records; each result holds the record's shard and counter, or the error that refused it
    /// (only ProvisionedThroughputExceeded, when shard limits are on). Completes when every record is durable.</summary>
    /// <param name="entries">The records, as slices of <paramref name="arena"/>.</param>
    /// <param name="arena">Partition keys (UTF-8) and data.</param>
    /// <exception cref="EngineException">ResourceNotFound when the stream is not ACTIVE or UPDATING.</exception>
    public async ValueTask<StreamPutResult[]> PutRecordsAsync(IReadOnlyList<StreamPutEntry> entries, ReadOnlyMemory<byte> arena)
    {
        var n = entries.Count;
        var results = new StreamPutResult[n];
        var hashes = ArrayPool<UInt128>.Shared.Rent(n);
        var shardOf = ArrayPool<int>.Shared.Rent(n);
        var span = arena.Span;
        for (var i = 0; i < n; i++)
        {
            var e = entries[i];
            hashes[i] = e.ExplicitHashKey ?? HashKey(span.Slice(e.KeyOffset, e.KeyLength));
        }

        // At most one batch per open shard; a small call touches few.
        var pending = new List<(Shard Shard, long LastEntry, ValueTask<RecordRef> Durable)>(4);
        try
        {
            Append(entries, arena, results, hashes, shardOf, pending);
        }
        finally
        {
            ArrayPool<UInt128>.Shared.Return(hashes);
            ArrayPool<int>.Shared.Return(shardOf);
        }

        foreach (var p in pending)
        {
            await p.Durable.ConfigureAwait(false);
        }

        lock (Gate)
        {
            foreach (var p in pending)
            {
                if (p.Shard.Visible <= p.LastEntry && p.Shard.Entries.End > p.LastEntry)
                {
                    p.Shard.Visible = p.LastEntry + 1;
                }
            }
        }

        return results;
    }

    private void Append(IReadOnlyList<StreamPutEntry> entries, ReadOnlyMemory<byte> arena, StreamPutResult[] results, UInt128[] hashes, int[] shardOf,
        List<(Shard Shard, long LastEntry, ValueTask<RecordRef> Durable)> pending)
    {
        var n = entries.Count;
        var limits = Broker.Options.EnforceShardLimits;
        Broker.EnterWrite();
        try
        {
            lock (Gate)
            {
                var now = Now;
                ThrowIfNotWritable(now);
                var arrival = NextArrival(now);
                var touched = new List<(Shard Shard, int Count, long Bytes)>(4);
                for (var i = 0; i < n; i++)
                {
                    var shard = Route(hashes[i]);
                    var size = entries[i].KeyLength + entries[i].DataLength;
                    if (limits && !Admit(shard, size, now))
                    {
                        shardOf[i] = -1;
                        results[i] = new StreamPutResult(shard.Index, 0, EngineError.ProvisionedThroughputExceeded,
                            $"Rate exceeded for shard {shard.Id} in stream {Name} under account {Broker.Options.AccountId}.");
                        continue;
                    }

                    shardOf[i] = shard.Index;
                    results[i] = new StreamPutResult(shard.Index, ++Counter, null, null);
                    var t = touched.FindIndex(x => x.Shard == shard);
                    if (t < 0)
                    {
                        touched.Add((shard, 1, RecordOverhead + size));
                    }
                    else
                    {
                        touched[t] = (shard, touched[t].Count + 1, touched[t].Bytes + RecordOverhead + size);
                    }
                }

                foreach (var (shard, count, bytes) in touched)
                {
                    var writer = new BatchWriter(entries, arena, results, shardOf, shard.Index, arrival, count);
                    var durable = Journal.AppendAsync((ushort)RecordType.StreamRecords, Id, checked(BatchHeaderSize + (int)bytes), writer,
                        static (span, w) => w.Write(span), out var reference);
                    var batchNo = shard.Batches.End;
                    var offset = BatchHeaderSize;
                    for (var i = 0; i < n; i++)
                    {
                        if (shardOf[i] != shard.Index)
                        {
                            continue;
                        }

                        var size = entries[i].KeyLength + entries[i].DataLength;
                        shard.Entries.Append(new ShardEntry(results[i].Counter, arrival, batchNo, offset, size));
                        offset += RecordOverhead + size;
                    }

                    shard.Batches.Append(new ShardBatch(reference, shard.Entries.End - 1));
                    pending.Add((shard, shard.Entries.End - 1, durable));
                }
            }
        }
        finally
        {
            Broker.ExitWrite();
        }
    }

    /// <summary>Counts a record against its shard's per-second limits; false if it would exceed them.</summary>
    private static bool Admit(Shard shard, int size, long now)
    {
        var second = now / 1000;
        if (shard.WindowSecond != second)
        {
            shard.WindowSecond = second;
            shard.WindowBytes = 0;
            shard.WindowRecords = 0;
        }

        if (shard.WindowRecords + 1 > ShardRecordsPerSecond || shard.WindowBytes + size > ShardBytesPerSecond)
        {
            return false;
        }

        shard.WindowRecords++;
        shard.WindowBytes += size;
        return true;
    }

    /// <summary>Writes one shard's records of a put call straight into the journal's buffer.</summary>
    private readonly struct BatchWriter(IReadOnlyList<StreamPutEntry> entries, ReadOnlyMemory<byte> arena, StreamPutResult[] results, int[] shardOf,
        int shardIndex, long arrival, int count)
    {
        public void Write(Span<byte> span)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span, shardIndex);
            BinaryPrimitives.WriteInt64LittleEndian(span[4..], arrival);
            BinaryPrimitives.WriteInt32LittleEndian(span[12..], count);
            var at = BatchHeaderSize;
            var source = arena.Span;
            for (var i = 0; i < entries.Count; i++)
            {
                if (shardOf[i] != shardIndex)
                {
                    continue;
                }

                var e = entries[i];
                BinaryPrimitives.WriteInt64LittleEndian(span[at..], results[i].Counter);
                BinaryPrimitives.WriteInt32LittleEndian(span[(at + 8)..], e.KeyLength);
                source.Slice(e.KeyOffset, e.KeyLength).CopyTo(span[(at + 12)..]);
                at += 12 + e.KeyLength;
                BinaryPrimitives.WriteInt32LittleEndian(span[at..], e.DataLength);
                source.Slice(e.DataOffset, e.DataLength).CopyTo(span[(at + 4)..]);
                at += 4 + e.DataLength;
            }
        }
    }
}

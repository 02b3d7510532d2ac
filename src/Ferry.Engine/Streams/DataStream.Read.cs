using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Ferry.Storage;

namespace Ferry.Engine.Streams;

/// <summary>Where a shard iterator starts.</summary>
public enum IteratorStart
{
    AtSequenceNumber,
    AfterSequenceNumber,
    TrimHorizon,
    Latest,
    AtTimestamp,
}

public sealed partial class DataStream
{
    /// <summary>Kinesis iterators expire 5 minutes after they were issued.</summary>
    public const long IteratorLifetimeMs = 300_000;

    /// <summary>GetRecords returns at most 10 MiB per call.</summary>
    public const int MaxReadBytes = 10 * 1024 * 1024;

    /// <summary>Iterator layout: version, stream id, stream creation, shard, counter, issue time, then the keyed check.</summary>
    private const int IteratorBodySize = 1 + 8 + 8 + 4 + 8 + 8;
    private const int IteratorMacSize = 16;
    private const byte IteratorVersion = 1;

    /// <summary>The counter a new iterator of <paramref name="shard"/> starts at.</summary>
    /// <exception cref="EngineException">InvalidArgument for a sequence number of another shard or stream.</exception>
    public long StartCounter(Shard shard, IteratorStart type, string? sequenceNumber, long? timestampMs)
    {
        lock (Gate)
        {
            ThrowIfNotWritable(Now);
            switch (type)
            {
                case IteratorStart.TrimHorizon:
                    return 0;
                case IteratorStart.Latest:
                    return (shard.EndingCounter ?? Counter) + 1;
                case IteratorStart.AtTimestamp:
                {
                    var at = shard.FirstArrivedAtOrAfter(timestampMs ?? 0);
                    return at < shard.Visible ? shard.Entries[at].Counter : (shard.EndingCounter ?? Counter) + 1;
                }

                default:
                {
                    var typeName = type == IteratorStart.AtSequenceNumber ? "AT_SEQUENCE_NUMBER" : "AFTER_SEQUENCE_NUMBER";
                    if (!StreamSequence.TryParse(sequenceNumber, out var counter, out var shardIndex, out var created) || created != CreatedAt)
                    {
                        throw new EngineException(EngineError.InvalidArgument,
                            $"Invalid SequenceNumber for ShardIteratorType {typeName} for stream {Name} under account {Broker.Options.AccountId}.");
                    }

                    if (shardIndex != shard.Index)
                    {
                        throw new EngineException(EngineError.InvalidArgument,
                            $"Invalid StartingSequenceNumber. It encodes {StreamSequence.ShardId(shardIndex)}, while it was used in a call to a shard with {shard.Id}");
                    }

                    return type == IteratorStart.AtSequenceNumber ? counter : counter + 1;
                }
            }
        }
    }

    /// <summary>An opaque iterator: stream, shard, position and issue time, with a keyed check against tampering.</summary>
    public string EncodeIterator(int shardIndex, long counter)
    {
        Span<byte> bytes = stackalloc byte[IteratorBodySize + IteratorMacSize];
        bytes[0] = IteratorVersion;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[1..], Id);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[9..], CreatedAt);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[17..], shardIndex);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[21..], counter);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[29..], Now);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(Key, bytes[..IteratorBodySize], mac);
        mac[..IteratorMacSize].CopyTo(bytes[IteratorBodySize..]);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>Reads an iterator's unverified stream id; <see cref="DecodeIterator"/> checks the rest.</summary>
    internal static bool TryPeekIteratorStream(string iterator, out ulong streamId)
    {
        streamId = 0;
        Span<byte> bytes = stackalloc byte[IteratorBodySize + IteratorMacSize + 3];
        if (iterator.Length > 128 || !Convert.TryFromBase64String(iterator, bytes, out var written) || written != IteratorBodySize + IteratorMacSize
            || bytes[0] != IteratorVersion)
        {
            return false;
        }

        streamId = BinaryPrimitives.ReadUInt64LittleEndian(bytes[1..]);
        return true;
    }

    /// <summary>Checks an iterator of this stream and returns its shard and position.</summary>
    /// <exception cref="EngineException">InvalidArgument when it is not one this stream issued; ExpiredIterator after 5 minutes.</exception>
    internal (Shard Shard, long Counter) DecodeIterator(string iterator)
    {
        Span<byte> bytes = stackalloc byte[IteratorBodySize + IteratorMacSize + 3];
        Span<byte> mac = stackalloc byte[32];
        if (!Convert.TryFromBase64String(iterator, bytes, out var written) || written != IteratorBodySize + IteratorMacSize)
        {
            throw InvalidIterator();
        }

        HMACSHA256.HashData(Key, bytes[..IteratorBodySize], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..IteratorMacSize], bytes.Slice(IteratorBodySize, IteratorMacSize))
            || BinaryPrimitives.ReadUInt64LittleEndian(bytes[1..]) != Id || BinaryPrimitives.ReadInt64LittleEndian(bytes[9..]) != CreatedAt)
        {
            throw InvalidIterator();
        }

        var shardIndex = BinaryPrimitives.ReadInt32LittleEndian(bytes[17..]);
        var counter = BinaryPrimitives.ReadInt64LittleEndian(bytes[21..]);
        var issued = BinaryPrimitives.ReadInt64LittleEndian(bytes[29..]);
        var now = Now;
        if (now - issued > IteratorLifetimeMs)
        {
            throw new EngineException(EngineError.ExpiredIterator,
                $"Iterator expired. The iterator was created at time {FormatTime(issued)} while right now it is {FormatTime(now)} which is further in the future than the tolerated delay of {IteratorLifetimeMs} milliseconds.");
        }

        var shard = FindShard(shardIndex) ?? throw InvalidIterator();
        return (shard, counter);
    }

    private static string FormatTime(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", System.Globalization.CultureInfo.InvariantCulture);

    internal static EngineException InvalidIterator() => new(EngineError.InvalidArgument, "Invalid ShardIterator.");

    /// <summary>Reads up to <paramref name="limit"/> records (and 10 MiB) of a shard from <paramref name="fromCounter"/>.</summary>
    public StreamReadResult Read(Shard shard, long fromCounter, int limit)
    {
        var result = new StreamReadResult(this, shard);
        ShardEntry[] picked;
        RecordRef[] refs;
        int count;
        lock (Gate)
        {
            var now = Now;
            ThrowIfNotWritable(now);
            var cutoff = now - (RetentionHours * 3_600_000L);
            var start = Math.Max(shard.FirstAtOrAfter(fromCounter), shard.FirstArrivedAtOrAfter(cutoff));
            var visible = shard.Visible;
            var end = start;
            long bytes = 0;
            while (end < visible && end - start < limit)
            {
                var size = shard.Entries[end].Size;
                if (bytes + size > MaxReadBytes && end > start)
                {
                    break;
                }

                bytes += size;
                end++;
            }

            count = (int)(end - start);
            picked = ArrayPool<ShardEntry>.Shared.Rent(Math.Max(count, 1));
            refs = ArrayPool<RecordRef>.Shared.Rent(Math.Max(count, 1));
            for (var i = 0; i < count; i++)
            {
                var e = shard.Entries[start + i];
                picked[i] = e;
                refs[i] = shard.Batches[e.BatchNo].Ref;
            }

            result.MillisBehindLatest = end < visible ? Math.Max(0, now - shard.Entries[end].ArrivedAt) : 0;
            if (!shard.IsOpen && end == shard.Entries.End && visible == shard.Entries.End)
            {
                result.NextCounter = null;
                result.ChildShards = [.. shard.Children.Select(i => AllShards[i])];
            }
            else
            {
                result.NextCounter = count > 0 ? picked[count - 1].Counter + 1 : fromCounter;
            }
        }

        try
        {
            ReadBodies(result, picked, refs, count);
        }
        finally
        {
            ArrayPool<ShardEntry>.Shared.Return(picked);
            ArrayPool<RecordRef>.Shared.Return(refs);
        }

        return result;
    }

    /// <summary>Reads each batch the picked entries live in once, and slices the records out of it.</summary>
    private void ReadBodies(StreamReadResult result, ShardEntry[] picked, RecordRef[] refs, int count)
    {
        byte[]? batch = null;
        var batchRef = default(RecordRef);
        for (var i = 0; i < count; i++)
        {
            if (batch is null || refs[i] != batchRef)
            {
                batchRef = refs[i];
                batch = result.Rent(batchRef.Length);
                try
                {
                    Journal.Read(batchRef, batch);
                }
                catch (JournalException) when (batchRef.Length > 0)
                {
                    // Retention released and reclaimed the batch since the index was consulted: its records are gone.
                    batch = null;
                    continue;
                }
            }

            var at = picked[i].Offset;
            var record = batch.AsMemory();
            var keyLength = BinaryPrimitives.ReadInt32LittleEndian(batch.AsSpan(at + 8));
            var key = record.Slice(at + 12, keyLength);
            var dataLength = BinaryPrimitives.ReadInt32LittleEndian(batch.AsSpan(at + 12 + keyLength));
            var data = record.Slice(at + 16 + keyLength, dataLength);
            result.Records.Add(new StreamRecordView(picked[i].Counter, picked[i].ArrivedAt, key, data));
        }
    }
}

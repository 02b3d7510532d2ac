using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ferry.Engine;
using Ferry.Engine.Streams;

namespace Ferry.Aws.Kinesis;

/// <summary>
/// The hot paths' JSON by hand: PutRecord(s) parsed with <see cref="Utf8JsonReader"/> straight into one pooled arena
/// (base64 decoded in place), GetRecords and PutRecords results written with <see cref="Utf8JsonWriter"/>, data
/// base64-encoded directly into the output.
/// </summary>
internal static class KinesisRecordsCodec
{
    /// <summary>PutRecords takes 1 to 500 records.</summary>
    public const int MaxRecords = 500;

    /// <summary>A record's data and partition key together: at most 1 MiB.</summary>
    public const int MaxRecordBytes = 1024 * 1024;

    /// <summary>A PutRecords call carries at most 5 MiB of data and keys.</summary>
    public const int MaxCallBytes = 5 * 1024 * 1024;

    public const int MaxPartitionKeyLength = 256;

    /// <summary>Parses PutRecords (<paramref name="single"/> false) or PutRecord (true) into an arena rented from the pool;
    /// the caller returns <see cref="PutRecordsInput.Arena"/>.</summary>
    public static PutRecordsInput Parse(ReadOnlySpan<byte> json, bool single)
    {
        var input = new PutRecordsInput { Arena = ArrayPool<byte>.Shared.Rent(Math.Max(64, json.Length)) };
        try
        {
            var reader = new Utf8JsonReader(json);
            Expect(ref reader, JsonTokenType.StartObject);
            var sawRecords = false;
            var record = single ? new RecordFields() : default;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("StreamName"u8))
                {
                    input.StreamName = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("StreamARN"u8))
                {
                    input.StreamARN = ReadString(ref reader);
                }
                else if (!single && reader.ValueTextEquals("Records"u8))
                {
                    sawRecords = true;
                    if (Next(ref reader) == JsonTokenType.Null)
                    {
                        continue;
                    }

                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw Unexpected(ref reader);
                    }

                    while (Next(ref reader) == JsonTokenType.StartObject)
                    {
                        var fields = new RecordFields();
                        while (Next(ref reader) == JsonTokenType.PropertyName)
                        {
                            ReadRecordField(ref reader, input, ref fields);
                        }

                        Add(input, fields, input.Entries.Count + 1);
                    }

                    if (reader.TokenType != JsonTokenType.EndArray)
                    {
                        throw Unexpected(ref reader);
                    }
                }
                else if (single && !reader.ValueTextEquals("SequenceNumberForOrdering"u8))
                {
                    ReadRecordField(ref reader, input, ref record);
                }
                else
                {
                    reader.Skip();
                }
            }

            if (single)
            {
                Add(input, record, 0);
            }
            else if (!sawRecords)
            {
                throw KinesisException.Missing("records");
            }
            else if (input.Entries.Count is 0 or > MaxRecords)
            {
                throw KinesisException.Validation("[...]", "records", input.Entries.Count == 0
                    ? "Member must have length greater than or equal to 1"
                    : "Member must have length less than or equal to 500");
            }

            if (input.ArenaLength > MaxCallBytes)
            {
                throw KinesisException.InvalidArgument("Records size exceeds 5 MB limit");
            }

            return input;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            ArrayPool<byte>.Shared.Return(input.Arena);
            throw KinesisException.Serialization("Unable to read the request body: " + e.Message);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(input.Arena);
            throw;
        }
    }

    private struct RecordFields()
    {
        public int KeyOffset = -1;
        public int KeyLength;
        public int DataOffset = -1;
        public int DataLength;
        public UInt128? ExplicitHashKey;
        public string? ExplicitHashKeyText;
    }

    private static void ReadRecordField(ref Utf8JsonReader reader, PutRecordsInput input, ref RecordFields fields)
    {
        if (reader.ValueTextEquals("Data"u8))
        {
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Unexpected(ref reader);
            }

            var destination = input.Arena.AsSpan(input.ArenaLength);
            int written;
            if (!reader.ValueIsEscaped)
            {
                if (Base64.DecodeFromUtf8(reader.ValueSpan, destination, out _, out written) != OperationStatus.Done)
                {
                    throw KinesisException.Serialization("Base64 encoded data is not valid.");
                }
            }
            else
            {
                var text = reader.GetString()!;
                if (!Convert.TryFromBase64String(text, destination, out written))
                {
                    throw KinesisException.Serialization("Base64 encoded data is not valid.");
                }
            }

            fields.DataOffset = input.ArenaLength;
            fields.DataLength = written;
            input.ArenaLength += written;
        }
        else if (reader.ValueTextEquals("PartitionKey"u8))
        {
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Unexpected(ref reader);
            }

            var written = reader.CopyString(input.Arena.AsSpan(input.ArenaLength));
            fields.KeyOffset = input.ArenaLength;
            fields.KeyLength = written;
            input.ArenaLength += written;
        }
        else if (reader.ValueTextEquals("ExplicitHashKey"u8))
        {
            var text = ReadString(ref reader);
            fields.ExplicitHashKeyText = text;
            if (text is not null)
            {
                if (text.Length == 0 || !text.All(char.IsAsciiDigit) || (text.Length > 1 && text[0] == '0') || text.Length > 39)
                {
                    throw KinesisException.Validation(text, "explicitHashKey", "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})");
                }

                if (!UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var hash))
                {
                    throw KinesisException.InvalidArgument(
                        $"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {text}");
                }

                fields.ExplicitHashKey = hash;
            }
        }
        else
        {
            Next(ref reader);
            reader.Skip();
        }
    }

    private static void Add(PutRecordsInput input, RecordFields f, int position)
    {
        var prefix = position == 0 ? "" : $"records.{position}.member.";
        if (f.DataOffset < 0)
        {
            throw KinesisException.Missing(prefix + "data");
        }

        if (f.KeyOffset < 0)
        {
            throw KinesisException.Missing(prefix + "partitionKey");
        }

        var chars = Encoding.UTF8.GetCharCount(input.Arena.AsSpan(f.KeyOffset, f.KeyLength));
        if (chars is 0 or > MaxPartitionKeyLength)
        {
            var key = Encoding.UTF8.GetString(input.Arena.AsSpan(f.KeyOffset, f.KeyLength));
            throw KinesisException.Validation(key, prefix + "partitionKey",
                chars == 0 ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 256");
        }

        if (f.DataLength > MaxRecordBytes)
        {
            throw KinesisException.Validation("java.nio.HeapByteBuffer[pos=0 lim=" + f.DataLength + " cap=" + f.DataLength + "]", prefix + "data",
                "Member must have length less than or equal to 1048576");
        }

        if (f.DataLength + f.KeyLength > MaxRecordBytes)
        {
            throw KinesisException.InvalidArgument("Record size exceeds the 1 MiB limit: the partition key counts toward it.");
        }

        input.Entries.Add(new StreamPutEntry(f.KeyOffset, f.KeyLength, f.DataOffset, f.DataLength, f.ExplicitHashKey));
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw KinesisException.Serialization("Unable to read the request body: it ends too early.");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type)
        {
            throw Unexpected(ref reader);
        }
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        var t = Next(ref reader);
        return t switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw Unexpected(ref reader),
        };
    }

    private static KinesisException Unexpected(ref Utf8JsonReader reader) =>
        KinesisException.Serialization($"Unexpected {reader.TokenType} at byte {reader.TokenStartIndex} of the request body.");

    /// <summary>Writes PutRecords' result.</summary>
    public static void WritePutRecords(Utf8JsonWriter w, PutRecordsOutcome outcome)
    {
        var failed = 0;
        foreach (var r in outcome.Results)
        {
            if (!r.Succeeded)
            {
                failed++;
            }
        }

        Span<byte> seq = stackalloc byte[StreamSequence.Length];
        Span<byte> shardId = stackalloc byte[StreamSequence.ShardIdLength];
        w.WriteStartObject();
        w.WriteNumber("FailedRecordCount"u8, failed);
        w.WriteStartArray("Records"u8);
        var formattedShard = -1;
        foreach (var r in outcome.Results)
        {
            w.WriteStartObject();
            if (r.Succeeded)
            {
                if (r.ShardIndex != formattedShard)
                {
                    StreamSequence.FormatUtf8(seq, r.Counter, r.ShardIndex, outcome.Stream.CreatedAt);
                    StreamSequence.ShardIdUtf8(shardId, r.ShardIndex);
                    formattedShard = r.ShardIndex;
                }
                else
                {
                    StreamSequence.FormatCounterUtf8(seq, r.Counter);
                }

                w.WriteString("SequenceNumber"u8, seq);
                w.WriteString("ShardId"u8, shardId);
            }
            else
            {
                w.WriteString("ErrorCode"u8, ErrorCode(r.Error!.Value));
                w.WriteString("ErrorMessage"u8, r.Message);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (outcome.Stream.EncryptionType is "KMS")
        {
            w.WriteString("EncryptionType"u8, "KMS"u8);
        }

        w.WriteEndObject();
    }

    private static string ErrorCode(EngineError error) =>
        error == EngineError.ProvisionedThroughputExceeded ? "ProvisionedThroughputExceededException" : "InternalFailure";

    /// <summary><see cref="FormatEpochSeconds"/> takes milliseconds below this (the year 33658): up to 15 significant
    /// digits, which a double holds exactly and .NET writes without an exponent.</summary>
    internal const long EpochMillisecondsLimit = 1_000_000_000_000_000;

    /// <summary>The longest text of <see cref="FormatEpochSeconds"/>: 12 digits of seconds, a point and 3 digits.</summary>
    internal const int MaxEpochSecondsLength = 16;

    /// <summary>Writes a timestamp in milliseconds as the JSON number of seconds that <c>ms / 1000.0</c> writes, without
    /// formatting a double (which showed in GetRecords' profile).</summary>
    private static void WriteEpochSeconds(Utf8JsonWriter w, ReadOnlySpan<byte> name, long ms, Span<byte> scratch)
    {
        if (ms is < 0 or >= EpochMillisecondsLimit)
        {
            w.WriteNumber(name, ms / 1000.0);
            return;
        }

        w.WritePropertyName(name);
        w.WriteRawValue(scratch[..FormatEpochSeconds(scratch, ms)], skipInputValidation: true);
    }

    /// <summary>Milliseconds (0 to <see cref="EpochMillisecondsLimit"/>) as seconds in shortest decimal form:
    /// <c>1700000000.12</c> for 1,700,000,000,120 ms, <c>1700000000</c> for a whole second — the round-trip text of
    /// <c>ms / 1000.0</c>, since a decimal of at most 15 significant digits is the shortest one that parses back to
    /// that double.</summary>
    internal static int FormatEpochSeconds(Span<byte> destination, long ms)
    {
        var (whole, fraction) = Math.DivRem((ulong)ms, 1000UL);
        Utf8Formatter.TryFormat(whole, destination, out var digits);
        if (fraction == 0)
        {
            return digits;
        }

        destination[digits] = (byte)'.';
        var (length, shown) = fraction % 100 == 0 ? (1, fraction / 100) : fraction % 10 == 0 ? (2, fraction / 10) : (3, fraction);
        StreamSequence.WriteDigits(destination.Slice(digits + 1, length), shown);
        return digits + 1 + length;
    }

    /// <summary>Writes GetRecords' result.</summary>
    public static void WriteGetRecords(Utf8JsonWriter w, GetRecordsOutcome outcome)
    {
        var read = outcome.Read;
        var created = read.Stream.CreatedAt;
        var shardIndex = read.Shard.Index;
        var kms = read.Stream.EncryptionType is "KMS";
        Span<byte> seq = stackalloc byte[StreamSequence.Length];
        Span<byte> seconds = stackalloc byte[MaxEpochSecondsLength];
        w.WriteStartObject();
        w.WriteStartArray("Records"u8);
        StreamSequence.FormatUtf8(seq, 0, shardIndex, created);
        foreach (var r in read.Records)
        {
            w.WriteStartObject();
            StreamSequence.FormatCounterUtf8(seq, r.Counter);
            w.WriteString("SequenceNumber"u8, seq);
            WriteEpochSeconds(w, "ApproximateArrivalTimestamp"u8, r.ArrivedAt, seconds);
            w.WriteBase64String("Data"u8, r.Data.Span);
            w.WriteString("PartitionKey"u8, r.PartitionKey.Span);
            if (kms)
            {
                w.WriteString("EncryptionType"u8, "KMS"u8);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (outcome.NextShardIterator is { } next)
        {
            w.WriteString("NextShardIterator"u8, next);
        }

        w.WriteNumber("MillisBehindLatest"u8, read.MillisBehindLatest);
        if (read.ChildShards is { } children)
        {
            w.WriteStartArray("ChildShards"u8);
            foreach (var child in children)
            {
                w.WriteStartObject();
                w.WriteString("ShardId"u8, child.Id);
                w.WriteStartArray("ParentShards"u8);
                if (child.ParentIndex is { } p)
                {
                    w.WriteStringValue(StreamSequence.ShardId(p));
                }

                if (child.AdjacentParentIndex is { } a)
                {
                    w.WriteStringValue(StreamSequence.ShardId(a));
                }

                w.WriteEndArray();
                w.WriteStartObject("HashKeyRange"u8);
                w.WriteString("StartingHashKey"u8, child.StartingHashKey.ToString(CultureInfo.InvariantCulture));
                w.WriteString("EndingHashKey"u8, child.EndingHashKey.ToString(CultureInfo.InvariantCulture));
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }
}

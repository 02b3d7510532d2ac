using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Ferry.Aws.Kinesis;

/// <summary>
/// Kinesis's CBOR encoding (<c>application/x-amz-cbor-1.1</c>, what the AWS SDK for Java sends) as a translation to and
/// from the JSON encoding: blobs are CBOR byte strings where JSON has base64, timestamps carry tag 1 where JSON has
/// epoch seconds. Reading is bounded: no length is trusted beyond the bytes present, nesting is limited.
/// </summary>
internal static class Cbor
{
    /// <summary>Kinesis documents nest a few levels; anything deeper is hostile.</summary>
    private const int MaxDepth = 32;

    /// <summary>Members whose JSON value is base64 and whose CBOR value is a byte string.</summary>
    private static bool IsBlob(ReadOnlySpan<byte> name) => name.SequenceEqual("Data"u8);

    /// <summary>Members whose values are timestamps (tag 1, epoch seconds).</summary>
    private static bool IsTimestamp(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("ApproximateArrivalTimestamp"u8) || name.SequenceEqual("StreamCreationTimestamp"u8)
        || name.SequenceEqual("ConsumerCreationTimestamp"u8) || name.SequenceEqual("Timestamp"u8);

    /// <summary>Translates a CBOR request body into JSON.</summary>
    /// <exception cref="KinesisException">SerializationException for malformed or hostile input.</exception>
    public static void ToJson(ReadOnlySpan<byte> cbor, Utf8JsonWriter json)
    {
        var at = 0;
        ReadItem(cbor, ref at, json, 0);
        if (at != cbor.Length)
        {
            throw Malformed("trailing bytes after the document");
        }

        json.Flush();
    }

    private static KinesisException Malformed(string why) => KinesisException.Serialization("Unable to read the CBOR request body: " + why + ".");

    private static ulong ReadArgument(ReadOnlySpan<byte> cbor, ref int at, int info)
    {
        switch (info)
        {
            case < 24:
                return (ulong)info;
            case 24:
                Need(cbor, at, 1);
                return cbor[at++];
            case 25:
                Need(cbor, at, 2);
                at += 2;
                return BinaryPrimitives.ReadUInt16BigEndian(cbor[(at - 2)..]);
            case 26:
                Need(cbor, at, 4);
                at += 4;
                return BinaryPrimitives.ReadUInt32BigEndian(cbor[(at - 4)..]);
            case 27:
                Need(cbor, at, 8);
                at += 8;
                return BinaryPrimitives.ReadUInt64BigEndian(cbor[(at - 8)..]);
            default:
                throw Malformed("a reserved length encoding");
        }
    }

    private static void Need(ReadOnlySpan<byte> cbor, int at, long count)
    {
        if (count < 0 || at + count > cbor.Length)
        {
            throw Malformed("a length beyond the end of the body");
        }
    }

    private static bool IsBreak(ReadOnlySpan<byte> cbor, int at)
    {
        Need(cbor, at, 1);
        return cbor[at] == 0xFF;
    }

    /// <summary>Reads a (possibly chunked) byte or text string into one contiguous span.</summary>
    private static ReadOnlySpan<byte> ReadString(ReadOnlySpan<byte> cbor, ref int at, int major, int info, ref byte[]? rented)
    {
        if (info != 31)
        {
            var length = ReadArgument(cbor, ref at, info);
            Need(cbor, at, (long)Math.Min(length, int.MaxValue));
            var span = cbor.Slice(at, (int)length);
            at += (int)length;
            return span;
        }

        // Indefinite length: definite chunks of the same major type until a break; never more than the input.
        var total = 0;
        rented = ArrayPool<byte>.Shared.Rent(Math.Max(16, cbor.Length - at));
        while (!IsBreak(cbor, at))
        {
            var head = cbor[at++];
            if (head >> 5 != major || (head & 31) == 31)
            {
                throw Malformed("a chunk of another type inside an indefinite-length string");
            }

            var chunk = ReadString(cbor, ref at, major, head & 31, ref rented);
            chunk.CopyTo(rented.AsSpan(total));
            total += chunk.Length;
        }

        at++;
        return rented.AsSpan(0, total);
    }

    private static void ReadItem(ReadOnlySpan<byte> cbor, ref int at, Utf8JsonWriter json, int depth)
    {
        if (depth > MaxDepth)
        {
            throw Malformed("nesting deeper than " + MaxDepth);
        }

        Need(cbor, at, 1);
        var head = cbor[at++];
        int major = head >> 5, info = head & 31;
        switch (major)
        {
            case 0:
                json.WriteNumberValue(ReadArgument(cbor, ref at, info));
                return;
            case 1:
            {
                var n = ReadArgument(cbor, ref at, info);
                if (n > long.MaxValue)
                {
                    throw Malformed("an integer out of range");
                }

                json.WriteNumberValue(-1 - (long)n);
                return;
            }

            case 2:
            case 3:
            {
                byte[]? rented = null;
                try
                {
                    var s = ReadString(cbor, ref at, major, info, ref rented);
                    if (major == 2)
                    {
                        json.WriteBase64StringValue(s);
                    }
                    else
                    {
                        json.WriteStringValue(s);
                    }
                }
                catch (ArgumentException)
                {
                    throw Malformed("a text string that is not UTF-8");
                }
                finally
                {
                    if (rented is not null)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }
                }

                return;
            }

            case 4:
            {
                json.WriteStartArray();
                if (info == 31)
                {
                    while (!IsBreak(cbor, at))
                    {
                        ReadItem(cbor, ref at, json, depth + 1);
                    }

                    at++;
                }
                else
                {
                    var count = ReadArgument(cbor, ref at, info);
                    Need(cbor, at, (long)Math.Min(count, int.MaxValue));
                    for (ulong i = 0; i < count; i++)
                    {
                        ReadItem(cbor, ref at, json, depth + 1);
                    }
                }

                json.WriteEndArray();
                return;
            }

            case 5:
            {
                json.WriteStartObject();
                var indefinite = info == 31;
                var count = indefinite ? ulong.MaxValue : ReadArgument(cbor, ref at, info);
                if (!indefinite)
                {
                    Need(cbor, at, (long)Math.Min(count, int.MaxValue / 2) * 2);
                }

                for (ulong i = 0; i < count; i++)
                {
                    if (indefinite && IsBreak(cbor, at))
                    {
                        at++;
                        break;
                    }

                    Need(cbor, at, 1);
                    var key = cbor[at++];
                    if (key >> 5 != 3)
                    {
                        throw Malformed("a map key that is not a text string");
                    }

                    byte[]? rented = null;
                    try
                    {
                        json.WritePropertyName(ReadString(cbor, ref at, 3, key & 31, ref rented));
                    }
                    catch (ArgumentException)
                    {
                        throw Malformed("a map key that is not UTF-8");
                    }
                    finally
                    {
                        if (rented is not null)
                        {
                            ArrayPool<byte>.Shared.Return(rented);
                        }
                    }

                    ReadItem(cbor, ref at, json, depth + 1);
                }

                json.WriteEndObject();
                return;
            }

            case 6:
                // Tag 1 (epoch time) and any other tag: the value as it is.
                ReadArgument(cbor, ref at, info);
                ReadItem(cbor, ref at, json, depth + 1);
                return;
            default:
                ReadSimple(cbor, ref at, json, info);
                return;
        }
    }

    private static void ReadSimple(ReadOnlySpan<byte> cbor, ref int at, Utf8JsonWriter json, int info)
    {
        double value;
        switch (info)
        {
            case 20:
                json.WriteBooleanValue(false);
                return;
            case 21:
                json.WriteBooleanValue(true);
                return;
            case 22:
            case 23:
                json.WriteNullValue();
                return;
            case 25:
                Need(cbor, at, 2);
                value = (double)BinaryPrimitives.ReadHalfBigEndian(cbor[at..]);
                at += 2;
                break;
            case 26:
                Need(cbor, at, 4);
                value = BinaryPrimitives.ReadSingleBigEndian(cbor[at..]);
                at += 4;
                break;
            case 27:
                Need(cbor, at, 8);
                value = BinaryPrimitives.ReadDoubleBigEndian(cbor[at..]);
                at += 8;
                break;
            default:
                throw Malformed("an unexpected simple value");
        }

        if (!double.IsFinite(value))
        {
            throw Malformed("a number that is not finite");
        }

        json.WriteNumberValue(value);
    }

    /// <summary>Translates a JSON response (as Ferry writes it) into CBOR.</summary>
    public static void FromJson(ReadOnlySpan<byte> json, IBufferWriter<byte> cbor)
    {
        var reader = new Utf8JsonReader(json);
        Span<byte> name = stackalloc byte[64];
        var nameLength = -1;
        while (reader.Read())
        {
            var member = nameLength < 0 ? default : name[..nameLength];
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    Put(cbor, 0xBF);
                    break;
                case JsonTokenType.StartArray:
                    Put(cbor, 0x9F);
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    Put(cbor, 0xFF);
                    break;
                case JsonTokenType.PropertyName:
                {
                    var raw = reader.ValueSpan;
                    WriteHead(cbor, 3, (ulong)raw.Length);
                    cbor.Write(raw);
                    nameLength = raw.Length <= name.Length ? raw.Length : -1;
                    if (nameLength >= 0)
                    {
                        raw.CopyTo(name);
                    }

                    continue;
                }

                case JsonTokenType.String:
                    if (IsBlob(member))
                    {
                        var raw = reader.ValueSpan;
                        var length = Base64Length(raw);
                        WriteHead(cbor, 2, (ulong)length);
                        System.Buffers.Text.Base64.DecodeFromUtf8(raw, cbor.GetSpan(length), out _, out var written);
                        cbor.Advance(written);
                    }
                    else
                    {
                        var text = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan.ToArray();
                        WriteHead(cbor, 3, (ulong)text.Length);
                        cbor.Write(text);
                    }

                    break;
                case JsonTokenType.Number:
                    if (IsTimestamp(member))
                    {
                        Put(cbor, 0xC1);
                        WriteDouble(cbor, reader.GetDouble());
                    }
                    else if (reader.TryGetInt64(out var n))
                    {
                        if (n >= 0)
                        {
                            WriteHead(cbor, 0, (ulong)n);
                        }
                        else
                        {
                            WriteHead(cbor, 1, (ulong)(-1 - n));
                        }
                    }
                    else
                    {
                        WriteDouble(cbor, reader.GetDouble());
                    }

                    break;
                case JsonTokenType.True:
                    Put(cbor, 0xF5);
                    break;
                case JsonTokenType.False:
                    Put(cbor, 0xF4);
                    break;
                default:
                    Put(cbor, 0xF6);
                    break;
            }

            nameLength = -1;
        }
    }

    private static int Base64Length(ReadOnlySpan<byte> base64)
    {
        var padding = base64.Length > 0 && base64[^1] == '=' ? (base64.Length > 1 && base64[^2] == '=' ? 2 : 1) : 0;
        return (base64.Length / 4 * 3) - padding;
    }

    private static void Put(IBufferWriter<byte> w, byte b)
    {
        w.GetSpan(1)[0] = b;
        w.Advance(1);
    }

    private static void WriteDouble(IBufferWriter<byte> w, double value)
    {
        var span = w.GetSpan(9);
        span[0] = 0xFB;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        w.Advance(9);
    }

    /// <summary>A major type with its argument in the shortest form.</summary>
    internal static void WriteHead(IBufferWriter<byte> w, int major, ulong value)
    {
        var span = w.GetSpan(9);
        var m = (byte)(major << 5);
        if (value < 24)
        {
            span[0] = (byte)(m | (byte)value);
            w.Advance(1);
        }
        else if (value <= byte.MaxValue)
        {
            span[0] = (byte)(m | 24);
            span[1] = (byte)value;
            w.Advance(2);
        }
        else if (value <= ushort.MaxValue)
        {
            span[0] = (byte)(m | 25);
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)value);
            w.Advance(3);
        }
        else if (value <= uint.MaxValue)
        {
            span[0] = (byte)(m | 26);
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)value);
            w.Advance(5);
        }
        else
        {
            span[0] = (byte)(m | 27);
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], value);
            w.Advance(9);
        }
    }
}

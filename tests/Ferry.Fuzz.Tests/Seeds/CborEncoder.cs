using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Ferry.Fuzz.Tests.Seeds;

/// <summary>
/// Encodes a JSON request the way the AWS SDK for Java encodes Kinesis's CBOR: definite lengths, <c>Data</c> as a
/// byte string, timestamps under tag 1, integers in their shortest head, other numbers as doubles.
/// </summary>
internal static class CborEncoder
{
    public static byte[] FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var output = new List<byte>();
        Write(document.RootElement, null, output);
        return [.. output];
    }

    private static void Write(JsonElement value, string? member, List<byte> output)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                Head(output, 5, (ulong)value.EnumerateObject().Count());
                foreach (var property in value.EnumerateObject())
                {
                    Text(output, property.Name);
                    Write(property.Value, property.Name, output);
                }

                break;
            case JsonValueKind.Array:
                Head(output, 4, (ulong)value.GetArrayLength());
                foreach (var item in value.EnumerateArray())
                {
                    Write(item, member, output);
                }

                break;
            case JsonValueKind.String when member == "Data":
                var bytes = Convert.FromBase64String(value.GetString()!);
                Head(output, 2, (ulong)bytes.Length);
                output.AddRange(bytes);
                break;
            case JsonValueKind.String:
                Text(output, value.GetString()!);
                break;
            case JsonValueKind.Number when member is "Timestamp" or "StreamCreationTimestamp":
                output.Add(0xC1);
                Double(output, value.GetDouble());
                break;
            case JsonValueKind.Number when value.TryGetInt64(out var n):
                Head(output, n >= 0 ? 0 : 1, n >= 0 ? (ulong)n : (ulong)(-1 - n));
                break;
            case JsonValueKind.Number:
                Double(output, value.GetDouble());
                break;
            case JsonValueKind.True:
                output.Add(0xF5);
                break;
            case JsonValueKind.False:
                output.Add(0xF4);
                break;
            default:
                output.Add(0xF6);
                break;
        }
    }

    private static void Text(List<byte> output, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Head(output, 3, (ulong)bytes.Length);
        output.AddRange(bytes);
    }

    private static void Double(List<byte> output, double value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(bytes, value);
        output.Add(0xFB);
        output.AddRange(bytes);
    }

    private static void Head(List<byte> output, int major, ulong argument)
    {
        var type = (byte)(major << 5);
        Span<byte> bytes = stackalloc byte[8];
        switch (argument)
        {
            case < 24:
                output.Add((byte)(type | (byte)argument));
                break;
            case <= byte.MaxValue:
                output.Add((byte)(type | 24));
                output.Add((byte)argument);
                break;
            case <= ushort.MaxValue:
                output.Add((byte)(type | 25));
                BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)argument);
                output.AddRange(bytes[..2]);
                break;
            case <= uint.MaxValue:
                output.Add((byte)(type | 26));
                BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)argument);
                output.AddRange(bytes[..4]);
                break;
            default:
                output.Add((byte)(type | 27));
                BinaryPrimitives.WriteUInt64BigEndian(bytes, argument);
                output.AddRange(bytes);
                break;
        }
    }
}

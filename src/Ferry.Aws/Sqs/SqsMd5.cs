using System.Buffers;
using System.Buffers.Binary;
using Ferry.Engine;
using System.Text;

namespace Ferry.Aws.Sqs;

/// <summary>The MD5 digests SQS returns and SDKs verify: of a message body and of a message's attributes.</summary>
/// <remarks>
/// The attribute digest is AWS's: for each attribute in ordinal order of name, the name, the data type and the value,
/// each prefixed by its length as a 4-byte big-endian integer, with one transport byte before the value — 1 for a
/// string value (String and Number types), 2 for binary, 3 for a string list and 4 for a binary list (each element
/// then length-prefixed). The same digest covers message system attributes (MD5OfMessageSystemAttributes).
/// </remarks>
internal static class SqsMd5
{
    private const byte StringTransport = 1;
    private const byte BinaryTransport = 2;
    private const byte StringListTransport = 3;
    private const byte BinaryListTransport = 4;

    /// <summary>Bodies up to this size are encoded on the stack; larger ones in a pooled buffer.</summary>
    private const int StackLimit = 512;

    /// <summary>The lower-case hex MD5 of the body's UTF-8 bytes.</summary>
    public static string OfBody(string body)
    {
        int max = Encoding.UTF8.GetMaxByteCount(body.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Encoding.UTF8.GetBytes(body, buffer);
            return Hex(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The lower-case hex MD5 of the attributes as AWS computes it, or null when there are none.</summary>
    public static string? OfMessageAttributes(IReadOnlyDictionary<string, MessageAttributeValue>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return null;
        }

        string[] names = ArrayPool<string>.Shared.Rent(attributes.Count);
        int count = 0;
        int size = 0;
        foreach (var (name, value) in attributes)
        {
            names[count++] = name;
            size += SizeOf(name, value);
        }

        Array.Sort(names, 0, count, StringComparer.Ordinal);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            int at = 0;
            for (int i = 0; i < count; i++)
            {
                string name = names[i];
                var value = attributes[name];
                at += WriteString(buffer.AsSpan(at), name);
                at += WriteString(buffer.AsSpan(at), value.DataType ?? "");
                if (value.StringValue is not null)
                {
                    buffer[at++] = StringTransport;
                    at += WriteString(buffer.AsSpan(at), value.StringValue);
                }
                else if (value.BinaryValue is not null)
                {
                    buffer[at++] = BinaryTransport;
                    at += WriteBytes(buffer.AsSpan(at), value.BinaryValue);
                }
                else if (value.StringListValues is { Count: > 0 } strings)
                {
                    buffer[at++] = StringListTransport;
                    foreach (string s in strings)
                    {
                        at += WriteString(buffer.AsSpan(at), s);
                    }
                }
                else if (value.BinaryListValues is { Count: > 0 } binaries)
                {
                    buffer[at++] = BinaryListTransport;
                    foreach (byte[] b in binaries)
                    {
                        at += WriteBytes(buffer.AsSpan(at), b);
                    }
                }
            }

            return Hex(buffer.AsSpan(0, at));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Array.Clear(names, 0, count);
            ArrayPool<string>.Shared.Return(names);
        }
    }

    private static int SizeOf(string name, MessageAttributeValue value)
    {
        int size = 4 + Encoding.UTF8.GetByteCount(name) + 4 + Encoding.UTF8.GetByteCount(value.DataType ?? "") + 1;
        if (value.StringValue is not null)
        {
            size += 4 + Encoding.UTF8.GetByteCount(value.StringValue);
        }
        else if (value.BinaryValue is not null)
        {
            size += 4 + value.BinaryValue.Length;
        }
        else if (value.StringListValues is { Count: > 0 } strings)
        {
            foreach (string s in strings)
            {
                size += 4 + Encoding.UTF8.GetByteCount(s);
            }
        }
        else if (value.BinaryListValues is { Count: > 0 } binaries)
        {
            foreach (byte[] b in binaries)
            {
                size += 4 + b.Length;
            }
        }

        return size;
    }

    private static int WriteString(Span<byte> destination, string value)
    {
        int length = Encoding.UTF8.GetBytes(value, destination[4..]);
        BinaryPrimitives.WriteInt32BigEndian(destination, length);
        return 4 + length;
    }

    private static int WriteBytes(Span<byte> destination, byte[] value)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, value.Length);
        value.CopyTo(destination[4..]);
        return 4 + value.Length;
    }

    private static string Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Md5.HashSizeInBytes];
        Md5.HashData(data, digest);
        return Convert.ToHexStringLower(digest);
    }
}

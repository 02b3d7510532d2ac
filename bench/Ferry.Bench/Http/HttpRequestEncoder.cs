using System.Buffers;
using System.Globalization;
using System.Text;

namespace Ferry.Bench.Http;

/// <summary>Writes an HTTP/1.1 request (request line, headers, body) into a buffer without intermediate strings.</summary>
internal static class HttpRequestEncoder
{
    public static void Write(
        IBufferWriter<byte> output,
        string method,
        string pathAndQuery,
        string host,
        IReadOnlyList<KeyValuePair<string, string>>? headers,
        ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteText(output, method);
        WriteBytes(output, " "u8);
        WriteText(output, pathAndQuery);
        WriteBytes(output, " HTTP/1.1\r\n"u8);

        bool hasHost = false;
        bool hasLength = false;
        if (headers is not null)
        {
            for (int i = 0; i < headers.Count; i++)
            {
                KeyValuePair<string, string> header = headers[i];
                hasHost |= header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase);
                hasLength |= header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                    || header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase);
            }
        }

        if (!hasHost)
        {
            WriteBytes(output, "Host: "u8);
            WriteText(output, host);
            WriteBytes(output, "\r\n"u8);
        }

        if (headers is not null)
        {
            for (int i = 0; i < headers.Count; i++)
            {
                WriteText(output, headers[i].Key);
                WriteBytes(output, ": "u8);
                WriteText(output, headers[i].Value);
                WriteBytes(output, "\r\n"u8);
            }
        }

        // A body-carrying method always states its length, even 0, so the server never waits for more.
        if (!hasLength && (!body.IsEmpty || method is "POST" or "PUT" or "PATCH"))
        {
            WriteBytes(output, "Content-Length: "u8);
            Span<byte> digits = output.GetSpan(20);
            body.Length.TryFormat(digits, out int written, default, CultureInfo.InvariantCulture);
            output.Advance(written);
            WriteBytes(output, "\r\n"u8);
        }

        WriteBytes(output, "\r\n"u8);
        WriteBytes(output, body);
    }

    /// <summary>Encodes a request into a new array, for requests that are built once and sent many times.</summary>
    public static byte[] ToArray(
        string method, string pathAndQuery, string host, IReadOnlyList<KeyValuePair<string, string>>? headers = null, ReadOnlySpan<byte> body = default)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, method, pathAndQuery, host, headers, body);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteText(IBufferWriter<byte> output, string text)
    {
        // Header text is Latin-1 on the wire (RFC 9110 5.5); SigV4 values and AWS paths are ASCII anyway.
        Span<byte> span = output.GetSpan(text.Length);
        int written = Encoding.Latin1.GetBytes(text, span);
        output.Advance(written);
    }

    private static void WriteBytes(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (!bytes.IsEmpty)
        {
            output.Write(bytes);
        }
    }
}

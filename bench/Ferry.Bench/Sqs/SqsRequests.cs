using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Ferry.Bench.Sqs;

/// <summary>A queue as the benchmark addresses it: its name and the URL the server returned for it.</summary>
internal sealed class SqsQueue
{
    public SqsQueue(string name, string url)
    {
        Name = name;
        Url = url;
        var quoted = new ArrayBufferWriter<byte>(url.Length + 2);
        SqsJson.String(quoted, url);
        QuotedUrl = quoted.WrittenSpan.ToArray();
    }

    public string Name { get; }

    public string Url { get; }

    /// <summary>The URL as a JSON string literal (quotes included), written into every request as is.</summary>
    public byte[] QuotedUrl { get; }
}

/// <summary>Minimal JSON text writing into an <see cref="IBufferWriter{T}"/>: literals, escaped strings and integers.</summary>
internal static class SqsJson
{
    public static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);

    /// <summary>A JSON string literal: quotes, backslashes and control characters escaped; other text as UTF-8.</summary>
    public static void String(IBufferWriter<byte> output, string value)
    {
        Span<byte> span = output.GetSpan((value.Length * 6) + 2);
        int n = 0;
        span[n++] = (byte)'"';
        foreach (char c in value)
        {
            if (c is '"' or '\\')
            {
                span[n++] = (byte)'\\';
                span[n++] = (byte)c;
            }
            else if (c < 0x20)
            {
                "\\u00"u8.CopyTo(span[n..]);
                n += 4;
                span[n++] = HexDigit(c >> 4);
                span[n++] = HexDigit(c & 0xF);
            }
            else if (c < 0x80)
            {
                span[n++] = (byte)c;
            }
            else
            {
                n += Encoding.UTF8.GetBytes([c], span[n..]);
            }
        }

        span[n++] = (byte)'"';
        output.Advance(n);
    }

    public static void Integer(IBufferWriter<byte> output, long value)
    {
        Span<byte> span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int written);
        output.Advance(written);
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'A' + value - 10);
}

/// <summary>
/// The JSON bodies of the SQS actions the benchmark uses (AWS JSON 1.0, compact as the JavaScript SDK writes them).
/// Message bodies are <see cref="MessageBody"/>: a 16-digit hex stamp followed by filler up to the body size,
/// so a receiver can tell when (or in which order) a message was sent without any other state.
/// </summary>
internal static class SqsRequests
{
    /// <summary>Hex digits of the stamp at the start of every message body.</summary>
    public const int StampLength = 16;

    // Printable filler that needs no JSON escaping and is not trivially compressible by eye.
    private static readonly byte[] s_filler = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 8000)));

    public static void CreateQueue(IBufferWriter<byte> output, string queueName)
    {
        SqsJson.Raw(output, "{\"QueueName\":"u8);
        SqsJson.String(output, queueName);
        SqsJson.Raw(output, "}"u8);
    }

    public static void GetQueueUrl(IBufferWriter<byte> output, string queueName)
    {
        SqsJson.Raw(output, "{\"QueueName\":"u8);
        SqsJson.String(output, queueName);
        SqsJson.Raw(output, "}"u8);
    }

    /// <summary>The body of the actions that take only the queue: DeleteQueue, PurgeQueue.</summary>
    public static void QueueOnly(IBufferWriter<byte> output, SqsQueue queue)
    {
        SqsJson.Raw(output, "{\"QueueUrl\":"u8);
        SqsJson.Raw(output, queue.QuotedUrl);
        SqsJson.Raw(output, "}"u8);
    }

    public static void SendMessage(IBufferWriter<byte> output, SqsQueue queue, long stamp, int bodyBytes)
    {
        SqsJson.Raw(output, "{\"QueueUrl\":"u8);
        SqsJson.Raw(output, queue.QuotedUrl);
        SqsJson.Raw(output, ",\"MessageBody\":\""u8);
        MessageBody(output, stamp, bodyBytes);
        SqsJson.Raw(output, "\"}"u8);
    }

    /// <summary>SendMessageBatch of <paramref name="count"/> entries with ids "0", "1", …, every body stamped with <paramref name="stamp"/>.</summary>
    public static void SendMessageBatch(IBufferWriter<byte> output, SqsQueue queue, int count, long stamp, int bodyBytes)
    {
        SqsJson.Raw(output, "{\"QueueUrl\":"u8);
        SqsJson.Raw(output, queue.QuotedUrl);
        SqsJson.Raw(output, ",\"Entries\":["u8);
        for (int i = 0; i < count; i++)
        {
            SqsJson.Raw(output, i == 0 ? "{\"Id\":\""u8 : ",{\"Id\":\""u8);
            SqsJson.Integer(output, i);
            SqsJson.Raw(output, "\",\"MessageBody\":\""u8);
            MessageBody(output, stamp, bodyBytes);
            SqsJson.Raw(output, "\"}"u8);
        }

        SqsJson.Raw(output, "]}"u8);
    }

    /// <param name="visibilityTimeout">Null leaves the queue's default; 0 leaves received messages visible.</param>
    public static void ReceiveMessage(IBufferWriter<byte> output, SqsQueue queue, int maxMessages, int waitSeconds, int? visibilityTimeout = null)
    {
        SqsJson.Raw(output, "{\"QueueUrl\":"u8);
        SqsJson.Raw(output, queue.QuotedUrl);
        SqsJson.Raw(output, ",\"MaxNumberOfMessages\":"u8);
        SqsJson.Integer(output, maxMessages);
        SqsJson.Raw(output, ",\"WaitTimeSeconds\":"u8);
        SqsJson.Integer(output, waitSeconds);
        if (visibilityTimeout is int timeout)
        {
            SqsJson.Raw(output, ",\"VisibilityTimeout\":"u8);
            SqsJson.Integer(output, timeout);
        }

        SqsJson.Raw(output, "}"u8);
    }

    public static void DeleteMessage(IBufferWriter<byte> output, SqsQueue queue, ReceivedMessages received, int index)
    {
        SqsJson.Raw(output, "{\"QueueUrl\":"u8);
        SqsJson.Raw(output, queue.QuotedUrl);
        SqsJson.Raw(output, ",\"ReceiptHandle\":\""u8);
        SqsJson.Raw(output, received.RawReceiptHandle(index));
        SqsJson.Raw(output, "\"}"u8);
    }

    /// <summary>DeleteMessageBatch of every received message, ids "0", "1", … in the order received.</summary>
    public static void DeleteMessageBatch(IBufferWriter<byte> output, SqsQueue queue, ReceivedMessages received)
    {
        SqsJson.Raw(output, "{\"QueueUrl\":"u8);
        SqsJson.Raw(output, queue.QuotedUrl);
        SqsJson.Raw(output, ",\"Entries\":["u8);
        for (int i = 0; i < received.Count; i++)
        {
            SqsJson.Raw(output, i == 0 ? "{\"Id\":\""u8 : ",{\"Id\":\""u8);
            SqsJson.Integer(output, i);
            SqsJson.Raw(output, "\",\"ReceiptHandle\":\""u8);
            // The handle is copied as it appeared in the response, JSON escapes included: valid JSON string content.
            SqsJson.Raw(output, received.RawReceiptHandle(i));
            SqsJson.Raw(output, "\"}"u8);
        }

        SqsJson.Raw(output, "]}"u8);
    }

    public static void GetQueueAttributes(IBufferWriter<byte> output, SqsQueue queue, params ReadOnlySpan<string> attributeNames)
    {
        SqsJson.Raw(output, "{\"QueueUrl\":"u8);
        SqsJson.Raw(output, queue.QuotedUrl);
        SqsJson.Raw(output, ",\"AttributeNames\":["u8);
        for (int i = 0; i < attributeNames.Length; i++)
        {
            if (i > 0)
            {
                SqsJson.Raw(output, ","u8);
            }

            SqsJson.String(output, attributeNames[i]);
        }

        SqsJson.Raw(output, "]}"u8);
    }

    /// <summary>
    /// A message body of <paramref name="bodyBytes"/> (at least <see cref="StampLength"/>) bytes: the stamp in 16
    /// upper-case hex digits, then filler. Needs no JSON escaping.
    /// </summary>
    public static void MessageBody(IBufferWriter<byte> output, long stamp, int bodyBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bodyBytes, StampLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bodyBytes, s_filler.Length);
        Span<byte> span = output.GetSpan(bodyBytes);
        ulong value = (ulong)stamp;
        for (int i = StampLength - 1; i >= 0; i--)
        {
            int digit = (int)(value & 0xF);
            span[i] = (byte)(digit < 10 ? '0' + digit : 'A' + digit - 10);
            value >>= 4;
        }

        s_filler.AsSpan(0, bodyBytes - StampLength).CopyTo(span[StampLength..]);
        output.Advance(bodyBytes);
    }

    /// <summary>Reads the stamp from the start of a body written by <see cref="MessageBody"/>; false if it is not one.</summary>
    public static bool TryReadStamp(ReadOnlySpan<byte> body, out long stamp)
    {
        stamp = 0;
        if (body.Length < StampLength)
        {
            return false;
        }

        ulong value = 0;
        for (int i = 0; i < StampLength; i++)
        {
            byte c = body[i];
            int digit = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        stamp = (long)value;
        return true;
    }
}

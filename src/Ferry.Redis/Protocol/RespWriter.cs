using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;
using Ferry.Engine.RedisStreams;

namespace Ferry.Redis.Protocol;

/// <summary>Writes RESP2 or RESP3 replies straight into the connection's <see cref="PipeWriter"/>.</summary>
/// <remarks>Each reply is framed in a span taken from the pipe; nothing is allocated per reply.</remarks>
internal sealed class RespWriter(PipeWriter output)
{
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();

    /// <summary>Bulk strings up to this length are framed in a single span of the pipe.</summary>
    private const int SmallBulk = 512;

    /// <summary>2 or 3 (HELLO).</summary>
    public int Protocol { get; set; } = 2;

    public bool Resp3 => Protocol == 3;

    /// <summary>Bytes written since the last flush.</summary>
    public long Unflushed { get; private set; }

    public PipeWriter Output => output;

    public void ResetUnflushed() => Unflushed = 0;

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        Unflushed += bytes.Length;
    }

    /// <summary>A type marker, a number and CRLF: the header of most frames.</summary>
    private void Header(byte marker, long value)
    {
        var n = FrameHeader(output.GetSpan(24), marker, value);
        output.Advance(n);
        Unflushed += n;
    }

    /// <summary>Writes a type marker, a number and CRLF at the start of <paramref name="span"/> (24 bytes at least);
    /// returns how many bytes that took.</summary>
    private static int FrameHeader(Span<byte> span, byte marker, long value)
    {
        span[0] = marker;
        Utf8Formatter.TryFormat(value, span[1..], out var n);
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        return n + 3;
    }

    public void Ok() => Raw("+OK\r\n"u8);

    public void Pong() => Raw("+PONG\r\n"u8);

    public void Simple(ReadOnlySpan<byte> text)
    {
        var span = output.GetSpan(text.Length + 3);
        span[0] = (byte)'+';
        text.CopyTo(span[1..]);
        span[text.Length + 1] = (byte)'\r';
        span[text.Length + 2] = (byte)'\n';
        output.Advance(text.Length + 3);
        Unflushed += text.Length + 3;
    }

    public void Simple(string text) => Simple(Encoding.Latin1.GetBytes(text));

    /// <summary>An error line; <paramref name="message"/> starts with its code (ERR, NOGROUP, ...). Line breaks in it
    /// would break the protocol, so they become spaces, as Redis does.</summary>
    public void Error(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message.Replace('\r', ' ').Replace('\n', ' '));
        var span = output.GetSpan(bytes.Length + 3);
        span[0] = (byte)'-';
        bytes.CopyTo(span[1..]);
        span[bytes.Length + 1] = (byte)'\r';
        span[bytes.Length + 2] = (byte)'\n';
        output.Advance(bytes.Length + 3);
        Unflushed += bytes.Length + 3;
    }

    public void Integer(long value) => Header((byte)':', value);

    public void Bulk(ReadOnlySpan<byte> value)
    {
        if (value.Length <= SmallBulk)
        {
            // Header, bytes and CRLF framed in one span: one Advance of the pipe instead of three (an XADD's reply, an
            // entry's fields).
            var span = output.GetSpan(value.Length + 24);
            var header = FrameHeader(span, (byte)'$', value.Length);
            value.CopyTo(span[header..]);
            var end = header + value.Length;
            span[end] = (byte)'\r';
            span[end + 1] = (byte)'\n';
            output.Advance(end + 2);
            Unflushed += end + 2;
            return;
        }

        Header((byte)'$', value.Length);
        Raw(value);
        Raw(Crlf);
    }

    /// <summary>A bulk string of a Latin-1 key or channel name (bytes as they came).</summary>
    public void Bulk(string latin1)
    {
        var length = latin1.Length;
        var at = 0;
        Span<byte> span;
        if (length <= SmallBulk)
        {
            span = output.GetSpan(length + 24);
            at = FrameHeader(span, (byte)'$', length);
        }
        else
        {
            Header((byte)'$', length);
            span = output.GetSpan(length + 2);
        }

        Encoding.Latin1.GetBytes(latin1, span[at..]);
        span[at + length] = (byte)'\r';
        span[at + length + 1] = (byte)'\n';
        output.Advance(at + length + 2);
        Unflushed += at + length + 2;
    }

    /// <summary>A bulk string of text that may hold any Unicode (INFO, CLIENT LIST).</summary>
    public void BulkText(string text) => Bulk(Encoding.UTF8.GetBytes(text));

    /// <summary>INFO and CLIENT INFO: a verbatim string in RESP3, a bulk string in RESP2.</summary>
    public void Verbatim(string text)
    {
        if (!Resp3)
        {
            BulkText(text);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        Header((byte)'=', bytes.Length + 4);
        Raw("txt:"u8);
        Raw(bytes);
        Raw(Crlf);
    }

    public void Id(StreamId id)
    {
        Span<byte> text = stackalloc byte[StreamId.MaxFormattedLength];
        Bulk(text[..id.Format(text)]);
    }

    /// <summary>The null bulk string: $-1 in RESP2, _ in RESP3.</summary>
    public void Null() => Raw(Resp3 ? "_\r\n"u8 : "$-1\r\n"u8);

    /// <summary>The null array: *-1 in RESP2, _ in RESP3.</summary>
    public void NullArray() => Raw(Resp3 ? "_\r\n"u8 : "*-1\r\n"u8);

    public void Array(long count) => Header((byte)'*', count);

    /// <summary>A map of <paramref name="pairs"/> entries: % in RESP3, a flat array in RESP2.</summary>
    public void Map(long pairs)
    {
        if (Resp3)
        {
            Header((byte)'%', pairs);
        }
        else
        {
            Header((byte)'*', pairs * 2);
        }
    }

    /// <summary>A set: ~ in RESP3, an array in RESP2.</summary>
    public void Set(long count) => Header(Resp3 ? (byte)'~' : (byte)'*', count);

    /// <summary>An out-of-band push: &gt; in RESP3, an array in RESP2.</summary>
    public void Push(long count) => Header(Resp3 ? (byte)'>' : (byte)'*', count);

    public void Boolean(bool value)
    {
        if (Resp3)
        {
            Raw(value ? "#t\r\n"u8 : "#f\r\n"u8);
        }
        else
        {
            Integer(value ? 1 : 0);
        }
    }

    /// <summary>An entry: [id, [field, value, ...]], or [id, nil] for one that no longer exists.</summary>
    public void Entry(in StreamEntry entry)
    {
        Array(2);
        Id(entry.Id);
        if (!entry.Exists)
        {
            NullArray();
            return;
        }

        Array(entry.FieldCount);
        foreach (var field in entry.Fields)
        {
            Bulk(field);
        }
    }

    public void Entries(IReadOnlyList<StreamEntry> entries)
    {
        Array(entries.Count);
        foreach (var e in entries)
        {
            Entry(e);
        }
    }
}

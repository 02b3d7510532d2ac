using System.Buffers;
using System.Buffers.Text;

namespace Ferry.Redis.Protocol;

internal enum ParseStatus
{
    /// <summary>The buffer holds no complete frame; nothing was consumed.</summary>
    Incomplete,

    /// <summary>One command was parsed into the arguments and consumed.</summary>
    Command,

    /// <summary>The input breaks the protocol; the error is Redis's text and the connection must close.</summary>
    Error,
}

/// <summary>Limits the parser enforces before it allocates anything.</summary>
/// <param name="MaxBulkLength">The largest bulk string (proto-max-bulk-len).</param>
/// <param name="Authenticated">False while a password is required and not given: Redis then allows at most 10
/// arguments of at most 16 KiB, so that an unauthenticated client cannot make it buffer much.</param>
internal readonly record struct RespLimits(int MaxBulkLength, bool Authenticated);

/// <summary>
/// Parses RESP commands (multibulk arrays of bulk strings) and inline commands, in place over a
/// <see cref="ReadOnlySequence{T}"/>: a frame is consumed only when it is complete.
/// </summary>
internal static class RespParser
{
    /// <summary>Redis's PROTO_INLINE_MAX_SIZE: the longest inline command and the longest length line.</summary>
    public const int MaxInlineLength = 64 * 1024;

    /// <summary>The most elements of a multibulk (Redis's historical 1024*1024 bound).</summary>
    public const int MaxMultibulkLength = 1024 * 1024;

    /// <summary>Before authentication, Redis accepts at most this many arguments...</summary>
    private const int UnauthenticatedMaxArgs = 10;

    /// <summary>...of at most this many bytes each.</summary>
    private const int UnauthenticatedMaxBulk = 16384;

    /// <summary>Parses one command from the start of <paramref name="buffer"/>, skipping empty ones (<c>*0</c>, blank
    /// inline lines). On <see cref="ParseStatus.Command"/> the buffer is advanced past the frame.</summary>
    public static ParseStatus TryParse(ref ReadOnlySequence<byte> buffer, RespArgs args, RespLimits limits, out string? error)
    {
        error = null;
        while (true)
        {
            args.Clear();
            if (buffer.IsEmpty)
            {
                return ParseStatus.Incomplete;
            }

            var reader = new SequenceReader<byte>(buffer);
            reader.TryPeek(out var first);
            var status = first == (byte)'*'
                ? ParseMultibulk(ref reader, args, limits, out error)
                : ParseInline(ref reader, args, out error);
            if (status != ParseStatus.Command)
            {
                return status;
            }

            buffer = buffer.Slice(reader.Position);
            if (args.Count > 0)
            {
                return ParseStatus.Command;
            }
        }
    }

    private static ParseStatus ParseMultibulk(ref SequenceReader<byte> reader, RespArgs args, RespLimits limits, out string? error)
    {
        error = null;
        reader.Advance(1);
        if (!TryReadLine(ref reader, out var line))
        {
            return TooLong(ref reader, "Protocol error: too big mbulk count string", out error);
        }

        if (!TryParseInteger(line, out var count) || count > MaxMultibulkLength || (!limits.Authenticated && count > UnauthenticatedMaxArgs))
        {
            error = "Protocol error: invalid multibulk length";
            return ParseStatus.Error;
        }

        for (long i = 0; i < count; i++)
        {
            if (!reader.TryPeek(out var marker))
            {
                return ParseStatus.Incomplete;
            }

            if (marker != (byte)'$')
            {
                error = $"Protocol error: expected '$', got '{(char)marker}'";
                return ParseStatus.Error;
            }

            reader.Advance(1);
            if (!TryReadLine(ref reader, out line))
            {
                return TooLong(ref reader, "Protocol error: too big bulk count string", out error);
            }

            var max = limits.Authenticated ? limits.MaxBulkLength : Math.Min(limits.MaxBulkLength, UnauthenticatedMaxBulk);
            if (!TryParseInteger(line, out var length) || length < 0 || length > max)
            {
                error = "Protocol error: invalid bulk length";
                return ParseStatus.Error;
            }

            if (reader.Remaining < length + 2)
            {
                return ParseStatus.Incomplete;
            }

            reader.TryCopyTo(args.Add((int)length));
            // Like Redis, the two bytes after the payload are skipped without being checked.
            reader.Advance(length + 2);
        }

        return ParseStatus.Command;
    }

    /// <summary>A line without its end: wait for more, unless it is already longer than any valid one.</summary>
    private static ParseStatus TooLong(ref SequenceReader<byte> reader, string message, out string? error)
    {
        if (reader.Remaining > MaxInlineLength)
        {
            error = message;
            return ParseStatus.Error;
        }

        error = null;
        return ParseStatus.Incomplete;
    }

    /// <summary>Reads a length line. Like Redis, the line ends at the first CR and the byte after it is skipped
    /// unchecked, however the input is cut into segments. The line is short (checked by the callers' bounds), so a
    /// copy is cheap.</summary>
    private static bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySpan<byte> line)
    {
        if (reader.UnreadSpan.IndexOf((byte)'\r') is var i and >= 0 && i + 1 < reader.UnreadSpan.Length)
        {
            line = reader.UnreadSpan[..i];
            reader.Advance(i + 2);
            return true;
        }

        var ahead = reader;
        if (ahead.TryReadTo(out ReadOnlySequence<byte> seq, (byte)'\r') && ahead.Remaining > 0)
        {
            ahead.Advance(1);
            reader = ahead;
            line = seq.Length <= 32 ? seq.ToArray() : "x"u8;
            return true;
        }

        line = default;
        return false;
    }

    /// <summary>Redis's string2ll: optional minus, digits, no leading zeros, no sign on zero, fits in 64 bits.</summary>
    internal static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 20)
        {
            return false;
        }

        var digits = text[0] == (byte)'-' ? text[1..] : text;
        if (digits.IsEmpty || (digits[0] == (byte)'0' && (digits.Length > 1 || text.Length > 1)))
        {
            return false;
        }

        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length;
    }

    private static ParseStatus ParseInline(ref SequenceReader<byte> reader, RespArgs args, out string? error)
    {
        error = null;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> lineSeq, (byte)'\n'))
        {
            return TooLong(ref reader, "Protocol error: too big inline request", out error);
        }

        if (lineSeq.Length > MaxInlineLength)
        {
            error = "Protocol error: too big inline request";
            return ParseStatus.Error;
        }

        // A line split between segments is copied into a pooled buffer: inline commands are rare, and up to 64 KiB.
        byte[]? joined = null;
        var line = lineSeq.IsSingleSegment ? lineSeq.FirstSpan : Join(lineSeq, out joined);
        try
        {
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (!SplitInline(line, args))
            {
                args.Clear();
                error = "Protocol error: unbalanced quotes in request";
                return ParseStatus.Error;
            }

            return ParseStatus.Command;
        }
        finally
        {
            if (joined is not null)
            {
                ArrayPool<byte>.Shared.Return(joined);
            }
        }

        static ReadOnlySpan<byte> Join(ReadOnlySequence<byte> sequence, out byte[] joined)
        {
            joined = ArrayPool<byte>.Shared.Rent((int)sequence.Length);
            sequence.CopyTo(joined);
            return joined.AsSpan(0, (int)sequence.Length);
        }
    }

    /// <summary>Redis's sdssplitargs: words separated by blanks, "double quotes" with escapes, 'single quotes'.</summary>
    private static bool SplitInline(ReadOnlySpan<byte> line, RespArgs args)
    {
        byte[]? rented = null;
        Span<byte> scratch = line.Length <= 1024 ? stackalloc byte[line.Length] : (rented = ArrayPool<byte>.Shared.Rent(line.Length));
        try
        {
            return SplitInline(line, args, scratch);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary><see cref="SplitInline(ReadOnlySpan{byte}, RespArgs)"/> with room for the longest word unescaped.</summary>
    private static bool SplitInline(ReadOnlySpan<byte> line, RespArgs args, Span<byte> scratch)
    {
        var p = 0;
        while (true)
        {
            while (p < line.Length && IsSpace(line[p]))
            {
                p++;
            }

            if (p >= line.Length)
            {
                return true;
            }

            var n = 0;
            bool inDouble = false, inSingle = false, done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (p >= line.Length)
                    {
                        return false;
                    }

                    if (line[p] == '\\' && p + 3 < line.Length && line[p + 1] == 'x' && IsHex(line[p + 2]) && IsHex(line[p + 3]))
                    {
                        scratch[n++] = (byte)((Hex(line[p + 2]) << 4) | Hex(line[p + 3]));
                        p += 3;
                    }
                    else if (line[p] == '\\' && p + 1 < line.Length)
                    {
                        p++;
                        scratch[n++] = line[p] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => 7,
                            var c => c,
                        };
                    }
                    else if (line[p] == '"')
                    {
                        // A closing quote must be followed by a blank or the end.
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else
                    {
                        scratch[n++] = line[p];
                    }
                }
                else if (inSingle)
                {
                    if (p >= line.Length)
                    {
                        return false;
                    }

                    if (line[p] == '\\' && p + 1 < line.Length && line[p + 1] == '\'')
                    {
                        p++;
                        scratch[n++] = (byte)'\'';
                    }
                    else if (line[p] == '\'')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else
                    {
                        scratch[n++] = line[p];
                    }
                }
                else if (p >= line.Length)
                {
                    done = true;
                    break;
                }
                else
                {
                    switch (line[p])
                    {
                        case (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0:
                            done = true;
                            break;
                        case (byte)'"':
                            inDouble = true;
                            break;
                        case (byte)'\'':
                            inSingle = true;
                            break;
                        default:
                            scratch[n++] = line[p];
                            break;
                    }
                }

                if (p < line.Length)
                {
                    p++;
                }
            }

            scratch[..n].CopyTo(args.Add(n));
        }
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int Hex(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}

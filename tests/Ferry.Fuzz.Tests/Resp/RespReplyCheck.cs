using System.Buffers.Text;

namespace Ferry.Fuzz.Tests.Resp;

/// <summary>
/// Checks that what a connection wrote is a whole number of well-formed RESP2/RESP3 replies: every type marker known,
/// every line ended by CRLF and free of stray CR or LF, every length matching the bytes that follow, every error
/// starting with an upper-case code as Redis writes them (<c>-ERR ...</c>, <c>-WRONGTYPE ...</c>).
/// </summary>
internal static class RespReplyCheck
{
    private const int MaxDepth = 64;

    /// <returns>The first error reply's code and first words, or the number of replies: a signature.</returns>
    public static string WellFormed(ReadOnlySpan<byte> output)
    {
        var at = 0;
        var replies = 0;
        string? firstError = null;
        while (at < output.Length)
        {
            Reply(output, ref at, 0, ref firstError);
            replies++;
        }

        return firstError ?? $"{replies} replies";
    }

    private static void Reply(ReadOnlySpan<byte> output, ref int at, int depth, ref string? firstError)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException("replies nest too deeply");
        }

        var marker = output[at++];
        var line = Line(output, ref at);
        switch (marker)
        {
            case (byte)'+':
                return;
            case (byte)'-':
                if (line.IsEmpty || !char.IsAsciiLetterUpper((char)line[0]))
                {
                    throw new FormatException("an error reply without an upper-case code: " + System.Text.Encoding.Latin1.GetString(line));
                }

                firstError ??= System.Text.Encoding.Latin1.GetString(line[..Math.Min(line.Length, 40)]);
                return;
            case (byte)':' or (byte)'(':
                Integer(line);
                return;
            case (byte)',' or (byte)'#' or (byte)'_':
                return;
            case (byte)'$' or (byte)'=' or (byte)'!':
            {
                var length = Integer(line);
                if (length == -1 && marker == '$')
                {
                    return;
                }

                if (length < 0 || length > output.Length - at - 2 || output[at + (int)length] != '\r' || output[at + (int)length + 1] != '\n')
                {
                    throw new FormatException($"a bulk of {length} bytes that the output does not hold");
                }

                at += (int)length + 2;
                return;
            }

            case (byte)'*' or (byte)'~' or (byte)'>' or (byte)'%' or (byte)'|':
            {
                var count = Integer(line);
                if (count == -1 && marker == '*')
                {
                    return;
                }

                if (count < 0)
                {
                    throw new FormatException($"an aggregate of {count} elements");
                }

                for (long i = 0; i < count * (marker is (byte)'%' or (byte)'|' ? 2 : 1); i++)
                {
                    Reply(output, ref at, depth + 1, ref firstError);
                }

                return;
            }

            default:
                throw new FormatException($"an unknown reply type '{(char)marker}' at byte {at - 1}");
        }
    }

    private static ReadOnlySpan<byte> Line(ReadOnlySpan<byte> output, ref int at)
    {
        var end = output[at..].IndexOf("\r\n"u8);
        if (end < 0)
        {
            throw new FormatException("a reply line without CRLF");
        }

        var line = output.Slice(at, end);
        if (line.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
        {
            throw new FormatException("a reply line with a stray CR or LF");
        }

        at += end + 2;
        return line;
    }

    private static long Integer(ReadOnlySpan<byte> line) =>
        Utf8Parser.TryParse(line, out long value, out var consumed) && consumed == line.Length
            ? value
            : throw new FormatException("a length or integer that is not one: " + System.Text.Encoding.Latin1.GetString(line));
}

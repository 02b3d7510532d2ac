using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Ferry.Aws.Sns.Delivery;

/// <summary>
/// JSON string escaping as SNS writes its message envelopes: only what JSON requires is escaped — the quote, the
/// backslash and the control characters U+0000 to U+001F — and everything else, <c>/</c>, <c>&lt;</c>,
/// <c>&amp;</c> and every non-ASCII character included, is written as its UTF-8 bytes.
/// </summary>
/// <remarks>
/// <para>
/// SNS's envelopes carry URLs with <c>/</c> and <c>&amp;</c> unescaped (the SubscribeURL and UnsubscribeURL of
/// AWS's documented examples), and receivers rebuild the string to sign from the parsed values, so any escaping is
/// only a matter of bytes on the wire; this encoder reproduces the Java serializer convention SNS follows. The
/// control characters with a short JSON form are written as <c>\b \t \n \f \r</c>; the others as <c>\u00XX</c>
/// with upper-case hex digits. <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> is not the same: it
/// still escapes characters outside the Basic Multilingual Plane (emoji) as surrogate pairs.
/// </para>
/// <para>
/// Invalid UTF-8 (which a .NET string cannot produce) is replaced by U+FFFD, as <see cref="Encoding.UTF8"/> does.
/// The encoder can be given to <see cref="System.Text.Json.Utf8JsonWriter"/> through
/// <see cref="System.Text.Json.JsonWriterOptions.Encoder"/>.
/// </para>
/// </remarks>
internal sealed class SnsJsonEncoder : JavaScriptEncoder
{
    /// <summary>The one instance: the encoder has no state.</summary>
    public static SnsJsonEncoder Instance { get; } = new();

    /// <summary>The longest escape: <c>\u001F</c>.</summary>
    private const int LongestEscape = 6;

    private static readonly SearchValues<byte> EscapedBytes = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\"\\"u8);

    private static readonly SearchValues<char> EscapedChars = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\"\\");

    private SnsJsonEncoder()
    {
    }

    /// <inheritdoc/>
    public override int MaxOutputCharactersPerInputCharacter => LongestEscape;

    /// <inheritdoc/>
    public override bool WillEncode(int unicodeScalar) => unicodeScalar is < 0x20 or '"' or '\\';

    /// <inheritdoc/>
    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        var chars = new ReadOnlySpan<char>(text, textLength);
        int special = chars.IndexOfAny(EscapedChars);
        var prefix = special < 0 ? chars : chars[..special];
        int invalid = Utf16InvalidIndex(prefix);
        return invalid >= 0 ? invalid : special;
    }

    /// <inheritdoc/>
    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        int special = utf8Text.IndexOfAny(EscapedBytes);
        var prefix = special < 0 ? utf8Text : utf8Text[..special];
        if (Utf8.IsValid(prefix))
        {
            return special;
        }

        return ValidPrefixLength(prefix);
    }

    /// <inheritdoc/>
    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        Span<byte> escape = stackalloc byte[LongestEscape];
        int length = Escape(unicodeScalar, escape);
        if (length > bufferLength)
        {
            numberOfCharactersWritten = 0;
            return false;
        }

        for (int i = 0; i < length; i++)
        {
            buffer[i] = (char)escape[i];
        }

        numberOfCharactersWritten = length;
        return true;
    }

    /// <inheritdoc/>
    public override OperationStatus EncodeUtf8(ReadOnlySpan<byte> utf8Source, Span<byte> utf8Destination, out int bytesConsumed, out int bytesWritten, bool isFinalBlock = true)
    {
        int read = 0;
        int written = 0;
        var status = OperationStatus.Done;
        Span<byte> escape = stackalloc byte[LongestEscape];
        while (read < utf8Source.Length)
        {
            var rest = utf8Source[read..];
            int plain = rest.IndexOfAny(EscapedBytes);
            if (plain < 0)
            {
                plain = rest.Length;
            }

            // A run of bytes that needs no escape is copied once it is known to be valid UTF-8.
            if (plain > 0)
            {
                var run = rest[..plain];
                if (!Utf8.IsValid(run))
                {
                    run = run[..ValidPrefixLength(run)];
                }

                if (run.Length > 0)
                {
                    if (run.Length > utf8Destination.Length - written)
                    {
                        int fits = ValidPrefixLength(run[..(utf8Destination.Length - written)]);
                        run[..fits].CopyTo(utf8Destination[written..]);
                        read += fits;
                        written += fits;
                        status = OperationStatus.DestinationTooSmall;
                        break;
                    }

                    run.CopyTo(utf8Destination[written..]);
                    read += run.Length;
                    written += run.Length;
                    continue;
                }
            }

            var decoded = Rune.DecodeFromUtf8(rest, out var rune, out int consumed);
            if (decoded == OperationStatus.NeedMoreData && !isFinalBlock)
            {
                status = OperationStatus.NeedMoreData;
                break;
            }

            int length = decoded == OperationStatus.Done
                ? Escape(rune.Value, escape)
                : Rune.ReplacementChar.EncodeToUtf8(escape);
            if (length > utf8Destination.Length - written)
            {
                status = OperationStatus.DestinationTooSmall;
                break;
            }

            escape[..length].CopyTo(utf8Destination[written..]);
            read += consumed;
            written += length;
        }

        bytesConsumed = read;
        bytesWritten = written;
        return status;
    }

    /// <summary>Writes the JSON escape of one character that <see cref="WillEncode"/> selects; returns its length.</summary>
    private static int Escape(int scalar, Span<byte> destination)
    {
        byte shortForm = scalar switch
        {
            '"' => (byte)'"',
            '\\' => (byte)'\\',
            '\b' => (byte)'b',
            '\t' => (byte)'t',
            '\n' => (byte)'n',
            '\f' => (byte)'f',
            '\r' => (byte)'r',
            _ => 0,
        };
        destination[0] = (byte)'\\';
        if (shortForm != 0)
        {
            destination[1] = shortForm;
            return 2;
        }

        "u00"u8.CopyTo(destination[1..]);
        destination[4] = (byte)"0123456789ABCDEF"[(scalar >> 4) & 0xF];
        destination[5] = (byte)"0123456789ABCDEF"[scalar & 0xF];
        return LongestEscape;
    }

    /// <summary>The length of the longest prefix made of whole, valid UTF-8 sequences.</summary>
    private static int ValidPrefixLength(ReadOnlySpan<byte> utf8)
    {
        int at = 0;
        while (at < utf8.Length && Rune.DecodeFromUtf8(utf8[at..], out _, out int length) == OperationStatus.Done)
        {
            at += length;
        }

        return at;
    }

    /// <summary>The index of the first unpaired surrogate, or -1.</summary>
    private static int Utf16InvalidIndex(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            return i;
        }

        return -1;
    }
}

using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Ferry.Aws.Sns.Delivery;

/// <summary>
/// Writes the JSON layout of SNS's envelopes: one field per line, two spaces of indent, <c>"Name" : "value"</c>,
/// and MessageAttributes as an object whose entries are compact objects on lines of their own:
/// <code>
/// {
///   "Type" : "Notification",
///   ...
///   "MessageAttributes" : {
///     "name" : {"Type":"String","Value":"text"}
///   }
/// }
/// </code>
/// </summary>
/// <remarks>
/// Utf8JsonWriter cannot produce this layout (it writes no space before a colon), so the structure is written
/// here and every string goes through <see cref="SnsJsonEncoder"/>.
/// </remarks>
internal struct SnsEnvelopeWriter(IBufferWriter<byte> output)
{
    /// <summary>Strings are transcoded and escaped in slices of this many UTF-8 bytes.</summary>
    private const int SliceBytes = 16 * 1024;

    /// <summary>A UTF-16 char becomes at most three UTF-8 bytes (a surrogate pair, two chars, becomes four).</summary>
    private const int MaxUtf8BytesPerChar = 3;

    /// <summary>The most one scalar becomes: <c>\u001F</c>.</summary>
    private const int LongestEscape = 6;

    private readonly IBufferWriter<byte> _output = output;
    private bool _first = true;

    public readonly void Begin() => Raw("{\n"u8);

    public readonly void End() => Raw("\n}"u8);

    /// <summary>A top-level string field: <c>  "name" : "value"</c>.</summary>
    public void Field(ReadOnlySpan<byte> name, string value)
    {
        Separate();
        Raw("  \""u8);
        Raw(name);
        Raw("\" : \""u8);
        Escaped(value);
        Raw("\""u8);
    }

    /// <summary>The MessageAttributes object, when there are attributes.</summary>
    public void Attributes(IReadOnlyList<SnsMessageAttribute>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return;
        }

        Separate();
        Raw("  \"MessageAttributes\" : {\n"u8);
        for (int i = 0; i < attributes.Count; i++)
        {
            var attribute = attributes[i];
            if (i > 0)
            {
                Raw(",\n"u8);
            }

            Raw("    \""u8);
            Escaped(attribute.Name);
            Raw("\" : {\"Type\":\""u8);
            Escaped(attribute.DataType);
            Raw("\",\"Value\":\""u8);
            if (attribute.BinaryValue is { } binary)
            {
                WriteBase64(binary);
            }
            else
            {
                Escaped(attribute.StringValue ?? "");
            }

            Raw("\"}"u8);
        }

        Raw("\n  }"u8);
    }

    private void Separate()
    {
        if (!_first)
        {
            Raw(",\n"u8);
        }

        _first = false;
    }

    private readonly void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_output.GetSpan(bytes.Length));
        _output.Advance(bytes.Length);
    }

    /// <summary>Writes a string's UTF-8 bytes escaped, a slice at a time so a large message needs no large buffer.</summary>
    private readonly void Escaped(string value)
    {
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Math.Min(Encoding.UTF8.GetMaxByteCount(value.Length), SliceBytes));
        try
        {
            if (value.Length <= SliceBytes / MaxUtf8BytesPerChar)
            {
                EscapedUtf8(utf8.AsSpan(0, Encoding.UTF8.GetBytes(value, utf8)));
                return;
            }

            var chars = value.AsSpan();
            var encoder = Encoding.UTF8.GetEncoder();
            while (true)
            {
                encoder.Convert(chars, utf8, flush: true, out int charsUsed, out int bytesUsed, out bool completed);
                chars = chars[charsUsed..];
                EscapedUtf8(utf8.AsSpan(0, bytesUsed));
                if (completed)
                {
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    private readonly void EscapedUtf8(ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            // Room for the slice as it is plus one escape: most text needs few escapes, and asking for the worst case
            // (six bytes a byte) would make the buffer grow to six times the message. Text with more escapes than
            // that goes round again (the encoder stops where the room ends), and the room is never too small for one.
            var span = _output.GetSpan(Math.Min(utf8.Length, SliceBytes) + LongestEscape);
            SnsJsonEncoder.Instance.EncodeUtf8(utf8, span, out int consumed, out int written);
            _output.Advance(written);
            utf8 = utf8[consumed..];
        }
    }

    private readonly void WriteBase64(byte[] binary)
    {
        var span = _output.GetSpan(Base64.GetMaxEncodedToUtf8Length(binary.Length));
        Base64.EncodeToUtf8(binary, span, out _, out int written);
        _output.Advance(written);
    }
}

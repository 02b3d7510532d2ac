using System.Text.Json;
using Ferry.Bench.Sqs;

namespace Ferry.Bench.Sns;

/// <summary>The SNS notification envelope a queue receives when RawMessageDelivery is false.</summary>
internal static class SnsEnvelope
{
    /// <summary>
    /// Reads the stamp at the start of the envelope's <c>Message</c> (a <see cref="SqsRequests.MessageBody"/>);
    /// false when the body is not an envelope or its message carries no stamp. A <see cref="StampReader"/>.
    /// </summary>
    public static bool TryReadStamp(ReadOnlySpan<byte> body, out long stamp)
    {
        stamp = 0;
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isMessage = reader.ValueTextEquals("Message"u8);
                reader.Read();
                if (isMessage && reader.TokenType == JsonTokenType.String)
                {
                    // A stamped body is hex digits and filler letters: never escaped, so the raw bytes are the text.
                    return !reader.ValueIsEscaped && !reader.HasValueSequence && SqsRequests.TryReadStamp(reader.ValueSpan, out stamp);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: not an envelope.
        }

        return false;
    }
}

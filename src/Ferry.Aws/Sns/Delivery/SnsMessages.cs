using System.Buffers;
using System.Globalization;
using System.Text;

namespace Ferry.Aws.Sns.Delivery;

/// <summary>
/// The JSON documents SNS delivers: the Notification envelope (to HTTP/S and, unless raw, to SQS) and the
/// SubscriptionConfirmation and UnsubscribeConfirmation messages (to HTTP/S), field for field in SNS's order and
/// layout.
/// </summary>
/// <remarks>
/// <para>A Notification's fields, in order:</para>
/// <code>
/// Type, MessageId, SequenceNumber (FIFO only), TopicArn, Subject (when given), Message, Timestamp,
/// SignatureVersion, Signature, SigningCertURL (when signed), UnsubscribeURL, MessageAttributes (when any)
/// </code>
/// <para>
/// A FIFO topic's envelope carries SequenceNumber and no signature fields; MessageGroupId and
/// MessageDeduplicationId are not in the envelope at all (they are attributes of the SQS message). A confirmation's
/// fields, in order: Type, MessageId, Token, TopicArn, Message, SubscribeURL, Timestamp, SignatureVersion,
/// Signature, SigningCertURL. Timestamp is UTC with milliseconds: <c>2012-05-02T00:54:06.655Z</c>.
/// </para>
/// </remarks>
internal static class SnsMessages
{
    /// <summary>The envelope's Timestamp format.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Room for the fields around the message in a first guess at the envelope's size.</summary>
    private const int EnvelopeOverhead = 1024;

    /// <summary><paramref name="timestamp"/> as the Timestamp field writes it.</summary>
    public static string FormatTimestamp(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>The Message of a SubscriptionConfirmation, as SNS words it.</summary>
    public static string SubscriptionConfirmationText(string topicArn) =>
        $"You have chosen to subscribe to the topic {topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.";

    /// <summary>The Message of an UnsubscribeConfirmation, as SNS words it.</summary>
    public static string UnsubscribeConfirmationText(string subscriptionArn) =>
        $"You have chosen to deactivate subscription {subscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.";

    /// <summary>Signs a notification: the signature serves every subscription it is delivered to.</summary>
    public static SnsSignature Sign(SnsSigner signer, SnsNotification notification, SnsSignatureVersion version, string signingCertUrl)
    {
        var text = SnsStringToSign.ForNotification(
            notification.Message, notification.MessageId, notification.Subject, FormatTimestamp(notification.Timestamp), notification.TopicArn);
        return new SnsSignature(version, signer.Sign(text, version), signingCertUrl);
    }

    /// <summary>Signs a confirmation message.</summary>
    public static SnsSignature Sign(SnsSigner signer, SnsConfirmation confirmation, SnsSignatureVersion version, string signingCertUrl)
    {
        var text = SnsStringToSign.ForConfirmation(
            confirmation.Type, confirmation.Message, confirmation.MessageId, confirmation.SubscribeUrl,
            FormatTimestamp(confirmation.Timestamp), confirmation.Token, confirmation.TopicArn);
        return new SnsSignature(version, signer.Sign(text, version), signingCertUrl);
    }

    /// <summary>
    /// Writes a Notification envelope. With <paramref name="signature"/> null the three signature fields are left
    /// out, as SNS does for FIFO topics.
    /// </summary>
    public static void WriteNotification(IBufferWriter<byte> output, SnsNotification notification, string unsubscribeUrl, SnsSignature? signature)
    {
        var writer = new SnsEnvelopeWriter(output);
        writer.Begin();
        writer.Field("Type"u8, SnsHttpHeaders.Notification);
        writer.Field("MessageId"u8, notification.MessageId);
        if (notification.SequenceNumber is { } sequenceNumber)
        {
            writer.Field("SequenceNumber"u8, sequenceNumber);
        }

        writer.Field("TopicArn"u8, notification.TopicArn);
        if (!string.IsNullOrEmpty(notification.Subject))
        {
            writer.Field("Subject"u8, notification.Subject);
        }

        writer.Field("Message"u8, notification.Message);
        writer.Field("Timestamp"u8, FormatTimestamp(notification.Timestamp));
        if (signature is not null)
        {
            WriteSignature(ref writer, signature);
        }

        writer.Field("UnsubscribeURL"u8, unsubscribeUrl);
        writer.Attributes(notification.Attributes);
        writer.End();
    }

    /// <summary>Writes a SubscriptionConfirmation or UnsubscribeConfirmation message.</summary>
    public static void WriteConfirmation(IBufferWriter<byte> output, SnsConfirmation confirmation, SnsSignature signature)
    {
        var writer = new SnsEnvelopeWriter(output);
        writer.Begin();
        writer.Field("Type"u8, SnsStringToSign.TypeName(confirmation.Type));
        writer.Field("MessageId"u8, confirmation.MessageId);
        writer.Field("Token"u8, confirmation.Token);
        writer.Field("TopicArn"u8, confirmation.TopicArn);
        writer.Field("Message"u8, confirmation.Message);
        writer.Field("SubscribeURL"u8, confirmation.SubscribeUrl);
        writer.Field("Timestamp"u8, FormatTimestamp(confirmation.Timestamp));
        WriteSignature(ref writer, signature);
        writer.End();
    }

    /// <summary>The Notification envelope as UTF-8 bytes; see <see cref="WriteNotification"/>.</summary>
    public static byte[] NotificationUtf8(SnsNotification notification, string unsubscribeUrl, SnsSignature? signature)
    {
        var buffer = ScratchBuffer.Rent(notification.Message.Length + EnvelopeOverhead);
        WriteNotification(buffer, notification, unsubscribeUrl, signature);
        var utf8 = buffer.WrittenSpan.ToArray();
        ScratchBuffer.Return(buffer);
        return utf8;
    }

    /// <summary>The Notification envelope as a string (the body of an SQS message); see <see cref="WriteNotification"/>.</summary>
    public static string NotificationString(SnsNotification notification, string unsubscribeUrl, SnsSignature? signature)
    {
        var buffer = ScratchBuffer.Rent(notification.Message.Length + EnvelopeOverhead);
        WriteNotification(buffer, notification, unsubscribeUrl, signature);
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        ScratchBuffer.Return(buffer);
        return text;
    }

    /// <summary>The confirmation message as UTF-8 bytes; see <see cref="WriteConfirmation"/>.</summary>
    public static byte[] ConfirmationUtf8(SnsConfirmation confirmation, SnsSignature signature)
    {
        var buffer = new ArrayBufferWriter<byte>(EnvelopeOverhead);
        WriteConfirmation(buffer, confirmation, signature);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The confirmation message as a string; see <see cref="WriteConfirmation"/>.</summary>
    public static string ConfirmationString(SnsConfirmation confirmation, SnsSignature signature)
    {
        var buffer = new ArrayBufferWriter<byte>(EnvelopeOverhead);
        WriteConfirmation(buffer, confirmation, signature);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteSignature(ref SnsEnvelopeWriter writer, SnsSignature signature)
    {
        writer.Field("SignatureVersion"u8, signature.VersionText);
        writer.Field("Signature"u8, signature.Signature);
        writer.Field("SigningCertURL"u8, signature.SigningCertUrl);
    }
}

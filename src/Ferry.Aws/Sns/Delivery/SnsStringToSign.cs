using System.Text;

namespace Ferry.Aws.Sns.Delivery;

/// <summary>
/// The canonical string SNS signs: selected fields of the envelope, each as its name, a newline, its value and a
/// newline, in byte order of the names. Receivers rebuild it from the parsed JSON and check the signature over its
/// UTF-8 bytes.
/// </summary>
/// <remarks>
/// A Notification signs Message, MessageId, Subject (only when the envelope has one), Timestamp, TopicArn and Type.
/// A SubscriptionConfirmation or UnsubscribeConfirmation signs Message, MessageId, SubscribeURL, Timestamp, Token,
/// TopicArn and Type. Values are the unescaped strings, exactly as written in the envelope.
/// </remarks>
internal static class SnsStringToSign
{
    /// <summary>The string to sign of a Notification; <paramref name="subject"/> null or empty is left out.</summary>
    public static string ForNotification(string message, string messageId, string? subject, string timestamp, string topicArn)
    {
        var builder = new StringBuilder(message.Length + messageId.Length + (subject?.Length ?? 0) + topicArn.Length + 96);
        Append(builder, "Message", message);
        Append(builder, "MessageId", messageId);
        if (!string.IsNullOrEmpty(subject))
        {
            Append(builder, "Subject", subject);
        }

        Append(builder, "Timestamp", timestamp);
        Append(builder, "TopicArn", topicArn);
        Append(builder, "Type", "Notification");
        return builder.ToString();
    }

    /// <summary>The string to sign of a SubscriptionConfirmation or UnsubscribeConfirmation.</summary>
    public static string ForConfirmation(SnsConfirmationType type, string message, string messageId, string subscribeUrl, string timestamp, string token, string topicArn)
    {
        var builder = new StringBuilder(message.Length + messageId.Length + subscribeUrl.Length + token.Length + topicArn.Length + 128);
        Append(builder, "Message", message);
        Append(builder, "MessageId", messageId);
        Append(builder, "SubscribeURL", subscribeUrl);
        Append(builder, "Timestamp", timestamp);
        Append(builder, "Token", token);
        Append(builder, "TopicArn", topicArn);
        Append(builder, "Type", TypeName(type));
        return builder.ToString();
    }

    /// <summary>The Type field of a confirmation message.</summary>
    public static string TypeName(SnsConfirmationType type) => type switch
    {
        SnsConfirmationType.SubscriptionConfirmation => "SubscriptionConfirmation",
        SnsConfirmationType.UnsubscribeConfirmation => "UnsubscribeConfirmation",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a confirmation type."),
    };

    private static void Append(StringBuilder builder, string name, string value) =>
        builder.Append(name).Append('\n').Append(value).Append('\n');
}

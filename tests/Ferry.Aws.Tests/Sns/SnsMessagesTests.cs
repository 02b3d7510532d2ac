using System.Text;
using System.Text.Json;
using Ferry.Aws.Sns.Delivery;

namespace Ferry.Aws.Tests.Sns;

/// <summary>
/// Golden envelopes. The first of each kind reproduces AWS's documented example byte for byte (SNS developer guide,
/// "Parsing message formats"), which fixes field order and layout; the others pin escaping, attributes and FIFO.
/// </summary>
public class SnsMessagesTests
{
    private const string TopicArn = "arn:aws:sns:us-west-2:123456789012:MyTopic";
    private const string CertUrl = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem";
    private const string Unsubscribe = "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96";

    private static readonly DateTimeOffset Published = new(2012, 5, 2, 0, 54, 6, 655, TimeSpan.Zero);

    private static SnsNotification Notification(string message, string? subject = null, IReadOnlyList<SnsMessageAttribute>? attributes = null, string? sequenceNumber = null) =>
        new(TopicArn, "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", subject, message, Published, attributes, sequenceNumber);

    private static SnsSignature Example(string signature) => new(SnsSignatureVersion.V1, signature, CertUrl);

    [Fact]
    public void Notification_MatchesAwsDocumentedExample()
    {
        const string expected = """
            {
              "Type" : "Notification",
              "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
              "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic",
              "Subject" : "My First Message",
              "Message" : "Hello world!",
              "Timestamp" : "2012-05-02T00:54:06.655Z",
              "SignatureVersion" : "1",
              "Signature" : "EXAMPLEw6JRNwm1LFQL4ICB0bnXrdB8ClRMTQFGBqwLpGbM78tJ4etTwC5zU7O3tS6tGpey3ejedNdOJ+1fkIp9F2/LmNVKb5aFlYq+9rk9ZiPph5YlLmWsDcyC5T+Sy9/umic5S0UQc2PEtgdpVBahwNOdMW4JPwk0kAJJztnc=",
              "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
              "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96"
            }
            """;
        var signature = Example("EXAMPLEw6JRNwm1LFQL4ICB0bnXrdB8ClRMTQFGBqwLpGbM78tJ4etTwC5zU7O3tS6tGpey3ejedNdOJ+1fkIp9F2/LmNVKb5aFlYq+9rk9ZiPph5YlLmWsDcyC5T+Sy9/umic5S0UQc2PEtgdpVBahwNOdMW4JPwk0kAJJztnc=");
        var notification = Notification("Hello world!", "My First Message");
        Assert.Equal(expected, SnsMessages.NotificationString(notification, Unsubscribe, signature));
        Assert.Equal(Encoding.UTF8.GetBytes(expected), SnsMessages.NotificationUtf8(notification, Unsubscribe, signature));
    }

    [Fact]
    public void Notification_WithoutSubject_LeavesTheFieldOut()
    {
        const string expected = """
            {
              "Type" : "Notification",
              "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
              "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic",
              "Message" : "Hello world!",
              "Timestamp" : "2012-05-02T00:54:06.655Z",
              "SignatureVersion" : "2",
              "Signature" : "c2ln",
              "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
              "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96"
            }
            """;
        var signature = new SnsSignature(SnsSignatureVersion.V2, "c2ln", CertUrl);
        Assert.Equal(expected, SnsMessages.NotificationString(Notification("Hello world!"), Unsubscribe, signature));
        Assert.Equal(expected, SnsMessages.NotificationString(Notification("Hello world!", subject: ""), Unsubscribe, signature));
    }

    [Fact]
    public void Notification_Unsigned_HasNoSignatureFields()
    {
        const string expected = """
            {
              "Type" : "Notification",
              "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
              "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic",
              "Message" : "Hello world!",
              "Timestamp" : "2012-05-02T00:54:06.655Z",
              "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96"
            }
            """;
        Assert.Equal(expected, SnsMessages.NotificationString(Notification("Hello world!"), Unsubscribe, signature: null));
    }

    [Fact]
    public void Notification_Fifo_HasSequenceNumberAfterMessageIdAndNoSignature()
    {
        // The layout of an SNS FIFO envelope as SQS receives it: SequenceNumber follows MessageId; the group and
        // deduplication ids are attributes of the SQS message, not envelope fields.
        const string expected = """
            {
              "Type" : "Notification",
              "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
              "SequenceNumber" : "10000000000000003000",
              "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic",
              "Subject" : "s",
              "Message" : "m",
              "Timestamp" : "2012-05-02T00:54:06.655Z",
              "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96",
              "MessageAttributes" : {
                "key1" : {"Type":"String","Value":"value1"}
              }
            }
            """;
        var notification = Notification("m", "s", [new SnsMessageAttribute("key1", "String", "value1")], "10000000000000003000")
            with { MessageGroupId = "group-1", MessageDeduplicationId = "dedup-1" };
        Assert.Equal(expected, SnsMessages.NotificationString(notification, Unsubscribe, signature: null));
    }

    [Fact]
    public void Notification_MessageAttributes_OneCompactObjectPerLineInTheGivenOrder()
    {
        const string expected = """
            {
              "Type" : "Notification",
              "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
              "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic",
              "Message" : "m",
              "Timestamp" : "2012-05-02T00:54:06.655Z",
              "SignatureVersion" : "1",
              "Signature" : "c2ln",
              "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
              "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96",
              "MessageAttributes" : {
                "zeta" : {"Type":"String","Value":"last in name, first in order"},
                "count" : {"Type":"Number","Value":"42.5"},
                "blob" : {"Type":"Binary","Value":"AAEC/w=="},
                "tags" : {"Type":"String.Array","Value":"[\"a\",\"b\"]"},
                "say \"hi\"" : {"Type":"String.custom","Value":"é/<>&"},
                "empty" : {"Type":"String","Value":""}
              }
            }
            """;
        SnsMessageAttribute[] attributes =
        [
            new("zeta", "String", "last in name, first in order"),
            new("count", "Number", "42.5"),
            new("blob", "Binary", null, [0, 1, 2, 255]),
            new("tags", "String.Array", "[\"a\",\"b\"]"),
            new("say \"hi\"", "String.custom", "é/<>&"),
            new("empty", "String", null),
        ];
        Assert.Equal(expected, SnsMessages.NotificationString(Notification("m", attributes: attributes), Unsubscribe, Example("c2ln")));
    }

    [Fact]
    public void Notification_Escaping_OnlyQuoteBackslashAndControlCharacters()
    {
        // "/", HTML characters, DEL, U+2028 and everything outside ASCII are written as UTF-8, not \u-escaped;
        // control characters use their short form where JSON has one, \u00XX (upper-case hex) otherwise.
        var message = "{\"a\":\"b\\c\"} / <b>&amp;</b> 'q' é 中文 🚀 \u2028 \u007f tab\there\r\nend\b\f\u0001\u001f\0";
        const string expectedMessage = "{\\\"a\\\":\\\"b\\\\c\\\"} / <b>&amp;</b> 'q' é 中文 🚀 \u2028 \u007f tab\\there\\r\\nend\\b\\f\\u0001\\u001F\\u0000";
        var json = SnsMessages.NotificationString(Notification(message, subject: "Sujet: ünï \"x\""), Unsubscribe, signature: null);
        Assert.Contains($"  \"Message\" : \"{expectedMessage}\",\n", json, StringComparison.Ordinal);
        Assert.Contains("  \"Subject\" : \"Sujet: ünï \\\"x\\\"\",\n", json, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(message, document.RootElement.GetProperty("Message").GetString());
    }

    [Fact]
    public void Notification_LargeMessage_RoundTripsAcrossSliceBoundaries()
    {
        // Multi-byte characters and escapes straddle the writer's 16 KiB slices.
        var message = string.Concat(Enumerable.Repeat("é🚀\"\\\n中x", 20_000));
        var bytes = SnsMessages.NotificationUtf8(Notification(message), Unsubscribe, Example("c2ln"));
        using var document = JsonDocument.Parse(bytes);
        Assert.Equal(message, document.RootElement.GetProperty("Message").GetString());
    }

    [Fact]
    public void Notification_EveryCharacterEscaped_RoundTrips()
    {
        // Six bytes out for every byte in: the writer asks for room for the text plus one escape at a time and must
        // go round until all of it is written.
        var message = string.Concat(Enumerable.Repeat("\u0001\"\u001f", 30_000));
        var bytes = SnsMessages.NotificationUtf8(Notification(message), Unsubscribe, signature: null);
        using var document = JsonDocument.Parse(bytes);
        Assert.Equal(message, document.RootElement.GetProperty("Message").GetString());
    }

    [Fact]
    public void Notification_ConsecutiveEnvelopes_ShareNothing()
    {
        // One thread writes its envelopes in the same scratch buffer: a short one after a long one is whole, and
        // neither result changes afterwards.
        var longBytes = SnsMessages.NotificationUtf8(Notification(new string('x', 5000)), Unsubscribe, signature: null);
        var longCopy = longBytes.ToArray();
        var shortJson = SnsMessages.NotificationString(Notification("short"), Unsubscribe, signature: null);
        var shortBytes = SnsMessages.NotificationUtf8(Notification("short"), Unsubscribe, signature: null);

        Assert.Equal(longCopy, longBytes);
        Assert.Equal(shortJson, Encoding.UTF8.GetString(shortBytes));
        using var document = JsonDocument.Parse(shortBytes);
        Assert.Equal("short", document.RootElement.GetProperty("Message").GetString());
    }

    [Fact]
    public void Notification_UnpairedSurrogate_BecomesReplacementCharacter()
    {
        var json = SnsMessages.NotificationString(Notification("a\ud800b"), Unsubscribe, signature: null);
        using var document = JsonDocument.Parse(json);
        Assert.Equal("a\ufffdb", document.RootElement.GetProperty("Message").GetString());
    }

    [Fact]
    public void SubscriptionConfirmation_MatchesAwsDocumentedExample()
    {
        const string token = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736";
        const string expected = """
            {
              "Type" : "SubscriptionConfirmation",
              "MessageId" : "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
              "Token" : "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
              "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic",
              "Message" : "You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:MyTopic.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
              "SubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
              "Timestamp" : "2012-04-26T20:45:04.751Z",
              "SignatureVersion" : "1",
              "Signature" : "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
              "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"
            }
            """;
        var confirmation = new SnsConfirmation(
            SnsConfirmationType.SubscriptionConfirmation, TopicArn, "165545c9-2a5c-472c-8df2-7ff2be2b3b1b", token,
            SnsMessages.SubscriptionConfirmationText(TopicArn), SnsUrls.Subscribe("https://sns.us-west-2.amazonaws.com", TopicArn, token),
            new DateTimeOffset(2012, 4, 26, 20, 45, 4, 751, TimeSpan.Zero));
        var signature = Example("EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=");
        Assert.Equal(expected, SnsMessages.ConfirmationString(confirmation, signature));
        Assert.Equal(Encoding.UTF8.GetBytes(expected), SnsMessages.ConfirmationUtf8(confirmation, signature));
    }

    [Fact]
    public void UnsubscribeConfirmation_MatchesAwsDocumentedExample()
    {
        const string token = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f7948a98bac386edfe3e10314e873973b3e0a3c09119b722dedf2b5e31c59b13edbb26417c19f109351e6f2169efa9085ffe97e10535f4179ac1a03590b0f541f209c190f9ae23219ed6c470453e06c19b5ba9fcbb27daeb7c7";
        const string expected = """
            {
              "Type" : "UnsubscribeConfirmation",
              "MessageId" : "47138184-6831-46b8-8f7c-afc488602d7d",
              "Token" : "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f7948a98bac386edfe3e10314e873973b3e0a3c09119b722dedf2b5e31c59b13edbb26417c19f109351e6f2169efa9085ffe97e10535f4179ac1a03590b0f541f209c190f9ae23219ed6c470453e06c19b5ba9fcbb27daeb7c7",
              "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic",
              "Message" : "You have chosen to deactivate subscription arn:aws:sns:us-west-2:123456789012:MyTopic:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.",
              "SubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37fb687f5d51e6e241d09c805a5a57b30d712f7948a98bac386edfe3e10314e873973b3e0a3c09119b722dedf2b5e31c59b13edbb26417c19f109351e6f2169efa9085ffe97e10535f4179ac1a03590b0f541f209c190f9ae23219ed6c470453e06c19b5ba9fcbb27daeb7c7",
              "Timestamp" : "2012-04-26T20:06:41.581Z",
              "SignatureVersion" : "1",
              "Signature" : "EXAMPLEHXgJmXqnqsHTlqOCk7TIZsnk8zpJJoQbr8leD+8kAHcke3ClC4VPOvdpZo9s/vR9GOznKab6sjGxE8uwqDI9HwpDm8lGxSlFGuwCruWeecnt7MdJCNh0XK4XQCbtGoXB762ePJfaSWi9tYwzW65zAFU04WkNBkNsIf60=",
              "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"
            }
            """;
        var confirmation = new SnsConfirmation(
            SnsConfirmationType.UnsubscribeConfirmation, TopicArn, "47138184-6831-46b8-8f7c-afc488602d7d", token,
            SnsMessages.UnsubscribeConfirmationText(TopicArn + ":2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"),
            SnsUrls.Subscribe("https://sns.us-west-2.amazonaws.com/", TopicArn, token),
            new DateTimeOffset(2012, 4, 26, 20, 6, 41, 581, TimeSpan.Zero));
        var signature = Example("EXAMPLEHXgJmXqnqsHTlqOCk7TIZsnk8zpJJoQbr8leD+8kAHcke3ClC4VPOvdpZo9s/vR9GOznKab6sjGxE8uwqDI9HwpDm8lGxSlFGuwCruWeecnt7MdJCNh0XK4XQCbtGoXB762ePJfaSWi9tYwzW65zAFU04WkNBkNsIf60=");
        Assert.Equal(expected, SnsMessages.ConfirmationString(confirmation, signature));
    }

    [Fact]
    public void Timestamp_IsUtcWithTruncatedMilliseconds()
    {
        var local = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(9_999_999 - 1);
        Assert.Equal("2024-01-02T01:04:05.999Z", SnsMessages.FormatTimestamp(local));
        Assert.Equal("2012-05-02T00:54:06.655Z", SnsMessages.FormatTimestamp(Published));
    }

    [Fact]
    public void Urls_AreShapedAsSnsShapesThem()
    {
        Assert.Equal(Unsubscribe, SnsUrls.Unsubscribe("https://sns.us-west-2.amazonaws.com", TopicArn + ":c9135db0-26c4-47ec-8998-413945fb5a96"));
        Assert.Equal(CertUrl, SnsUrls.SigningCertificate("https://sns.us-west-2.amazonaws.com/", "SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"));
        Assert.Equal("http://localhost:4566/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=t", SnsUrls.Subscribe("http://localhost:4566", TopicArn, "t"));
    }
}

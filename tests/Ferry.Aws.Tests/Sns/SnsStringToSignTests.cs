using Ferry.Aws.Sns.Delivery;

namespace Ferry.Aws.Tests.Sns;

public class SnsStringToSignTests
{
    [Fact]
    public void Notification_WithSubject()
    {
        Assert.Equal(
            "Message\nHello\nworld!\nMessageId\nid-1\nSubject\nHi\nTimestamp\n2012-05-02T00:54:06.655Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n",
            SnsStringToSign.ForNotification("Hello\nworld!", "id-1", "Hi", "2012-05-02T00:54:06.655Z", "arn:aws:sns:us-west-2:123456789012:MyTopic"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Notification_WithoutSubject_LeavesItOut(string? subject)
    {
        Assert.Equal(
            "Message\n{\"a\":\"é\"}\nMessageId\nid-1\nTimestamp\nT\nTopicArn\narn\nType\nNotification\n",
            SnsStringToSign.ForNotification("{\"a\":\"é\"}", "id-1", subject, "T", "arn"));
    }

    [Theory]
    [InlineData("SubscriptionConfirmation")]
    [InlineData("UnsubscribeConfirmation")]
    public void Confirmation_SignsSubscribeUrlAndToken(string typeName)
    {
        var type = Enum.Parse<SnsConfirmationType>(typeName);
        Assert.Equal(
            $"Message\nm\nMessageId\nid\nSubscribeURL\nhttps://h/?Action=ConfirmSubscription&TopicArn=arn&Token=tok\nTimestamp\nT\nToken\ntok\nTopicArn\narn\nType\n{typeName}\n",
            SnsStringToSign.ForConfirmation(type, "m", "id", "https://h/?Action=ConfirmSubscription&TopicArn=arn&Token=tok", "T", "tok", "arn"));
    }
}

using Ferry.Fuzz.Tests.Fuzzing;
using static Ferry.Fuzz.Tests.Seeds.AwsSeeds;

namespace Ferry.Fuzz.Tests.Seeds;

/// <summary>Valid SNS Query requests of every action Ferry serves, as boto3 sends them.</summary>
internal static class SnsSeeds
{
    private static readonly string T = Uri.EscapeDataString(TopicArn);
    private static readonly string FT = Uri.EscapeDataString(FifoTopicArn);
    private static readonly string Sub = Uri.EscapeDataString(TopicArn + ":5d1b8c1e-6c5b-4b5e-9a53-1f0e2b2c3d4e");

    private static byte[] Sns(string action, string parameters) =>
        Query("sns", "Action=" + action + "&Version=2010-03-31" + parameters);

    private static string E(string text) => Uri.EscapeDataString(text);

    public static readonly byte[][] Requests =
    [
        Sns("CreateTopic", "&Name=fuzz-t&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=d&Tags.member.1.Key=k&Tags.member.1.Value=v"),
        Sns("CreateTopic", "&Name=fuzz-t.fifo&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true&Attributes.entry.2.key=ContentBasedDeduplication"
            + "&Attributes.entry.2.value=true"),
        Sns("DeleteTopic", "&TopicArn=" + E("arn:aws:sns:us-east-1:000000000000:fuzz-t")),
        Sns("ListTopics", "&NextToken=abc"),
        Sns("GetTopicAttributes", "&TopicArn=" + T),
        Sns("SetTopicAttributes", "&TopicArn=" + T + "&AttributeName=DeliveryPolicy&AttributeValue="
            + E("{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":1,\"maxDelayTarget\":60,\"numRetries\":5,\"backoffFunction\":\"exponential\"},"
                + "\"defaultThrottlePolicy\":{\"maxReceivesPerSecond\":10}}}")),
        Sns("SetTopicAttributes", "&TopicArn=" + T + "&AttributeName=Policy&AttributeValue=" + E("{\"Version\":\"2012-10-17\",\"Statement\":[]}")),
        Sns("Subscribe", "&TopicArn=" + T + "&Protocol=sqs&Endpoint=" + E(DlqArn) + "&ReturnSubscriptionArn=true"
            + "&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=true&Attributes.entry.2.key=FilterPolicyScope"
            + "&Attributes.entry.2.value=MessageBody&Attributes.entry.3.key=FilterPolicy&Attributes.entry.3.value="
            + E("{\"a\":{\"b\":[{\"anything-but\":[\"x\"]}]},\"$or\":[{\"c\":[{\"exists\":true}]},{\"d\":[{\"cidr\":\"10.0.0.0/8\"}]}]}")),
        Sns("Subscribe", "&TopicArn=" + T + "&Protocol=http&Endpoint=" + E("http://127.0.0.1:9/push")),
        Sns("Subscribe", "&TopicArn=" + FT + "&Protocol=sqs&Endpoint=" + E(QueueArn)),
        Sns("ConfirmSubscription", "&TopicArn=" + T + "&Token=0123456789abcdef&AuthenticateOnUnsubscribe=true"),
        Sns("Unsubscribe", "&SubscriptionArn=" + Sub),
        Sns("ListSubscriptions", ""),
        Sns("ListSubscriptionsByTopic", "&TopicArn=" + T),
        Sns("GetSubscriptionAttributes", "&SubscriptionArn=" + Sub),
        Sns("SetSubscriptionAttributes", "&SubscriptionArn=" + Sub + "&AttributeName=FilterPolicy&AttributeValue="
            + E("{\"price\":[{\"numeric\":[\">=\",1,\"<\",1e6]}],\"kind\":[{\"equals-ignore-case\":\"A\"},{\"suffix\":\".png\"},{\"wildcard\":\"a*b\"}]}")),
        Sns("SetSubscriptionAttributes", "&SubscriptionArn=" + Sub + "&AttributeName=DeliveryPolicy&AttributeValue="
            + E("{\"healthyRetryPolicy\":{\"minDelayTarget\":1,\"maxDelayTarget\":2,\"numRetries\":3},\"requestPolicy\":{\"headerContentType\":\"text/plain\"}}")),
        Sns("Publish", "&TopicArn=" + T + "&Message=hello&Subject=s&MessageAttributes.entry.1.Name=kind&MessageAttributes.entry.1.Value.DataType=String"
            + "&MessageAttributes.entry.1.Value.StringValue=a&MessageAttributes.entry.2.Name=n&MessageAttributes.entry.2.Value.DataType=Number"
            + "&MessageAttributes.entry.2.Value.StringValue=42&MessageAttributes.entry.3.Name=l&MessageAttributes.entry.3.Value.DataType=String.Array"
            + "&MessageAttributes.entry.3.Value.StringValue=" + E("[\"a\",1,true,null]") + "&MessageAttributes.entry.4.Name=b"
            + "&MessageAttributes.entry.4.Value.DataType=Binary&MessageAttributes.entry.4.Value.BinaryValue=AAEC"),
        Sns("Publish", "&TopicArn=" + T + "&MessageStructure=json&Message=" + E("{\"default\":\"d\",\"sqs\":\"{\\\"a\\\":{\\\"b\\\":\\\"y\\\"}}\"}")),
        Sns("Publish", "&TopicArn=" + FT + "&Message=m&MessageGroupId=g&MessageDeduplicationId=d"),
        Sns("Publish", "&TargetArn=" + T + "&Message=" + E("{\"a\":{\"b\":\"z\"},\"c\":1,\"d\":\"10.1.2.3\"}")),
        Sns("PublishBatch", "&TopicArn=" + T + "&PublishBatchRequestEntries.member.1.Id=a&PublishBatchRequestEntries.member.1.Message=1"
            + "&PublishBatchRequestEntries.member.2.Id=b&PublishBatchRequestEntries.member.2.Message=2&PublishBatchRequestEntries.member.2.Subject=s"
            + "&PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Name=kind&PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Value.DataType=String"
            + "&PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Value.StringValue=a"),
        Sns("TagResource", "&ResourceArn=" + T + "&Tags.member.1.Key=a&Tags.member.1.Value=b"),
        Sns("UntagResource", "&ResourceArn=" + T + "&TagKeys.member.1=a"),
        Sns("ListTagsForResource", "&ResourceArn=" + T),
        Sns("AddPermission", "&TopicArn=" + T + "&Label=l&AWSAccountId.member.1=111122223333&ActionName.member.1=Publish"),
        Sns("RemovePermission", "&TopicArn=" + T + "&Label=l"),
        Sns("CreatePlatformApplication", "&Name=x&Platform=GCM"),
        // The SubscribeURL an endpoint opens: a GET that names neither version nor service.
        Http.FuzzRequest.Format("GET /?Action=ConfirmSubscription&TopicArn=" + T + "&Token=abc", [], ""),
        Http.FuzzRequest.Format("GET /SimpleNotificationService-0123456789abcdef.pem", [], ""),
    ];

    public static readonly Grammar Grammar = Grammar.Of(
        [
            "Action=", "Version=2010-03-31", "TopicArn=", "Name=", "Message=", "Subject=", "MessageStructure=json", "Protocol=", "Endpoint=",
            "SubscriptionArn=", "AttributeName=", "AttributeValue=", "Attributes.entry.1.key=", "Attributes.entry.1.value=", "Token=",
            "MessageAttributes.entry.1.Name=", "MessageAttributes.entry.1.Value.DataType=", "MessageAttributes.entry.1.Value.StringValue=",
            "MessageAttributes.entry.1.Value.BinaryValue=", "PublishBatchRequestEntries.member.1.Id=", "Tags.member.1.Key=", "TagKeys.member.1=",
            "MessageGroupId=", "MessageDeduplicationId=", "FilterPolicy", "FilterPolicyScope", "DeliveryPolicy", "RedrivePolicy", "RawMessageDelivery",
            "FifoTopic", "SignatureVersion", "sqs", "http", "https", "email", "lambda", "Publish", "Subscribe", "CreateTopic", "PublishBatch",
            "SetSubscriptionAttributes", "SetTopicAttributes", "%7B", "%7D", "%5B", "%5D", "%22", "%3A", "String.Array", "Number", "Binary",
        ],
        [("%7B%22a%22%3A", "%7D"), ("%5B", "%5D"), ("%7B%22%24or%22%3A%5B", "%5D%7D")],
        1 << 20);
}

using System.Text.Json;
using Ferry.Engine.Queues;

namespace Ferry.Aws.Tests.Sns;

/// <summary>SNS's Query protocol over HTTP against a real broker: results, errors and fan-out into queues.</summary>
public sealed class SnsProtocolTests : IAsyncLifetime
{
    private SnsTestServer _server = null!;

    public async Task InitializeAsync() => _server = await SnsTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> CreateTopicAsync(string name, params (string, string)[] extra) =>
        (await _server.OkAsync("CreateTopic", [("Name", name), .. extra])).Value("TopicArn");

    private async Task<Queue> QueueAsync(string name) =>
        await _server.Broker.CreateQueueAsync(name, name.EndsWith(".fifo", StringComparison.Ordinal) ? new Dictionary<string, string> { ["FifoQueue"] = "true" } : null, null);

    private static async Task<List<ReceivedMessage>> DrainAsync(Queue queue)
    {
        var all = new List<ReceivedMessage>();
        while ((await queue.ReceiveAsync(new ReceiveRequest { MaxMessages = 10, VisibilityTimeoutSeconds = 300 }, default)) is { Count: > 0 } batch)
        {
            all.AddRange(batch);
        }

        return all;
    }

    [Fact]
    public async Task CreateTopic_IsIdempotent_AndRefusesDifferentAttributesAndBadNames()
    {
        var arn = await CreateTopicAsync("orders");
        Assert.Equal("arn:aws:sns:us-east-1:000000000000:orders", arn);
        Assert.Equal(arn, await CreateTopicAsync("orders"));

        var (status, xml) = await _server.CallAsync("CreateTopic", ("Name", "orders"), ("Attributes.entry.1.key", "DisplayName"), ("Attributes.entry.1.value", "x"));
        Assert.Equal(400, status);
        Assert.Equal(("InvalidParameter", "Invalid parameter: Attributes Reason: Topic already exists with different attributes"), xml.Error());
        Assert.Equal(SnsXml.Ns, xml.Name.Namespace);

        (status, xml) = await _server.CallAsync("CreateTopic", ("Name", "bad name"));
        Assert.Equal(400, status);
        Assert.Equal(("InvalidParameter", "Invalid parameter: Topic Name"), xml.Error());

        (status, xml) = await _server.CallAsync("CreateTopic", ("Name", "plain.fifo"));
        Assert.Equal(("InvalidParameter", "Invalid parameter: Topic Name"), xml.Error());

        var fifo = await CreateTopicAsync("t.fifo", ("Attributes.entry.1.key", "FifoTopic"), ("Attributes.entry.1.value", "true"));
        var attributes = await _server.OkAsync("GetTopicAttributes", ("TopicArn", fifo));
        Assert.Contains(attributes.Descendants(SnsXml.Ns + "entry"), e => e.Value("key") == "FifoTopic" && e.Value("value") == "true");
    }

    [Fact]
    public async Task Errors_AreWordedAsSnsWordsThem()
    {
        var (status, xml) = await _server.CallAsync("GetTopicAttributes", ("TopicArn", "arn:aws:sns:us-east-1:000000000000:missing"));
        Assert.Equal(404, status);
        Assert.Equal(("NotFound", "Topic does not exist"), xml.Error());

        (status, xml) = await _server.CallAsync("GetTopicAttributes", ("TopicArn", "nope"));
        Assert.Equal(400, status);
        Assert.Equal(("InvalidParameter", "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"), xml.Error());

        (status, xml) = await _server.CallAsync("GetTopicAttributes", ("TopicArn", "a:b:c:d:e"));
        Assert.Equal(("InvalidParameter", "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5"), xml.Error());

        (status, xml) = await _server.CallAsync("GetTopicAttributes", ("TopicArn", "urn:aws:sns:us-east-1:000000000000:t"));
        Assert.Equal(("InvalidParameter", "Invalid parameter: TopicArn Reason: A arn ARN must begin with arn:null, not urn:aws:sns:us-east-1:000000000000:t"), xml.Error());

        (status, xml) = await _server.CallAsync("GetTopicAttributes", ("TopicArn", "arn:aws:sqs:us-east-1:000000000000:t"));
        Assert.Equal(("InvalidParameter", "Invalid parameter: TopicArn"), xml.Error());

        (status, xml) = await _server.CallAsync("GetTopicAttributes", ("TopicArn", "arn:aws:sns:us-east-1:000000000000:t:extra"));
        Assert.Equal(404, status);

        (status, xml) = await _server.CallAsync("Publish", ("Message", "m"));
        Assert.Equal(("InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"), xml.Error());

        (status, xml) = await _server.CallAsync("CreatePlatformApplication", ("Name", "x"));
        Assert.Equal(400, status);
        Assert.Contains("not supported by Ferry", xml.Error().Message, StringComparison.Ordinal);

        var arn = await CreateTopicAsync("t");
        (_, xml) = await _server.CallAsync("Subscribe", ("TopicArn", arn), ("Protocol", "email"), ("Endpoint", "a@example.com"));
        Assert.Contains("not supported by Ferry", xml.Error().Message, StringComparison.Ordinal);
        (_, xml) = await _server.CallAsync("Subscribe", ("TopicArn", arn), ("Protocol", "carrier-pigeon"), ("Endpoint", "x"));
        Assert.Equal(("InvalidParameter", "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"), xml.Error());
        (_, xml) = await _server.CallAsync("Subscribe", ("TopicArn", arn), ("Protocol", "sqs"), ("Endpoint", "not-an-arn"));
        Assert.Equal(("InvalidParameter", "Invalid parameter: SQS endpoint ARN"), xml.Error());
        (_, xml) = await _server.CallAsync("Publish", ("TopicArn", arn), ("Message", ""));
        Assert.Equal(("InvalidParameter", "Invalid parameter: Empty message"), xml.Error());
        (_, xml) = await _server.CallAsync("Publish", ("TopicArn", arn), ("Message", new string('x', 262_145)));
        Assert.Equal(("InvalidParameter", "Invalid parameter: Message too long"), xml.Error());
        (_, xml) = await _server.CallAsync("Unsubscribe", ("SubscriptionArn", arn + ":6c1a4c57-8a2e-4a6b-9d9e-0b4f1a2b3c4d"));
        Assert.Equal(("NotFound", "Subscription does not exist"), xml.Error());
        (_, xml) = await _server.CallAsync("ListTagsForResource", ("ResourceArn", arn + "x"));
        Assert.Equal(("ResourceNotFound", "Resource does not exist"), xml.Error());
    }

    [Fact]
    public async Task ListTopics_PagesByHundred()
    {
        for (var i = 0; i < 150; i++)
        {
            await CreateTopicAsync("topic-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
        }

        var first = await _server.OkAsync("ListTopics");
        Assert.Equal(100, first.Descendants(SnsXml.Ns + "TopicArn").Count());
        var token = first.Value("NextToken");
        var second = await _server.OkAsync("ListTopics", ("NextToken", token));
        Assert.Equal(50, second.Descendants(SnsXml.Ns + "TopicArn").Count());
        Assert.Empty(second.Descendants(SnsXml.Ns + "NextToken"));
        Assert.Empty(first.Descendants(SnsXml.Ns + "TopicArn").Select(e => e.Value).Intersect(second.Descendants(SnsXml.Ns + "TopicArn").Select(e => e.Value)));
    }

    [Fact]
    public async Task Publish_DeliversTheEnvelopeToQueues_AndRawMessagesWithAttributes()
    {
        var arn = await CreateTopicAsync("t");
        var enveloped = await QueueAsync("enveloped");
        var raw = await QueueAsync("raw");
        var envelopedSub = (await _server.OkAsync("Subscribe", ("TopicArn", arn), ("Protocol", "sqs"), ("Endpoint", enveloped.Arn))).Value("SubscriptionArn");
        Assert.StartsWith(arn + ":", envelopedSub, StringComparison.Ordinal);
        await _server.OkAsync("Subscribe", ("TopicArn", arn), ("Protocol", "sqs"), ("Endpoint", raw.Arn),
            ("Attributes.entry.1.key", "RawMessageDelivery"), ("Attributes.entry.1.value", "true"));

        var published = await _server.OkAsync("Publish", ("TopicArn", arn), ("Message", "hello \"world\" é"), ("Subject", "greeting"),
            ("MessageAttributes.entry.1.Name", "color"), ("MessageAttributes.entry.1.Value.DataType", "String"), ("MessageAttributes.entry.1.Value.StringValue", "red"),
            ("MessageAttributes.entry.2.Name", "size"), ("MessageAttributes.entry.2.Value.DataType", "Number"), ("MessageAttributes.entry.2.Value.StringValue", "42"));
        var messageId = published.Value("MessageId");

        var envelope = JsonDocument.Parse(Assert.Single(await DrainAsync(enveloped)).Body).RootElement;
        Assert.Equal("Notification", envelope.GetProperty("Type").GetString());
        Assert.Equal(messageId, envelope.GetProperty("MessageId").GetString());
        Assert.Equal(arn, envelope.GetProperty("TopicArn").GetString());
        Assert.Equal("greeting", envelope.GetProperty("Subject").GetString());
        Assert.Equal("hello \"world\" é", envelope.GetProperty("Message").GetString());
        Assert.Equal($"{_server.Address.GetLeftPart(UriPartial.Authority)}/?Action=Unsubscribe&SubscriptionArn={envelopedSub}", envelope.GetProperty("UnsubscribeURL").GetString());
        Assert.Equal("red", envelope.GetProperty("MessageAttributes").GetProperty("color").GetProperty("Value").GetString());
        Assert.Equal("Number", envelope.GetProperty("MessageAttributes").GetProperty("size").GetProperty("Type").GetString());

        var rawMessage = Assert.Single(await DrainAsync(raw));
        Assert.Equal("hello \"world\" é", rawMessage.Body);
        Assert.Contains(rawMessage.Attributes, a => a is { Name: "color", DataType: "String", StringValue: "red" });
        Assert.Contains(rawMessage.Attributes, a => a is { Name: "size", DataType: "Number", StringValue: "42" });
        Assert.NotNull(rawMessage.AttributesDigest);
    }

    [Fact]
    public async Task RawAndEnvelopedDeliveries_EachStoreTheirBodyOnce()
    {
        var arn = await CreateTopicAsync("t");
        var raw = new List<Queue>();
        var enveloped = new List<Queue>();
        for (var i = 0; i < 3; i++)
        {
            raw.Add(await QueueAsync("raw" + i));
            await _server.OkAsync("Subscribe", ("TopicArn", arn), ("Protocol", "sqs"), ("Endpoint", raw[i].Arn),
                ("Attributes.entry.1.key", "RawMessageDelivery"), ("Attributes.entry.1.value", "true"));
            enveloped.Add(await QueueAsync("enveloped" + i));
            await _server.OkAsync("Subscribe", ("TopicArn", arn), ("Protocol", "sqs"), ("Endpoint", enveloped[i].Arn));
        }

        var text = new string('m', 8000);
        var before = _server.Journal.GetStats();
        await _server.OkAsync("Publish", ("TopicArn", arn), ("Message", text),
            ("MessageAttributes.entry.1.Name", "color"), ("MessageAttributes.entry.1.Value.DataType", "String"), ("MessageAttributes.entry.1.Value.StringValue", "red"));
        var after = _server.Journal.GetStats();

        // One raw body and one envelope (each about 8 KB) and six small messages; a copy per queue would be 48 KB.
        Assert.InRange(after.Tail - before.Tail, 16_000, 20_000);
        Assert.Equal(8, after.LiveRecords - before.LiveRecords);
        foreach (var queue in raw)
        {
            var message = Assert.Single(await DrainAsync(queue));
            Assert.Equal(text, message.Body);
            Assert.Equal(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(text)), message.BodyDigest);
            Assert.Contains(message.Attributes, a => a is { Name: "color", DataType: "String", StringValue: "red" });
            Assert.NotNull(message.AttributesDigest);
            await queue.DeleteAsync(message.ReceiptHandle);
        }

        foreach (var queue in enveloped)
        {
            var message = Assert.Single(await DrainAsync(queue));
            Assert.Equal(text, JsonDocument.Parse(message.Body).RootElement.GetProperty("Message").GetString());
            await queue.DeleteAsync(message.ReceiptHandle);
        }

        // The bodies went with their last messages.
        Assert.Equal(before.LiveRecords, _server.Journal.GetStats().LiveRecords);
    }

    [Fact]
    public async Task EveryQueueSubscription_GetsItsOwnUnsubscribeUrl_AndTheDigestOfItsOwnBody()
    {
        // Eleven enveloped queues (digests are taken eight at a time) with a raw one among them, and without and with
        // attributes after the UnsubscribeURL.
        var arn = await CreateTopicAsync("t");
        var queues = new List<(Queue Queue, string Subscription)>();
        var raw = await QueueAsync("raw");
        for (var i = 0; i < 11; i++)
        {
            var q = await QueueAsync("q" + i);
            queues.Add((q, (await _server.OkAsync("Subscribe", ("TopicArn", arn), ("Protocol", "sqs"), ("Endpoint", q.Arn))).Value("SubscriptionArn")));
            if (i == 4)
            {
                await _server.OkAsync("Subscribe", ("TopicArn", arn), ("Protocol", "sqs"), ("Endpoint", raw.Arn),
                    ("Attributes.entry.1.key", "RawMessageDelivery"), ("Attributes.entry.1.value", "true"));
            }
        }

        await _server.OkAsync("Publish", ("TopicArn", arn), ("Message", "same for all"));
        await _server.OkAsync("Publish", ("TopicArn", arn), ("Message", "with attributes"),
            ("MessageAttributes.entry.1.Name", "color"), ("MessageAttributes.entry.1.Value.DataType", "String"), ("MessageAttributes.entry.1.Value.StringValue", "red"));
        foreach (var (queue, subscription) in queues)
        {
            var messages = await DrainAsync(queue);
            Assert.Equal(2, messages.Count);
            foreach (var message in messages)
            {
                Assert.EndsWith("SubscriptionArn=" + subscription, JsonDocument.Parse(message.Body).RootElement.GetProperty("UnsubscribeURL").GetString(), StringComparison.Ordinal);
                Assert.Equal(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(message.Body)), message.BodyDigest);
            }
        }

        var rawMessages = await DrainAsync(raw);
        Assert.Equal(["same for all", "with attributes"], rawMessages.Select(m => m.Body).Order(StringComparer.Ordinal));
        Assert.All(rawMessages, m => Assert.Equal(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(m.Body)), m.BodyDigest));
    }

    [Fact]
    public async Task Publish_WithMessageStructureJson_GivesQueuesTheirOwnText()
    {
        var arn = await CreateTopicAsync("t");
        var q = await QueueAsync("q");
        await _server.OkAsync("Subscribe", ("TopicArn", arn), ("Protocol", "sqs"), ("Endpoint", q.Arn),
            ("Attributes.entry.1.key", "RawMessageDelivery"), ("Attributes.entry.1.value", "true"));
        await _server.OkAsync("Publish", ("TopicArn", arn), ("MessageStructure", "json"), ("Message", "{\"default\":\"d\",\"sqs\":\"for queues\"}"));
        Assert.Equal("for queues", Assert.Single(await DrainAsync(q)).Body);

        var (_, xml) = await _server.CallAsync("Publish", ("TopicArn", arn), ("MessageStructure", "json"), ("Message", "{\"sqs\":\"x\"}"));
        Assert.Equal(("InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message body"), xml.Error());
        (_, xml) = await _server.CallAsync("Publish", ("TopicArn", arn), ("MessageStructure", "json"), ("Message", "not json"));
        Assert.Equal(("InvalidParameter", "Invalid parameter: Message Structure - JSON message body failed to parse"), xml.Error());
    }

    [Fact]
    public async Task PublishBatch_AnswersPerEntry_AndEnforcesBatchRules()
    {
        var arn = await CreateTopicAsync("t");
        var q = await QueueAsync("q");
        await _server.OkAsync("Subscribe", ("TopicArn", arn), ("Protocol", "sqs"), ("Endpoint", q.Arn));
        var result = await _server.OkAsync("PublishBatch", ("TopicArn", arn),
            ("PublishBatchRequestEntries.member.1.Id", "a"), ("PublishBatchRequestEntries.member.1.Message", "one"),
            ("PublishBatchRequestEntries.member.2.Id", "b"), ("PublishBatchRequestEntries.member.2.Message", ""),
            ("PublishBatchRequestEntries.member.3.Id", "c"), ("PublishBatchRequestEntries.member.3.Message", "three"));
        var successful = result.Descendants(SnsXml.Ns + "Successful").Single().Elements().ToList();
        Assert.Equal(["a", "c"], successful.Select(e => e.Value("Id")));
        var failed = Assert.Single(result.Descendants(SnsXml.Ns + "Failed").Single().Elements());
        Assert.Equal("b", failed.Value("Id"));
        Assert.Equal("InvalidParameter", failed.Value("Code"));
        Assert.Equal("true", failed.Value("SenderFault"));
        Assert.Equal(2, (await DrainAsync(q)).Count);

        var eleven = Enumerable.Range(1, 11).SelectMany(i => new[]
        {
            ($"PublishBatchRequestEntries.member.{i}.Id", "e" + i), ($"PublishBatchRequestEntries.member.{i}.Message", "m"),
        });
        var (status, xml) = await _server.CallAsync("PublishBatch", [("TopicArn", arn), .. eleven]);
        Assert.Equal(400, status);
        Assert.Equal("TooManyEntriesInBatchRequest", xml.Error().Code);
        (_, xml) = await _server.CallAsync("PublishBatch", ("TopicArn", arn),
            ("PublishBatchRequestEntries.member.1.Id", "x"), ("PublishBatchRequestEntries.member.1.Message", "m"),
            ("PublishBatchRequestEntries.member.2.Id", "x"), ("PublishBatchRequestEntries.member.2.Message", "m"));
        Assert.Equal("BatchEntryIdsNotDistinct", xml.Error().Code);
        (_, xml) = await _server.CallAsync("PublishBatch", ("TopicArn", arn));
        Assert.Equal("EmptyBatchRequest", xml.Error().Code);
    }

    [Fact]
    public async Task FifoTopics_RequireGroups_Deduplicate_AndDeliverOnlyToFifoQueues()
    {
        var arn = await CreateTopicAsync("t.fifo", ("Attributes.entry.1.key", "FifoTopic"), ("Attributes.entry.1.value", "true"),
            ("Attributes.entry.2.key", "ContentBasedDeduplication"), ("Attributes.entry.2.value", "true"));
        var standard = await QueueAsync("standard");
        var (_, xml) = await _server.CallAsync("Subscribe", ("TopicArn", arn), ("Protocol", "sqs"), ("Endpoint", standard.Arn));
        Assert.Equal("InvalidParameter", xml.Error().Code);
        var q = await QueueAsync("q.fifo");
        await _server.OkAsync("Subscribe", ("TopicArn", arn), ("Protocol", "sqs"), ("Endpoint", q.Arn));

        (_, xml) = await _server.CallAsync("Publish", ("TopicArn", arn), ("Message", "m"));
        Assert.Equal(("InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"), xml.Error());

        var first = await _server.OkAsync("Publish", ("TopicArn", arn), ("Message", "m1"), ("MessageGroupId", "g"));
        var again = await _server.OkAsync("Publish", ("TopicArn", arn), ("Message", "m1"), ("MessageGroupId", "g"));
        Assert.Equal(first.Value("MessageId"), again.Value("MessageId"));
        Assert.Equal(first.Value("SequenceNumber"), again.Value("SequenceNumber"));
        await _server.OkAsync("Publish", ("TopicArn", arn), ("Message", "m2"), ("MessageGroupId", "g"));
        var bodies = (await DrainAsync(q)).Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("Message").GetString()).ToList();
        Assert.Equal(["m1", "m2"], bodies); // once each, in order
        var standardTopic = await CreateTopicAsync("plain");
        (_, xml) = await _server.CallAsync("Subscribe", ("TopicArn", standardTopic), ("Protocol", "sqs"), ("Endpoint", q.Arn));
        Assert.Equal("InvalidParameter", xml.Error().Code);
    }

    [Fact]
    public async Task Subscriptions_ListGetSetAndUnsubscribe()
    {
        var arn = await CreateTopicAsync("t");
        var q = await QueueAsync("q");
        var sub = (await _server.OkAsync("Subscribe", ("TopicArn", arn), ("Protocol", "sqs"), ("Endpoint", q.Arn))).Value("SubscriptionArn");
        var listed = await _server.OkAsync("ListSubscriptionsByTopic", ("TopicArn", arn));
        Assert.Equal(sub, listed.Value("SubscriptionArn"));
        Assert.Equal(q.Arn, listed.Value("Endpoint"));
        Assert.Equal("sqs", listed.Value("Protocol"));
        Assert.Equal(sub, (await _server.OkAsync("ListSubscriptions")).Value("SubscriptionArn"));

        await _server.OkAsync("SetSubscriptionAttributes", ("SubscriptionArn", sub), ("AttributeName", "RawMessageDelivery"), ("AttributeValue", "true"));
        var attributes = (await _server.OkAsync("GetSubscriptionAttributes", ("SubscriptionArn", sub))).Descendants(SnsXml.Ns + "entry")
            .ToDictionary(e => e.Value("key"), e => e.Value("value"));
        Assert.Equal("true", attributes["RawMessageDelivery"]);
        Assert.Equal("false", attributes["PendingConfirmation"]);
        Assert.Equal(arn, attributes["TopicArn"]);

        var (_, xml) = await _server.CallAsync("SetSubscriptionAttributes", ("SubscriptionArn", sub), ("AttributeName", "RawMessageDelivery"), ("AttributeValue", "maybe"));
        Assert.Equal("InvalidParameter", xml.Error().Code);
        (_, xml) = await _server.CallAsync("SetSubscriptionAttributes", ("SubscriptionArn", sub), ("AttributeName", "Nope"), ("AttributeValue", "1"));
        Assert.Equal(("InvalidParameter", "Invalid parameter: AttributeName"), xml.Error());

        await _server.OkAsync("Unsubscribe", ("SubscriptionArn", sub));
        Assert.Empty((await _server.OkAsync("ListSubscriptionsByTopic", ("TopicArn", arn))).Descendants(SnsXml.Ns + "member"));
        var topicAttributes = (await _server.OkAsync("GetTopicAttributes", ("TopicArn", arn))).Descendants(SnsXml.Ns + "entry")
            .ToDictionary(e => e.Value("key"), e => e.Value("value"));
        Assert.Equal("1", topicAttributes["SubscriptionsDeleted"]);
        Assert.Equal("0", topicAttributes["SubscriptionsConfirmed"]);
    }

    [Fact]
    public async Task TagsAndPermissions()
    {
        var arn = await CreateTopicAsync("t", ("Tags.member.1.Key", "team"), ("Tags.member.1.Value", "a"));
        await _server.OkAsync("TagResource", ("ResourceArn", arn), ("Tags.member.1.Key", "env"), ("Tags.member.1.Value", "dev"));
        var tags = (await _server.OkAsync("ListTagsForResource", ("ResourceArn", arn))).Descendants(SnsXml.Ns + "member")
            .ToDictionary(e => e.Value("Key"), e => e.Value("Value"));
        Assert.Equal(new Dictionary<string, string> { ["env"] = "dev", ["team"] = "a" }, tags);
        await _server.OkAsync("UntagResource", ("ResourceArn", arn), ("TagKeys.member.1", "team"));
        Assert.Single((await _server.OkAsync("ListTagsForResource", ("ResourceArn", arn))).Descendants(SnsXml.Ns + "member"));

        await _server.OkAsync("AddPermission", ("TopicArn", arn), ("Label", "share"), ("AWSAccountId.member.1", "111122223333"), ("ActionName.member.1", "Publish"));
        var (_, xml) = await _server.CallAsync("AddPermission", ("TopicArn", arn), ("Label", "share"), ("AWSAccountId.member.1", "111122223333"), ("ActionName.member.1", "Publish"));
        Assert.Equal(("InvalidParameter", "Invalid parameter: Statement already exists"), xml.Error());
        var policy = (await _server.OkAsync("GetTopicAttributes", ("TopicArn", arn))).Descendants(SnsXml.Ns + "entry").Single(e => e.Value("key") == "Policy").Value("value");
        Assert.Contains("\"Sid\":\"share\"", policy, StringComparison.Ordinal);
        await _server.OkAsync("RemovePermission", ("TopicArn", arn), ("Label", "share"));
        policy = (await _server.OkAsync("GetTopicAttributes", ("TopicArn", arn))).Descendants(SnsXml.Ns + "entry").Single(e => e.Value("key") == "Policy").Value("value");
        Assert.DoesNotContain("\"Sid\":\"share\"", policy, StringComparison.Ordinal);
    }
}

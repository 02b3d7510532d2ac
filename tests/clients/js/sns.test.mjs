// The AWS SDK for JavaScript v3 (@aws-sdk/client-sns, SNS Query protocol) against a topic endpoint: create a topic,
// subscribe a queue and an HTTP endpoint, publish with attributes, receive through SQS and at the endpoint.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import {
  SNSClient,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  NotFoundException,
  PublishBatchCommand,
  PublishCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { endpoint, makeClient, newQueue, suiteOptions, unique } from "./env.mjs";

function makeSns() {
  return new SNSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
}

async function newTopic(t, sns, name = unique("topic")) {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  t.after(() => sns.send(new DeleteTopicCommand({ TopicArn })).catch(() => {}));
  return TopicArn;
}

async function queueArn(sqs, queueUrl) {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
  return Attributes.QueueArn;
}

async function receiveAll(sqs, queueUrl, count) {
  const got = [];
  const deadline = Date.now() + 10_000;
  while (got.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ["All"],
    }));
    got.push(...Messages);
  }
  return got;
}

describe("@aws-sdk/client-sns", suiteOptions, () => {
  test("publish fans out to a queue with the envelope and its attributes", async (t) => {
    const sns = makeSns();
    const sqs = makeClient();
    const topic = await newTopic(t, sns);
    const queueUrl = await newQueue(t, sqs, unique("sns-q"));
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({
      TopicArn: topic, Protocol: "sqs", Endpoint: await queueArn(sqs, queueUrl), ReturnSubscriptionArn: true,
    }));
    assert.ok(SubscriptionArn.startsWith(topic + ":"));
    const { MessageId } = await sns.send(new PublishCommand({
      TopicArn: topic, Message: "hello from js", Subject: "js",
      MessageAttributes: { color: { DataType: "String", StringValue: "blue" } },
    }));
    const [message] = await receiveAll(sqs, queueUrl, 1);
    const envelope = JSON.parse(message.Body);
    assert.equal(envelope.Type, "Notification");
    assert.equal(envelope.MessageId, MessageId);
    assert.equal(envelope.Message, "hello from js");
    assert.deepEqual(envelope.MessageAttributes.color, { Type: "String", Value: "blue" });

    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }));
    assert.deepEqual(Subscriptions.map((s) => s.SubscriptionArn), [SubscriptionArn]);
    await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
  });

  test("raw delivery and publish batch", async (t) => {
    const sns = makeSns();
    const sqs = makeClient();
    const topic = await newTopic(t, sns);
    const queueUrl = await newQueue(t, sqs, unique("sns-raw"));
    await sns.send(new SubscribeCommand({
      TopicArn: topic, Protocol: "sqs", Endpoint: await queueArn(sqs, queueUrl), Attributes: { RawMessageDelivery: "true" },
    }));
    const result = await sns.send(new PublishBatchCommand({
      TopicArn: topic,
      PublishBatchRequestEntries: [
        { Id: "a", Message: "one", MessageAttributes: { n: { DataType: "Number", StringValue: "1" } } },
        { Id: "b", Message: "two" },
      ],
    }));
    assert.deepEqual(result.Successful.map((e) => e.Id).sort(), ["a", "b"]);
    const messages = await receiveAll(sqs, queueUrl, 2);
    assert.deepEqual(messages.map((m) => m.Body).sort(), ["one", "two"]);
    assert.equal(messages.find((m) => m.Body === "one").MessageAttributes.n.StringValue, "1");
  });

  test("an HTTP endpoint confirms and receives the notification", async (t) => {
    const sns = makeSns();
    const topic = await newTopic(t, sns);
    const received = [];
    let wake;
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received.push({ type: req.headers["x-amz-sns-message-type"], body: JSON.parse(body) });
        res.end();
        wake?.();
      });
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => server.close());
    const next = async (count) => {
      const deadline = Date.now() + 10_000;
      while (received.length < count && Date.now() < deadline) {
        await new Promise((resolve) => { wake = resolve; setTimeout(resolve, 200); });
      }
      assert.ok(received.length >= count, `expected ${count} deliveries, got ${received.length}`);
      return received[count - 1];
    };

    const { SubscriptionArn } = await sns.send(new SubscribeCommand({
      TopicArn: topic, Protocol: "http", Endpoint: `http://127.0.0.1:${server.address().port}/hook`,
    }));
    assert.equal(SubscriptionArn, "pending confirmation");
    const confirmation = await next(1);
    assert.equal(confirmation.type, "SubscriptionConfirmation");
    assert.ok((await fetch(confirmation.body.SubscribeURL)).ok);

    await sns.send(new PublishCommand({ TopicArn: topic, Message: "pushed" }));
    const notification = await next(2);
    assert.equal(notification.type, "Notification");
    assert.equal(notification.body.Message, "pushed");
    assert.ok(notification.body.Signature.length > 0);
  });

  test("a missing topic is NotFoundException", async () => {
    const sns = makeSns();
    await assert.rejects(
      sns.send(new GetTopicAttributesCommand({ TopicArn: `arn:aws:sns:us-east-1:000000000000:${unique("missing")}` })),
      (e) => e instanceof NotFoundException && e.$metadata.httpStatusCode === 404,
    );
  });
});

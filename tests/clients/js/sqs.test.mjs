// The AWS SDK for JavaScript v3 (@aws-sdk/client-sqs, AWS JSON 1.0 protocol) against an SQS endpoint.
// The SDK verifies the MD5 of message bodies itself; the MD5 of message attributes is checked here.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { makeClient, newQueue, queueAttributes, sleep, suiteOptions, unique } from "./env.mjs";

/** MD5 of message attributes as SQS computes it: names sorted, each length-prefixed field in turn. */
function md5OfAttributes(attributes) {
  const hash = createHash("md5");
  const field = (bytes) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const { DataType, StringValue, BinaryValue } = attributes[name];
    field(Buffer.from(name, "utf8"));
    field(Buffer.from(DataType, "utf8"));
    if (BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      field(Buffer.from(BinaryValue));
    } else {
      hash.update(Buffer.from([1]));
      field(Buffer.from(StringValue, "utf8"));
    }
  }
  return hash.digest("hex");
}

async function receiveAll(sqs, queueUrl, count, options = {}, timeoutMs = 10000) {
  const got = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, ...options }),
    );
    got.push(...Messages);
  }
  return got;
}

describe("@aws-sdk/client-sqs v3", suiteOptions, () => {
  const sqs = makeClient();

  test("creates a queue with attributes", async (t) => {
    const name = unique("js-std");
    const url = await newQueue(t, sqs, name, { VisibilityTimeout: "12", DelaySeconds: "0" });
    assert.ok(url.endsWith(`/${name}`), url);
    const attributes = await queueAttributes(sqs, url);
    assert.equal(attributes.VisibilityTimeout, "12");
    assert.match(attributes.QueueArn, new RegExp(`^arn:aws:sqs:us-east-1:\\d{12}:${name}$`));
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    assert.equal(QueueUrl, url);
  });

  test("sends and receives message attributes with matching MD5s", async (t) => {
    const url = await newQueue(t, sqs, unique("js-attr"));
    const attributes = {
      text: { DataType: "String", StringValue: "grüße" },
      amount: { DataType: "Number", StringValue: "12.75" },
      blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 250, 255]) },
      kind: { DataType: "String.custom", StringValue: "label" },
    };
    const body = "JavaScript ✓";
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: attributes }));
    assert.equal(sent.MD5OfMessageBody, createHash("md5").update(body, "utf8").digest("hex"));
    assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(attributes));

    const [message] = await receiveAll(sqs, url, 1, { MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] });
    assert.equal(message.Body, body);
    assert.equal(message.MessageId, sent.MessageId);
    assert.equal(message.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
    assert.equal(message.MessageAttributes.text.StringValue, "grüße");
    assert.equal(message.MessageAttributes.amount.StringValue, "12.75");
    assert.deepEqual([...message.MessageAttributes.blob.BinaryValue], [0, 1, 2, 250, 255]);
    assert.equal(message.MessageAttributes.kind.DataType, "String.custom");
    assert.equal(message.Attributes.ApproximateReceiveCount, "1");
    assert.ok(Number(message.Attributes.SentTimestamp) > 1.6e12);
  });

  test("sends a batch, extends visibility and deletes a batch", async (t) => {
    const url = await newQueue(t, sqs, unique("js-batch"), { VisibilityTimeout: "1" });
    const sent = await sqs.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: Array.from({ length: 5 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` })),
    }));
    assert.equal(sent.Successful.length, 5);
    assert.equal(sent.Failed?.length ?? 0, 0);

    const received = await receiveAll(sqs, url, 5);
    assert.equal(received.length, 5);
    for (const m of received) {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 30 }));
    }
    await sleep(1300);
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    assert.equal(Messages.length, 0, "extended visibility keeps the messages hidden");

    const deleted = await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: url,
      Entries: received.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
    }));
    assert.equal(deleted.Successful.length, 5);
    assert.equal(deleted.Failed?.length ?? 0, 0);
    const attributes = await queueAttributes(sqs, url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
    assert.deepEqual(attributes, { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  });

  test("a long poll returns as soon as a message arrives", async (t) => {
    const url = await newQueue(t, sqs, unique("js-poll"));
    const started = Date.now();
    const sender = (async () => {
      await sleep(500);
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "arrived" }));
    })();
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    const elapsed = Date.now() - started;
    await sender;
    assert.deepEqual(Messages.map((m) => m.Body), ["arrived"]);
    assert.ok(elapsed < 1500, `the long poll took ${elapsed} ms after a send at 500 ms`);
  });

  test("FIFO queue keeps order within a group", async (t) => {
    const url = await newQueue(t, sqs, `${unique("js-fifo")}.fifo`, { FifoQueue: "true", ContentBasedDeduplication: "true" });
    const sequence = [];
    for (let i = 0; i < 5; i++) {
      const r = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}`, MessageGroupId: "g" }));
      sequence.push(BigInt(r.SequenceNumber));
    }
    for (let i = 1; i < sequence.length; i++) assert.ok(sequence[i] > sequence[i - 1], "sequence numbers increase");
    const dup = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m0", MessageGroupId: "g" }));
    assert.ok(dup.MessageId);
    const bodies = [];
    const deadline = Date.now() + 10000;
    while (bodies.length < 5 && Date.now() < deadline) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const m of Messages) {
        bodies.push(m.Body);
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "x", ReceiptHandle: m.ReceiptHandle }] }));
      }
    }
    assert.deepEqual(bodies, ["m0", "m1", "m2", "m3", "m4"], "in order, and the duplicate m0 deduplicated");
  });

  test("a missing queue fails with QueueDoesNotExist", async () => {
    await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: unique("js-missing") })), (err) => {
      assert.equal(err.name, "QueueDoesNotExist");
      assert.ok(err instanceof QueueDoesNotExist);
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.equal(err.Code, "AWS.SimpleQueueService.NonExistentQueue");
      return true;
    });
  });
});

// The sqs-consumer library processing a queue end to end: every good message handled exactly once and
// deleted, and a poison message (its handler throws) moved to the dead-letter queue by the RedrivePolicy.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { Consumer } from "sqs-consumer";
import { ReceiveMessageCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { makeClient, newQueue, queueAttributes, sleep, suiteOptions, unique } from "./env.mjs";

describe("sqs-consumer", suiteOptions, () => {
  const sqs = makeClient();

  test("processes messages and sends the poison one to the DLQ", async (t) => {
    const dlq = await newQueue(t, sqs, unique("js-dlq"));
    const { QueueArn: dlqArn } = await queueAttributes(sqs, dlq, ["QueueArn"]);
    const source = await newQueue(t, sqs, unique("js-work"), {
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });

    const good = Array.from({ length: 12 }, (_, i) => `job-${i}`);
    const bodies = [...good.slice(0, 6), "poison", ...good.slice(6)];
    for (let i = 0; i < bodies.length; i += 10) {
      const sent = await sqs.send(new SendMessageBatchCommand({
        QueueUrl: source,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: `e${i + j}`, MessageBody: body })),
      }));
      assert.equal(sent.Failed?.length ?? 0, 0);
    }

    const handled = new Map();
    let poisonAttempts = 0;
    const processed = [];
    const errors = [];
    const consumer = Consumer.create({
      queueUrl: source,
      sqs,
      batchSize: 10,
      waitTimeSeconds: 1,
      pollingWaitTimeMs: 0,
      handleMessage: async (message) => {
        if (message.Body === "poison") {
          poisonAttempts++;
          throw new Error("cannot process this one");
        }
        handled.set(message.Body, (handled.get(message.Body) ?? 0) + 1);
        return message;
      },
    });
    consumer.on("message_processed", (message) => processed.push(message.Body));
    consumer.on("processing_error", (err, message) => errors.push([err.message, message?.Body]));
    consumer.on("error", (err) => errors.push([`error: ${err.message}`, undefined]));
    consumer.start();

    try {
      const deadline = Date.now() + 25000;
      let dlqCount = "0";
      while (Date.now() < deadline) {
        dlqCount = (await queueAttributes(sqs, dlq, ["ApproximateNumberOfMessages"])).ApproximateNumberOfMessages;
        if (handled.size === good.length && dlqCount === "1") break;
        await sleep(250);
      }
      assert.equal(dlqCount, "1", "the poison message reached the DLQ");
    } finally {
      const stopped = once(consumer, "stopped");
      consumer.stop();
      await Promise.race([stopped, sleep(5000)]);
    }

    assert.deepEqual([...handled.keys()].sort(), [...good].sort());
    for (const [body, count] of handled) assert.equal(count, 1, `${body} handled once`);
    assert.deepEqual([...processed].sort(), [...good].sort(), "message_processed once per good message");
    assert.equal(poisonAttempts, 2, "the poison message was tried maxReceiveCount times");
    assert.ok(errors.every(([, body]) => body === "poison"), JSON.stringify(errors));
    assert.equal(errors.filter(([, body]) => body === "poison").length, 2);

    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: dlq, WaitTimeSeconds: 1, MessageSystemAttributeNames: ["ApproximateReceiveCount"],
    }));
    assert.deepEqual(Messages.map((m) => m.Body), ["poison"]);

    await sleep(1200);
    const left = await queueAttributes(sqs, source, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
    assert.deepEqual(left, { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" },
      "every good message was deleted after success");
  });
});

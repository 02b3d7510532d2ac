// Shared set-up for the JavaScript client suites: the endpoint from FERRY_ENDPOINT and an SQS client.
import { randomUUID } from "node:crypto";
import { SQSClient, CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";

export const endpoint = process.env.FERRY_ENDPOINT;

/** Options for node:test: the suites are skipped when no endpoint is given. */
export const suiteOptions = endpoint ? {} : { skip: "FERRY_ENDPOINT is not set" };

export function makeClient() {
  return new SQSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

export function unique(prefix) {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

/** Creates a queue and registers its deletion with the test context. */
export async function newQueue(t, sqs, name, attributes = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  t.after(async () => {
    try {
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    } catch {
      // already gone
    }
  });
  return QueueUrl;
}

export async function queueAttributes(sqs, queueUrl, names = ["All"]) {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names }));
  return Attributes ?? {};
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

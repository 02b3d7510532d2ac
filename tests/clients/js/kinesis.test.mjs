// Ferry's Kinesis face through the AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis), unmodified.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  KinesisClient,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  PutRecordsCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
  ListShardsCommand,
  SplitShardCommand,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { endpoint, suiteOptions, unique, sleep } from "./env.mjs";

// The Kinesis client speaks HTTP/2 by default (for SubscribeToShard); Ferry's port serves HTTP/1.1, as an
// endpoint override on http:// usually does, so the suite uses the HTTP/1.1 handler the other clients use.
function makeKinesis() {
  return new KinesisClient({
    requestHandler: new NodeHttpHandler(),
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

async function newStream(t, kinesis, shards = 1) {
  const StreamName = unique("js-stream");
  await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: shards }));
  t.after(async () => {
    try {
      await kinesis.send(new DeleteStreamCommand({ StreamName }));
    } catch {
      // already gone
    }
  });
  await waitUntilStreamExists({ client: kinesis, minDelay: 1, maxWaitTime: 30 }, { StreamName });
  return StreamName;
}

async function readAll(kinesis, StreamName, ShardId) {
  let { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName, ShardId, ShardIteratorType: "TRIM_HORIZON" }));
  const records = [];
  let children;
  while (ShardIterator) {
    const out = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    records.push(...out.Records);
    if (out.ChildShards?.length) children = out.ChildShards;
    if (out.Records.length === 0 && out.MillisBehindLatest === 0 && out.NextShardIterator) break;
    ShardIterator = out.NextShardIterator;
  }
  return { records, children };
}

test("Kinesis with the AWS SDK for JavaScript v3", suiteOptions, async (t) => {
  const kinesis = makeKinesis();
  t.after(() => kinesis.destroy());

  await t.test("create, wait, put and read back bytes", async (t) => {
    const StreamName = await newStream(t, kinesis);
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
    assert.equal(summary.StreamDescriptionSummary.StreamStatus, "ACTIVE");
    const one = await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "a", Data: new Uint8Array([0, 1, 2, 255]) }));
    assert.match(one.SequenceNumber, /^\d+$/);
    const batch = await kinesis.send(new PutRecordsCommand({
      StreamName,
      Records: Array.from({ length: 20 }, (_, i) => ({ PartitionKey: `k${i}`, Data: new TextEncoder().encode(`r${i}`) })),
    }));
    assert.equal(batch.FailedRecordCount, 0);
    const { records } = await readAll(kinesis, StreamName, "shardId-000000000000");
    assert.equal(records.length, 21);
    assert.deepEqual([...records[0].Data], [0, 1, 2, 255]);
    assert.ok(records[0].ApproximateArrivalTimestamp instanceof Date);
    assert.equal(new TextDecoder().decode(records[20].Data), "r19");
  });

  await t.test("a split keeps lineage and every record", async (t) => {
    const StreamName = await newStream(t, kinesis);
    await kinesis.send(new PutRecordsCommand({ StreamName, Records: [{ PartitionKey: "x", Data: new Uint8Array([1]) }] }));
    await kinesis.send(new SplitShardCommand({ StreamName, ShardToSplit: "shardId-000000000000", NewStartingHashKey: (2n ** 127n).toString() }));
    await sleep(500);
    await waitUntilStreamExists({ client: kinesis, minDelay: 1, maxWaitTime: 30 }, { StreamName });
    await kinesis.send(new PutRecordsCommand({ StreamName, Records: [{ PartitionKey: "x", Data: new Uint8Array([2]) }] }));
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName }));
    assert.equal(Shards.length, 3);
    assert.equal(Shards[1].ParentShardId, "shardId-000000000000");
    const parent = await readAll(kinesis, StreamName, "shardId-000000000000");
    assert.equal(parent.records.length, 1);
    assert.deepEqual(parent.children.map((c) => c.ShardId), ["shardId-000000000001", "shardId-000000000002"]);
    let total = 0;
    for (const s of Shards) total += (await readAll(kinesis, StreamName, s.ShardId)).records.length;
    assert.equal(total, 2);
  });

  await t.test("errors carry Kinesis's names", async () => {
    await assert.rejects(kinesis.send(new DescribeStreamSummaryCommand({ StreamName: unique("missing") })), { name: "ResourceNotFoundException" });
    await assert.rejects(kinesis.send(new GetRecordsCommand({ ShardIterator: "bm90LWFuLWl0ZXJhdG9y" })), { name: "InvalidArgumentException" });
  });
});

// Ferry's RESP face through node-redis (the `redis` package), over RESP2 and RESP3: its connection handshake,
// pub/sub with channels and patterns, Redis Streams with a consumer group (XREADGROUP with BLOCK, XACK, XPENDING,
// XAUTOCLAIM, XINFO) as the client's reply transformers read them, and transactions (multi(), WATCH).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createClient } from "redis";

const port = process.env.FERRY_REDIS_PORT ? Number(process.env.FERRY_REDIS_PORT) : undefined;
const options = port ? {} : { skip: "FERRY_REDIS_PORT is not set" };
const key = (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`;

async function connect(t, resp) {
  const client = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false }, RESP: resp });
  client.on("error", () => {});
  await client.connect();
  t.after(() => client.destroy());
  return client;
}

for (const resp of [2, 3]) {
  describe(`node-redis against Ferry, RESP${resp}`, options, () => {
    test("the handshake, PING, ECHO and errors in Redis's words", async (t) => {
      const r = await connect(t, resp);
      assert.equal(await r.ping(), "PONG");
      assert.equal(await r.echo("hi"), "hi");
      await assert.rejects(r.xAdd(key("s"), "0-0", { a: "b" }), /ERR The ID specified in XADD must be greater than 0-0/);
      await assert.rejects(r.sendCommand(["NOSUCH", "x"]), /ERR unknown command 'NOSUCH', with args beginning with: 'x'/);
      const info = await r.clientInfo();
      assert.equal(typeof info.id, "number");
      assert.equal(info.resp, resp);
    });

    test("pub/sub with channels and patterns on a duplicate connection", async (t) => {
      const pub = await connect(t, resp);
      const sub = pub.duplicate();
      sub.on("error", () => {});
      await sub.connect();
      t.after(() => sub.destroy());
      const channel = key("news");
      const got = [];
      let done;
      const both = new Promise((resolve) => { done = resolve; });
      const record = (entry) => { got.push(entry); if (got.length === 2) done(); };
      await sub.subscribe(channel, (message, ch) => record(["message", ch, message]));
      await sub.pSubscribe(`${channel}.*`, (message, ch) => record(["pmessage", ch, message]));
      assert.equal(await pub.publish(channel, "plain"), 1);
      assert.equal(await pub.publish(`${channel}.tech`, "patterned"), 1);
      await both;
      assert.deepEqual(got, [["message", channel, "plain"], ["pmessage", `${channel}.tech`, "patterned"]]);
      assert.deepEqual(await pub.pubSubNumSub(channel), { [channel]: 1 });
      assert.equal(await pub.pubSubNumPat(), 1);
      await sub.unsubscribe(channel);
      await sub.pUnsubscribe(`${channel}.*`);
      assert.deepEqual(await pub.pubSubNumSub(channel), { [channel]: 0 });
    });

    test("a consumer group: a blocked XREADGROUP woken by XADD, XACK, XPENDING, XAUTOCLAIM and XINFO", async (t) => {
      const r = await connect(t, resp);
      const blocked = r.duplicate();
      blocked.on("error", () => {});
      await blocked.connect();
      t.after(() => blocked.destroy());
      const stream = key("orders");
      assert.equal(await r.xGroupCreate(stream, "workers", "$", { MKSTREAM: true }), "OK");

      const waiting = blocked.xReadGroup("workers", "alice", { key: stream, id: ">" }, { BLOCK: 5000, COUNT: 10 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const first = await r.xAdd(stream, "*", { n: "0" });
      const woken = await waiting;
      assert.equal(woken.length, 1);
      assert.equal(woken[0].name, stream);
      assert.deepEqual(woken[0].messages, [{ id: first, message: { n: "0" } }]);

      const ids = [first];
      for (let i = 1; i < 5; i++) {
        ids.push(await r.xAdd(stream, "*", { n: String(i) }));
      }
      const bob = await r.xReadGroup("workers", "bob", { key: stream, id: ">" }, { COUNT: 2 });
      assert.deepEqual(bob[0].messages.map((m) => m.id), ids.slice(1, 3));
      assert.equal(await r.xAck(stream, "workers", ids[1]), 1);

      const summary = await r.xPending(stream, "workers");
      assert.equal(summary.pending, 2);
      assert.equal(summary.firstId, ids[0]);
      assert.equal(summary.lastId, ids[2]);
      assert.deepEqual(summary.consumers.map((c) => [c.name, Number(c.deliveriesCounter)]).sort(), [["alice", 1], ["bob", 1]]);
      const range = await r.xPendingRange(stream, "workers", "-", "+", 10);
      assert.deepEqual(range.map((p) => [p.id, p.consumer, p.deliveriesCounter]), [[ids[0], "alice", 1], [ids[2], "bob", 1]]);

      const claimed = await r.xAutoClaim(stream, "workers", "carol", 0, "0-0", { COUNT: 10 });
      assert.equal(claimed.nextId, "0-0");
      assert.deepEqual(claimed.messages.map((m) => [m.id, m.message.n]), [[ids[0], "0"], [ids[2], "2"]]);
      assert.deepEqual(claimed.deletedMessages, []);
      const afterClaim = await r.xPendingRange(stream, "workers", "-", "+", 10);
      assert.deepEqual(afterClaim.map((p) => [p.consumer, p.deliveriesCounter]), [["carol", 2], ["carol", 2]]);

      const info = await r.xInfoStream(stream);
      assert.equal(info.length, 5);
      assert.equal(info.groups, 1);
      assert.equal(info["last-generated-id"], ids[4]);
      assert.deepEqual(info["first-entry"], { id: ids[0], message: { n: "0" } });
      assert.deepEqual(info["last-entry"], { id: ids[4], message: { n: "4" } });
      const groups = await r.xInfoGroups(stream);
      assert.equal(groups.length, 1);
      assert.equal(groups[0].name, "workers");
      assert.equal(groups[0].consumers, 3);
      assert.equal(groups[0].pending, 2);
      assert.equal(groups[0]["last-delivered-id"], ids[2]);
      const consumers = await r.xInfoConsumers(stream, "workers");
      assert.deepEqual(consumers.map((c) => [c.name, c.pending]).sort(), [["alice", 0], ["bob", 0], ["carol", 2]]);
    });

    test("MULTI/EXEC through multi(), and WATCH failing the transaction once the key changed", async (t) => {
      const r = await connect(t, resp);
      const other = await connect(t, resp);
      const orders = key("orders");
      const replies = await r.multi()
        .xAdd(orders, "1-1", { n: "1" })
        .xAdd(orders, "2-1", { n: "2" })
        .xLen(orders)
        .xRange(orders, "-", "+", { COUNT: 1 })
        .exec();
      assert.deepEqual(replies, ["1-1", "2-1", 2, [{ id: "1-1", message: { n: "1" } }]]);

      await r.watch(orders);
      await other.xAdd(orders, "3-1", { n: "3" });
      await assert.rejects(r.multi().xAdd(orders, "4-1", { n: "4" }).exec(), (e) => e.constructor.name === "WatchError");
      assert.equal(await r.xLen(orders), 3);

      await r.watch(orders);
      assert.deepEqual(await r.multi().xAdd(orders, "4-1", { n: "4" }).exec(), ["4-1"]);
      assert.equal(await r.xLen(orders), 4);
    });

    test("stream reads, trims and deletes, and SCAN by type", async (t) => {
      const r = await connect(t, resp);
      const stream = key("log");
      const ids = [];
      for (let i = 0; i < 6; i++) {
        ids.push(await r.xAdd(stream, `${1000 + i}-0`, { i: String(i) }));
      }
      assert.deepEqual(ids, ["1000-0", "1001-0", "1002-0", "1003-0", "1004-0", "1005-0"]);
      assert.deepEqual((await r.xRange(stream, "(1001-0", "1003")).map((m) => m.id), ["1002-0", "1003-0"]);
      assert.deepEqual((await r.xRevRange(stream, "+", "-", { COUNT: 2 })).map((m) => m.message.i), ["5", "4"]);
      assert.equal(await r.xDel(stream, ["1000-0", "9999-0"]), 1);
      assert.equal(await r.xTrim(stream, "MAXLEN", 3), 2);
      assert.equal(await r.xLen(stream), 3);
      const read = await r.xRead([{ key: stream, id: "1003-0" }], { COUNT: 1 });
      assert.deepEqual(read[0].messages, [{ id: "1004-0", message: { i: "4" } }]);
      assert.equal(await r.type(stream), "stream");
      const found = [];
      for await (const keys of r.scanIterator({ MATCH: `${stream}*`, TYPE: "stream", COUNT: 100 })) {
        found.push(...keys);
      }
      assert.deepEqual(found, [stream]);
      assert.equal(await r.del(stream), 1);
      assert.equal(await r.exists(stream), 0);
    });

    test("key expiry on a stream: EXPIRE with conditions, TTL, PERSIST, and the key gone on time", async (t) => {
      const r = await connect(t, resp);
      const stream = key("session");
      await r.xAdd(stream, "*", { event: "login" });
      assert.equal(await r.ttl(stream), -1);
      assert.equal(await r.expire(stream, 3600, "NX"), 1);
      assert.equal(await r.expire(stream, 60, "GT"), 0);
      assert.equal(await r.ttl(stream), 3600);
      assert.equal(await r.expireAt(stream, 4102444800), 1);
      assert.equal(await r.expireTime(stream), 4102444800);
      assert.equal(await r.persist(stream), 1);
      assert.equal(await r.pTTL(stream), -1);
      assert.equal(await r.pExpire(stream, 50), 1);
      const deadline = Date.now() + 10000;
      while (await r.exists(stream)) {
        assert.ok(Date.now() < deadline, "the key did not expire");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(await r.ttl(stream), -2);
      assert.equal(await r.xLen(stream), 0);
    });
  });
}

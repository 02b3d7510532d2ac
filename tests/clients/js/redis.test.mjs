// Ferry's RESP face through ioredis: pub/sub with patterns, a consumer group with two consumers, and a SIGKILL of a
// Ferry child process between XREADGROUP and XACK, after which XAUTOCLAIM recovers the pending entries.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import Redis from "ioredis";

const port = process.env.FERRY_REDIS_PORT ? Number(process.env.FERRY_REDIS_PORT) : undefined;
const options = port ? {} : { skip: "FERRY_REDIS_PORT is not set" };
const key = (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`;

function connect(p = port) {
  return new Redis({ host: "127.0.0.1", port: p, maxRetriesPerRequest: 1, lazyConnect: false });
}

describe("ioredis against Ferry", options, () => {
  test("PING, ECHO and errors in Redis's words", async (t) => {
    const r = connect();
    t.after(() => r.disconnect());
    assert.equal(await r.ping(), "PONG");
    assert.equal(await r.echo("hi"), "hi");
    await assert.rejects(r.xadd(key("s"), "0-0", "a", "b"), /ERR The ID specified in XADD must be greater than 0-0/);
    await assert.rejects(r.call("nosuch", "x"), /ERR unknown command 'nosuch', with args beginning with: 'x'/);
  });

  test("pub/sub with channels and patterns", async (t) => {
    const sub = connect();
    const pub = connect();
    t.after(() => { sub.disconnect(); pub.disconnect(); });
    const channel = key("news");
    const got = [];
    const done = new Promise((resolve) => {
      sub.on("message", (ch, message) => { got.push(["message", ch, message]); if (got.length === 2) resolve(); });
      sub.on("pmessage", (pattern, ch, message) => { got.push(["pmessage", pattern, ch, message]); if (got.length === 2) resolve(); });
    });
    await sub.subscribe(channel);
    await sub.psubscribe(`${channel}.*`);
    assert.equal(await pub.publish(channel, "plain"), 1);
    assert.equal(await pub.publish(`${channel}.tech`, "patterned"), 1);
    await done;
    assert.deepEqual(got, [["message", channel, "plain"], ["pmessage", `${channel}.*`, `${channel}.tech`, "patterned"]]);
    assert.deepEqual(await pub.pubsub("NUMSUB", channel), [channel, 1]);
  });

  test("a consumer group with two consumers shares the entries and acknowledges them", async (t) => {
    const r = connect();
    t.after(() => r.disconnect());
    const stream = key("orders");
    await r.xgroup("CREATE", stream, "workers", "$", "MKSTREAM");
    for (let i = 0; i < 6; i++) {
      await r.xadd(stream, "*", "n", String(i));
    }
    const a = await r.xreadgroup("GROUP", "workers", "alice", "COUNT", 3, "STREAMS", stream, ">");
    const b = await r.xreadgroup("GROUP", "workers", "bob", "COUNT", 10, "STREAMS", stream, ">");
    const aIds = a[0][1].map(([id]) => id);
    const bIds = b[0][1].map(([id]) => id);
    assert.equal(aIds.length, 3);
    assert.equal(bIds.length, 3);
    assert.deepEqual(b[0][1].map(([, fields]) => fields[1]), ["3", "4", "5"]);
    const [count, , , consumers] = await r.xpending(stream, "workers");
    assert.equal(count, 6);
    assert.deepEqual(consumers, [["alice", "3"], ["bob", "3"]]);
    assert.equal(await r.xack(stream, "workers", ...aIds, ...bIds), 6);
    assert.equal((await r.xpending(stream, "workers"))[0], 0);
    const blocked = r.duplicate();
    t.after(() => blocked.disconnect());
    const waiting = blocked.xreadgroup("GROUP", "workers", "alice", "BLOCK", 5000, "STREAMS", stream, ">");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const id = await r.xadd(stream, "*", "late", "1");
    const woke = await waiting;
    assert.equal(woke[0][1][0][0], id);
  });

  test("a SIGKILL between XREADGROUP and XACK loses nothing: XAUTOCLAIM recovers the pending entries", { skip: process.env.FERRY_SERVER_DLL ? false : "FERRY_SERVER_DLL is not set" }, async (t) => {
    const data = mkdtempSync(join(tmpdir(), "ferry-redis-crash-"));
    t.after(() => rmSync(data, { recursive: true, force: true }));
    const start = async () => {
      const child = spawn("dotnet", [process.env.FERRY_SERVER_DLL, "--port", "0", "--redis-port", "0", "--data", data, "--durability", "fsync"], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      const redisPort = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Ferry did not start: ${out}`)), 60000);
        child.stdout.on("data", (chunk) => {
          out += chunk;
          const m = /redis:\/\/127\.0\.0\.1:(\d+)/.exec(out);
          if (m) { clearTimeout(timer); resolve(Number(m[1])); }
        });
        child.on("exit", (code) => reject(new Error(`Ferry exited with ${code}: ${out}`)));
      });
      return { child, redisPort };
    };

    const first = await start();
    const r1 = connect(first.redisPort);
    await r1.xgroup("CREATE", "jobs", "g", "0", "MKSTREAM");
    const added = [];
    for (let i = 0; i < 5; i++) {
      added.push(await r1.xadd("jobs", "*", "job", String(i)));
    }
    const read = await r1.xreadgroup("GROUP", "g", "worker-1", "COUNT", 5, "STREAMS", "jobs", ">");
    assert.equal(read[0][1].length, 5);
    assert.equal(await r1.xack("jobs", "g", added[0]), 1);
    r1.disconnect();
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.on("exit", resolve));

    const second = await start();
    t.after(() => second.child.kill("SIGKILL"));
    const r2 = connect(second.redisPort);
    t.after(() => r2.disconnect());
    assert.equal(await r2.xlen("jobs"), 5);
    const [count] = await r2.xpending("jobs", "g");
    assert.equal(count, 4);
    const [next, claimed, deleted] = await r2.xautoclaim("jobs", "g", "worker-2", 0, "0-0", "COUNT", 10);
    assert.equal(next, "0-0");
    assert.deepEqual(claimed.map(([id]) => id), added.slice(1));
    assert.deepEqual(claimed.map(([, fields]) => fields[1]), ["1", "2", "3", "4"]);
    assert.deepEqual(deleted, []);
    const pending = await r2.xpending("jobs", "g", "-", "+", 10);
    assert.deepEqual(pending.map(([id, consumer, , deliveries]) => [id, consumer, deliveries]), added.slice(1).map((id) => [id, "worker-2", 2]));
    assert.equal(await r2.xack("jobs", "g", ...added.slice(1)), 4);
  });
});

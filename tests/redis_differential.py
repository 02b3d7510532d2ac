#!/usr/bin/env python3
"""Differential test of Ferry's stream commands against a real redis-server.

Runs the same random sequences of stream commands (explicit ids, two keys, two groups, three consumers) against
Ferry and against redis-server and stops at the first reply that differs, printing the last commands. Idle times,
and XINFO GROUPS's consumers, entries-read and lag (which differ between Redis 7.0 and 7.4, the version Ferry
answers as), are masked, and so are expiry times set relative to each server's clock (EXPIREAT and PEXPIREAT send
fixed times, which EXPIRETIME must answer alike); XREAD's "+" (new in 7.4) is not sent, nor "~" trims (Redis removes whole listpack nodes,
whose bounds depend on its encoding; Ferry trims in steps of 100 entries: both keep at least what was asked).

    redis-server --port 6391 --save "" --appendonly no --daemonize yes
    dotnet run --project src/Ferry.Server -- --redis-port 6390 --data /tmp/ferry-diff
    python3 tests/redis_differential.py FIRST_SEED SEEDS STEPS     # e.g. 1 2000 60

FERRY_REDIS_PORT and REDIS_PORT override the ports; RESP3=1 runs both connections in RESP3. Both servers' streams s1, s2 and s3 (a RENAME destination) are deleted before each seed.
"""
import os, random, socket, sys

class R:
    def __init__(s, port):
        s.s = socket.create_connection(("127.0.0.1", port)); s.f = s.s.makefile("rb")
    def call(s, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        s.s.sendall(out); return s.read()
    def read(s):
        line = s.f.readline()
        t, rest = line[:1], line[1:-2]
        if t == b"+": return rest.decode()
        if t == b"-": return ("ERR", rest.decode())
        if t == b":": return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0: return None
            d = s.f.read(n + 2)[:-2]; return d.decode(errors="replace")
        if t in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0: return None
            return [s.read() for _ in range(n)]
        if t == b"%":
            n = int(rest)
            return ["map"] + [s.read() for _ in range(2 * n)]
        if t == b"_": return None
        if t == b"#": return rest == b"t"
        if t in (b",", b"("): return rest.decode()
        if t == b"=":
            d = s.f.read(int(rest) + 2)[:-2]; return d[4:].decode(errors="replace")
        raise Exception("bad reply %r" % line)

def unmap(r):
    """A RESP3 map read as ["map", k, v, ...] as the flat [k, v, ...] RESP2 gives, for masking XINFO's fields."""
    if isinstance(r, list):
        if r[:1] == ["map"]:
            r = r[1:]
        return [unmap(x) for x in r]
    return r

def norm(cmd, r):
    c = cmd[0].upper()
    if c == "XINFO":
        r = unmap(r)
    if isinstance(r, tuple) and r[1].startswith("ERR Unbalanced"):
        return ("ERR", "Unbalanced (worded differently before 7.4)")
    if c in ("EXPIRETIME", "PEXPIRETIME") and isinstance(r, int) and r > 0 and r not in FIXED_EXPIRY_TIMES:
        # Set by a relative EXPIRE: each server's own clock.
        return "relative"
    if c == "RANDOMKEY" and r not in (None, "QUEUED") and not isinstance(r, tuple):
        return "a key"
    if c == "PTTL" and isinstance(r, int) and r > 0:
        return round(r / 1000)
    if c in ("KEYS",) and isinstance(r, list):
        return sorted(r)
    if c == "SCAN" and isinstance(r, list) and len(r) == 2 and isinstance(r[1], list):
        return ["cursor", sorted(r[1])]
    if c == "XPENDING" and len(cmd) > 3 and isinstance(r, list):
        return [[e[0], e[1], "idle", e[3]] if isinstance(e, list) else e for e in r]
    if c == "XINFO" and len(cmd) > 1 and cmd[1] == "STREAM" and isinstance(r, list):
        r = list(r)
        for i in range(0, len(r) - 1, 2):
            if r[i] in ("radix-tree-keys", "radix-tree-nodes", "groups"):
                r[i + 1] = "masked"
        return r
    if c == "XINFO" and isinstance(r, list):
        out = []
        for g in r:
            if isinstance(g, list):
                g = list(g)
                for i in range(0, len(g) - 1, 2):
                    if g[i] in ("entries-read", "lag", "consumers"): g[i + 1] = "masked"
            out.append(g)
        return out
    return r

# EXPIREAT / PEXPIREAT send only these times (or ones long past), so EXPIRETIME answers them alike.
FIXED_EXPIRY_TIMES = {4102444800, 4102444900, 4102444800500, 4102444801, 4102444800000, 4102444900000}

keys = ["s1", "s2"]
all_keys = keys + ["s3"]  # s3 only as RENAME's destination
groups = ["g1", "g2"]
cons = ["c1", "c2", "c3"]

def expire_options(rng, relative=False):
    # GT and LT between two relative times compare each server's clocks: only errors are sent with them.
    if relative:
        return rng.choice([[], [], ["NX"], ["XX"], ["NX", "GT"], ["GT", "LT"], ["BOGUS"]])
    return rng.choice([[], [], ["NX"], ["XX"], ["GT"], ["LT"], ["XX", "GT"], ["xx", "lt"], ["NX", "GT"], ["GT", "LT"], ["BOGUS"]])

def gen(rng, state):
    k = rng.choice(keys); g = rng.choice(groups); c = rng.choice(cons)
    def anyid():
        r = rng.random()
        if r < 0.1: return "0"
        if r < 0.2: return "-"
        if r < 0.3: return "+"
        return "%d-%d" % (rng.randint(0, state["ms"] + 2), rng.randint(0, 3))
    ch = rng.random()
    if ch < 0.25:
        state["ms"] += rng.choice([0, 1, 1, 2])
        idv = rng.choice(["%d-%d" % (state["ms"], rng.randint(0, 5)), "%d-*" % state["ms"], "%d" % state["ms"]])
        extra = []
        if rng.random() < 0.1: extra = ["NOMKSTREAM"]
        if rng.random() < 0.1: extra += ["MAXLEN", rng.choice(["=", ""]) , str(rng.randint(0, 6))]
        extra = [e for e in extra if e != ""]
        return ["XADD", k] + extra + [idv, "f", str(rng.randint(0, 99))]
    cmds = [
        lambda: ["XLEN", k],
        lambda: ["XRANGE", k, anyid(), anyid()] + (["COUNT", str(rng.randint(0, 4))] if rng.random() < 0.5 else []),
        lambda: ["XREVRANGE", k, anyid(), anyid()] + (["COUNT", str(rng.randint(0, 4))] if rng.random() < 0.5 else []),
        lambda: ["XDEL", k, anyid()],
        lambda: ["XTRIM", k, rng.choice(["MAXLEN", "MINID"]), str(rng.randint(0, 5)) if rng.random() < 0.5 else anyid()],
        lambda: ["XGROUP", "CREATE", k, g, rng.choice(["$", "0", anyid()])] + (["MKSTREAM"] if rng.random() < 0.5 else []),
        lambda: ["XGROUP", "SETID", k, g, rng.choice(["$", "0", anyid()])],
        lambda: ["XGROUP", "DESTROY", k, g],
        lambda: ["XGROUP", "DESTROY", "nokey", g],
        lambda: ["XGROUP", "DELCONSUMER", k, g, c],
        lambda: ["XREADGROUP", "GROUP", g, c] + (["COUNT", str(rng.randint(0, 3))] if rng.random() < 0.6 else []) + (["NOACK"] if rng.random() < 0.15 else []) + ["STREAMS", k, rng.choice([">", ">", "0", anyid()])],
        lambda: ["XREADGROUP", "GROUP", g, c] + ["STREAMS", k, rng.choice([">", ">", "0", anyid()])],
        lambda: ["XACK", k, g, anyid(), anyid()],
        lambda: ["XPENDING", k, g],
        lambda: ["XPENDING", k, g, "-", "+", "10"] + ([c] if rng.random() < 0.4 else []),
        lambda: ["XCLAIM", k, g, c, "0", anyid(), anyid()] + (["JUSTID"] if rng.random() < 0.3 else []) + (["FORCE"] if rng.random() < 0.2 else []) + (["RETRYCOUNT", "7"] if rng.random() < 0.1 else []),
        lambda: ["XAUTOCLAIM", k, g, c, "0", rng.choice(["0", "0-0", anyid()])] + (["COUNT", str(rng.randint(1, 4))] if rng.random() < 0.5 else []) + (["JUSTID"] if rng.random() < 0.3 else []),
        lambda: ["XINFO", "GROUPS", k],
        lambda: ["XSETID", k, anyid()],
        lambda: ["DEL", k],
        lambda: ["EXISTS", k],
        lambda: ["TYPE", k],
        lambda: ["XREAD", "COUNT", "2", "STREAMS", k, rng.choice(["0", "$", anyid().replace("+", "0")])],
        lambda: ["XREAD", "COUNT", str(rng.randint(1, 3)), "STREAMS", "s1", "s2", anyid().replace("+", "0"), anyid().replace("+", "0")],
        lambda: ["XREADGROUP", "GROUP", g, c, "COUNT", str(rng.randint(1, 3)), "STREAMS", "s1", "s2", rng.choice([">", "0"]), rng.choice([">", "0"])],
        lambda: ["XADD", k, rng.choice(["MAXLEN", "MINID"]), "=", str(rng.randint(0, 5)) if rng.random() < 0.5 else anyid().replace("+", "0").replace("-", "0"), "%d-*" % (state["ms"] + 1), "f", "x"],
        lambda: ["XTRIM", k, rng.choice(["MAXLEN", "MINID"]), "=", str(rng.randint(0, 5))],
        lambda: ["XPENDING", k, g, "IDLE", "0", "-", "+", str(rng.randint(1, 5))] + ([c] if rng.random() < 0.4 else []),
        lambda: ["XPENDING", k, g, rng.choice(["(", ""]) + anyid().replace("-", "0").replace("+", "9"), "+", "3"],
        lambda: ["XINFO", "STREAM", k],
        lambda: ["XCLAIM", k, g, c, "0", anyid(), "LASTID", anyid().replace("-", "0").replace("+", "0")],
        lambda: ["XGROUP", "CREATE", k, g, "0", "ENTRIESREAD", str(rng.randint(-1, 5))],
        lambda: ["XSETID", k, "%d-%d" % (state["ms"] + 3, 0), "ENTRIESADDED", str(rng.randint(0, 20)), "MAXDELETEDID", "%d-0" % rng.randint(0, state["ms"])],
        lambda: ["XGROUP", "SETID", k, g, rng.choice(["0", "$"]), "ENTRIESREAD", str(rng.randint(-1, 5))],
        lambda: ["EXISTS", "s1", "s2", "nokey", k],
        lambda: ["DEL", k, "nokey"],
        lambda: ["KEYS", rng.choice(["s*", "*", "s[12]", "?1", "nokey"])],
        lambda: ["SCAN", "0", "MATCH", rng.choice(["s*", "*2"]), "COUNT", "100"],
        lambda: ["DBSIZE"],
        lambda: ["PUBLISH", "chan", "msg"],
        lambda: ["PUBSUB", rng.choice(["NUMSUB", "CHANNELS", "NUMPAT", "SHARDCHANNELS", "SHARDNUMSUB"])] + (["chan"] if rng.random() < 0.5 else []),
        lambda: ["ECHO", "hi"],
        lambda: ["PING"] + (["x"] if rng.random() < 0.5 else []),
        # Transactions: MULTI ... EXEC / DISCARD, and WATCH (EXEC fails once a watched key changed).
        lambda: ["MULTI"],
        lambda: ["MULTI"],
        lambda: ["EXEC"],
        lambda: ["EXEC"],
        lambda: ["DISCARD"],
        lambda: ["WATCH", k] + ([rng.choice(keys)] if rng.random() < 0.3 else []),
        lambda: ["WATCH", k],
        lambda: ["UNWATCH"],
        lambda: ["XREAD", "BLOCK", "1", "STREAMS", k, "$"],
        # Expiry: fixed absolute times and relative ones far enough out not to pass during a seed; 0, -1 and 1 delete.
        lambda: ["EXPIREAT", k, rng.choice(["4102444800", "4102444900", "1"])] + expire_options(rng),
        lambda: ["PEXPIREAT", k, rng.choice(["4102444800500", "4102444900000", "0"])] + expire_options(rng),
        lambda: ["EXPIRE", k, rng.choice(["100000", "200000", "0", "-1"])] + expire_options(rng, relative=True),
        lambda: ["PEXPIRE", k, rng.choice(["150000000", "-5"])] + expire_options(rng, relative=True),
        lambda: [rng.choice(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]), k],
        lambda: [rng.choice(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]), k],
        lambda: ["PERSIST", k],
        lambda: [rng.choice(["RENAME", "RENAMENX"]), k, rng.choice(keys + ["s3"])],
        lambda: ["RENAME", "s3", k],
        lambda: ["TOUCH", "s1", "s2", "s3", k],
        lambda: ["RANDOMKEY"],
    ]
    cmd = rng.choice(cmds)()
    r = rng.random()
    if r < 0.05:
        # Arity and syntax errors: a command cut short, or with a stray word appended.
        cmd = cmd[:rng.randint(1, max(1, len(cmd) - 1))]
    elif r < 0.08:
        cmd = cmd + [rng.choice(["COUNT", "BOGUS", "1", "NOACK", "JUSTID"])]
    return cmd

def main():
    seed0 = int(sys.argv[1]); n = int(sys.argv[2]); steps = int(sys.argv[3])
    a = R(int(os.environ.get("FERRY_REDIS_PORT", "6390"))); b = R(int(os.environ.get("REDIS_PORT", "6391")))
    if os.environ.get("RESP3"):
        # Both connections speak RESP3 (maps, nulls and sets as RESP3 frames); HELLO's own reply differs by server.
        a.call("HELLO", "3"); b.call("HELLO", "3")
    found = 0
    for seed in range(seed0, seed0 + n):
        rng = random.Random(seed)
        for r in (a, b):
            r.call("DISCARD"); r.call("UNWATCH"); r.call("DEL", *all_keys)
        state = {"ms": 1}
        hist = []
        queued = None
        for i in range(steps):
            cmd = gen(rng, state)
            ra = a.call(*cmd); rb = b.call(*cmd)
            c = cmd[0].upper()
            if c == "EXEC" and queued is not None:
                # Each reply of the transaction is normalised as its command's own would be.
                if isinstance(ra, list): ra = [norm(q, x) for q, x in zip(queued, ra)]
                if isinstance(rb, list): rb = [norm(q, x) for q, x in zip(queued, rb)]
                queued = None
            else:
                ra = norm(cmd, ra); rb = norm(cmd, rb)
            if c == "MULTI" and rb == "OK": queued = []
            elif c == "DISCARD" and rb == "OK": queued = None
            elif queued is not None and rb == "QUEUED": queued.append(cmd)
            hist.append(cmd)
            if ra != rb:
                found += 1
                print("SEED", seed, "STEP", i)
                for h in hist[-int(os.environ.get("HISTORY", "12")):]: print("   ", " ".join(h))
                print("  ferry:", ra); print("  redis:", rb)
                break
        if found >= 5: break
    print("done", found)
main()

"""Crash test: a Ferry server killed with SIGKILL keeps every acknowledged SQS operation.

Starts its own Ferry process (the built Ferry.Server.dll, fsync durability, a temporary data directory),
fills a standard and a FIFO queue, receives and deletes part of the messages, kills the server with
SIGKILL, restarts it on the same data directory and checks what survived. Ferry only: skipped against
another server (FERRY_PEER=moto, or a FERRY_ENDPOINT that is not Ferry) and when the server is not built.

FERRY_SERVER_DLL names the server; by default src/Ferry.Server/bin/Debug/net10.0/Ferry.Server.dll.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

from sqs_env import endpoint_is_ferry, make_client

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEFAULT_DLL = os.path.join(ROOT, "src", "Ferry.Server", "bin", "Debug", "net10.0", "Ferry.Server.dll")
LISTENING = re.compile(r"Listening on (http://127\.0\.0\.1:\d+)")


class FerryProcess:
    """One Ferry server child process on a free port."""

    def __init__(self, dll, data):
        self.lines = []
        self.address = None
        self._ready = threading.Event()
        self.proc = subprocess.Popen(
            ["dotnet", dll, "--port", "0", "--redis-port", "0", "--data", data, "--durability", "fsync"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
        )
        threading.Thread(target=self._pump, daemon=True).start()
        if not self._ready.wait(60) or self.address is None:
            self.kill()
            raise AssertionError("Ferry did not start:\n" + "".join(self.lines[-20:]))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.address + "/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except Exception:
                time.sleep(0.1)
        self.kill()
        raise AssertionError("Ferry did not answer GET /health")

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            match = LISTENING.search(line)
            if match and self.address is None:
                self.address = match.group(1)
                self._ready.set()
        self._ready.set()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def _skip_reason():
    if os.environ.get("FERRY_PEER", "ferry") != "ferry":
        return f"crash test runs against Ferry only (peer: {os.environ['FERRY_PEER']})"
    url = os.environ.get("FERRY_ENDPOINT")
    if url and not endpoint_is_ferry(url.rstrip("/")):
        return "crash test runs against Ferry only (FERRY_ENDPOINT is not Ferry)"
    if not os.path.isfile(os.environ.get("FERRY_SERVER_DLL", DEFAULT_DLL)):
        return "Ferry.Server.dll is not built (dotnet build src/Ferry.Server)"
    return None


@unittest.skipIf(_skip_reason() is not None, _skip_reason() or "")
class CrashRecovery(unittest.TestCase):
    TOTAL = 200
    RECEIVED = 50
    DELETED = 20
    GROUPS = ("A", "B", "C")
    PER_GROUP = 20
    FIFO_DONE = 5  # messages of group A received and deleted before the crash

    def setUp(self):
        self.dll = os.environ.get("FERRY_SERVER_DLL", DEFAULT_DLL)
        self.data = tempfile.mkdtemp(prefix="ferry-crash-")
        self.addCleanup(shutil.rmtree, self.data, True)
        self.server = None
        self.addCleanup(lambda: self.server and self.server.stop())

    def start(self):
        self.server = FerryProcess(self.dll, self.data)
        self.sqs = make_client(self.server.address)

    def test_acknowledged_operations_survive_sigkill(self):
        self.start()
        sqs = self.sqs
        std = sqs.create_queue(QueueName="crash-standard", Attributes={"VisibilityTimeout": "2"},
                               tags={"purpose": "crash"})["QueueUrl"]
        fifo = sqs.create_queue(QueueName="crash-ordered.fifo", Attributes={
            "FifoQueue": "true", "VisibilityTimeout": "2", "DeduplicationScope": "queue"})["QueueUrl"]

        bodies = [f"m{i:03d}" for i in range(self.TOTAL)]
        for start in range(0, self.TOTAL, 10):
            result = sqs.send_message_batch(QueueUrl=std, Entries=[
                {"Id": str(i), "MessageBody": bodies[i],
                 "MessageAttributes": {"n": {"DataType": "Number", "StringValue": str(i)}}}
                for i in range(start, start + 10)])
            self.assertEqual(10, len(result["Successful"]), result.get("Failed"))

        def send_fifo(group, i):
            return {"Id": f"{group}{i}", "MessageBody": f"{group}{i:02d}", "MessageGroupId": group,
                    "MessageDeduplicationId": f"{group}-{i}"}

        # The first messages of group A go in alone and are received and deleted in order.
        sqs.send_message_batch(QueueUrl=fifo, Entries=[send_fifo("A", i) for i in range(self.FIFO_DONE)])
        done = []
        deadline = time.monotonic() + 20
        while len(done) < self.FIFO_DONE and time.monotonic() < deadline:
            for m in sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=1, WaitTimeSeconds=1).get("Messages", []):
                done.append(m["Body"])
                sqs.delete_message(QueueUrl=fifo, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual([f"A{i:02d}" for i in range(self.FIFO_DONE)], done)
        for i in range(self.PER_GROUP):
            groups = [g for g in self.GROUPS if g != "A" or i >= self.FIFO_DONE]
            result = sqs.send_message_batch(QueueUrl=fifo, Entries=[send_fifo(g, i) for g in groups])
            self.assertEqual(len(groups), len(result["Successful"]), result.get("Failed"))

        # 50 standard messages received (in flight for the queue's 2 s), 20 of them deleted at once.
        received, deleted = {}, []
        deadline = time.monotonic() + 20
        while len(received) < self.RECEIVED and time.monotonic() < deadline:
            wanted = min(10, self.RECEIVED - len(received))
            messages = sqs.receive_message(QueueUrl=std, MaxNumberOfMessages=wanted,
                                           WaitTimeSeconds=1).get("Messages", [])
            for m in messages:
                received[m["Body"]] = m["ReceiptHandle"]
            to_delete = [m for m in messages if m["Body"] not in deleted][: self.DELETED - len(deleted)]
            if to_delete:
                result = sqs.delete_message_batch(QueueUrl=std, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(to_delete)])
                self.assertEqual(len(to_delete), len(result["Successful"]), result.get("Failed"))
                deleted.extend(m["Body"] for m in to_delete)
        self.assertEqual(self.RECEIVED, len(received))
        self.assertEqual(self.DELETED, len(deleted))
        in_flight = set(received) - set(deleted)

        self.server.kill()
        self.start()
        sqs = self.sqs

        # The catalog survived.
        std = sqs.get_queue_url(QueueName="crash-standard")["QueueUrl"]
        fifo = sqs.get_queue_url(QueueName="crash-ordered.fifo")["QueueUrl"]
        self.assertEqual("2", sqs.get_queue_attributes(QueueUrl=std, AttributeNames=["VisibilityTimeout"])
                         ["Attributes"]["VisibilityTimeout"])
        fifo_attributes = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["All"])["Attributes"]
        self.assertEqual("true", fifo_attributes["FifoQueue"])
        self.assertEqual("queue", fifo_attributes["DeduplicationScope"])
        self.assertEqual({"purpose": "crash"}, sqs.list_queue_tags(QueueUrl=std).get("Tags"))

        # A deduplication id used before the crash still deduplicates after it.
        sqs.send_message(QueueUrl=fifo, MessageBody="duplicate of A00", MessageGroupId="A", MessageDeduplicationId="A-0")
        sqs.send_message(QueueUrl=fifo, MessageBody="duplicate of B03", MessageGroupId="B", MessageDeduplicationId="B-3")

        # Every undeleted standard message comes back; deleted ones never do.
        expected = set(bodies) - set(deleted)
        seen = {}
        deadline = time.monotonic() + 40
        while set(seen) != expected and time.monotonic() < deadline:
            messages = sqs.receive_message(QueueUrl=std, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                           MessageSystemAttributeNames=["ApproximateReceiveCount"],
                                           MessageAttributeNames=["All"]).get("Messages", [])
            for m in messages:
                self.assertNotIn(m["Body"], deleted, "a deleted message came back")
                self.assertEqual(str(int(m["Body"][1:])), m["MessageAttributes"]["n"]["StringValue"])
                seen[m["Body"]] = int(m["Attributes"]["ApproximateReceiveCount"])
            if messages:
                sqs.delete_message_batch(QueueUrl=std, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
        self.assertEqual(sorted(expected), sorted(seen), "undeleted messages after the restart")
        self.assertEqual(self.TOTAL - self.DELETED, len(seen))
        for body in in_flight:
            self.assertGreaterEqual(seen[body], 2, f"{body} was received before the crash")

        # FIFO order within every group holds across the restart, and the duplicates were dropped.
        got = []
        deadline = time.monotonic() + 30
        remaining = len(self.GROUPS) * self.PER_GROUP - self.FIFO_DONE
        while len(got) < remaining and time.monotonic() < deadline:
            messages = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                           MessageSystemAttributeNames=["MessageGroupId"]).get("Messages", [])
            for m in messages:
                got.append((m["Attributes"]["MessageGroupId"], m["Body"]))
                sqs.delete_message(QueueUrl=fifo, ReceiptHandle=m["ReceiptHandle"])
        for g in self.GROUPS:
            first = self.FIFO_DONE if g == "A" else 0
            self.assertEqual([f"{g}{i:02d}" for i in range(first, self.PER_GROUP)],
                             [body for group, body in got if group == g], f"group {g}")
        self.assertEqual([], sqs.receive_message(QueueUrl=fifo, WaitTimeSeconds=1).get("Messages", []),
                         "the deduplicated sends were not delivered")
        self.assertEqual(remaining, len(got))


if __name__ == "__main__":
    unittest.main()

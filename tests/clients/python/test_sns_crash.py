"""Crash test for topics: a Ferry server killed with SIGKILL delivers every acknowledged publish after it restarts.

Publishes to a topic with a queue subscription and an HTTP subscription whose endpoint fails (so its deliveries
are still owed), kills the server with SIGKILL, lets the endpoint recover, restarts Ferry on the same data
directory and checks that the queue holds every acknowledged message and that the endpoint receives every one
of them. Ferry only, like test_sqs_crash.
"""

import concurrent.futures
import json
import os
import shutil
import tempfile
import time
import unittest
import urllib.request

import boto3
from botocore.config import Config

from sqs_env import REGION, make_client
from test_sns_boto3 import Receiver
from test_sqs_crash import DEFAULT_DLL, FerryProcess, _skip_reason


@unittest.skipIf(_skip_reason() is not None, _skip_reason() or "")
class TopicCrashRecovery(unittest.TestCase):
    TOTAL = 100

    def setUp(self):
        self.dll = os.environ.get("FERRY_SERVER_DLL", DEFAULT_DLL)
        self.data = tempfile.mkdtemp(prefix="ferry-sns-crash-")
        self.addCleanup(shutil.rmtree, self.data, True)
        self.server = None
        self.addCleanup(lambda: self.server and self.server.stop())
        self.receiver = Receiver()
        self.addCleanup(self.receiver.close)

    def start(self):
        self.server = FerryProcess(self.dll, self.data)
        self.sqs = make_client(self.server.address)
        self.sns = boto3.client("sns", endpoint_url=self.server.address, region_name=REGION, aws_access_key_id="test",
                                aws_secret_access_key="test", config=Config(retries={"total_max_attempts": 1}))

    def test_acknowledged_publishes_are_delivered_after_sigkill(self):
        self.start()
        topic = self.sns.create_topic(Name="crash-topic")["TopicArn"]
        queue_url = self.sqs.create_queue(QueueName="crash-topic-queue")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})

        # The endpoint confirms, then fails every notification; retries are an hour away.
        policy = {"healthyRetryPolicy": {"minDelayTarget": 3600, "maxDelayTarget": 3600, "numRetries": 1}}
        self.sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=self.receiver.url,
                           Attributes={"DeliveryPolicy": json.dumps(policy), "RawMessageDelivery": "true"})
        _, body = self.receiver.next()
        with urllib.request.urlopen(json.loads(body)["SubscribeURL"], timeout=5):
            pass
        self.receiver.status = 500

        def publish(i):
            return self.sns.publish(TopicArn=topic, Message=f"m{i:03d}")["MessageId"]

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            acknowledged = {f"m{i:03d}" for i, _ in zip(range(self.TOTAL), pool.map(publish, range(self.TOTAL)))}
        self.assertEqual(self.TOTAL, len(acknowledged))

        self.server.kill()
        self.receiver.status = 200
        while not self.receiver.received.empty():
            self.receiver.received.get_nowait()
        self.start()

        # Every acknowledged publish is in the queue.
        in_queue = set()
        deadline = time.monotonic() + 30
        while in_queue != acknowledged and time.monotonic() < deadline:
            messages = self.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            in_queue.update(m["Body"] for m in messages)
            if messages:
                self.sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
        self.assertEqual(sorted(acknowledged), sorted(in_queue))

        # The endpoint gets every owed delivery once Ferry is back.
        pushed = set()
        deadline = time.monotonic() + 30
        while not acknowledged <= pushed and time.monotonic() < deadline:
            try:
                _, body = self.receiver.next(timeout=1)
                pushed.add(body)
            except Exception:
                pass
        self.assertEqual(set(), acknowledged - pushed, f"owed HTTP deliveries lost in the crash ({len(acknowledged - pushed)} of {len(acknowledged)})")


if __name__ == "__main__":
    unittest.main()

"""Shared set-up for the SQS client-compatibility suites: the endpoint, a boto3 client, queue helpers.

The endpoint comes from FERRY_ENDPOINT (e.g. http://127.0.0.1:4566). Tests that exercise Ferry's own
extensions are decorated with @ferry_only and skipped when the endpoint is not Ferry, which is recognised
by GET /health answering {"status": "ok", ...}.
"""

import functools
import json
import os
import time
import unittest
import urllib.request
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"


def endpoint():
    value = os.environ.get("FERRY_ENDPOINT")
    if not value:
        raise unittest.SkipTest("FERRY_ENDPOINT is not set")
    return value.rstrip("/")


@functools.lru_cache(maxsize=None)
def endpoint_is_ferry(url):
    try:
        with urllib.request.urlopen(url + "/health", timeout=3) as response:
            body = json.loads(response.read().decode("utf-8"))
        return isinstance(body, dict) and body.get("status") == "ok"
    except Exception:
        return False


def ferry_only(test):
    """Skips the test unless the endpoint is a Ferry server."""

    @functools.wraps(test)
    def wrapper(self, *args, **kwargs):
        if not endpoint_is_ferry(endpoint()):
            self.skipTest("Ferry extension: the endpoint is not Ferry")
        return test(self, *args, **kwargs)

    return wrapper


def make_client(url=None, validate=True):
    return boto3.client(
        "sqs",
        endpoint_url=url or endpoint(),
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(
            retries={"total_max_attempts": 1},
            parameter_validation=validate,
            read_timeout=30,
            connect_timeout=5,
        ),
    )


def unique(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def error_code(exc):
    return exc.response.get("Error", {}).get("Code")


class SqsTestCase(unittest.TestCase):
    """A test case with a client and queues that are deleted after the test."""

    def setUp(self):
        self.url = endpoint()
        self.sqs = make_client(self.url)

    def new_queue(self, name=None, attributes=None, tags=None, fifo=False):
        name = name or unique("q")
        if fifo and not name.endswith(".fifo"):
            name += ".fifo"
        attributes = dict(attributes or {})
        if fifo:
            attributes.setdefault("FifoQueue", "true")
        kwargs = {"QueueName": name, "Attributes": attributes}
        if tags:
            kwargs["tags"] = tags
        queue_url = self.sqs.create_queue(**kwargs)["QueueUrl"]
        self.addCleanup(self._delete_quietly, queue_url)
        return queue_url

    def _delete_quietly(self, queue_url):
        try:
            self.sqs.delete_queue(QueueUrl=queue_url)
        except ClientError:
            pass

    def attrs(self, queue_url, *names):
        names = list(names) or ["All"]
        return self.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names).get("Attributes", {})

    def arn(self, queue_url):
        return self.attrs(queue_url, "QueueArn")["QueueArn"]

    def receive(self, queue_url, **kwargs):
        return self.sqs.receive_message(QueueUrl=queue_url, **kwargs).get("Messages", [])

    def receive_all(self, queue_url, count, timeout=10.0, delete=False, **kwargs):
        """Receives until `count` messages arrived or `timeout` passed; returns them in arrival order."""
        kwargs.setdefault("MaxNumberOfMessages", 10)
        kwargs.setdefault("WaitTimeSeconds", 1)
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            batch = self.receive(queue_url, **kwargs)
            got.extend(batch)
            if delete:
                for message in batch:
                    self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return got

    def assertClientError(self, code, call, *args, exception=None, status=None, **kwargs):
        """Asserts that the call fails with Error.Code `code` (and the modeled exception, if given)."""
        with self.assertRaises(ClientError) as caught:
            call(*args, **kwargs)
        err = caught.exception
        self.assertEqual(code, error_code(err), f"Error: {err.response.get('Error')}")
        if exception is not None:
            self.assertIsInstance(err, exception)
        if status is not None:
            self.assertEqual(status, err.response["ResponseMetadata"]["HTTPStatusCode"])
        return err

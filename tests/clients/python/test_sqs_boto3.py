"""SQS through boto3 (AWS JSON 1.0 protocol), end to end, asserting what real Amazon SQS does.

botocore checks MD5OfMessageBody and MD5OfMessageAttributes of SendMessage, SendMessageBatch and
ReceiveMessage itself, so a wrong digest fails the call. Error codes are what botocore reports as
Error.Code: with the JSON protocol SQS sends the Query-era code in the x-amzn-query-error header
(e.g. AWS.SimpleQueueService.NonExistentQueue) and botocore raises the modeled exception by its shape
name (QueueDoesNotExist).
"""

import datetime
import hashlib
import json
import re
import threading
import time
import unittest

from sqs_env import SqsTestCase, error_code, ferry_only, make_client, unique
from botocore.exceptions import ClientError

ARN_RE = r"arn:aws:sqs:us-east-1:\d{12}:"


class QueueLifecycle(SqsTestCase):
    def test_create_standard_queue_with_attributes_and_tags(self):
        name = unique("std")
        before = time.time()
        url = self.new_queue(
            name,
            {
                "VisibilityTimeout": "45",
                "MaximumMessageSize": "2048",
                "MessageRetentionPeriod": "3600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "2",
            },
            tags={"team": "ferry", "env": "test"},
        )
        self.assertTrue(url.endswith("/" + name), url)
        a = self.attrs(url)
        self.assertEqual("45", a["VisibilityTimeout"])
        self.assertEqual("2048", a["MaximumMessageSize"])
        self.assertEqual("3600", a["MessageRetentionPeriod"])
        self.assertEqual("0", a["DelaySeconds"])
        self.assertEqual("2", a["ReceiveMessageWaitTimeSeconds"])
        self.assertRegex(a["QueueArn"], "^" + ARN_RE + re.escape(name) + "$")
        for counter in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                        "ApproximateNumberOfMessagesDelayed"):
            self.assertEqual("0", a[counter], counter)
        self.assertNotIn("FifoQueue", a, "a standard queue does not report FifoQueue")
        self.assertEqual({"team": "ferry", "env": "test"}, self.sqs.list_queue_tags(QueueUrl=url)["Tags"])
        created = float(a["CreatedTimestamp"])
        modified = float(a["LastModifiedTimestamp"])
        self.assertLessEqual(abs(created - before), 5, "CreatedTimestamp is in epoch seconds")
        self.assertGreaterEqual(modified, created)
        self.assertRegex(a["CreatedTimestamp"], r"^\d+$", "whole seconds")
        self.assertRegex(a["LastModifiedTimestamp"], r"^\d+$", "whole seconds")

    def test_create_fifo_queue_with_fifo_attributes(self):
        url = self.new_queue(
            unique("fifo"),
            {
                "ContentBasedDeduplication": "true",
                "DeduplicationScope": "messageGroup",
                "FifoThroughputLimit": "perMessageGroupId",
                "VisibilityTimeout": "10",
            },
            fifo=True,
        )
        self.assertTrue(url.endswith(".fifo"))
        a = self.attrs(url)
        self.assertEqual("true", a["FifoQueue"])
        self.assertEqual("true", a["ContentBasedDeduplication"])
        self.assertEqual("messageGroup", a["DeduplicationScope"])
        self.assertEqual("perMessageGroupId", a["FifoThroughputLimit"])
        self.assertEqual("10", a["VisibilityTimeout"])

    def test_fifo_defaults(self):
        a = self.attrs(self.new_queue(fifo=True))
        self.assertEqual("true", a["FifoQueue"])
        self.assertEqual("false", a["ContentBasedDeduplication"])
        self.assertEqual("queue", a["DeduplicationScope"])
        self.assertEqual("perQueue", a["FifoThroughputLimit"])

    def test_standard_defaults(self):
        a = self.attrs(self.new_queue())
        self.assertEqual("30", a["VisibilityTimeout"])
        self.assertEqual("345600", a["MessageRetentionPeriod"])
        self.assertEqual("0", a["DelaySeconds"])
        self.assertEqual("0", a["ReceiveMessageWaitTimeSeconds"])

    def test_create_is_idempotent_with_same_attributes_and_fails_with_different(self):
        name = unique("idem")
        url = self.new_queue(name, {"VisibilityTimeout": "20"})
        again = self.sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "20"})["QueueUrl"]
        self.assertEqual(url, again)
        self.assertClientError(
            "QueueAlreadyExists", self.sqs.create_queue,
            QueueName=name, Attributes={"VisibilityTimeout": "21"},
            exception=self.sqs.exceptions.QueueNameExists, status=400,
        )

    def test_queue_name_rules(self):
        ok = "a" * 80
        url = self.new_queue(ok)
        self.assertTrue(url.endswith("/" + ok))
        ok_fifo = "b" * 75 + ".fifo"
        self.assertTrue(self.new_queue(ok_fifo, fifo=True).endswith("/" + ok_fifo))
        for bad, attributes in [
            ("a" * 81, {}),
            ("c" * 76 + ".fifo", {"FifoQueue": "true"}),
            ("has space", {}),
            ("dot.name", {}),
            ("slash/name", {}),
            (unique("std") + ".fifo", {}),                 # .fifo suffix on a standard queue
            (unique("nofifo"), {"FifoQueue": "true"}),     # FIFO queue without the suffix
        ]:
            with self.subTest(name=bad):
                with self.assertRaises(ClientError) as caught:
                    self.sqs.create_queue(QueueName=bad, Attributes=attributes)
                self.assertEqual("InvalidParameterValue", error_code(caught.exception))
                self.assertEqual(400, caught.exception.response["ResponseMetadata"]["HTTPStatusCode"])

    def test_get_queue_url_and_nonexistent_queue(self):
        name = unique("url")
        url = self.new_queue(name)
        self.assertEqual(url, self.sqs.get_queue_url(QueueName=name)["QueueUrl"])
        missing = unique("missing")
        self.assertClientError(
            "AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url, QueueName=missing,
            exception=self.sqs.exceptions.QueueDoesNotExist, status=400,
        )
        missing_url = url[: url.rindex("/") + 1] + missing
        for call, kwargs in [
            (self.sqs.send_message, {"MessageBody": "x"}),
            (self.sqs.receive_message, {}),
            (self.sqs.get_queue_attributes, {"AttributeNames": ["All"]}),
            (self.sqs.purge_queue, {}),
            (self.sqs.delete_queue, {}),
        ]:
            with self.subTest(operation=call.__name__):
                self.assertClientError(
                    "AWS.SimpleQueueService.NonExistentQueue", call, QueueUrl=missing_url, **kwargs,
                    exception=self.sqs.exceptions.QueueDoesNotExist,
                )

    def test_delete_queue(self):
        name = unique("del")
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.sqs.delete_queue(QueueUrl=url)
        self.assertClientError(
            "AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url, QueueName=name,
            exception=self.sqs.exceptions.QueueDoesNotExist,
        )

    def test_list_queues_with_prefix_and_pagination(self):
        prefix = unique("list")
        urls = {self.new_queue(f"{prefix}-{i}") for i in range(5)}
        self.new_queue(unique("other"))
        listed = self.sqs.list_queues(QueueNamePrefix=prefix)
        self.assertEqual(urls, set(listed["QueueUrls"]))
        self.assertNotIn("NextToken", listed)

        seen, token, pages = [], None, 0
        while True:
            kwargs = {"QueueNamePrefix": prefix, "MaxResults": 2}
            if token:
                kwargs["NextToken"] = token
            page = self.sqs.list_queues(**kwargs)
            pages += 1
            self.assertLessEqual(len(page.get("QueueUrls", [])), 2)
            seen.extend(page.get("QueueUrls", []))
            token = page.get("NextToken")
            if not token:
                break
            self.assertLess(pages, 10, "pagination does not end")
        self.assertEqual(3, pages)
        self.assertEqual(sorted(urls), sorted(seen))

        self.assertNotIn("QueueUrls", self.sqs.list_queues(QueueNamePrefix=unique("none")))


class QueueAttributes(SqsTestCase):
    def test_set_and_get_attributes(self):
        url = self.new_queue()
        created = self.attrs(url)
        policy = {
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AllowSend",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "sqs:SendMessage",
                "Resource": created["QueueArn"],
            }],
        }
        time.sleep(1.1)
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "VisibilityTimeout": "5",
            "MaximumMessageSize": "1024",
            "MessageRetentionPeriod": "60",
            "DelaySeconds": "3",
            "ReceiveMessageWaitTimeSeconds": "20",
            "Policy": json.dumps(policy),
        })
        a = self.attrs(url)
        self.assertEqual("5", a["VisibilityTimeout"])
        self.assertEqual("1024", a["MaximumMessageSize"])
        self.assertEqual("60", a["MessageRetentionPeriod"])
        self.assertEqual("3", a["DelaySeconds"])
        self.assertEqual("20", a["ReceiveMessageWaitTimeSeconds"])
        self.assertEqual(policy, json.loads(a["Policy"]))
        self.assertEqual(created["CreatedTimestamp"], a["CreatedTimestamp"])
        self.assertGreater(float(a["LastModifiedTimestamp"]), float(created["LastModifiedTimestamp"]))

        picked = self.attrs(url, "VisibilityTimeout", "DelaySeconds")
        self.assertEqual({"VisibilityTimeout": "5", "DelaySeconds": "3"}, picked)

    def test_invalid_attribute_values(self):
        url = self.new_queue()
        for name, value in [
            ("VisibilityTimeout", "43201"),
            ("VisibilityTimeout", "-1"),
            ("MaximumMessageSize", "1023"),
            ("MessageRetentionPeriod", "59"),
            ("MessageRetentionPeriod", "1209601"),
            ("DelaySeconds", "901"),
            ("ReceiveMessageWaitTimeSeconds", "21"),
            ("VisibilityTimeout", "abc"),
            ("RedrivePolicy", "not json"),
        ]:
            with self.subTest(attribute=name, value=value):
                self.assertClientError(
                    "InvalidAttributeValue", self.sqs.set_queue_attributes,
                    QueueUrl=url, Attributes={name: value},
                    exception=self.sqs.exceptions.InvalidAttributeValue, status=400,
                )
        self.assertEqual("30", self.attrs(url)["VisibilityTimeout"])
        with self.subTest("create with a bad value"):
            self.assertClientError(
                "InvalidAttributeValue", self.sqs.create_queue,
                QueueName=unique("bad"), Attributes={"DelaySeconds": "1000"},
            )

    def test_unknown_attribute_name(self):
        url = self.new_queue()
        self.assertClientError(
            "InvalidAttributeName", self.sqs.set_queue_attributes,
            QueueUrl=url, Attributes={"NoSuchAttribute": "1"},
            exception=self.sqs.exceptions.InvalidAttributeName,
        )
        self.assertClientError(
            "InvalidAttributeName", self.sqs.get_queue_attributes,
            QueueUrl=url, AttributeNames=["NoSuchAttribute"],
        )

    def test_fifo_only_attributes_on_standard_queue_are_rejected(self):
        self.assertClientError(
            "InvalidAttributeName", self.sqs.create_queue,
            QueueName=unique("std"), Attributes={"ContentBasedDeduplication": "true"},
        )

    def test_approximate_counters(self):
        url = self.new_queue(attributes={"VisibilityTimeout": "60"})
        self.sqs.send_message(QueueUrl=url, MessageBody="now-1")
        self.sqs.send_message(QueueUrl=url, MessageBody="now-2")
        self.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
        a = self.attrs(url)
        self.assertEqual("2", a["ApproximateNumberOfMessages"])
        self.assertEqual("0", a["ApproximateNumberOfMessagesNotVisible"])
        self.assertEqual("1", a["ApproximateNumberOfMessagesDelayed"])
        got = self.receive(url, MaxNumberOfMessages=1)
        self.assertEqual(1, len(got))
        a = self.attrs(url)
        self.assertEqual("1", a["ApproximateNumberOfMessages"])
        self.assertEqual("1", a["ApproximateNumberOfMessagesNotVisible"])
        self.assertEqual("1", a["ApproximateNumberOfMessagesDelayed"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        self.assertEqual("0", self.attrs(url)["ApproximateNumberOfMessagesNotVisible"])


class Messages(SqsTestCase):
    def test_send_and_receive_with_message_attributes(self):
        url = self.new_queue()
        attributes = {
            "text": {"DataType": "String", "StringValue": "héllo wörld"},
            "count": {"DataType": "Number", "StringValue": "42.5"},
            "blob": {"DataType": "Binary", "BinaryValue": bytes(range(256))},
            "kind": {"DataType": "String.label", "StringValue": "custom"},
            "size": {"DataType": "Number.int", "StringValue": "-7"},
        }
        body = "body ✓ " + "x" * 100
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
        self.assertEqual(hashlib.md5(body.encode()).hexdigest(), sent["MD5OfMessageBody"])
        self.assertIn("MD5OfMessageAttributes", sent)
        self.assertRegex(sent["MessageId"], r"^[0-9a-f-]{36}$")

        got = self.receive(url, MessageAttributeNames=["All"], WaitTimeSeconds=1)
        self.assertEqual(1, len(got))
        m = got[0]
        self.assertEqual(sent["MessageId"], m["MessageId"])
        self.assertEqual(body, m["Body"])
        self.assertEqual(sent["MD5OfMessageBody"], m["MD5OfBody"])
        self.assertEqual(sent["MD5OfMessageAttributes"], m["MD5OfMessageAttributes"])
        received = m["MessageAttributes"]
        self.assertEqual(set(attributes), set(received))
        self.assertEqual({"DataType": "String", "StringValue": "héllo wörld"}, received["text"])
        self.assertEqual({"DataType": "Number", "StringValue": "42.5"}, received["count"])
        self.assertEqual({"DataType": "Binary", "BinaryValue": bytes(range(256))}, received["blob"])
        self.assertEqual({"DataType": "String.label", "StringValue": "custom"}, received["kind"])
        self.assertEqual({"DataType": "Number.int", "StringValue": "-7"}, received["size"])

    def test_message_attribute_name_filters(self):
        url = self.new_queue(attributes={"VisibilityTimeout": "0"})
        self.sqs.send_message(QueueUrl=url, MessageBody="filters", MessageAttributes={
            "app.one": {"DataType": "String", "StringValue": "1"},
            "app.two": {"DataType": "Number", "StringValue": "2"},
            "other": {"DataType": "String", "StringValue": "3"},
        })
        cases = [
            (["All"], {"app.one", "app.two", "other"}),
            ([".*"], {"app.one", "app.two", "other"}),
            (["app.*"], {"app.one", "app.two"}),
            (["other"], {"other"}),
            (["app.one", "other"], {"app.one", "other"}),
            (["nothing"], set()),
            ([], set()),
        ]
        for names, expected in cases:
            with self.subTest(names=names):
                got = self.receive_all(url, 1, MessageAttributeNames=names)
                self.assertEqual(1, len(got))
                self.assertEqual(expected, set(got[0].get("MessageAttributes", {})))
                if not expected:
                    self.assertNotIn("MD5OfMessageAttributes", got[0])

    def test_system_attributes_on_receive(self):
        url = self.new_queue(attributes={"VisibilityTimeout": "0"})
        before_ms = int(time.time() * 1000)
        self.sqs.send_message(QueueUrl=url, MessageBody="sys")
        m = self.receive_all(url, 1, MessageSystemAttributeNames=["All"])[0]
        a = m["Attributes"]
        self.assertLessEqual(abs(int(a["SentTimestamp"]) - before_ms), 5000, "SentTimestamp is epoch ms")
        self.assertEqual("1", a["ApproximateReceiveCount"])
        self.assertGreaterEqual(int(a["ApproximateFirstReceiveTimestamp"]), int(a["SentTimestamp"]))
        self.assertTrue(a["SenderId"])
        first_receive = a["ApproximateFirstReceiveTimestamp"]

        m = self.receive_all(url, 1, AttributeNames=["SentTimestamp", "ApproximateReceiveCount"])[0]
        self.assertEqual({"SentTimestamp", "ApproximateReceiveCount"}, set(m["Attributes"]))
        self.assertEqual("2", m["Attributes"]["ApproximateReceiveCount"])

        m = self.receive_all(url, 1, MessageSystemAttributeNames=["ApproximateFirstReceiveTimestamp"])[0]
        self.assertEqual({"ApproximateFirstReceiveTimestamp": first_receive}, m["Attributes"])

        m = self.receive_all(url, 1)[0]
        self.assertNotIn("Attributes", m)

    def test_receive_limits(self):
        url = self.new_queue()
        for bad in (0, 11):
            with self.subTest(MaxNumberOfMessages=bad):
                self.assertClientError("InvalidParameterValue", self.receive, url, MaxNumberOfMessages=bad)
        with self.subTest(WaitTimeSeconds=21):
            self.assertClientError("InvalidParameterValue", self.receive, url, WaitTimeSeconds=21)

    def test_visibility_timeout_expiry_redelivers_with_new_receipt_handle(self):
        url = self.new_queue(attributes={"VisibilityTimeout": "1"})
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="again")
        first = self.receive(url, MessageSystemAttributeNames=["ApproximateReceiveCount"])
        self.assertEqual(1, len(first))
        self.assertEqual([], self.receive(url), "invisible while in flight")
        time.sleep(1.3)
        second = self.receive_all(url, 1, MessageSystemAttributeNames=["ApproximateReceiveCount"])
        self.assertEqual(1, len(second))
        self.assertEqual(sent["MessageId"], second[0]["MessageId"])
        self.assertNotEqual(first[0]["ReceiptHandle"], second[0]["ReceiptHandle"])
        self.assertEqual("2", second[0]["Attributes"]["ApproximateReceiveCount"])

        # The first receipt handle is stale now that the message was received again.
        self.assertClientError(
            "InvalidParameterValue", self.sqs.change_message_visibility,
            QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"], VisibilityTimeout=30,
        )
        # The current one works: visibility 0 makes the message available at once.
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second[0]["ReceiptHandle"], VisibilityTimeout=0)
        third = self.receive(url, MessageSystemAttributeNames=["ApproximateReceiveCount"], VisibilityTimeout=30)
        self.assertEqual(1, len(third))
        self.assertEqual("3", third[0]["Attributes"]["ApproximateReceiveCount"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=third[0]["ReceiptHandle"])
        self.assertEqual("0", self.attrs(url)["ApproximateNumberOfMessagesNotVisible"])

    def test_change_message_visibility_extends_and_validates(self):
        url = self.new_queue()
        self.sqs.send_message(QueueUrl=url, MessageBody="extend")
        m = self.receive(url, VisibilityTimeout=1)[0]
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=10)
        time.sleep(1.3)
        self.assertEqual([], self.receive(url))
        self.assertClientError(
            "InvalidParameterValue", self.sqs.change_message_visibility,
            QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=43201,
        )
        self.assertClientError(
            "ReceiptHandleIsInvalid", self.sqs.change_message_visibility,
            QueueUrl=url, ReceiptHandle="not-a-receipt-handle", VisibilityTimeout=10,
            exception=self.sqs.exceptions.ReceiptHandleIsInvalid,
        )

    def test_receive_visibility_timeout_override(self):
        url = self.new_queue(attributes={"VisibilityTimeout": "60"})
        self.sqs.send_message(QueueUrl=url, MessageBody="short")
        self.assertEqual(1, len(self.receive(url, VisibilityTimeout=1)))
        time.sleep(1.3)
        self.assertEqual(1, len(self.receive(url)))

    def test_delete_and_delete_batch(self):
        url = self.new_queue(attributes={"VisibilityTimeout": "30"})
        for i in range(4):
            self.sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
        got = self.receive_all(url, 4)
        self.assertEqual(4, len(got))
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        result = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "ReceiptHandle": got[1]["ReceiptHandle"]},
            {"Id": "b", "ReceiptHandle": got[2]["ReceiptHandle"]},
            {"Id": "bad", "ReceiptHandle": "garbage"},
        ])
        self.assertEqual({"a", "b"}, {e["Id"] for e in result.get("Successful", [])})
        failed = result.get("Failed", [])
        self.assertEqual(1, len(failed))
        self.assertEqual("bad", failed[0]["Id"])
        self.assertEqual("ReceiptHandleIsInvalid", failed[0]["Code"])
        self.assertTrue(failed[0]["SenderFault"])
        a = self.attrs(url)
        self.assertEqual("1", a["ApproximateNumberOfMessagesNotVisible"])
        self.assertEqual("0", a["ApproximateNumberOfMessages"])
        self.assertClientError(
            "ReceiptHandleIsInvalid", self.sqs.delete_message, QueueUrl=url, ReceiptHandle="garbage",
            exception=self.sqs.exceptions.ReceiptHandleIsInvalid,
        )
        # Deleting an already deleted message with its last receipt handle succeeds.
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])

    def test_change_message_visibility_batch(self):
        url = self.new_queue(attributes={"VisibilityTimeout": "30"})
        self.sqs.send_message(QueueUrl=url, MessageBody="one")
        self.sqs.send_message(QueueUrl=url, MessageBody="two")
        got = self.receive_all(url, 2)
        result = self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "1", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "2", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "3", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
        ])
        self.assertEqual({"1", "2"}, {e["Id"] for e in result["Successful"]})
        self.assertEqual(["3"], [e["Id"] for e in result["Failed"]])
        self.assertEqual("ReceiptHandleIsInvalid", result["Failed"][0]["Code"])
        self.assertEqual(2, len(self.receive_all(url, 2)))

    def test_send_batch_with_partial_failure(self):
        url = self.new_queue(attributes={"MaximumMessageSize": "1024"})
        result = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "ok1", "MessageBody": "first",
             "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "1"}}},
            {"Id": "too_big", "MessageBody": "x" * 1025},
            {"Id": "ok2", "MessageBody": "second", "DelaySeconds": 0},
        ])
        successful = {e["Id"]: e for e in result.get("Successful", [])}
        failed = {e["Id"]: e for e in result.get("Failed", [])}
        self.assertEqual({"ok1", "ok2"}, set(successful))
        self.assertEqual({"too_big"}, set(failed))
        for entry in failed.values():
            self.assertTrue(entry["SenderFault"])
            self.assertEqual("InvalidParameterValue", entry["Code"])
            self.assertTrue(entry.get("Message"))
        self.assertEqual(hashlib.md5(b"first").hexdigest(), successful["ok1"]["MD5OfMessageBody"])
        self.assertIn("MD5OfMessageAttributes", successful["ok1"])
        bodies = sorted(m["Body"] for m in self.receive_all(url, 2, delete=True))
        self.assertEqual(["first", "second"], bodies)

    def test_send_single_message_too_large(self):
        url = self.new_queue(attributes={"MaximumMessageSize": "1024"})
        self.assertClientError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x" * 1025)
        self.sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)

    def test_batch_request_errors(self):
        url = self.new_queue()
        loose = make_client(self.url, validate=False)
        ten_plus_one = [{"Id": f"e{i}", "MessageBody": "b"} for i in range(11)]
        cases = [
            ("AWS.SimpleQueueService.EmptyBatchRequest", loose.send_message_batch, [],
             loose.exceptions.EmptyBatchRequest),
            ("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", loose.send_message_batch, ten_plus_one,
             loose.exceptions.TooManyEntriesInBatchRequest),
            ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", loose.send_message_batch,
             [{"Id": "same", "MessageBody": "1"}, {"Id": "same", "MessageBody": "2"}],
             loose.exceptions.BatchEntryIdsNotDistinct),
            ("AWS.SimpleQueueService.InvalidBatchEntryId", loose.send_message_batch,
             [{"Id": "not valid!", "MessageBody": "1"}], loose.exceptions.InvalidBatchEntryId),
            ("AWS.SimpleQueueService.EmptyBatchRequest", loose.delete_message_batch, [],
             loose.exceptions.EmptyBatchRequest),
            ("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", loose.delete_message_batch,
             [{"Id": f"e{i}", "ReceiptHandle": f"r{i}"} for i in range(11)],
             loose.exceptions.TooManyEntriesInBatchRequest),
            ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", loose.delete_message_batch,
             [{"Id": "d", "ReceiptHandle": "r1"}, {"Id": "d", "ReceiptHandle": "r2"}],
             loose.exceptions.BatchEntryIdsNotDistinct),
            ("AWS.SimpleQueueService.EmptyBatchRequest", loose.change_message_visibility_batch, [],
             loose.exceptions.EmptyBatchRequest),
        ]
        for code, call, entries, exception in cases:
            with self.subTest(operation=call.__name__, code=code, entries=len(entries)):
                self.assertClientError(code, call, QueueUrl=url, Entries=entries, exception=exception, status=400)
        self.assertEqual("0", self.attrs(url)["ApproximateNumberOfMessages"], "a rejected batch sends nothing")


class Polling(SqsTestCase):
    def test_long_poll_returns_promptly_when_a_message_arrives(self):
        url = self.new_queue()
        sender = make_client(self.url)

        def send_later():
            time.sleep(0.5)
            sender.send_message(QueueUrl=url, MessageBody="wake up")

        thread = threading.Thread(target=send_later)
        started = time.monotonic()
        thread.start()
        got = self.receive(url, WaitTimeSeconds=5)
        elapsed = time.monotonic() - started
        thread.join()
        self.assertEqual(["wake up"], [m["Body"] for m in got])
        self.assertGreaterEqual(elapsed, 0.4)
        self.assertLess(elapsed, 1.5, f"the long poll took {elapsed:.2f} s after a send at 0.5 s")

    def test_long_poll_waits_on_empty_queue(self):
        url = self.new_queue()
        started = time.monotonic()
        self.assertEqual([], self.receive(url, WaitTimeSeconds=2))
        self.assertGreaterEqual(time.monotonic() - started, 1.8)

    def test_queue_default_wait_time(self):
        url = self.new_queue(attributes={"ReceiveMessageWaitTimeSeconds": "1"})
        started = time.monotonic()
        self.assertEqual([], self.receive(url))
        self.assertGreaterEqual(time.monotonic() - started, 0.9)
        started = time.monotonic()
        self.assertEqual([], self.receive(url, WaitTimeSeconds=0), "WaitTimeSeconds=0 overrides the queue")
        self.assertLess(time.monotonic() - started, 0.5)

    def test_delay_queue_and_per_message_delay(self):
        url = self.new_queue(attributes={"DelaySeconds": "2"})
        self.sqs.send_message(QueueUrl=url, MessageBody="queue delay")
        self.sqs.send_message(QueueUrl=url, MessageBody="no delay", DelaySeconds=0)
        self.assertEqual(["no delay"], [m["Body"] for m in self.receive_all(url, 1, delete=True)])
        a = self.attrs(url)
        self.assertEqual("1", a["ApproximateNumberOfMessagesDelayed"])
        self.assertEqual("0", a["ApproximateNumberOfMessages"])
        self.assertEqual([], self.receive(url))
        time.sleep(2.1)
        self.assertEqual(["queue delay"], [m["Body"] for m in self.receive_all(url, 1, delete=True)])

        plain = self.new_queue()
        self.sqs.send_message(QueueUrl=plain, MessageBody="per message", DelaySeconds=1)
        self.assertEqual([], self.receive(plain))
        self.assertEqual("1", self.attrs(plain)["ApproximateNumberOfMessagesDelayed"])
        time.sleep(1.2)
        self.assertEqual(["per message"], [m["Body"] for m in self.receive_all(plain, 1)])

    def test_purge(self):
        url = self.new_queue()
        self.sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(3)])
        self.sqs.purge_queue(QueueUrl=url)
        time.sleep(0.2)
        self.assertEqual("0", self.attrs(url)["ApproximateNumberOfMessages"])
        self.assertEqual([], self.receive(url))
        self.assertClientError(
            "AWS.SimpleQueueService.PurgeQueueInProgress", self.sqs.purge_queue, QueueUrl=url,
            exception=self.sqs.exceptions.PurgeQueueInProgress, status=400,
        )


class DeadLetters(SqsTestCase):
    def _source_with_dlq(self, max_receive_count=1):
        dlq = self.new_queue(unique("dlq"))
        dlq_arn = self.arn(dlq)
        src = self.new_queue(unique("src"), {
            "VisibilityTimeout": "1",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}),
        })
        return src, dlq, dlq_arn

    def test_redrive_policy_moves_message_to_dlq(self):
        src, dlq, dlq_arn = self._source_with_dlq()
        policy = json.loads(self.attrs(src)["RedrivePolicy"])
        self.assertEqual(dlq_arn, policy["deadLetterTargetArn"])
        self.assertEqual(1, int(policy["maxReceiveCount"]))

        sent = self.sqs.send_message(QueueUrl=src, MessageBody="poison")
        self.assertEqual(1, len(self.receive(src)))
        time.sleep(1.3)
        self.assertEqual([], self.receive(src, WaitTimeSeconds=1), "second receive moves it to the DLQ")
        moved = self.receive_all(dlq, 1)
        self.assertEqual(1, len(moved))
        self.assertEqual("poison", moved[0]["Body"])
        self.assertEqual(sent["MessageId"], moved[0]["MessageId"])
        self.assertEqual([src], self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"])

    def test_redrive_allow_policy(self):
        src, dlq, dlq_arn = self._source_with_dlq()
        allow = {"redrivePermission": "byQueue", "sourceQueueArns": [self.arn(src)]}
        self.sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(allow)})
        self.assertEqual(allow, json.loads(self.attrs(dlq)["RedriveAllowPolicy"]))
        self.sqs.set_queue_attributes(QueueUrl=dlq, Attributes={
            "RedriveAllowPolicy": json.dumps({"redrivePermission": "denyAll"})})
        self.assertEqual("denyAll", json.loads(self.attrs(dlq)["RedriveAllowPolicy"])["redrivePermission"])

    def test_redrive_allow_policy_is_enforced(self):
        dlq = self.new_queue(unique("guarded-dlq"))
        allowed = self.new_queue(unique("allowed"))
        other = self.new_queue(unique("other"))
        self.sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": [self.arn(allowed)]})})
        policy = json.dumps({"deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": 3})
        self.sqs.set_queue_attributes(QueueUrl=allowed, Attributes={"RedrivePolicy": policy})
        self.assertClientError("InvalidAttributeValue", self.sqs.set_queue_attributes,
                               QueueUrl=other, Attributes={"RedrivePolicy": policy})
        for bad in [{"deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": 0},
                    {"deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": 1001},
                    {"maxReceiveCount": 3}]:
            with self.subTest(policy=bad):
                self.assertClientError("InvalidAttributeValue", self.sqs.set_queue_attributes,
                                       QueueUrl=allowed, Attributes={"RedrivePolicy": json.dumps(bad)})

    def _fill_dlq(self, src, dlq, count):
        self.sqs.send_message_batch(QueueUrl=src, Entries=[
            {"Id": str(i), "MessageBody": f"redrive-{i}"} for i in range(count)])
        self.assertEqual(count, len(self.receive_all(src, count)))
        time.sleep(1.3)
        self.assertEqual([], self.receive(src, MaxNumberOfMessages=10, WaitTimeSeconds=1))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.attrs(dlq)["ApproximateNumberOfMessages"] != str(count):
            time.sleep(0.2)
        self.assertEqual(str(count), self.attrs(dlq)["ApproximateNumberOfMessages"])

    def _tasks(self, dlq_arn):
        return self.sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]

    def test_message_move_task_redrives_back_to_source(self):
        src, dlq, dlq_arn = self._source_with_dlq()
        self._fill_dlq(src, dlq, 3)
        handle = self.sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
        self.assertTrue(handle)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            tasks = self._tasks(dlq_arn)
            if tasks and tasks[0]["Status"] == "COMPLETED":
                break
            time.sleep(0.3)
        task = tasks[0]
        self.assertEqual("COMPLETED", task["Status"])
        self.assertEqual(dlq_arn, task["SourceArn"])
        self.assertEqual(3, task["ApproximateNumberOfMessagesMoved"])
        bodies = sorted(m["Body"] for m in self.receive_all(src, 3, delete=True))
        self.assertEqual([f"redrive-{i}" for i in range(3)], bodies)
        self.assertEqual("0", self.attrs(dlq)["ApproximateNumberOfMessages"])

    def test_cancel_message_move_task(self):
        src, dlq, dlq_arn = self._source_with_dlq()
        self._fill_dlq(src, dlq, 6)
        handle = self.sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
        running = self._tasks(dlq_arn)[0]
        self.assertEqual("RUNNING", running["Status"])
        self.assertEqual(handle, running["TaskHandle"])
        self.assertEqual(1, running["MaxNumberOfMessagesPerSecond"])
        cancelled = self.sqs.cancel_message_move_task(TaskHandle=handle)
        self.assertLess(cancelled["ApproximateNumberOfMessagesMoved"], 6)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            status = self._tasks(dlq_arn)[0]["Status"]
            if status == "CANCELLED":
                break
            time.sleep(0.3)
        self.assertEqual("CANCELLED", status)

    def test_message_move_task_needs_a_dead_letter_queue(self):
        plain = self.new_queue()
        with self.assertRaises(ClientError):
            self.sqs.start_message_move_task(SourceArn=self.arn(plain))


class Fifo(SqsTestCase):
    def test_order_within_groups_and_increasing_sequence_numbers(self):
        url = self.new_queue(fifo=True, attributes={"ContentBasedDeduplication": "true"})
        sequence = []
        for i in range(6):
            for group in ("A", "B"):
                r = self.sqs.send_message(QueueUrl=url, MessageBody=f"{group}{i}", MessageGroupId=group)
                sequence.append(int(r["SequenceNumber"]))
        self.assertEqual(sorted(sequence), sequence)
        self.assertEqual(len(set(sequence)), len(sequence))

        got = self.receive_all(url, 12, delete=True, MessageSystemAttributeNames=["All"])
        self.assertEqual(12, len(got))
        for group in ("A", "B"):
            bodies = [m["Body"] for m in got if m["Attributes"]["MessageGroupId"] == group]
            self.assertEqual([f"{group}{i}" for i in range(6)], bodies)
            numbers = [int(m["Attributes"]["SequenceNumber"]) for m in got
                       if m["Attributes"]["MessageGroupId"] == group]
            self.assertEqual(sorted(numbers), numbers)
        for m in got:
            self.assertTrue(m["Attributes"]["MessageDeduplicationId"])

    def test_send_batch_preserves_order(self):
        url = self.new_queue(fifo=True)
        result = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": f"e{i}", "MessageBody": f"b{i}", "MessageGroupId": "g", "MessageDeduplicationId": f"d{i}"}
            for i in range(10)])
        self.assertEqual(10, len(result["Successful"]))
        numbers = {e["Id"]: int(e["SequenceNumber"]) for e in result["Successful"]}
        self.assertEqual([numbers[f"e{i}"] for i in range(10)], sorted(numbers.values()))
        bodies = [m["Body"] for m in self.receive_all(url, 10, delete=True)]
        self.assertEqual([f"b{i}" for i in range(10)], bodies)

    def test_group_is_blocked_while_a_message_is_in_flight(self):
        url = self.new_queue(fifo=True, attributes={"VisibilityTimeout": "30"})
        for i in range(2):
            self.sqs.send_message(QueueUrl=url, MessageBody=f"A{i}", MessageGroupId="A",
                                  MessageDeduplicationId=f"a{i}")
        self.sqs.send_message(QueueUrl=url, MessageBody="B0", MessageGroupId="B", MessageDeduplicationId="b0")
        first = self.receive(url, MaxNumberOfMessages=1)
        self.assertEqual(1, len(first))
        blocked_group = first[0]["Body"][0]
        # While the head of its group is in flight, the group yields nothing more; the other group does.
        rest = self.receive(url, MaxNumberOfMessages=10)
        self.assertNotIn(blocked_group, {m["Body"][0] for m in rest})
        for m in rest:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if blocked_group == "A":
            self.assertEqual([], self.receive(url, MaxNumberOfMessages=10), "group A stays blocked")
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
            self.assertEqual(["A1"], [m["Body"] for m in self.receive_all(url, 1)])
        else:
            self.fail(f"the first receive returned {first[0]['Body']} instead of the oldest message A0")

    def test_deduplication_by_id(self):
        url = self.new_queue(fifo=True)
        first = self.sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="d")
        self.sqs.send_message(QueueUrl=url, MessageBody="two", MessageGroupId="g", MessageDeduplicationId="d")
        self.sqs.send_message(QueueUrl=url, MessageBody="three", MessageGroupId="g", MessageDeduplicationId="e")
        got = self.receive_all(url, 3, timeout=3, delete=True, MessageSystemAttributeNames=["MessageDeduplicationId"])
        self.assertEqual(["one", "three"], [m["Body"] for m in got])
        self.assertEqual(first["MessageId"], got[0]["MessageId"])
        self.assertEqual("d", got[0]["Attributes"]["MessageDeduplicationId"])
        # Still deduplicated after the first copy was deleted, within the 5-minute window.
        self.sqs.send_message(QueueUrl=url, MessageBody="four", MessageGroupId="g", MessageDeduplicationId="d")
        self.assertEqual([], self.receive(url, WaitTimeSeconds=1))

    def test_content_based_deduplication(self):
        url = self.new_queue(fifo=True, attributes={"ContentBasedDeduplication": "true"})
        self.sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
        self.sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
        self.sqs.send_message(QueueUrl=url, MessageBody="different", MessageGroupId="g")
        got = self.receive_all(url, 3, timeout=3, delete=True, MessageSystemAttributeNames=["All"])
        self.assertEqual(["same", "different"], [m["Body"] for m in got])
        self.assertEqual(hashlib.sha256(b"same").hexdigest(), got[0]["Attributes"]["MessageDeduplicationId"])

    def test_fifo_parameter_rules(self):
        url = self.new_queue(fifo=True)
        self.assertClientError("MissingParameter", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                               MessageDeduplicationId="d")
        self.assertClientError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                               MessageGroupId="g")
        self.assertClientError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                               MessageGroupId="g", MessageDeduplicationId="d", DelaySeconds=5)
        standard = self.new_queue()
        self.assertClientError("InvalidParameterValue", self.sqs.send_message, QueueUrl=standard,
                               MessageBody="x", MessageDeduplicationId="d")

    def test_receive_request_attempt_id_returns_the_same_messages(self):
        url = self.new_queue(fifo=True, attributes={"ContentBasedDeduplication": "true", "VisibilityTimeout": "30"})
        for i in range(4):
            self.sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId=f"g{i}")
        first = self.receive(url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1")
        self.assertEqual(2, len(first))
        retry = self.receive(url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1")
        self.assertEqual([m["MessageId"] for m in first], [m["MessageId"] for m in retry])
        self.assertEqual([m["ReceiptHandle"] for m in first], [m["ReceiptHandle"] for m in retry])
        other = self.receive(url, MaxNumberOfMessages=10, ReceiveRequestAttemptId="attempt-2")
        self.assertEqual(2, len(other))
        self.assertFalse({m["MessageId"] for m in first} & {m["MessageId"] for m in other})


class TagsAndPermissions(SqsTestCase):
    def test_tag_untag_list(self):
        url = self.new_queue(tags={"a": "1"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"b": "2", "c": "3"})
        self.assertEqual({"a": "1", "b": "2", "c": "3"}, self.sqs.list_queue_tags(QueueUrl=url)["Tags"])
        self.sqs.tag_queue(QueueUrl=url, Tags={"a": "one"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["b", "missing"])
        self.assertEqual({"a": "one", "c": "3"}, self.sqs.list_queue_tags(QueueUrl=url)["Tags"])
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["a", "c"])
        self.assertEqual({}, self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}))

    def test_add_and_remove_permission(self):
        url = self.new_queue()
        self.sqs.add_permission(QueueUrl=url, Label="LetThemSend", AWSAccountIds=["111122223333"],
                                Actions=["SendMessage", "ReceiveMessage"])
        policy = json.loads(self.attrs(url)["Policy"])
        statements = {s["Sid"]: s for s in policy["Statement"]}
        self.assertIn("LetThemSend", statements)
        actions = statements["LetThemSend"]["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        self.assertEqual({"SQS:SendMessage", "SQS:ReceiveMessage"}, set(actions))
        self.assertEqual("Allow", statements["LetThemSend"]["Effect"])
        self.assertIn("111122223333", json.dumps(statements["LetThemSend"]["Principal"]))

        self.assertClientError("InvalidParameterValue", self.sqs.add_permission, QueueUrl=url, Label="LetThemSend",
                               AWSAccountIds=["111122223333"], Actions=["SendMessage"])
        self.sqs.remove_permission(QueueUrl=url, Label="LetThemSend")
        remaining = self.attrs(url).get("Policy")
        if remaining:
            self.assertNotIn("LetThemSend", {s.get("Sid") for s in json.loads(remaining).get("Statement", [])})
        self.assertClientError("InvalidParameterValue", self.sqs.remove_permission, QueueUrl=url, Label="LetThemSend")

    def test_policy_quotas(self):
        url = self.new_queue()
        arn = self.arn(url)

        def statement(sid, **extra):
            return {"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn, **extra}

        at_quota = {"Version": "2012-10-17", "Statement": [statement(f"s{i}") for i in range(20)]}
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(at_quota)})
        for name, policy, message in [
            ("size", {"Id": "x" * 8200, "Statement": []}, "Submitted policy is over max allowed size."),
            ("statements", {"Statement": [statement(f"s{i}") for i in range(21)]},
             "21 statements were found in the submitted policy, max allowed is 20"),
            ("actions", {"Statement": [statement("a", Action=[f"sqs:A{i}" for i in range(8)])]},
             "8 actions were found in a statement from the submitted policy, max allowed is 7"),
        ]:
            with self.subTest(name):
                err = self.assertClientError("OverLimit", self.sqs.set_queue_attributes, QueueUrl=url,
                                             Attributes={"Policy": json.dumps(policy)},
                                             exception=self.sqs.exceptions.OverLimit, status=403)
                self.assertEqual(message, err.response["Error"]["Message"])
                with self.subTest("create"):
                    self.assertClientError("OverLimit", self.sqs.create_queue, QueueName=f"over-{name}-{time.time_ns()}",
                                           Attributes={"Policy": json.dumps(policy)}, status=403)
        self.assertEqual(at_quota, json.loads(self.attrs(url)["Policy"]))
        self.assertClientError("OverLimit", self.sqs.add_permission, QueueUrl=url, Label="TheTwentyFirst",
                               AWSAccountIds=["111122223333"], Actions=["SendMessage"], status=403)
        self.assertEqual(at_quota, json.loads(self.attrs(url)["Policy"]), "a refused permission changes nothing")


class FerryExtensions(SqsTestCase):
    @ferry_only
    def test_priority_attribute_orders_delivery_on_standard_queue(self):
        url = self.new_queue()
        order = [3, 0, 9, 5, 1, 7, 2, 8, 4, 6]
        for p in order:
            self.sqs.send_message(QueueUrl=url, MessageBody=f"p{p}", MessageAttributes={
                "Ferry-Priority": {"DataType": "Number", "StringValue": str(p)}})
        self.sqs.send_message(QueueUrl=url, MessageBody="plain")
        got = self.receive_all(url, 11, delete=True, MaxNumberOfMessages=1, MessageAttributeNames=["All"])
        bodies = [m["Body"] for m in got]
        prioritised = [b for b in bodies if b != "plain"]
        self.assertEqual([f"p{p}" for p in range(9, -1, -1)], prioritised)
        self.assertEqual(11, len(bodies))
        self.assertEqual("9", got[0]["MessageAttributes"]["Ferry-Priority"]["StringValue"])

    @ferry_only
    def test_deliver_at_attribute_holds_message_until_then(self):
        url = self.new_queue()
        at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)
        far = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        started = time.monotonic()
        self.sqs.send_message(QueueUrl=url, MessageBody="soon", MessageAttributes={
            "Ferry-DeliverAt": {"DataType": "String", "StringValue": at.isoformat(timespec="milliseconds")}})
        self.sqs.send_message(QueueUrl=url, MessageBody="in an hour", MessageAttributes={
            "Ferry-DeliverAt": {"DataType": "String", "StringValue": far.strftime("%Y-%m-%dT%H:%M:%SZ")}})
        self.assertEqual([], self.receive(url))
        got = self.receive_all(url, 1, timeout=6)
        elapsed = time.monotonic() - started
        self.assertEqual(["soon"], [m["Body"] for m in got])
        self.assertGreaterEqual(elapsed, 1.5)
        self.assertLess(elapsed, 4.5)
        self.assertEqual([], self.receive(url, WaitTimeSeconds=1), "a deliver-at beyond 15 minutes is honoured")


if __name__ == "__main__":
    unittest.main()

"""boto3 (SNS Query protocol) against a topic endpoint: topics, queue and HTTP subscriptions, publish with
attributes, filter policies, FIFO topics, and a receiver that verifies SNS signatures the way receivers do
(download the certificate from SigningCertURL, rebuild the string to sign, check SHA1withRSA / SHA256withRSA)."""

import base64
import http.server
import json
import queue
import threading
import unittest
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from sqs_env import REGION, SqsTestCase, endpoint, error_code, unique

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    HAVE_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - the machine image has it
    HAVE_CRYPTOGRAPHY = False

NOTIFICATION_FIELDS = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
CONFIRMATION_FIELDS = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]


def verify_sns_signature(message):
    """Verifies an SNS message as AWS documents it; returns True when the signature holds."""
    fields = NOTIFICATION_FIELDS if message["Type"] == "Notification" else CONFIRMATION_FIELDS
    text = "".join(f"{k}\n{message[k]}\n" for k in fields if k in message)
    with urllib.request.urlopen(message["SigningCertURL"], timeout=5) as response:
        certificate = x509.load_pem_x509_certificate(response.read())
    algorithm = hashes.SHA256() if message["SignatureVersion"] == "2" else hashes.SHA1()
    try:
        certificate.public_key().verify(base64.b64decode(message["Signature"]), text.encode("utf-8"), padding.PKCS1v15(), algorithm)
        return True
    except Exception:
        return False


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that answers `status` and queues every POST it accepts (headers and body)."""

    def __init__(self):
        received = self.received = queue.Queue()
        self.status = 200
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep connections, as web servers do

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
                status = receiver.status
                if status == 200:
                    received.put((dict(self.headers), body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 256  # Ferry pushes over many connections at once
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sns"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, timeout=10):
        return self.received.get(timeout=timeout)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SnsBoto3Tests(SqsTestCase):
    def setUp(self):
        super().setUp()
        self.sns = boto3.client(
            "sns",
            endpoint_url=endpoint(),
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"total_max_attempts": 1}),
        )

    def new_topic(self, name=None, fifo=False, **attributes):
        name = name or unique("topic")
        if fifo:
            name += ".fifo"
            attributes["FifoTopic"] = "true"
        arn = self.sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
        self.addCleanup(self.sns.delete_topic, TopicArn=arn)
        return arn

    def subscribe_queue(self, topic_arn, queue_url, **attributes):
        return self.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=self.arn(queue_url), Attributes=attributes,
                                  ReturnSubscriptionArn=True)["SubscriptionArn"]

    def test_create_list_get_and_delete_topics(self):
        arn = self.new_topic(DisplayName="Orders")
        self.assertTrue(arn.startswith("arn:aws:sns:us-east-1:"))
        self.assertEqual(arn, self.sns.create_topic(Name=arn.split(":")[-1], Attributes={"DisplayName": "Orders"})["TopicArn"])
        arns = [t["TopicArn"] for page in self.sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
        self.assertIn(arn, arns)
        attributes = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual("Orders", attributes["DisplayName"])
        self.assertEqual(arn, attributes["TopicArn"])
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Renamed")
        self.assertEqual("Renamed", self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"])
        self.sns.delete_topic(TopicArn=arn)
        with self.assertRaises(self.sns.exceptions.NotFoundException):
            self.sns.get_topic_attributes(TopicArn=arn)

    def test_errors_are_modeled_exceptions(self):
        with self.assertRaises(self.sns.exceptions.InvalidParameterException):
            self.sns.create_topic(Name="not valid!")
        with self.assertRaises(self.sns.exceptions.NotFoundException):
            self.sns.publish(TopicArn="arn:aws:sns:us-east-1:000000000000:" + unique("missing"), Message="m")
        with self.assertRaises(self.sns.exceptions.InvalidParameterException):
            self.sns.subscribe(TopicArn=self.new_topic(), Protocol="sqs", Endpoint="not-an-arn")

    def test_publish_fans_out_to_queues_with_envelope_and_raw_delivery(self):
        topic = self.new_topic()
        enveloped, raw = self.new_queue(), self.new_queue()
        self.subscribe_queue(topic, enveloped)
        self.subscribe_queue(topic, raw, RawMessageDelivery="true")
        message_id = self.sns.publish(TopicArn=topic, Message="hello", Subject="hi", MessageAttributes={
            "color": {"DataType": "String", "StringValue": "red"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        })["MessageId"]

        envelope = json.loads(self.receive_all(enveloped, 1)[0]["Body"])
        self.assertEqual("Notification", envelope["Type"])
        self.assertEqual(message_id, envelope["MessageId"])
        self.assertEqual("hello", envelope["Message"])
        self.assertEqual("hi", envelope["Subject"])
        self.assertEqual({"Type": "String", "Value": "red"}, envelope["MessageAttributes"]["color"])
        self.assertEqual(base64.b64encode(b"\x00\x01").decode(), envelope["MessageAttributes"]["blob"]["Value"])

        message = self.receive_all(raw, 1, MessageAttributeNames=["All"])[0]
        self.assertEqual("hello", message["Body"])
        self.assertEqual("red", message["MessageAttributes"]["color"]["StringValue"])
        self.assertEqual(b"\x00\x01", message["MessageAttributes"]["blob"]["BinaryValue"])

    def test_filter_policies_on_attributes_and_body(self):
        topic = self.new_topic()
        red, big, everything = self.new_queue(), self.new_queue(), self.new_queue()
        self.subscribe_queue(topic, red, RawMessageDelivery="true", FilterPolicy=json.dumps({"color": ["red"]}))
        self.subscribe_queue(topic, big, RawMessageDelivery="true", FilterPolicyScope="MessageBody",
                             FilterPolicy=json.dumps({"order": {"total": [{"numeric": [">", 100]}]}}))
        self.subscribe_queue(topic, everything, RawMessageDelivery="true")
        self.sns.publish(TopicArn=topic, Message=json.dumps({"order": {"total": 500}}),
                         MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}})
        self.sns.publish(TopicArn=topic, Message=json.dumps({"order": {"total": 5}}),
                         MessageAttributes={"color": {"DataType": "String", "StringValue": "blue"}})
        self.assertEqual(2, len(self.receive_all(everything, 2)))
        self.assertEqual([500], [json.loads(m["Body"])["order"]["total"] for m in self.receive_all(red, 2, timeout=3)])
        self.assertEqual([500], [json.loads(m["Body"])["order"]["total"] for m in self.receive_all(big, 2, timeout=3)])
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as caught:
            self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=self.arn(red),
                               Attributes={"FilterPolicy": json.dumps({"a": [{"numeric": ["<"]}]})})
        self.assertIn("FilterPolicy", str(caught.exception))

    def test_publish_batch_reports_each_entry(self):
        topic = self.new_topic()
        q = self.new_queue()
        self.subscribe_queue(topic, q, RawMessageDelivery="true")
        result = self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "a", "Message": "one"}, {"Id": "b", "Message": "two"},
        ])
        self.assertEqual({"a", "b"}, {e["Id"] for e in result["Successful"]})
        self.assertEqual([], result.get("Failed", []))
        self.assertEqual({"one", "two"}, {m["Body"] for m in self.receive_all(q, 2)})
        with self.assertRaises(self.sns.exceptions.TooManyEntriesInBatchRequestException):
            self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": f"e{i}", "Message": "m"} for i in range(11)])

    def test_fifo_topic_to_fifo_queue_keeps_order_and_deduplicates(self):
        topic = self.new_topic(fifo=True, ContentBasedDeduplication="true")
        q = self.new_queue(fifo=True)
        self.subscribe_queue(topic, q, RawMessageDelivery="true")
        first = self.sns.publish(TopicArn=topic, Message="m0", MessageGroupId="g")
        self.assertIn("SequenceNumber", first)
        for i in range(1, 5):
            self.sns.publish(TopicArn=topic, Message=f"m{i}", MessageGroupId="g")
        self.assertEqual(first["MessageId"], self.sns.publish(TopicArn=topic, Message="m0", MessageGroupId="g")["MessageId"])
        bodies = [m["Body"] for m in self.receive_all(q, 5, delete=True)]
        self.assertEqual([f"m{i}" for i in range(5)], bodies)

    def test_subscription_attributes_tags_and_unsubscribe(self):
        topic = self.new_topic()
        q = self.new_queue()
        sub = self.subscribe_queue(topic, q)
        self.sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery", AttributeValue="true")
        attributes = self.sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertEqual("true", attributes["RawMessageDelivery"])
        self.assertEqual(topic, attributes["TopicArn"])
        listed = [s["SubscriptionArn"] for s in self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]]
        self.assertEqual([sub], listed)
        self.sns.tag_resource(ResourceArn=topic, Tags=[{"Key": "team", "Value": "a"}])
        self.assertEqual([{"Key": "team", "Value": "a"}], self.sns.list_tags_for_resource(ResourceArn=topic)["Tags"])
        self.sns.untag_resource(ResourceArn=topic, TagKeys=["team"])
        self.assertEqual([], self.sns.list_tags_for_resource(ResourceArn=topic)["Tags"])
        self.sns.unsubscribe(SubscriptionArn=sub)
        with self.assertRaises(self.sns.exceptions.NotFoundException):
            self.sns.get_subscription_attributes(SubscriptionArn=sub)

    def test_permissions_and_policies_stay_in_the_topic_scope_and_quotas(self):
        topic = self.new_topic()

        def policy_of():
            return json.loads(self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])

        before = policy_of()
        for name, kwargs, message in [
            ("subscription action", {"ActionName": ["Subscribe", "SetSubscriptionAttributes"]},
             "Invalid parameter: Policy statement action out of service scope!"),
            ("huge action", {"ActionName": ["Publish" + "x" * 100_000]},
             "Invalid parameter: Policy statement action out of service scope!"),
            ("not an account", {"AWSAccountId": ["public"]}, "Invalid parameter: A provided account ID is not valid"),
        ]:
            with self.subTest(name):
                call = {"TopicArn": topic, "Label": "share", "AWSAccountId": ["111122223333"], "ActionName": ["Publish"], **kwargs}
                with self.assertRaises(self.sns.exceptions.InvalidParameterException) as caught:
                    self.sns.add_permission(**call)
                self.assertEqual(message, caught.exception.response["Error"]["Message"])
        self.assertEqual(before, policy_of(), "a refused permission changes nothing")
        self.sns.add_permission(TopicArn=topic, Label="share", AWSAccountId=["111122223333"],
                                ActionName=["Publish", "Subscribe", "Receive"])

        def statement(sid, action="sns:Publish"):
            return {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": action, "Resource": topic}

        self.sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(
            {"Version": "2012-10-17", "Statement": [statement("a", ["sns:Get*", "SNS:Publish"]), statement("b", "sns:*")]}))
        for name, policy in [
            ("another service", {"Statement": [statement("a", "sqs:SendMessage")]}),
            ("not a topic action", {"Statement": [statement("a", "sns:CreateTopic")]}),
            ("over 30 KB", {"Id": "x" * 31_000, "Statement": [statement("a")]}),
            ("101 statements", {"Statement": [statement(f"s{i}") for i in range(101)]}),
        ]:
            with self.subTest(name):
                with self.assertRaises(self.sns.exceptions.InvalidParameterException):
                    self.sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy))
                with self.assertRaises(self.sns.exceptions.InvalidParameterException):
                    self.sns.create_topic(Name=unique("refused"), Attributes={"Policy": json.dumps(policy)})
        self.assertEqual(["a", "b"], [s["Sid"] for s in policy_of()["Statement"]])

    @unittest.skipUnless(HAVE_CRYPTOGRAPHY, "the cryptography package is needed to verify signatures")
    def test_http_endpoint_confirms_and_receives_signed_notifications(self):
        receiver = Receiver()
        self.addCleanup(receiver.close)
        topic = self.new_topic()
        pending = self.sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=receiver.url)["SubscriptionArn"]
        self.assertEqual("pending confirmation", pending)
        headers, body = receiver.next()
        confirmation = json.loads(body)
        self.assertEqual("SubscriptionConfirmation", headers["x-amz-sns-message-type"])
        self.assertTrue(verify_sns_signature(confirmation), "the SubscriptionConfirmation signature must verify")
        with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=5) as response:
            self.assertEqual(200, response.status)
        subscriptions = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertTrue(subscriptions[0]["SubscriptionArn"].startswith(topic + ":"))

        self.sns.publish(TopicArn=topic, Message="pushed", Subject="s")
        headers, body = receiver.next()
        notification = json.loads(body)
        self.assertEqual("Notification", headers["x-amz-sns-message-type"])
        self.assertEqual("pushed", notification["Message"])
        self.assertTrue(verify_sns_signature(notification), "the Notification signature must verify")
        notification["Message"] = "tampered"
        self.assertFalse(verify_sns_signature(notification))


if __name__ == "__main__":
    unittest.main()

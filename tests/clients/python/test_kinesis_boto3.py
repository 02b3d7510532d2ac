"""Ferry's Kinesis face through boto3, unmodified: streams, waiters, puts, every iterator type, resharding while
writing with the whole lineage read back, and the errors clients branch on.

    FERRY_ENDPOINT=http://127.0.0.1:4566 python3 -m unittest test_kinesis_boto3
"""

import datetime
import threading
import time
import unittest
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from sqs_env import REGION, endpoint


def client():
    return boto3.client(
        "kinesis",
        endpoint_url=endpoint(),
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class KinesisTest(unittest.TestCase):
    def setUp(self):
        self.k = client()

    def new_stream(self, shards=1):
        name = unique("ks")
        self.k.create_stream(StreamName=name, ShardCount=shards)
        self.addCleanup(self._delete, name)
        self.k.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        return name

    def _delete(self, name):
        try:
            self.k.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
        except ClientError:
            pass

    def wait_active(self, name):
        self.k.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})

    def read_shard(self, name, shard_id, iterator_type="TRIM_HORIZON", **kwargs):
        it = self.k.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType=iterator_type, **kwargs)["ShardIterator"]
        records, children = [], None
        while it:
            out = self.k.get_records(ShardIterator=it, Limit=1000)
            records += out["Records"]
            if out.get("ChildShards"):
                children = out["ChildShards"]
            if not out["Records"] and out.get("NextShardIterator") and out["MillisBehindLatest"] == 0:
                break
            it = out.get("NextShardIterator")
        return records, children

    def assertError(self, code, call, *args, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(*args, **kwargs)
        self.assertEqual(code, caught.exception.response["Error"]["Code"])
        return caught.exception

    def test_create_waiter_describe_and_list(self):
        name = unique("ks")
        self.k.create_stream(StreamName=name, ShardCount=3)
        self.addCleanup(self._delete, name)
        self.assertIn(self.k.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"], ("CREATING", "ACTIVE"))
        self.wait_active(name)
        desc = self.k.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual("ACTIVE", desc["StreamStatus"])
        self.assertEqual(3, len(desc["Shards"]))
        self.assertEqual(24, desc["RetentionPeriodHours"])
        self.assertEqual(f"arn:aws:kinesis:{REGION}:000000000000:stream/{name}", desc["StreamARN"])
        self.assertEqual("0", desc["Shards"][0]["HashKeyRange"]["StartingHashKey"])
        self.assertEqual(str(2**128 - 1), desc["Shards"][-1]["HashKeyRange"]["EndingHashKey"])
        summary = self.k.describe_stream_summary(StreamARN=desc["StreamARN"])["StreamDescriptionSummary"]
        self.assertEqual(3, summary["OpenShardCount"])
        self.assertIn(name, self.k.list_streams(Limit=10000)["StreamNames"])
        self.assertEqual(2, len(self.k.describe_stream(StreamName=name, Limit=2)["StreamDescription"]["Shards"]))
        self.assertTrue(self.k.describe_stream(StreamName=name, Limit=2)["StreamDescription"]["HasMoreShards"])

    def test_put_record_and_put_records_then_read_from_trim_horizon(self):
        name = self.new_stream(shards=2)
        one = self.k.put_record(StreamName=name, Data=b"first", PartitionKey="p0")
        batch = self.k.put_records(StreamName=name, Records=[{"Data": f"r{i}".encode(), "PartitionKey": f"p{i}"} for i in range(100)])
        self.assertEqual(0, batch["FailedRecordCount"])
        self.assertEqual(100, len(batch["Records"]))
        got = []
        for shard in self.k.list_shards(StreamName=name)["Shards"]:
            records, _ = self.read_shard(name, shard["ShardId"])
            seqs = [r["SequenceNumber"] for r in records]
            self.assertEqual(seqs, sorted(seqs, key=int))
            got += [r["Data"] for r in records]
        self.assertEqual(sorted([b"first"] + [f"r{i}".encode() for i in range(100)]), sorted(got))
        self.assertTrue(one["SequenceNumber"].isdigit())

    def test_every_iterator_type(self):
        name = self.new_stream()
        shard = "shardId-000000000000"
        seqs = [self.k.put_record(StreamName=name, Data=f"m{i}".encode(), PartitionKey="k")["SequenceNumber"] for i in range(3)]
        time.sleep(1.1)
        middle = datetime.datetime.now(datetime.timezone.utc)
        time.sleep(0.05)
        seqs.append(self.k.put_record(StreamName=name, Data=b"m3", PartitionKey="k")["SequenceNumber"])
        latest = self.k.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
        self.k.put_record(StreamName=name, Data=b"m4", PartitionKey="k")

        def data(records):
            return [r["Data"].decode() for r in records]

        self.assertEqual(["m0", "m1", "m2", "m3", "m4"], data(self.read_shard(name, shard)[0]))
        self.assertEqual(["m1", "m2", "m3", "m4"], data(self.read_shard(name, shard, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[1])[0]))
        self.assertEqual(["m2", "m3", "m4"], data(self.read_shard(name, shard, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[1])[0]))
        self.assertEqual(["m3", "m4"], data(self.read_shard(name, shard, "AT_TIMESTAMP", Timestamp=middle)[0]))
        self.assertEqual(["m4"], data(self.k.get_records(ShardIterator=latest)["Records"]))

    def test_reshard_while_writing_reads_everything_back_across_the_lineage(self):
        name = self.new_stream(shards=2)
        written, stop = [], threading.Event()

        def writer():
            w = client()
            i = 0
            while not stop.is_set():
                out = w.put_records(StreamName=name, Records=[{"Data": f"w{i}-{j}".encode(), "PartitionKey": f"key{i}-{j}"} for j in range(20)])
                for j, r in enumerate(out["Records"]):
                    if "SequenceNumber" in r:
                        written.append(f"w{i}-{j}")
                i += 1

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            time.sleep(0.2)
            self.k.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**126))
            self.wait_active(name)
            time.sleep(0.2)
            self.k.merge_shards(StreamName=name, ShardToMerge="shardId-000000000002", AdjacentShardToMerge="shardId-000000000003")
            self.wait_active(name)
            time.sleep(0.2)
            self.k.update_shard_count(StreamName=name, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
            self.wait_active(name)
            time.sleep(0.2)
        finally:
            stop.set()
            thread.join()

        shards = self.k.list_shards(StreamName=name)["Shards"]
        open_shards = [s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
        self.assertEqual(4, len(open_shards))
        read = []
        for s in shards:
            records, children = self.read_shard(name, s["ShardId"])
            read += [r["Data"].decode() for r in records]
            if "EndingSequenceNumber" in s["SequenceNumberRange"]:
                self.assertTrue(children, f"{s['ShardId']} is closed but reported no child shards")
        self.assertEqual(len(written), len(read))
        self.assertEqual(sorted(written), sorted(read))
        merged = [s for s in shards if s.get("AdjacentParentShardId")]
        self.assertTrue(merged)

    def test_explicit_hash_key_picks_the_shard(self):
        name = self.new_stream(shards=2)
        out = self.k.put_record(StreamName=name, Data=b"x", PartitionKey="any", ExplicitHashKey=str(2**128 - 1))
        self.assertEqual("shardId-000000000001", out["ShardId"])

    def test_tags_retention_consumers_encryption_monitoring_limits(self):
        name = self.new_stream()
        arn = self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        self.k.add_tags_to_stream(StreamName=name, Tags={"team": "a", "env": "dev"})
        self.k.remove_tags_from_stream(StreamName=name, TagKeys=["env"])
        self.assertEqual([{"Key": "team", "Value": "a"}], self.k.list_tags_for_stream(StreamName=name)["Tags"])
        self.k.tag_resource(ResourceARN=arn, Tags={"x": "1"})
        self.k.untag_resource(ResourceARN=arn, TagKeys=["team"])
        self.assertEqual([{"Key": "x", "Value": "1"}], self.k.list_tags_for_resource(ResourceARN=arn)["Tags"])

        self.k.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        self.assertEqual(48, self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"])
        self.assertError("InvalidArgumentException", self.k.decrease_stream_retention_period, StreamName=name, RetentionPeriodHours=72)
        self.k.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)

        consumer = self.k.register_stream_consumer(StreamARN=arn, ConsumerName="c1")["Consumer"]
        self.assertEqual("c1", consumer["ConsumerName"])
        self.assertEqual(["c1"], [c["ConsumerName"] for c in self.k.list_stream_consumers(StreamARN=arn)["Consumers"]])
        self.assertEqual(arn, self.k.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]["StreamARN"])
        self.assertError("ResourceInUseException", self.k.register_stream_consumer, StreamARN=arn, ConsumerName="c1")
        self.k.deregister_stream_consumer(StreamARN=arn, ConsumerName="c1")
        self.assertEqual([], self.k.list_stream_consumers(StreamARN=arn)["Consumers"])

        self.k.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
        self.wait_active(name)
        self.assertEqual("KMS", self.k.describe_stream(StreamName=name)["StreamDescription"]["EncryptionType"])
        self.k.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
        self.wait_active(name)

        out = self.k.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
        self.assertEqual(["IncomingBytes"], out["DesiredShardLevelMetrics"])
        self.k.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
        self.assertGreaterEqual(self.k.describe_limits()["ShardLimit"], 1)

    def test_on_demand_and_mode_switch(self):
        name = unique("od")
        self.k.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.addCleanup(self._delete, name)
        self.wait_active(name)
        summary = self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual("ON_DEMAND", summary["StreamModeDetails"]["StreamMode"])
        self.k.update_stream_mode(StreamARN=summary["StreamARN"], StreamModeDetails={"StreamMode": "PROVISIONED"})
        self.wait_active(name)
        self.assertEqual("PROVISIONED", self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamModeDetails"]["StreamMode"])

    def test_errors(self):
        name = self.new_stream()
        self.assertError("ResourceNotFoundException", self.k.describe_stream, StreamName=unique("missing"))
        self.assertError("ResourceInUseException", self.k.create_stream, StreamName=name, ShardCount=1)
        self.assertError("ResourceNotFoundException", self.k.get_shard_iterator, StreamName=name, ShardId="shardId-000000000009", ShardIteratorType="LATEST")
        self.assertError("InvalidArgumentException", self.k.get_records, ShardIterator="bm90LWFuLWl0ZXJhdG9y")
        self.assertError("InvalidArgumentException", self.k.split_shard, StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey="0")
        self.assertError("ValidationException", self.k.put_record, StreamName=name, Data=b"x", PartitionKey="k" * 257)
        self.assertError("InvalidArgumentException", self.k.get_shard_iterator, StreamName=name, ShardId="shardId-000000000000",
                         ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="1")
        self.k.delete_stream(StreamName=name)
        self.assertError("ResourceNotFoundException", self.k.put_record, StreamName=name, Data=b"x", PartitionKey="k")
        self.k.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env bash
# The AWS CLI v1 (botocore's Kinesis JSON 1.1 protocol) against a Kinesis endpoint: create, wait, put, read,
# reshard, tag, delete. Counts its own checks and ends with "N passed, N failed".
#
#   FERRY_ENDPOINT=http://127.0.0.1:4566 tests/clients/cli/test_kinesis_cli.sh
#
# AWS_CLI_V1 overrides the command (missing: reported as one failure).
set -uo pipefail

endpoint="${FERRY_ENDPOINT:?set FERRY_ENDPOINT, e.g. http://127.0.0.1:4566}"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN

cli="${AWS_CLI_V1:-$(python3 -c 'import shutil,sys,os; p=os.path.join(os.path.dirname(sys.executable),"aws"); print(p if os.path.exists(p) else (shutil.which("aws") or ""))')}"
passed=0
failed=0
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

pass() { passed=$((passed + 1)); echo "  ok   $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL $*"; }
json() { python3 -c 'import json,sys; t=open(sys.argv[1]).read(); d=json.loads(t) if t.strip() else {}; print(eval(sys.argv[2]))' "$out" "$1" 2>/dev/null; }
# run DESCRIPTION ARGS...: runs the CLI, output in $out; passes when it exits 0.
run() { local what="$1"; shift; if "$cli" --endpoint-url "$endpoint" --output json "$@" >"$out" 2>&1; then pass "$what"; return 0; else fail "$what: $(head -c 300 "$out")"; return 1; fi; }
check() { if [[ "$(json "$2")" == "True" ]]; then pass "$1"; else fail "$1: $(head -c 300 "$out")"; fi; }

if [[ -z "$cli" || ! -x "$cli" ]]; then
  echo "AWS CLI v1 not found"
  echo "0 passed, 1 failed"
  exit 1
fi

stream="cli-$(python3 -c 'import uuid; print(uuid.uuid4().hex[:10])')"
echo "== AWS CLI v1 ($("$cli" --version 2>&1 | cut -d' ' -f1)), Kinesis"
run "create-stream" kinesis create-stream --stream-name "$stream" --shard-count 2
run "wait stream-exists" kinesis wait stream-exists --stream-name "$stream"
run "describe-stream-summary" kinesis describe-stream-summary --stream-name "$stream" &&
  check "the stream is ACTIVE with 2 open shards" 'd["StreamDescriptionSummary"]["StreamStatus"]=="ACTIVE" and d["StreamDescriptionSummary"]["OpenShardCount"]==2'
run "put-record" kinesis put-record --stream-name "$stream" --partition-key k1 --data hello &&
  check "put-record answers a sequence number" 'd["SequenceNumber"].isdigit()'
shard="$(json 'd["ShardId"]')"
run "put-records" kinesis put-records --stream-name "$stream" --records Data=one,PartitionKey=k1 Data=two,PartitionKey=k1 &&
  check "put-records has no failures" 'd["FailedRecordCount"]==0'
run "get-shard-iterator" kinesis get-shard-iterator --stream-name "$stream" --shard-id "$shard" --shard-iterator-type TRIM_HORIZON
iterator="$(json 'd["ShardIterator"]')"
run "get-records" kinesis get-records --shard-iterator "$iterator" &&
  check "get-records returns the three records of key k1 in order" '[r["Data"] for r in d["Records"]]==["aGVsbG8=","b25l","dHdv"]'
run "list-shards" kinesis list-shards --stream-name "$stream" && check "list-shards lists 2 shards" 'len(d["Shards"])==2'
run "merge-shards" kinesis merge-shards --stream-name "$stream" --shard-to-merge shardId-000000000000 --adjacent-shard-to-merge shardId-000000000001
run "wait stream-exists after merge" kinesis wait stream-exists --stream-name "$stream"
run "list-shards after merge" kinesis list-shards --stream-name "$stream" &&
  check "the merged shard has both parents" 'd["Shards"][-1].get("AdjacentParentShardId")=="shardId-000000000001"'
run "add-tags-to-stream" kinesis add-tags-to-stream --stream-name "$stream" --tags team=a
run "list-tags-for-stream" kinesis list-tags-for-stream --stream-name "$stream" && check "the tag is listed" 'd["Tags"]==[{"Key":"team","Value":"a"}]'
if "$cli" --endpoint-url "$endpoint" --output json kinesis describe-stream --stream-name "missing-$stream" >"$out" 2>&1; then
  fail "describe-stream of a missing stream should fail"
elif grep -q ResourceNotFoundException "$out"; then
  pass "describe-stream of a missing stream: ResourceNotFoundException"
else
  fail "describe-stream of a missing stream: $(head -c 300 "$out")"
fi
run "delete-stream" kinesis delete-stream --stream-name "$stream"
run "wait stream-not-exists" kinesis wait stream-not-exists --stream-name "$stream"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]

#!/usr/bin/env bash
# The AWS CLI against an SQS endpoint, twice: AWS CLI v1 (botocore's JSON protocol) and Debian's AWS CLI
# 2.9 (/usr/bin/aws, the Query/XML protocol). Counts its own checks and ends with "N passed, N failed".
#
#   FERRY_ENDPOINT=http://127.0.0.1:4566 tests/clients/cli/test_sqs_cli.sh
#
# AWS_CLI_V1 and AWS_CLI_V2 override the two commands (a CLI that is missing is reported as one failure).
set -uo pipefail

# shellcheck source=cli_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_common.sh"

# run CMD...: runs the CLI with the common options; stdout to $out, stderr to $err; returns its status.
run() {
  "${cli[@]}" sqs "$@" --endpoint-url "$endpoint" --region us-east-1 --output json >"$out" 2>"$err"
}

# ok DESCRIPTION CMD...: runs and requires exit status 0.
ok() {
  local desc="$1"; shift
  if run "$@"; then pass "$desc"; return 0; fi
  fail "$desc: exit $?: $(head -c 400 "$err")"
  return 1
}

md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }

flow() {
  local label="$1" binary_out="$2"
  local name="cli-${label}-$$-${RANDOM}"
  local body="hello from the ${label} CLI"
  echo "== $label: ${cli[*]}"

  if ! "${cli[@]}" --version >"$out" 2>&1; then
    fail "$label: ${cli[*]} is not runnable"
    return
  fi
  echo "   $(head -1 "$out")"

  ok "$label create-queue" create-queue --queue-name "$name" --attributes VisibilityTimeout=5,DelaySeconds=0 || return
  local url
  url="$(json 'd["QueueUrl"]')"
  check "$label queue URL ends with the name" "d['QueueUrl'].endswith('/$name')"

  ok "$label get-queue-url" get-queue-url --queue-name "$name" && check "$label get-queue-url answers the URL" "d['QueueUrl'] == '$url'"

  ok "$label list-queues with prefix" list-queues --queue-name-prefix "$name" &&
    check "$label list-queues finds the queue" "d.get('QueueUrls') == ['$url']"

  ok "$label send-message with attributes" send-message --queue-url "$url" --message-body "$body" \
    --message-attributes '{"color":{"DataType":"String","StringValue":"blue"},"n":{"DataType":"Number","StringValue":"7"},"raw":{"DataType":"Binary","BinaryValue":"AAEC/w=="}}' &&
    check "$label send-message MD5 of body and attributes" "d['MD5OfMessageBody'] == '$(md5 "$body")' and len(d['MD5OfMessageAttributes']) == 32 and d['MessageId']"
  local message_id
  message_id="$(json 'd.get("MessageId")')"

  ok "$label get-queue-attributes counts the message" get-queue-attributes --queue-url "$url" --attribute-names All &&
    check "$label attributes" "d['Attributes']['ApproximateNumberOfMessages'] == '1' and d['Attributes']['VisibilityTimeout'] == '5' and d['Attributes']['QueueArn'].endswith(':$name')"

  ok "$label receive-message" receive-message --queue-url "$url" --message-attribute-names All --attribute-names All \
    --wait-time-seconds 2 --max-number-of-messages 1 &&
    check "$label received body, id and attributes" "len(d['Messages']) == 1 and d['Messages'][0]['Body'] == '$body' and d['Messages'][0]['MessageId'] == '$message_id' and d['Messages'][0]['MessageAttributes']['color']['StringValue'] == 'blue' and d['Messages'][0]['MessageAttributes']['n'] == {'DataType': 'Number', 'StringValue': '7'} and d['Messages'][0]['MessageAttributes']['raw']['BinaryValue'] == '$binary_out' and d['Messages'][0]['Attributes']['ApproximateReceiveCount'] == '1'"
  local handle
  handle="$(json 'd["Messages"][0]["ReceiptHandle"]')"

  ok "$label receive while in flight" receive-message --queue-url "$url" &&
    check "$label nothing visible while in flight" "not d.get('Messages')"

  ok "$label delete-message" delete-message --queue-url "$url" --receipt-handle "$handle"
  ok "$label get-queue-attributes after delete" get-queue-attributes --queue-url "$url" \
    --attribute-names ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible &&
    check "$label counters are zero" "d['Attributes'] == {'ApproximateNumberOfMessages': '0', 'ApproximateNumberOfMessagesNotVisible': '0'}"

  ok "$label set-queue-attributes" set-queue-attributes --queue-url "$url" --attributes VisibilityTimeout=7,MaximumMessageSize=2048
  ok "$label get-queue-attributes after set" get-queue-attributes --queue-url "$url" --attribute-names VisibilityTimeout MaximumMessageSize &&
    check "$label attributes were set" "d['Attributes'] == {'VisibilityTimeout': '7', 'MaximumMessageSize': '2048'}"

  ok "$label send-message-batch" send-message-batch --queue-url "$url" \
    --entries '[{"Id":"a","MessageBody":"one"},{"Id":"b","MessageBody":"two"}]' &&
    check "$label batch sent two" "sorted(e['Id'] for e in d['Successful']) == ['a', 'b'] and not d.get('Failed')"
  ok "$label purge-queue" purge-queue --queue-url "$url"
  sleep 1
  ok "$label get-queue-attributes after purge" get-queue-attributes --queue-url "$url" --attribute-names ApproximateNumberOfMessages &&
    check "$label purged" "d['Attributes']['ApproximateNumberOfMessages'] == '0'"

  if run get-queue-url --queue-name "missing-$name"; then
    fail "$label get-queue-url of a missing queue succeeded"
  elif grep -q "AWS.SimpleQueueService.NonExistentQueue" "$err"; then
    pass "$label missing queue reports AWS.SimpleQueueService.NonExistentQueue"
  else
    fail "$label missing queue error: $(head -c 400 "$err")"
  fi

  if run set-queue-attributes --queue-url "$url" --attributes VisibilityTimeout=99999; then
    fail "$label VisibilityTimeout=99999 was accepted"
  elif grep -q "InvalidAttributeValue" "$err"; then
    pass "$label bad attribute value reports InvalidAttributeValue"
  else
    fail "$label bad attribute value error: $(head -c 400 "$err")"
  fi

  ok "$label delete-queue" delete-queue --queue-url "$url"
  if run get-queue-url --queue-name "$name"; then
    fail "$label queue still there after delete-queue"
  elif grep -q "AWS.SimpleQueueService.NonExistentQueue" "$err"; then
    pass "$label deleted queue is gone"
  else
    fail "$label deleted queue error: $(head -c 400 "$err")"
  fi
}

use_cli_v1
# v1 takes a blob given in JSON as raw bytes (and prints them base64-encoded); v2 takes it as base64.
flow v1-json "$(printf '%s' 'AAEC/w==' | base64)"

# Debian's AWS CLI 2.9, which still speaks the Query protocol to SQS.
use_cli_v2
flow v2-query 'AAEC/w=='

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]

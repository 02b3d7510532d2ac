#!/usr/bin/env bash
# The AWS CLI against an SNS endpoint, twice: AWS CLI v1 and Debian's AWS CLI 2.9 (/usr/bin/aws), both over SNS's
# Query protocol: create a topic, subscribe a queue, publish with attributes, receive through SQS, tag, unsubscribe,
# delete. Counts its own checks and ends with "N passed, N failed".
#
#   FERRY_ENDPOINT=http://127.0.0.1:4566 tests/clients/cli/test_sns_cli.sh
#
# AWS_CLI_V1 and AWS_CLI_V2 override the two commands (a CLI that is missing is reported as one failure).
set -uo pipefail

# shellcheck source=cli_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_common.sh"

# run SERVICE CMD...: runs the CLI with the common options; stdout to $out, stderr to $err.
run() {
  local service="$1"; shift
  "${cli[@]}" "$service" "$@" --endpoint-url "$endpoint" --region us-east-1 --output json >"$out" 2>"$err"
}

ok() {
  local desc="$1"; shift
  if run "$@"; then pass "$desc"; return 0; fi
  fail "$desc: exit $?: $(head -c 400 "$err")"
  return 1
}

flow() {
  local label="$1"
  local name="cli-${label}-$$-${RANDOM}"
  echo "== $label: ${cli[*]}"
  if ! "${cli[@]}" --version >"$out" 2>&1; then
    fail "$label: ${cli[*]} is not runnable"
    return
  fi

  ok "$label create-topic" sns create-topic --name "$name" --attributes DisplayName=CliTopic || return
  local topic
  topic="$(json 'd["TopicArn"]')"
  check "$label the topic ARN names the topic" "d['TopicArn'].endswith(':$name')"
  ok "$label list-topics" sns list-topics && check "$label list-topics shows it" "any(t['TopicArn']=='$topic' for t in d['Topics'])"
  ok "$label get-topic-attributes" sns get-topic-attributes --topic-arn "$topic" &&
    check "$label DisplayName is kept" "d['Attributes']['DisplayName']=='CliTopic'"

  ok "$label create-queue" sqs create-queue --queue-name "$name-q" || return
  local queue_url queue_arn
  queue_url="$(json 'd["QueueUrl"]')"
  run sqs get-queue-attributes --queue-url "$queue_url" --attribute-names QueueArn
  queue_arn="$(json 'd["Attributes"]["QueueArn"]')"

  ok "$label subscribe (sqs, raw)" sns subscribe --topic-arn "$topic" --protocol sqs --notification-endpoint "$queue_arn" \
    --attributes '{"RawMessageDelivery":"true","FilterPolicy":"{\"kind\":[\"keep\"]}"}' --return-subscription-arn || return
  local sub
  sub="$(json 'd["SubscriptionArn"]')"
  check "$label subscribe returns the subscription ARN" "d['SubscriptionArn'].startswith('$topic:')"
  ok "$label list-subscriptions-by-topic" sns list-subscriptions-by-topic --topic-arn "$topic" &&
    check "$label the subscription is listed" "[s['SubscriptionArn'] for s in d['Subscriptions']]==['$sub']"

  ok "$label publish (filtered out)" sns publish --topic-arn "$topic" --message "dropped" \
    --message-attributes '{"kind":{"DataType":"String","StringValue":"drop"}}'
  ok "$label publish (matching)" sns publish --topic-arn "$topic" --message "kept by $label" \
    --message-attributes '{"kind":{"DataType":"String","StringValue":"keep"}}' &&
    check "$label publish returns a MessageId" "len(d['MessageId'])==36"
  ok "$label receive-message" sqs receive-message --queue-url "$queue_url" --max-number-of-messages 10 --wait-time-seconds 2 \
    --message-attribute-names All &&
    check "$label only the matching message arrived, with its attribute" \
      "[m['Body'] for m in d['Messages']]==['kept by $label'] and d['Messages'][0]['MessageAttributes']['kind']['StringValue']=='keep'"

  ok "$label publish-batch" sns publish-batch --topic-arn "$topic" \
    --publish-batch-request-entries Id=a,Message=one Id=b,Message=two &&
    check "$label publish-batch answers both entries" "sorted(e['Id'] for e in d['Successful'])==['a','b']"

  ok "$label tag-resource" sns tag-resource --resource-arn "$topic" --tags Key=team,Value=cli
  ok "$label list-tags-for-resource" sns list-tags-for-resource --resource-arn "$topic" &&
    check "$label the tag is listed" "d['Tags']==[{'Key':'team','Value':'cli'}]"
  ok "$label set-subscription-attributes" sns set-subscription-attributes --subscription-arn "$sub" \
    --attribute-name RawMessageDelivery --attribute-value false
  ok "$label get-subscription-attributes" sns get-subscription-attributes --subscription-arn "$sub" &&
    check "$label RawMessageDelivery is now false" "d['Attributes']['RawMessageDelivery']=='false'"

  if run sns get-topic-attributes --topic-arn "${topic}-missing"; then
    fail "$label a missing topic must fail"
  elif grep -q "NotFound" "$err"; then
    pass "$label a missing topic answers NotFound"
  else
    fail "$label a missing topic answers NotFound: $(head -c 300 "$err")"
  fi

  ok "$label unsubscribe" sns unsubscribe --subscription-arn "$sub"
  ok "$label delete-topic" sns delete-topic --topic-arn "$topic"
  run sqs delete-queue --queue-url "$queue_url"
}

use_cli_v1
flow v1

use_cli_v2
flow v2

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]

#!/usr/bin/env bash
# Ferry's client-compatibility suites: real SQS, SNS, Kinesis and Redis clients (boto3, AWS CLI v1 and v2, AWS SDK
# for JavaScript v3, sqs-consumer, redis-cli, ioredis, node-redis) against a running server. Installs what the suites need (idempotently), runs every suite and
# ends with one line "N passed, N failed" summing them all.
#
#   tests/clients/run.sh                    build Ferry, start it on a free port (fsync, temporary data), test it
#   FERRY_ENDPOINT=http://127.0.0.1:4566 tests/clients/run.sh     test a server that is already running
#                                          (with FERRY_REDIS_PORT=6379 for the Redis suites)
#   tests/clients/run.sh --peer moto        start moto_server instead, to check the suites against another SQS
#
# Only processes started here are stopped, by pid, on exit.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

peer=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --peer) peer="${2:-}"; shift 2 ;;
    --peer=*) peer="${1#--peer=}"; shift ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [[ -n "$peer" && "$peer" != "moto" ]]; then
  echo "--peer takes: moto" >&2
  exit 2
fi

server_pid=""
work="$(mktemp -d)"
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup_failures=0

echo "== prerequisites"
if [[ ! -x /usr/bin/aws ]]; then
  echo "installing Debian's awscli (AWS CLI v2, Query protocol for SQS)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli; } >"$work/apt.log" 2>&1; then
    tail -5 "$work/apt.log"
    echo "could not install awscli; the v2 half of the CLI suite will fail"
  fi
fi
js="$here/js"
if [[ ! -d "$js/node_modules" || "$js/package-lock.json" -nt "$js/node_modules/.package-lock.json" ]]; then
  echo "installing the JavaScript clients (npm ci)"
  if ! (cd "$js" && npm ci --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1; then
    tail -5 "$work/npm.log"
    setup_failures=$((setup_failures + 1))
  fi
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL SECONDS [require-200]: waits until the URL answers (with 200 when asked).
wait_http() {
  local url="$1" seconds="$2" want="${3:-}"
  python3 - "$url" "$seconds" "$want" <<'EOF'
import sys, time, urllib.request, urllib.error
url, seconds, want = sys.argv[1], float(sys.argv[2]), sys.argv[3]
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            sys.exit(0)
    except urllib.error.HTTPError:
        if not want:
            sys.exit(0)
    except Exception:
        pass
    time.sleep(0.2)
sys.exit(1)
EOF
}

ferry_dll="$root/src/Ferry.Server/bin/Debug/net10.0/Ferry.Server.dll"

if [[ "$peer" == "moto" ]]; then
  port="$(free_port)"
  echo "== starting moto_server on port $port"
  moto_server -p "$port" >"$work/moto.log" 2>&1 &
  server_pid=$!
  export FERRY_ENDPOINT="http://127.0.0.1:$port"
  export FERRY_PEER=moto
  if ! wait_http "$FERRY_ENDPOINT/" 30; then
    tail -20 "$work/moto.log"
    echo "moto_server did not start"
    echo "0 passed, 1 failed"
    exit 1
  fi
elif [[ -n "${FERRY_ENDPOINT:-}" ]]; then
  echo "== using FERRY_ENDPOINT=$FERRY_ENDPOINT"
  [[ -f "$ferry_dll" ]] && export FERRY_SERVER_DLL="$ferry_dll"
else
  echo "== building Ferry"
  if ! dotnet build "$root/src/Ferry.Server" -c Debug --nologo -v quiet >"$work/build.log" 2>&1; then
    grep -E ": (error|warning) " "$work/build.log" | sort -u | head -20
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
  fi
  export FERRY_SERVER_DLL="$ferry_dll"
  echo "== starting Ferry"
  dotnet "$ferry_dll" --port 0 --redis-port 0 --data "$work/data" --durability fsync >"$work/ferry.log" 2>&1 &
  server_pid=$!
  port=""
  for _ in $(seq 300); do
    port="$(grep -oE 'Listening on http://127\.0\.0\.1:[0-9]+' "$work/ferry.log" | head -1 | grep -oE '[0-9]+$')"
    [[ -n "$port" ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$port" ]]; then
    tail -20 "$work/ferry.log"
    echo "Ferry did not start"
    echo "0 passed, 1 failed"
    exit 1
  fi
  export FERRY_ENDPOINT="http://127.0.0.1:$port"
  if ! wait_http "$FERRY_ENDPOINT/health" 30 require-200; then
    tail -20 "$work/ferry.log"
    echo "Ferry did not answer GET /health"
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "   $(grep -m1 'Listening on' "$work/ferry.log")"
  FERRY_REDIS_PORT="$(grep -oE 'redis://127\.0\.0\.1:[0-9]+' "$work/ferry.log" | head -1 | grep -oE '[0-9]+$')"
  export FERRY_REDIS_PORT
fi

passed=0
failed=$setup_failures

# add_counts SUITE LOG: adds the "N passed, N failed" line of a suite's log; a suite without one failed.
add_counts() {
  local suite="$1" log="$2" line
  line="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)"
  if [[ -z "$line" ]]; then
    echo "-- $suite reported no counts: counting it as one failure"
    failed=$((failed + 1))
    return
  fi
  echo "-- $suite: $line"
  passed=$((passed + $(cut -d' ' -f1 <<<"$line")))
  failed=$((failed + $(cut -d' ' -f3 <<<"$line")))
}

echo "== Python (boto3)"
python3 "$here/python/run_tests.py" 2>&1 | tee "$work/python.log"
add_counts python "$work/python.log"

echo "== AWS CLI"
bash "$here/cli/test_sqs_cli.sh" 2>&1 | tee "$work/cli.log"
add_counts cli "$work/cli.log"
bash "$here/cli/test_sns_cli.sh" 2>&1 | tee "$work/cli-sns.log"
add_counts cli-sns "$work/cli-sns.log"
if [[ "$peer" != "moto" ]]; then
  bash "$here/cli/test_kinesis_cli.sh" 2>&1 | tee "$work/cli-kinesis.log"
  add_counts cli-kinesis "$work/cli-kinesis.log"
fi

echo "== redis-cli"
if [[ -n "${FERRY_REDIS_PORT:-}" ]]; then
  bash "$here/cli/test_redis_cli.sh" 2>&1 | tee "$work/redis-cli.log"
  add_counts redis-cli "$work/redis-cli.log"
else
  echo "-- redis-cli: skipped (FERRY_REDIS_PORT is not set)"
fi

echo "== JavaScript (node --test)"
(cd "$js" && NODE_NO_WARNINGS=1 node --test) 2>&1 | tee "$work/js.log"
js_pass="$(grep -oE '^# pass [0-9]+' "$work/js.log" | tail -1 | grep -oE '[0-9]+')"
js_fail="$(grep -oE '^# fail [0-9]+' "$work/js.log" | tail -1 | grep -oE '[0-9]+')"
js_cancelled="$(grep -oE '^# cancelled [0-9]+' "$work/js.log" | tail -1 | grep -oE '[0-9]+')"
if [[ -z "$js_pass" || -z "$js_fail" ]]; then
  echo "-- javascript reported no counts: counting it as one failure"
  failed=$((failed + 1))
else
  echo "-- javascript: $js_pass passed, $((js_fail + ${js_cancelled:-0})) failed"
  passed=$((passed + js_pass))
  failed=$((failed + js_fail + ${js_cancelled:-0}))
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]

#!/usr/bin/env bash
# redis-cli against Ferry's RESP face (FERRY_REDIS_PORT on 127.0.0.1). Installs redis-tools if missing. Prints
# "N passed, N failed".
set -uo pipefail

if ! command -v redis-cli >/dev/null; then
  echo "installing redis-tools (redis-cli)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools; } >/dev/null 2>&1 \
    || echo "could not install redis-tools"
fi

port="${FERRY_REDIS_PORT:?FERRY_REDIS_PORT must name the RESP port of Ferry}"
passed=0
failed=0
cli() { redis-cli -h 127.0.0.1 -p "$port" "$@" 2>&1; }

# check NAME EXPECTED ACTUAL
check() {
  if [[ "$2" == "$3" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s\n  expected: %q\n  actual:   %q\n' "$1" "$2" "$3"
  fi
}

s="cli-$$-$RANDOM"
check ping "PONG" "$(cli PING)"
check inline "PONG" "$(printf 'PING\r\n' | cli)"
check xadd "1-1" "$(cli XADD "$s" 1-1 f v)"
check xadd-top "ERR The ID specified in XADD is equal or smaller than the target stream top item" "$(cli XADD "$s" 1-1 f v)"
check xadd-zero "ERR The ID specified in XADD must be greater than 0-0" "$(cli XADD "$s.z" 0-0 f v)"
check xadd-arity "ERR wrong number of arguments for 'xadd' command" "$(cli XADD "$s")"
check xrange $'1-1\nf\nv' "$(cli XRANGE "$s" - +)"
check xlen "2" "$(cli XADD "$s" 2-0 g w >/dev/null; cli XLEN "$s")"
check type "stream" "$(cli TYPE "$s")"
check group "OK" "$(cli XGROUP CREATE "$s" grp 0)"
check busygroup "BUSYGROUP Consumer Group name already exists" "$(cli XGROUP CREATE "$s" grp 0)"
check readgroup "$s"$'\n1-1\nf\nv' "$(cli XREADGROUP GROUP grp c1 COUNT 1 STREAMS "$s" '>')"
check pending "1" "$(cli XPENDING "$s" grp | head -1)"
check nogroup "NOGROUP No such key '$s' or consumer group 'nope' in XREADGROUP with GROUP option" "$(cli XREADGROUP GROUP nope c STREAMS "$s" '>')"
check xack "1" "$(cli XACK "$s" grp 1-1)"
check autoclaim $'0-0' "$(cli XAUTOCLAIM "$s" grp c2 0 0 | head -1)"
check select "ERR DB index is out of range" "$(cli SELECT 1)"
check unknown "ERR unknown command 'nosuch', with args beginning with: 'a' " "$(cli nosuch a)"
check del "1" "$(cli DEL "$s")"

# Pub/sub with a pattern: a background subscriber prints what it receives.
out="$(mktemp)"
redis-cli -h 127.0.0.1 -p "$port" PSUBSCRIBE "$s.*" >"$out" 2>&1 &
sub=$!
for _ in $(seq 50); do [[ "$(cli PUBSUB NUMPAT)" -ge 1 ]] 2>/dev/null && break; sleep 0.1; done
check publish "1" "$(cli PUBLISH "$s.news" hello)"
sleep 0.3
kill "$sub" 2>/dev/null
wait "$sub" 2>/dev/null
check pmessage $'psubscribe\n'"$s.*"$'\n1\npmessage\n'"$s.*"$'\n'"$s.news"$'\nhello' "$(cat "$out")"
rm -f "$out"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]

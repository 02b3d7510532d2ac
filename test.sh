#!/usr/bin/env bash
# Ferry's test command: restores, builds and runs every test suite, installing what the suites need
# (idempotently), and ends with one line "N passed, N failed" summing every suite it ran.
#
#   ./test.sh            everything
#   ./test.sh --filter X pass a dotnet test filter through (e.g. FullyQualifiedName~Journal)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

filter=()
if [[ "${1:-}" == "--filter" && -n "${2:-}" ]]; then
  filter=(--filter "$2")
fi

passed=0
failed=0
log="$(mktemp)"
dotnet_log="$(mktemp)"
trap 'rm -f "$log" "$dotnet_log"' EXIT

echo "== restore and build"
if ! dotnet build Ferry.slnx -c Debug --nologo -v quiet >"$log" 2>&1; then
  grep -E ": (error|warning) " "$log" | sort -u
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== shell scripts parse"
while IFS= read -r script; do
  if bash -n "$script"; then
    passed=$((passed + 1))
  else
    echo "FAILED: $script does not parse"
    failed=$((failed + 1))
  fi
done < <(git ls-files '*.sh' .ci/run)

# The fsync-failure test injects EIO into fdatasync with strace (Debian's strace package).
if ! command -v strace >/dev/null 2>&1; then
  echo "== installing strace"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace; } >/dev/null 2>&1 || echo "could not install strace"
fi

echo "== .NET test suites"
dotnet test Ferry.slnx -c Debug --no-build --nologo "${filter[@]}" 2>&1 | tee "$dotnet_log"
status=${PIPESTATUS[0]}

# One summary line per test assembly: "Passed!  - Failed: 0, Passed: 48, Skipped: 0, Total: 48, ...".
while read -r f p; do
  failed=$((failed + f))
  passed=$((passed + p))
done < <(grep -oE 'Failed: +[0-9]+, Passed: +[0-9]+' "$dotnet_log" | sed -E 's/Failed: +([0-9]+), Passed: +([0-9]+)/\1 \2/')

if [[ $status -ne 0 && $failed -eq 0 ]]; then
  # A crashed or aborted test host reports no failures of its own; count it as one.
  echo "dotnet test exited with $status without a failing test: counting the aborted run as a failure"
  failed=$((failed + 1))
fi

if [[ ${#filter[@]} -eq 0 ]]; then
  echo "== client-compatibility suites (real SDKs and CLIs against a running Ferry)"
  tests/clients/run.sh 2>&1 | tee "$log"
  client_status=${PIPESTATUS[0]}
  if summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1); then
    read -r p _ f _ <<<"$summary"
    passed=$((passed + p))
    failed=$((failed + f))
  elif [[ $client_status -ne 0 ]]; then
    echo "the client suites exited with $client_status before reporting: counting it as a failure"
    failed=$((failed + 1))
  fi
fi

# Name the failed .NET tests again at the end, where a reader of the last lines of the run sees them.
if grep -qE '^\s+Failed [^:]+ \[' "$dotnet_log"; then
  echo "== failed .NET tests"
  # Each failure: its name, message and the first lines of its stack trace.
  awk '/^ +Failed [^:]+ \[/ { n = 12 } n > 0 && NF == 0 { n = 0 } n > 0 { print substr($0, 1, 300); n-- }' "$dotnet_log"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]

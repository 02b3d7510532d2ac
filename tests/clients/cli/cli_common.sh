# Shared set-up of the AWS CLI suites (sourced, not run): the endpoint and a clean AWS environment, the
# pass/fail counters, temporary files for a command's output ($out) and errors ($err), and checks over JSON output.

endpoint="${FERRY_ENDPOINT:?set FERRY_ENDPOINT, e.g. http://127.0.0.1:4566}"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN

passed=0
failed=0
out="$(mktemp)"
err="$(mktemp)"
trap 'rm -f "$out" "$err"' EXIT

pass() { passed=$((passed + 1)); echo "  ok   $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL $*"; }

# json EXPR: evaluates a Python expression over the JSON document in $out bound to `d` (empty output, as
# the CLI prints for a receive without messages, is {}); prints the result.
json() {
  python3 -c 'import json,sys; t=open(sys.argv[1]).read(); d=json.loads(t) if t.strip() else {}; r=eval(sys.argv[2]); print(r if not isinstance(r,(dict,list)) else json.dumps(r))' "$out" "$1" 2>/dev/null
}

# check DESCRIPTION EXPR: passes when the Python expression over the JSON output `d` is true.
check() {
  local desc="$1" expr="$2"
  if [[ "$(json "bool($expr)")" == "True" ]]; then pass "$desc"; else fail "$desc: $expr over $(head -c 400 "$out")"; fi
}

# use_cli_v1: sets `cli` to AWS CLI v1 (AWS_CLI_V1, the pyenv shim, or the Python module).
use_cli_v1() {
  if [[ -n "${AWS_CLI_V1:-}" ]]; then
    read -r -a cli <<<"$AWS_CLI_V1"
  elif [[ -x /root/.pyenv/shims/aws ]]; then
    cli=(/root/.pyenv/shims/aws)
  else
    cli=(python3 -m awscli)
  fi
}

# use_cli_v2: sets `cli` to Debian's AWS CLI 2.9 (AWS_CLI_V2 overrides).
use_cli_v2() {
  read -r -a cli <<<"${AWS_CLI_V2:-/usr/bin/aws}"
}

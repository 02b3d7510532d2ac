#!/usr/bin/env bash
# Ferry's long torture run: builds, then SIGKILLs a Ferry server 500 times under mixed SQS, SNS, Kinesis and Redis load
# and checks every acknowledged operation against the client-side ledger. The short run (20 kills) is part of
# ./test.sh (tests/Ferry.Torture.Tests).
#
#   tests/torture.sh                      500 kills, seed 1
#   tests/torture.sh --kills 50 --seed 7  any switch of Ferry.Torture (--help lists them)
#
# Exits 0 when every promise held, 1 on a violation (the data directory is kept and named), 2 on bad switches.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

args=("$@")
if [[ " ${args[*]-} " != *" --kills "* ]]; then
  args=(--kills 500 "${args[@]}")
fi

dotnet build "$root/tests/Ferry.Torture" -c Debug --nologo -v quiet
exec dotnet "$root/tests/Ferry.Torture/bin/Debug/net10.0/Ferry.Torture.dll" "${args[@]}"

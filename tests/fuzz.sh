#!/usr/bin/env bash
# Runs Ferry's mutation fuzzers long: every target (or those matching a filter) with many more inputs than the
# normal test run, and a seed of your choice so that each run explores new inputs.
#
#   tests/fuzz.sh                        100,000 inputs per target, seed 1
#   tests/fuzz.sh 1000000 7              a million inputs per target, seed 7
#   tests/fuzz.sh 50000 3 SnsQuery       only targets whose test name contains SnsQuery
#   FERRY_FUZZ_MINIMIZE=path.seq tests/fuzz.sh 1 0 MinimizeSequence
#                                        shrink a failing sequence to the requests it needs
#
# Failing inputs are written under tests/Ferry.Fuzz.Tests/fuzz-failures/<target>/ (*.bin, with *.seq for the HTTP
# targets: the requests the server had accepted before). Check them in under tests/Ferry.Fuzz.Tests/Regressions/<target>/
# once fixed: every run replays them first.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export FERRY_FUZZ_ITERATIONS="${1:-100000}"
export FERRY_FUZZ_SEED="${2:-1}"
export FERRY_FUZZ_FAILURES="${FERRY_FUZZ_FAILURES:-$PWD/tests/Ferry.Fuzz.Tests/fuzz-failures}"
filter="FullyQualifiedName~FuzzTests"
if [[ -n "${3:-}" ]]; then
  filter="FullyQualifiedName~$3"
fi

dotnet build tests/Ferry.Fuzz.Tests -v quiet --nologo
dotnet test tests/Ferry.Fuzz.Tests --no-build --nologo --filter "$filter" --logger "console;verbosity=detailed" \
  | grep -E "inputs in|Passed |Failed |failing input|saved as|  input:|Exception|allocated|did not|took|Total tests|Passed:|Failed:" || true

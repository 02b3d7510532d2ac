#!/usr/bin/env bash
# Ferry's reproducible benchmark: one command that measures this machine's disk limits with fio, runs the
# benchmark scenarios, and writes everything with a machine description to bench/results/latest.md.
#
#   bench/run.sh [--quick] [--data-dir DIR] [scenario[,scenario...]] [-- extra Ferry.Bench options]
#
# Scenarios default to all. --quick makes every step a short smoke run. DIR (default: a temporary directory
# under bench/results/) holds the fio test files and the journal scenario's data, so both measure the same
# filesystem, and the SQS and SNS scenarios' Ferry data directories. Pass Ferry's durability with -- --durability MODE.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$repo/bench/results"
command_line="bench/run.sh $*"

quick=""
scenarios="all"
data_parent="$results"
extra=()
while (($#)); do
  case "$1" in
    --quick) quick="--quick" ;;
    --data-dir) data_parent="$2"; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "unknown option: $1" >&2; exit 2 ;;
    *) scenarios="$1" ;;
  esac
  shift
done

mkdir -p "$results" "$data_parent"
work="$(mktemp -d "$data_parent/ferry-bench.XXXXXX")"
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Runs a command in the background, records its pid for the EXIT trap, and waits for it.
run_tracked() {
  "$@" &
  local pid=$!
  pids+=("$pid")
  wait "$pid"
}

echo "== building Ferry.Bench (Release)" >&2
run_tracked dotnet build -c Release --nologo -v quiet "$repo/bench/Ferry.Bench/Ferry.Bench.csproj" >&2
# The SQS and SNS scenarios start Ferry.Server from its Release build (and moto_server, if installed, beside it).
echo "== building Ferry.Server (Release)" >&2
run_tracked dotnet build -c Release --nologo -v quiet "$repo/src/Ferry.Server/Ferry.Server.csproj" >&2

command -v fio >/dev/null || (apt-get update && apt-get install -y fio) >&2
# The kinesis scenario compares with kinesalite, installed from npm beside the benchmark (bench/package.json).
if [[ ! -f "$repo/bench/node_modules/kinesalite/cli.js" ]] && command -v npm >/dev/null; then
  echo "== installing kinesalite (npm)" >&2
  (cd "$repo/bench" && npm install --no-audit --no-fund --loglevel=error) >&2 || echo "kinesalite could not be installed; its rows will be missing" >&2
fi
# The resp scenario drives redis-benchmark against Ferry and two redis-server processes it starts itself.
if [[ "$scenarios" == all || "$scenarios" == *resp* ]]; then
  { command -v redis-benchmark && command -v redis-server; } >/dev/null || (apt-get update && apt-get install -y redis-tools redis-server) >&2
fi

# Runtime caps: a fio job stops at its size or its runtime, whichever comes first.
if [[ -n "$quick" ]]; then
  fio_runtime=3
  seq_size=256m
else
  fio_runtime=15
  seq_size=2g
fi

echo "== fio: fdatasync rate and sequential write bandwidth in $work" >&2
run_tracked fio --name=fsync --directory="$work" --rw=write --bs=4k --size=64m --fdatasync=1 --ioengine=sync \
  --runtime="$fio_runtime" --output-format=json --output="$work/fio-fsync.json" >/dev/null
run_tracked fio --name=seqwrite --directory="$work" --rw=write --bs=1m --size="$seq_size" --end_fsync=1 --ioengine=sync \
  --runtime="$fio_runtime" --output-format=json --output="$work/fio-seq.json" >/dev/null
rm -f "$work"/fsync.* "$work"/seqwrite.*

disk_table="$(python3 - "$work/fio-fsync.json" "$work/fio-seq.json" <<'PY'
import json, sys

def job(path):
    with open(path) as f:
        return json.load(f)["jobs"][0]

fsync = job(sys.argv[1])
seq = job(sys.argv[2])
sync_lat = fsync.get("sync", {}).get("lat_ns", {}).get("percentile", {})

def micros(ns):
    return f"{ns / 1000:,.0f}" if ns else "—"

print("### disk — physical limits of the data directory's filesystem (fio)")
print()
print("| measurement | fio job | result | p50 µs | p99 µs |")
print("| --- | --- | ---: | ---: | ---: |")
print(f"| fdatasync rate | 4 KiB writes, fdatasync after each, sync engine | {fsync['write']['iops']:,.0f} fsync/s "
      f"| {micros(sync_lat.get('50.000000'))} | {micros(sync_lat.get('99.000000'))} |")
# fio's bw is KiB/s; report MB/s (10^6 bytes) like the benchmark tables.
print(f"| sequential write | 1 MiB writes, fsync at end, sync engine | {seq['write']['bw'] * 1024 / 1e6:,.0f} MB/s | — | — |")
PY
)"

echo "== Ferry.Bench $scenarios $quick" >&2
bench_out="$work/bench.md"
run_tracked dotnet "$repo/bench/Ferry.Bench/bin/Release/net10.0/Ferry.Bench.dll" "$scenarios" $quick \
  --data-dir "$work" --out "$bench_out" ${extra[@]+"${extra[@]}"} >/dev/null

machine="$(
  echo "| | |"
  echo "| --- | --- |"
  echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') |"
  echo "| cores (nproc) | $(nproc) |"
  echo "| memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) |"
  echo "| kernel | $(uname -sr) |"
  echo "| data filesystem | $(df -PT "$work" | awk 'NR==2 {print $2 " on " $1 " (" $7 ")"}') |"
  echo "| .NET | $(dotnet --version) |"
  echo "| git | $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown) |"
)"

report="$results/latest.md"
{
  echo "# Ferry benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`$command_line\`"
  echo
  echo "$machine"
  echo
  echo "$disk_table"
  echo
  cat "$bench_out"
} >"$report"

cat "$report"
echo "== written to $report" >&2

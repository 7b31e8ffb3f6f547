#!/usr/bin/env bash
# Runs the plan benchmark and writes docs/bench/plan-time.{md,svg}.
# Usage: utils/bench/run-plan-bench.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${PAGELAYOUT_BUILD_DIR:-$root/build}}
"$root/utils/build.sh" >/dev/null
out=$root/docs/bench
mkdir -p "$out"
json=$(mktemp)
trap 'rm -f "$json"' EXIT
"$build/utils/bench/pagelayout-plan-bench" --benchmark_format=json >"$json"
python3 "$root/utils/bench/plot_plan_bench.py" "$json" "$out"
cat "$out/plan-time.md"

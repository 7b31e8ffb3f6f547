#!/usr/bin/env bash
# Set up, build, and run pagelayout end to end on the bundled example:
# compile utils/demo/demo.c with -ffunction-sections, show the profile's
# resolved phases, then the phase/page plan and its metrics.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
"$root/utils/setup.sh"
"$root/utils/build.sh"
pagelayout=$build/tools/pagelayout/pagelayout
work=$build/demo
mkdir -p "$work"

echo "== compile the example (clang-22 -O2 -ffunction-sections)"
clang-22 -O2 -ffunction-sections -c "$root/utils/demo/demo.c" -o "$work/demo.o"
clang-22 "$work/demo.o" -o "$work/demo"
"$work/demo"

echo
echo "== the profile's phases (pagelayout profile show)"
"$pagelayout" profile show "$root/utils/demo/demo.yaml"

echo
echo "== the layout plan (pagelayout plan)"
"$pagelayout" plan --profile "$root/utils/demo/demo.yaml" "$work/demo.o"

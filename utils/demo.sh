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

echo
echo "== link with the profile (clang-22 --ld-path=ld.pagelayout -Wl,--layout-profile=...)"
clang-22 --ld-path="$build/plugin/ld.pagelayout" "$work/demo.o" -o "$work/demo.laid" \
  -Wl,--layout-profile="$root/utils/demo/demo.yaml" \
  -Wl,--layout-report="$work/demo.report.txt"
"$work/demo.laid"
echo "-- functions by address (llvm-nm -n): each phase starts on a page"
/usr/lib/llvm-22/bin/llvm-nm -n "$work/demo.laid" | grep -E ' [tT] ' |
  grep -E '__pagelayout_|main|read_config|parse_option|init_tables|build_first_frame|run_loop|step|mix|report_fatal|dump_debug_state'
echo "-- the achieved placement, read back from the output (--layout-report)"
cat "$work/demo.report.txt"

#!/usr/bin/env bash
# Set up, build, and run pagelayout end to end on the bundled example
# (utils/demo/demo.c): record a profile from a run of the release binary
# itself (record --mode=trace), show its phases and the plan, link with
# ld.pagelayout and read the achieved layout back.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
"$root/utils/setup.sh"
"$root/utils/build.sh"
pagelayout=$build/tools/pagelayout/pagelayout
work=$build/demo
mkdir -p "$work"
inc=-I$root/utils/recorder/include

echo "== 1. build the release binary and record a profile from a run of it"
echo "   (pagelayout record --mode=trace: the unmodified binary under ptrace)"
clang-22 -O2 -ffunction-sections $inc "$root/utils/demo/demo.c" -o "$work/demo.rel"
"$pagelayout" record --mode=trace --startup-end=build_first_frame \
  --first-frame=run_loop -o "$work/demo.yaml" -- "$work/demo.rel"

echo
echo "== 2. the recorded profile's phases (pagelayout profile show)"
"$pagelayout" profile show "$work/demo.yaml"

echo
echo "== 3. the layout plan for the release objects (pagelayout plan)"
clang-22 -O2 -ffunction-sections $inc -c "$root/utils/demo/demo.c" -o "$work/demo.o"
"$pagelayout" plan --profile "$work/demo.yaml" "$work/demo.o"

echo
echo "== 4. link with the profile (clang-22 --ld-path=ld.pagelayout -Wl,--layout-profile=...)"
clang-22 --ld-path="$build/plugin/ld.pagelayout" "$work/demo.o" -o "$work/demo.laid" \
  -Wl,--layout-profile="$work/demo.yaml" \
  -Wl,--layout-report="$work/demo.report.txt"
clang-22 -fuse-ld=lld "$work/demo.o" -o "$work/demo.lld"
echo "   output (ld.lld):         $("$work/demo.lld")"
echo "   output (ld.pagelayout):  $("$work/demo.laid")"
echo "-- functions by address (llvm-nm -n): packed by the bytes that ran, on the pages .init/.plt and the C runtime touch anyway"
/usr/lib/llvm-22/bin/llvm-nm -n "$work/demo.laid" | grep -E ' [tT] ' |
  grep -E '__pagelayout_|main|read_config|parse_option|init_tables|build_first_frame|run_loop|step|mix|report_fatal|dump_debug_state'
echo "-- the achieved placement, read back from the output (--layout-report)"
cat "$work/demo.report.txt"

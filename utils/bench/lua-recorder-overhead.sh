#!/usr/bin/env bash
# Recorder overhead on a real program: lua 5.4 (Debian source) running the
# CPU-bound bench.lua, uninstrumented vs each recording mode (flags,
# first-call, blocks, full). Prints and
# writes docs/bench/recorder-overhead.md: ratios of wall time, best of
# three runs each. Usage: lua-recorder-overhead.sh [size]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
work=$build/bench/lua-overhead
bench=$root/utils/bench
size=${1:-3000000}
"$root/utils/setup.sh"
"$root/utils/build.sh" >/dev/null
source "$bench/lua-common.sh"
lua_prepare
echo "== build lua five ways (clang-22 -O2 -ffunction-sections)"
lua_compile "$work/none"
lua_compile "$work/flags" -fsanitize-coverage=func,inline-bool-flag,pc-table
lua_compile "$work/first-call" -fsanitize-coverage=func,trace-pc-guard
lua_compile "$work/blocks" -fsanitize-coverage=bb,trace-pc-guard,pc-table
lua_compile "$work/full" -finstrument-functions-after-inlining
clang-22 -fuse-ld=lld -no-pie "$work"/none/*.o -lm -ldl -o "$work/lua.none"
for mode in flags first-call blocks full; do
  clang-22 -fuse-ld=lld -no-pie "$work/$mode"/*.o -lm -ldl $LUA_RT_LDFLAGS -o "$work/lua.$mode"
done

best_of_3() { # best_of_3 BINARY SCRIPT SIZE -> seconds
  PAGELAYOUT_OUT="$work/raw/r.%p.raw" "$bench/best-time.py" --runs 3 -- "$@"
}
mkdir -p "$work/raw"
declare -A secs
for mode in none flags first-call blocks full; do
  secs[$mode]=$(best_of_3 "$work/lua.$mode" "$bench/lua/bench.lua" "$size")
  echo "$mode: ${secs[$mode]} s"
done
out=$root/docs/bench/recorder-overhead.md
mkdir -p "$(dirname "$out")"
{
  echo "| mode | instrumentation | time (s) | ratio to uninstrumented |"
  echo "|---|---|---:|---:|"
  for mode in none flags first-call blocks full; do
    case $mode in
      none) flags="none" ;;
      flags) flags="-fsanitize-coverage=func,inline-bool-flag,pc-table" ;;
      first-call) flags="-fsanitize-coverage=func,trace-pc-guard" ;;
      blocks) flags="-fsanitize-coverage=bb,trace-pc-guard,pc-table" ;;
      full) flags="-finstrument-functions-after-inlining" ;;
    esac
    ratio=$(python3 -c "print(f'{${secs[$mode]}/${secs[none]}:.3f}')")
    echo "| $mode | \`$flags\` | ${secs[$mode]} | $ratio |"
  done
  echo
  echo "lua 5.4.4 (Debian lua5.4 source), clang-22 -O2, bench.lua $size; best of 3"
  echo "runs each on $(nproc) cores, $(date -u +%Y-%m-%d)."
} > "$out"
cat "$out"

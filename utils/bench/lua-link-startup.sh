#!/usr/bin/env bash
# Real program, link time: lua 5.4 from Debian's source package, linked by
# ld.lld-22 and by ld.pagelayout with a profile recorded from a run. Checks
# both give the same output, then counts the 4 KiB text pages executed
# before the script starts (startup) with valgrind's instruction trace.
# Writes docs/bench/lua-link-startup.md. Usage: lua-link-startup.sh [workdir]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
work=${1:-$build/bench/lua-link}
bench=$root/utils/bench
"$root/utils/setup.sh"
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
"$root/utils/build.sh" >/dev/null
pl=$build/tools/pagelayout/pagelayout
ldpl=$build/plugin/ld.pagelayout
nm=/usr/lib/llvm-22/bin/llvm-nm
readelf=/usr/lib/llvm-22/bin/llvm-readelf
mkdir -p "$work"
source "$bench/lua-common.sh"
lua_prepare
echo "== build (clang-22 -O2 -ffunction-sections, non-PIE)"
lua_compile "$work/native"
lua_compile "$work/full" -finstrument-functions-after-inlining
clang-22 -fuse-ld=lld -no-pie "$work"/native/*.o -lm -ldl -o "$work/lua.lld"
clang-22 -fuse-ld=lld -no-pie "$work"/full/*.o -lm -ldl $LUA_RT_LDFLAGS -o "$work/lua.rec"

echo "== record a profile from a run (full mode)"
"$pl" record -o "$work/lua.yaml" -- "$work/lua.rec" "$bench/lua/bench.lua" 20000 >/dev/null
"$pl" profile show "$work/lua.yaml" | sed -n '1,6p'

echo "== link with the profile"
clang-22 --ld-path="$ldpl" -no-pie "$work"/native/*.o -lm -ldl -o "$work/lua.laid" \
  -Wl,--layout-profile="$work/lua.yaml" -Wl,--layout-report="$work/lua.report.txt"
for s in core stdlib strings meta errors bench; do
  (cd "$work" && lua_run ./lua.lld "$s" > "$s.lld.out")
  (cd "$work" && lua_run ./lua.laid "$s" > "$s.laid.out")
  cmp "$work/$s.lld.out" "$work/$s.laid.out" || { echo "output differs: $s"; exit 1; }
done
echo "outputs identical on core, stdlib, strings, meta, errors and bench.lua"

read -r lld_start lld_whole text_pages <<<"$(lua_text_pages "$work/lua.lld")"
read -r pl_start pl_whole pl_text <<<"$(lua_text_pages "$work/lua.laid")"
bound=$(grep '^startup lower bounds' "$work/lua.report.txt" | sed 's/.*function \([0-9]*\).*/\1/')

out=$root/docs/bench/lua-link-startup.md
mkdir -p "$(dirname "$out")"
{
  echo "| build | text pages executed during startup | text pages executed in the whole run |"
  echo "|---|---:|---:|"
  echo "| ld.lld-22 (default order) | $lld_start | $lld_whole |"
  echo "| ld.pagelayout + recorded profile | $pl_start | $pl_whole |"
  echo
  echo "lua 5.4.4 (Debian lua5.4 source), clang-22 -O2 -ffunction-sections, non-PIE;"
  echo ".text is $text_pages pages (ld.lld) and $pl_text (ld.pagelayout). Startup = instructions executed before the first"
  echo "instruction of luaL_loadfilex, the first call of handle_script (valgrind lackey trace), running bench.lua 2000."
  echo "Function lower bound for the profiled startup set: $bound page(s)."
} > "$out"
cat "$out"
cat "$work/lua.report.txt" | tail -7

#!/usr/bin/env bash
# Functions split by phase on a real program: lua 5.4 from Debian's source
# (clang-22 -O2 -ffunction-sections, non-PIE, fixed string-hash seed), its
# run of `lua -e 'print(1)'` traced on a build with -fbasic-block-address-
# map, the block ids turned into clang's cluster list, lua rebuilt split
# and linked by ld.pagelayout. Counts the text pages each binary executes
# (valgrind lackey, the independent oracle) beside ld.lld's default layout,
# ld.lld with the exact first-execution order, and ld.pagelayout unsplit,
# with the instruction bound. Checks every binary prints the same on lua's
# test scripts. Writes docs/bench/lua-split.md. Usage: lua-split.sh [workdir]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
work=${1:-$build/bench/lua-split}
bench=$root/utils/bench
"$root/utils/setup.sh"
"$root/utils/build.sh" >/dev/null
pl=$build/tools/pagelayout/pagelayout
ldpl=$build/plugin/ld.pagelayout
mkdir -p "$work"
source "$bench/lua-common.sh"
lua_prepare
seed='-Dluai_makeseed=0*sizeof'
echo "== build with the address map, trace lua -e 'print(1)'"
lua_compile "$work/map" "$seed" -fbasic-block-address-map
clang-22 -fuse-ld=lld -no-pie "$work"/map/*.o -lm -ldl -o "$work/lua.map"
"$pl" record --mode=trace -o "$work/lua.yaml" -- "$work/lua.map" -e 'print(1)' >/dev/null
"$pl" profile convert "$work/lua.yaml" --binary "$work/lua.map" --to=bb-clusters \
  -o "$work/clusters.txt" 2> "$work/convert.log"
tail -1 "$work/convert.log"
echo "== rebuild split, link"
lua_compile "$work/split" "$seed" -fbasic-block-sections=list="$work/clusters.txt"
lua_compile "$work/whole" "$seed"
clang-22 -fuse-ld=lld -no-pie "$work"/whole/*.o -lm -ldl -o "$work/lua.lld"
"$pl" profile convert "$work/lua.yaml" --to=orderfile -o "$work/order.txt"
clang-22 -fuse-ld=lld -no-pie "$work"/whole/*.o -lm -ldl -o "$work/lua.order" \
  -Wl,--symbol-ordering-file="$work/order.txt" -Wl,--no-warn-symbol-ordering
clang-22 --ld-path="$ldpl" -no-pie "$work"/whole/*.o -lm -ldl -o "$work/lua.laid" \
  -Wl,--layout-profile="$work/lua.yaml"
clang-22 --ld-path="$ldpl" -no-pie "$work"/split/*.o -lm -ldl -o "$work/lua.split" \
  -Wl,--layout-profile="$work/lua.yaml"
for b in lld order laid split; do
  for s in core stdlib strings meta errors bench; do
    (cd "$work" && lua_run ./lua.$b "$s" > "$s.$b.out")
    cmp "$work/$s.lld.out" "$work/$s.$b.out" || { echo "output differs: $b $s"; exit 1; }
  done
done
echo "outputs identical on core, stdlib, strings, meta, errors and bench.lua"
echo "== pages executed by lua -e 'print(1)' (valgrind lackey)"
out=$root/docs/bench/lua-split.md
{
  echo "| layout | text pages executed (lackey) | text pages | instruction bound |"
  echo "|---|---:|---:|---:|"
  for b in lld order laid split; do
    valgrind --tool=lackey --trace-mem=yes --vex-guest-chase=no \
      --log-file="$work/$b.lk" "$work/lua.$b" -e 'print(1)' >/dev/null
    pages=$(python3 "$root/lit/reorder/Inputs/exec-pages.py" "$work/lua.$b" "$work/$b.lk" | awk '{print $3}')
    "$pl" report "$work/lua.$b" --run --format=json -o "$work/$b.json" -- -e 'print(1)' >/dev/null
    read -r text bound < <(python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))["binaries"][0]; print(m["code_pages"], m["run"]["instruction_bound"])' "$work/$b.json")
    case $b in
    lld) name="ld.lld, default order" ;;
    order) name="ld.lld --symbol-ordering-file (exact first-execution order)" ;;
    laid) name="ld.pagelayout, whole functions" ;;
    split) name="ld.pagelayout + block clusters (split by phase)" ;;
    esac
    echo "| $name | $pages | $text | $bound |"
  done
} > "$out"
cat "$out"

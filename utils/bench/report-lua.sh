#!/usr/bin/env bash
# The before/after heat map of docs/user-guide.md, made by the command a
# user runs: lua 5.4 from Debian's source (clang-22 -O2 -ffunction-sections,
# non-PIE, ld.lld-22 with --emit-relocs), its run of bench.lua traced with
# `pagelayout record --mode=trace`, rewritten by `pagelayout reorder`, and
# both binaries shown by `pagelayout report --compare`. Writes
# docs/bench/report-lua.svg and docs/bench/report-lua.txt.
# Usage: report-lua.sh [workdir]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
work=${1:-$build/bench/report-lua}
bench=$root/utils/bench
"$root/utils/setup.sh"
"$root/utils/build.sh" >/dev/null
pl=$build/tools/pagelayout/pagelayout
mkdir -p "$work"
source "$bench/lua-common.sh"
lua_prepare
echo "== build (clang-22 -O2 -ffunction-sections, non-PIE, -Wl,-q)"
# A fixed string-hash seed: lua's executed path must not change with the
# layout (the seed mixes in addresses).
lua_compile "$work/native" '-Dluai_makeseed=0*sizeof'
clang-22 -fuse-ld=lld -no-pie -Wl,-q "$work"/native/*.o -lm -ldl -o "$work/lua"

echo "== trace a run, rewrite, report"
(cd "$bench/lua" && "$pl" record --mode=trace -o "$work/lua.yaml" -- \
  "$work/lua" bench.lua 2000 >/dev/null)
"$pl" reorder --profile "$work/lua.yaml" "$work/lua" -o "$work/lua.laid" >/dev/null
for s in core stdlib strings meta errors bench; do
  (cd "$work" && lua_run ./lua "$s" > "$s.before.out")
  (cd "$work" && lua_run ./lua.laid "$s" > "$s.after.out")
  cmp "$work/$s.before.out" "$work/$s.after.out" || { echo "output differs: $s"; exit 1; }
done
echo "outputs identical on core, stdlib, strings, meta, errors and bench.lua"
# Binaries are named by their file names in the map: report from $work.
(cd "$work" && "$pl" report lua --compare lua.laid --profile lua.yaml \
  --svg "$root/docs/bench/report-lua.svg" -o "$root/docs/bench/report-lua.txt")
xmllint --noout "$root/docs/bench/report-lua.svg"
sed -n '/^compared/,$p' "$root/docs/bench/report-lua.txt"

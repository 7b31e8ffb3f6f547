#!/usr/bin/env bash
# Rewrite time, pagelayout reorder vs llvm-bolt (bolt-22) doing a function
# reorder of the same binary with the same order (-reorder-functions=user):
# lua 5.4 built by lua-link-startup.sh (non-PIE, -Wl,-q). Best of five runs
# each, in turn (one run of every command per round); prints the ratio and
# writes docs/bench/reorder-vs-bolt.{md,svg}.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
work=$build/bench/lua-link
bench=$root/utils/bench
source "$bench/lua-common.sh"
[ -f "$work/lua.yaml" ] || "$root/utils/bench/lua-link-startup.sh" >/dev/null
command -v /usr/lib/llvm-22/bin/llvm-bolt >/dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bolt-22 >/dev/null
pl=$build/tools/pagelayout/pagelayout
nm=/usr/lib/llvm-22/bin/llvm-nm
cd "$work"
clang-22 -fuse-ld=lld -no-pie native/*.o -lm -ldl -Wl,-q -o lua.q
"$pl" reorder --force --profile lua.yaml lua.q -o lua.re > /dev/null
# The same order for BOLT: our output's functions by address.
"$nm" -n lua.re | awk '$2 == "T" || $2 == "t" {print $3}' > order.txt
/usr/lib/llvm-22/bin/llvm-bolt lua.q -o lua.bolt -reorder-functions=user \
  -function-order=order.txt > bolt.log 2>&1
for s in core stdlib strings meta errors bench; do
  cmp <(lua_run ./lua.q "$s") <(lua_run ./lua.re "$s")
  cmp <(lua_run ./lua.q "$s") <(lua_run ./lua.bolt "$s")
done
best() { # best WALL-SECONDS of five runs of each command (":::" between
  # them), run in turn so a machine that changes speed moves all alike
  "$bench/best-time.py" --runs 5 -- "$@" | paste -sd' '
}
t=$(best \
  "$pl" reorder --force --profile lua.yaml lua.q -o lua.re ::: \
  "$pl" reorder --force --verify=none --profile lua.yaml lua.q -o lua.re ::: \
  /usr/lib/llvm-22/bin/llvm-bolt lua.q -o lua.bolt -reorder-functions=user -function-order=order.txt)
read -r ours ours_nv bolt <<< "$t"
[ -n "$bolt" ] || { echo "reorder-vs-bolt.sh: timing lua failed" >&2; exit 1; }

# A large binary: ld.pagelayout itself (liblld linked in, with debug
# info) relinked with -Wl,-q; the rewritten linker must link lua exactly
# as the original does.
big=$work/ldpl.q
(cd "$build" && ninja -t commands plugin/ld.pagelayout | tail -1 |
  sed "s| -o plugin/ld.pagelayout | -Wl,-q -o $big |" | sh)
printf 'version: 1\nrules:\n  - {pattern: "*LinkerDriver*", phase: startup}\n  - {pattern: "*Writer*", phase: steady}\n  - {pattern: "*relocate*", phase: steady}\n' > big.yaml
"$pl" reorder --force --profile big.yaml "$big" -o ldpl.re > big.log
"$nm" -n ldpl.re | awk '$2 == "T" || $2 == "t" {print $3}' > big.order
/usr/lib/llvm-22/bin/llvm-bolt "$big" -o ldpl.bolt -reorder-functions=user \
  -function-order=big.order > big.bolt.log 2>&1
"$big" -no-pie native/*.o -o lua.by-orig --unresolved-symbols=ignore-all 2>/dev/null
./ldpl.re -no-pie native/*.o -o lua.by-re --unresolved-symbols=ignore-all 2>/dev/null
cmp lua.by-orig lua.by-re
t=$(best \
  "$pl" reorder --force --profile big.yaml "$big" -o ldpl.re ::: \
  "$pl" reorder --force --verify=none --profile big.yaml "$big" -o ldpl.re ::: \
  /usr/lib/llvm-22/bin/llvm-bolt "$big" -o ldpl.bolt -reorder-functions=user -function-order=big.order)
read -r big_ours big_ours_nv big_bolt <<< "$t"
[ -n "$big_bolt" ] || { echo "reorder-vs-bolt.sh: timing the large binary failed" >&2; exit 1; }
moved=$(sed -n 's/.*: \([0-9]*\) functions moved/\1/p' big.log)
funcs="$(head -1 big.log | sed 's/^[^:]*: \([0-9]*\) functions.*/\1/') functions"

ratio() { python3 -c "print(f'{$1/$2:.1f}')"; }
out=$root/docs/bench/reorder-vs-bolt.md
{
  echo "| binary | pagelayout reorder (s) | without --verify (s) | llvm-bolt (s) | ratio | ratio without --verify |"
  echo "|---|---:|---:|---:|---:|---:|"
  echo "| lua 5.4 ($(grep -c . order.txt) functions, 190 KB text) | $ours | $ours_nv | $bolt | $(ratio "$bolt" "$ours")x | $(ratio "$bolt" "$ours_nv")x |"
  echo "| ld.pagelayout ($funcs, $moved moved, 13 MB, with DWARF) | $big_ours | $big_ours_nv | $big_bolt | $(ratio "$big_bolt" "$big_ours")x | $(ratio "$big_bolt" "$big_ours_nv")x |"
  echo
  echo "Same binary, same function order for both (llvm-bolt -reorder-functions=user"
  echo "-function-order= our output's order). All outputs checked: lua's print the"
  echo "same as the input on core, stdlib, strings, meta, errors and bench.lua; the rewritten linker"
  echo "links lua byte-identically. Best of five runs each, taken in turn (one run of each per round), $(nproc) cores, $(date -u +%Y-%m-%d)."
  echo "pagelayout's time includes reading, the safety proof (decoding every"
  echo "instruction), planning, patching and writing; --verify (on by default)"
  echo "re-reads and re-checks the output."
} > "$out"
"$bench/plot_rewrite_time.py" "$root/docs/bench/reorder-vs-bolt.svg" \
  "lua 5.4 ($(grep -c . order.txt) functions):$ours:$bolt" \
  "ld.pagelayout (13 MB, $funcs):$big_ours:$big_bolt"
cat "$out"

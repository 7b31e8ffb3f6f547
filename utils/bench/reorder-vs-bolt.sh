#!/usr/bin/env bash
# Rewrite time, pagelayout reorder vs llvm-bolt (bolt-22) doing a function
# reorder of the same binary with the same order (-reorder-functions=user):
# lua 5.4 built by lua-link-startup.sh (non-PIE, -Wl,-q). Best of five runs
# each; prints the ratio and writes docs/bench/reorder-vs-bolt.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
work=$build/bench/lua-link
[ -f "$work/lua.yaml" ] || "$root/utils/bench/lua-link-startup.sh" >/dev/null
command -v /usr/lib/llvm-22/bin/llvm-bolt >/dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bolt-22 >/dev/null
pl=$build/tools/pagelayout/pagelayout
nm=/usr/lib/llvm-22/bin/llvm-nm
cd "$work"
clang-22 -fuse-ld=lld -no-pie native/*.o -lm -ldl -Wl,-q -o lua.q
"$pl" reorder --profile lua.yaml lua.q -o lua.re > /dev/null
# The same order for BOLT: our output's functions by address.
"$nm" -n lua.re | awk '$2 == "T" || $2 == "t" {print $3}' > order.txt
/usr/lib/llvm-22/bin/llvm-bolt lua.q -o lua.bolt -reorder-functions=user \
  -function-order=order.txt > bolt.log 2>&1
for s in core stdlib bench; do
  cmp <(./lua.q "$root/utils/bench/lua/$s.lua" 2000 2>&1) \
      <(./lua.re "$root/utils/bench/lua/$s.lua" 2000 2>&1)
  cmp <(./lua.q "$root/utils/bench/lua/$s.lua" 2000 2>&1) \
      <(./lua.bolt "$root/utils/bench/lua/$s.lua" 2000 2>&1)
done
best() { # best WALL-SECONDS of five runs of "$@"
  python3 - "$@" <<'PY'
import subprocess, sys, time
best = None
for _ in range(5):
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    t = time.perf_counter() - t
    best = t if best is None else min(best, t)
print(f"{best:.4f}")
PY
}
ours=$(best "$pl" reorder --profile lua.yaml lua.q -o lua.re)
bolt=$(best /usr/lib/llvm-22/bin/llvm-bolt lua.q -o lua.bolt -reorder-functions=user -function-order=order.txt)
ratio=$(python3 -c "print(f'{$bolt/$ours:.1f}')")
out=$root/docs/bench/reorder-vs-bolt.md
{
  echo "| tool | rewrite time (s) |"
  echo "|---|---:|"
  echo "| pagelayout reorder (plan + move + patch + verify + write) | $ours |"
  echo "| llvm-bolt -reorder-functions=user (same order) | $bolt |"
  echo
  echo "**pagelayout is ${ratio}x faster.** lua 5.4.4 (Debian source), clang-22"
  echo "-O2 -ffunction-sections, non-PIE, -Wl,-q, $(grep -c . order.txt) functions;"
  echo "both outputs print the same as the input on core.lua, stdlib.lua and"
  echo "bench.lua. Best of five runs, $(nproc) cores, $(date -u +%Y-%m-%d)."
} > "$out"
cat "$out"

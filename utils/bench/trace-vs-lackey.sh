#!/usr/bin/env bash
# Real programs, exact execution data: lua 5.4, zstd and jsoncpp from
# Debian's source packages, built release (clang-22 -O2, no
# instrumentation, PIE as Debian builds them), each run three ways: plain,
# under `pagelayout record --mode=trace`, and under valgrind lackey
# --trace-mem=yes. Checks the program's stdout and exit status are the same
# in all three, and that the profile's first-execution order of functions
# and executed byte set equal lackey's (lit/record/Inputs/trace-oracle.py,
# the oracle of the lit tests, with its PIE load base). Lackey's log of a
# CPU-bound run is billions of lines: it goes through a pipe into
# lackey-first, which keeps each instruction's first execution only.
# Times: best of 3 for plain and trace, lackey's checked run once (best of
# 3 when it takes under LACKEY_REPEAT_S seconds, default 5).
# Writes docs/bench/trace-vs-lackey.md. Usage: trace-vs-lackey.sh [workdir]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
work=${1:-$build/bench/trace-vs-lackey}
bench=$root/utils/bench
oracle=$root/lit/record/Inputs/trace-oracle.py
lackey_repeat=${LACKEY_REPEAT_S:-5}
lua_n=${LUA_BENCH_N:-30000}
zstd_mb=${ZSTD_MB:-2}
"$root/utils/build.sh" >/dev/null
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 1; }
command -v clang++-22 >/dev/null
pl=$build/tools/pagelayout/pagelayout
rm -rf "$work" && mkdir -p "$work"
clang-22 -O2 "$bench/lackey-first.c" -o "$work/lackey-first"

echo "== build (clang-22 -O2, PIE)"
source "$bench/lua-common.sh"
lua_prepare
lsrc=$("$bench/debian-source.sh" lua5.4 "$build/bench/src")
# lua-common's flags, made PIE (the later -fPIE wins over its -fno-pie).
lua_compile "$work/lua-obj" -fPIE
clang-22 -fuse-ld=lld -pie "$work"/lua-obj/*.o -lm -ldl -o "$work/lua"

zsrc=$("$bench/debian-source.sh" zstd "$build/bench/src")
cp -r "$zsrc" "$work/zstd-src"
make -s -j2 -C "$work/zstd-src/programs" zstd CC=clang-22 CFLAGS=-O2 \
  LDFLAGS="-fuse-ld=lld -pie" >/dev/null 2>&1
make -s -j2 -C "$work/zstd-src/tests" datagen CC=clang-22 >/dev/null 2>&1
cp "$work/zstd-src/programs/zstd" "$work/zstd"
"$work/zstd-src/tests/datagen" -g$((zstd_mb * 1000000)) > "$work/data.bin"
"$work/zstd" -q -3 -c "$work/data.bin" > "$work/data.zst"

jsrc=$("$bench/debian-source.sh" libjsoncpp "$build/bench/src")
cmake -S "$jsrc" -B "$work/jsoncpp" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER=clang++-22 -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DCMAKE_EXE_LINKER_FLAGS="-fuse-ld=lld -pie" -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
  -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DBUILD_OBJECT_LIBS=OFF \
  -DJSONCPP_WITH_TESTS=ON -DJSONCPP_WITH_POST_BUILD_UNITTEST=OFF \
  -DJSONCPP_WITH_EXAMPLE=OFF >/dev/null
ninja -j2 -C "$work/jsoncpp" jsoncpp_test jsontestrunner_exe >/dev/null
cp "$work/jsoncpp/bin/jsoncpp_test" "$work/jsoncpp/bin/jsontestrunner_exe" "$work/"
for b in lua zstd jsoncpp_test jsontestrunner_exe; do
  [[ $(/usr/lib/llvm-22/bin/llvm-readelf -h "$work/$b") == *Type:*DYN* ]] ||
    { echo "$b is not PIE"; exit 1; }
done

now() { date +%s.%N; }
# lackey_run DIR COMMAND...: one run under lackey, its instruction log
# reduced by lackey-first into DIR/lk/1, stdout in DIR/lackey.out, the
# wall time in DIR/lackey.time; returns the program's exit status.
# --vex-guest-chase=no: by default valgrind 3.19 builds superblocks across
# conditional branches and lackey then logs instructions of the arm that
# did not run (seen on lua: bytes of luaH_getint after a `jns` that was
# taken); without chasing, every logged instruction ran.
lackey_run() {
  local d=$1 status=0 t0 t1; shift
  rm -rf "$d/lk" "$d/fifo" && mkdir -p "$d/lk" && mkfifo "$d/fifo"
  "$work/lackey-first" < "$d/fifo" > "$d/lk/1" &
  local filter=$!
  t0=$(now)
  (cd "$d" && valgrind --tool=lackey --trace-mem=yes --vex-guest-chase=no \
    --log-file="$d/fifo" "$@" > lackey.out 2> lackey.err) || status=$?
  t1=$(now)
  wait "$filter"
  python3 -c "print(f'{$t1 - $t0:.4f}')" > "$d/lackey.time"
  return $status
}
# bytes_diff A.yaml B.yaml: executed bytes in one profile and not the
# other (two traced runs: the program's own run-to-run variation).
bytes_diff() {
  python3 - "$1" "$2" <<'PY'
import sys, yaml
def executed(path):
    s = set()
    for f in yaml.safe_load(open(path)).get("functions", []):
        for k in ("startup_ranges", "first_frame_ranges", "steady_ranges"):
            for b, e in f.get(k, []):
                s |= {(f["name"], x) for x in range(b, e)}
    return s
d = executed(sys.argv[1]) ^ executed(sys.argv[2])
names = sorted({n for n, _ in d})
print(f"{len(d)} bytes" + (f" in {', '.join(names[:6])}" if d else ""))
PY
}
rows=() checks=() failed=0
# Files a program writes instead of printing (names in $outputs, in the
# run's directory): appended to what it printed, so the runs compare on them.
outputs=""
collect() { # collect DIR RUN
  local f
  for f in $outputs; do
    { echo "== $f"; cat "$1/$f"; } >> "$1/$2.out" 2>&1 || true
    rm -f "$1/$f"
  done
}
# measure NAME PROGRAM WORKLOAD BINARY ARGS...: runs BINARY ARGS plain,
# traced and under lackey in $work/NAME/, compares, times, appends rows.
measure() {
  local name=$1 prog=$2 what=$3 bin=$4; shift 3
  local d=$work/$name status_plain status_trace status_lackey
  mkdir -p "$d/lk"
  echo "== $prog: $what"
  (cd "$d" && "$@" > plain.out 2> plain.err) && status_plain=0 || status_plain=$?
  (cd "$d" && "$pl" record --mode=trace -o trace.yaml -- "$@" > trace.out 2> trace.err) &&
    status_trace=0 || status_trace=$?
  local lackey_s
  lackey_run "$d" "$@" && status_lackey=0 || status_lackey=$?
  lackey_s=$(cat "$d/lackey.time")
  local same=yes
  for w in trace lackey; do
    cmp -s "$d/plain.out" "$d/$w.out" || { same=no; echo "stdout differs: plain vs $w"; }
  done
  [ "$status_plain" = "$status_trace" ] && [ "$status_plain" = "$status_lackey" ] ||
    { same=no; echo "exit status differs: plain $status_plain trace $status_trace lackey $status_lackey"; }
  local oracle_out
  oracle_out=$(python3 "$oracle" "$bin" "$d/trace.yaml" "$d/lk" 2>&1) || true
  echo "$oracle_out" > "$d/oracle.txt"
  local order bytes counts
  order=$(sed -n 's/^order: //p' "$d/oracle.txt")
  bytes=$(sed -n 's/^bytes: //p' "$d/oracle.txt")
  counts=$(sed -n 's/^functions: \([0-9]*\) bytes: \([0-9]*\)/\1 functions, \2 bytes/p' "$d/oracle.txt")
  [ "$order" = same ] && [ "$bytes" = same ] && [ "$same" = yes ] || failed=1
  grep -i warning "$d/trace.err" || true
  echo "output and status same: $same (status $status_plain); order: $order; bytes: $bytes; $counts"
  # Timing: what the program computes is discarded (checked above).
  local plain_s trace_s
  plain_s=$(cd "$d" && "$bench/best-time.py" --runs 3 -- "$@")
  trace_s=$(cd "$d" && "$bench/best-time.py" --runs 3 -- "$pl" record --mode=trace -o t.yaml -- "$@")
  local variation
  variation=$(bytes_diff "$d/trace.yaml" "$d/t.yaml")
  echo "two traced runs differ by $variation"
  if python3 -c "import sys; sys.exit(0 if $lackey_s < $lackey_repeat else 1)"; then
    mkdir -p "$d/again"
    for i in 1 2; do
      lackey_run "$d/again" "$@" || true
      lackey_s=$(python3 -c "print(f'{min($lackey_s, $(cat "$d/again/lackey.time")):.4f}')")
    done
  fi
  local r1 r2
  r1=$(python3 -c "print(f'{$trace_s / $plain_s:.2f}')")
  r2=$(python3 -c "print(f'{$lackey_s / $trace_s:.1f}')")
  echo "plain $plain_s s, trace $trace_s s, lackey $lackey_s s; trace/plain $r1, lackey/trace $r2"
  rows+=("| $prog | \`$what\` | $plain_s | $trace_s | $lackey_s | $r1 | $r2 |")
  local detail
  detail=$({ grep '^  only' "$d/oracle.txt" || true; } | sed 's/^  //' | tr '\n' ';' | sed 's/;$//; s/;/; /g')
  checks+=("| $prog | \`$what\` | $same (status $status_plain) | $order | $bytes${detail:+ ($detail)} | $variation | $counts |")
}

measure lua-e lua "lua -e 'print(1)'" "$work/lua" -e 'print(1)'
measure lua-bench lua "lua bench.lua $lua_n" "$work/lua" "$bench/lua/bench.lua" "$lua_n"
# zstd as run by default has an I/O thread (asyncio) and, compressing, a
# worker thread; --single-thread --no-asyncio runs it in one thread.
measure zstd-c zstd "zstd -3 -c (${zstd_mb} MB datagen)" "$work/zstd" -q -3 -c "$work/data.bin"
measure zstd-c1 zstd "zstd -3 -c --single-thread --no-asyncio" \
  "$work/zstd" -q -3 -c --single-thread --no-asyncio "$work/data.bin"
measure zstd-d zstd "zstd -d -c" "$work/zstd" -q -d -c "$work/data.zst"
measure zstd-d1 zstd "zstd -d -c --no-asyncio" "$work/zstd" -q -d -c --no-asyncio "$work/data.zst"
# jsontestrunner writes the value tree and the rewritten JSON next to its
# input: run it on a copy in its directory and compare those files.
mkdir -p "$work/json-runner"
cp "$jsrc/test/data/legacy_test_complex_01.json" "$work/json-runner/complex.json"
outputs="complex.actual complex.rewrite complex.actual-rewrite"
measure json-runner jsoncpp "jsontestrunner_exe legacy_test_complex_01.json" \
  "$work/jsontestrunner_exe" "$work/json-runner/complex.json"
outputs=""
measure json-test jsoncpp "jsoncpp_test (119 unit tests)" "$work/jsoncpp_test"

out=$root/docs/bench/trace-vs-lackey.md
mkdir -p "$(dirname "$out")"
{
  echo "| program | workload | plain s | trace s | lackey s | trace/plain | lackey/trace |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "| program | workload | stdout and exit status same in all three | first-execution order = lackey's | executed bytes = lackey's | two traced runs differ by | lackey saw, in the binary's functions |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${checks[@]}"
  echo
  echo "lua $(basename "$lsrc" | sed 's/^lua5.4-//'), zstd $(basename "$zsrc" | sed 's/^libzstd-//'),"
  echo "jsoncpp $(basename "$jsrc" | sed 's/^libjsoncpp-//') (Debian sources), clang-22 -O2, PIE, linked by lld, not"
  echo "instrumented. Wall times: plain and trace best of 3; lackey (--tool=lackey"
  echo "--trace-mem=yes --vex-guest-chase=no, log through a pipe into lackey-first)"
  echo "once, best of 3 when under ${lackey_repeat} s. $(nproc) cores shared, $(date -u +%Y-%m-%d)."
  echo "Order and bytes: lit/record/Inputs/trace-oracle.py on the trace profile and"
  echo "lackey's log (valgrind's PIE base 0x108000)."
} > "$out"
cat "$out"
exit $failed

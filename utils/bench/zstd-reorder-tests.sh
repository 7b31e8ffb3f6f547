#!/usr/bin/env bash
# Real program, post-link: zstd from Debian's source package (libzstd),
# built -O2 -ffunction-sections -Wl,-q by clang-22 + lld, by gcc + GNU ld,
# and by clang-22 + lld statically linked (glibc's own code, assembled
# without function sections, moves in groups), profiled with pagelayout record --mode=perf on its own benchmark,
# rewritten by pagelayout reorder, then zstd's own tests/playTests.sh run
# against each rewritten binary. Writes docs/bench/zstd-reorder-tests.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
pl=$build/tools/pagelayout/pagelayout
"$root/utils/build.sh" >/dev/null
src=$("$root/utils/bench/debian-source.sh" zstd "$build/bench/src")
work=$build/bench/zstd
mkdir -p "$work"
results=()
for cc in clang gcc static; do
  case $cc in
    clang) compiler=clang-22 ld="-fuse-ld=lld" name="clang + lld" ;;
    gcc) compiler=gcc ld="" name="gcc + GNU ld" ;;
    static) compiler=clang-22 ld="-fuse-ld=lld -static" name="clang + lld, -static" ;;
  esac
  rm -rf "$work/$cc" && cp -r "$src" "$work/$cc"
  make -s -j"$(nproc)" -C "$work/$cc/programs" zstd CC="$compiler" \
    MOREFLAGS="-ffunction-sections" LDFLAGS="$ld -Wl,-q" >/dev/null 2>&1
  make -s -C "$work/$cc/tests" datagen CC="$compiler" >/dev/null 2>&1
  bin=$work/$cc/programs/zstd
  "$pl" record --mode=perf -o "$work/$cc.yaml" -- "$bin" -b1 -e3 -i1 >/dev/null 2>&1
  "$pl" reorder --force --verify=full --profile "$work/$cc.yaml" "$bin" -o "$bin.re" \
    --report="$work/$cc.report.txt" > "$work/$cc.reorder.log"
  moved=$(sed -n 's/.*: \([0-9]*\) functions moved/\1/p' "$work/$cc.reorder.log")
  total=$(head -1 "$work/$cc.reorder.log" | sed 's/^[^:]*: \([0-9]*\) functions.*/\1/')
  pinned=$(sed -n 's/^movable: [0-9]*; pinned: \([0-9]*\).*/\1/p' "$work/$cc.reorder.log")
  together=$(sed -n 's/.*kept together: \([0-9]*\) functions in \([0-9]*\) groups/\1 in \2 groups/p' "$work/$cc.reorder.log")
  (cd "$work/$cc/tests" &&
   ZSTD_BIN="$bin.re" DATAGEN_BIN="$PWD/datagen" bash ./playTests.sh \
     > "$work/$cc.tests.log" 2>&1) && status=passed || status=FAILED
  results+=("| $name | $total | $moved | $pinned | ${together:-0} | $status |")
  echo "$name: $moved of $total functions moved; playTests.sh $status"
done
out=$root/docs/bench/zstd-reorder-tests.md
{
  echo "| build | functions | moved | pinned | kept together | zstd tests/playTests.sh on the rewritten binary |"
  echo "|---|---:|---:|---:|---:|---|"
  printf '%s\n' "${results[@]}"
  echo
  echo "zstd 1.5.4 (Debian libzstd source), -O2 -ffunction-sections -Wl,-q; profile:"
  echo "pagelayout record --mode=perf on 'zstd -b1 -e3 -i1'; $(date -u +%Y-%m-%d)."
} > "$out"
cat "$out"

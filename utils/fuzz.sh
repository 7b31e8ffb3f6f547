#!/usr/bin/env bash
# Builds the libFuzzer targets in a sanitized tree of their own, makes the
# seed corpora from the lit inputs, and runs each target for a bounded time
# (docs/fuzzing.md). Prints executions, coverage and findings per target;
# exits non-zero when any target found a crash, sanitizer report, leak,
# hang or out-of-memory input. Findings stay in the directory it names.
#
#   utils/fuzz.sh [--time SECONDS] [--only TARGET] [--build DIR]
#                 [--keep-going] [--keep-corpus] [-- LIBFUZZER-ARGS...]
#
#   --time        seconds per target (default 60)
#   --only        one target: profile, compact-profile, yaml-tree,
#                 orderfile, perf-script, raw, linked-binary, rewrite, smf
#                 or page-map (only it is built)
#   --build       the sanitized build tree (default build-fuzz/)
#   --keep-going  fork mode: go on past crashes and hangs to collect more
#   --keep-corpus start from the inputs earlier runs found, not the seeds
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz
seconds=60
only=
keep_going=
keep_corpus=
extra=()
while [ $# -gt 0 ]; do
  case $1 in
  --time) seconds=$2; shift 2 ;;
  --only) only=$2; shift 2 ;;
  --build) build=$2; shift 2 ;;
  --keep-going) keep_going=1; shift ;;
  --keep-corpus) keep_corpus=1; shift ;;
  --) shift; extra=("$@"); break ;;
  -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case $build in /*) ;; *) build=$PWD/$build ;; esac

targets=(profile compact-profile yaml-tree orderfile perf-script raw linked-binary rewrite smf page-map input-text)
if [ -n "$only" ]; then
  only=${only#pagelayout-fuzz-}
  [[ " ${targets[*]} " == *" $only "* ]] ||
    { echo "fuzz.sh: unknown target '$only'; expected one of ${targets[*]}" >&2; exit 2; }
  targets=("$only")
fi

# 1. The sanitized tree: only the fuzzers and the libraries they link.
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DPAGELAYOUT_SANITIZE=address -DPAGELAYOUT_BUILD_FUZZERS=ON >/dev/null
fi
# With --only, that target alone and what its seeds are made with (the
# recorder runtime; elf2smf for the SMF seeds).
build_targets=(pagelayout-fuzzers)
if [ -n "$only" ]; then
  build_targets=("pagelayout-fuzz-$only" pagelayout_rt_static)
  case $only in smf | page-map) build_targets+=(elf2smf) ;; esac
fi
cmake --build "$build" --target "${build_targets[@]}" -- -j"$(nproc)" >"$build/fuzz-build.log" ||
  { tail -30 "$build/fuzz-build.log" >&2; echo "fuzz.sh: build failed ($build/fuzz-build.log)" >&2; exit 1; }

# 2. Seeds, rebuilt from the lit inputs every time.
corpus=$build/fuzz-corpus
python3 "$root/test/fuzz/make-corpus.py" --src "$root" --out "$corpus/seeds" \
  --runtime-dir "$build/utils/recorder" --elf2smf "$build/utils/smf/elf2smf" 2>"$build/fuzz-corpus.log" ||
  { cat "$build/fuzz-corpus.log" >&2; exit 1; }
largest=$(cat "$corpus/seeds/largest-binary")
# The compact target's seeds: the profile seeds that read, written compactly
# by the target itself (CompactProfileFuzzer.cpp).
if [[ " ${targets[*]} " == *" compact-profile "* ]]; then
  mkdir -p "$corpus/seeds/compact-profile"
  PAGELAYOUT_FUZZ_COMPACT_SEEDS=$corpus/seeds/compact-profile \
    "$build/test/fuzz/pagelayout-fuzz-compact-profile" -runs=0 \
    "$corpus/seeds/profile" >"$build/fuzz-corpus-compact.log" 2>&1 ||
    { tail -20 "$build/fuzz-corpus-compact.log" >&2; exit 1; }
fi

# 3. Run each target.
findings=$build/fuzz-findings/$(date +%Y%m%d-%H%M%S)
mkdir -p "$findings"
ln -sfn "$findings" "$build/fuzz-findings/latest"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-22/bin/llvm-symbolizer}
export PAGELAYOUT_FUZZ_MODULE=$corpus/seeds/raw-module

max_len() {
  case $1 in
  profile | compact-profile | yaml-tree | orderfile | perf-script) echo 16384 ;;
  raw) echo 65536 ;;
  linked-binary | rewrite | page-map) echo $((largest > 61440 ? largest + 4096 : 65536)) ;;
  input-text) echo 65536 ;;
  smf) echo 16384 ;;
  esac
}
dict() {
  case $1 in
  linked-binary | rewrite | page-map | input-text) echo elf ;;
  *) echo "$1" ;;
  esac
}

status=0
printf '%-14s %10s %8s %8s %9s\n' target executions cov ft findings
for t in "${targets[@]}"; do
  bin=$build/test/fuzz/pagelayout-fuzz-$t
  work=$corpus/work/$t
  [ -n "$keep_corpus" ] || rm -rf "$work"
  mkdir -p "$work" "$findings/$t"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048
    -max_len="$(max_len "$t")" -dict="$root/test/fuzz/dict/$(dict "$t").dict"
    -artifact_prefix="$findings/$t/" -print_final_stats=1)
  [ -z "$keep_going" ] ||
    args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  log=$findings/$t.log
  rc=0
  "$bin" "${args[@]}" "${extra[@]}" "$work" "$corpus/seeds/$t" >"$log" 2>&1 || rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' ||
    grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  found=$(find "$findings/$t" -maxdepth 1 -type f \
    \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  printf '%-14s %10s %8s %8s %9s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$found"
  if [ "$found" -gt 0 ] || [ "$rc" -ne 0 ]; then
    status=1
    [ "$found" -gt 0 ] || echo "  $t: libFuzzer exited with $rc and left no input; see $log"
    for f in $(find "$findings/$t" -maxdepth 1 -type f \
      \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort | head -5); do
      echo "  reproduce: $bin $f"
      # What it is: the report's first line and its first frame in our code.
      out=$(timeout 60 "$bin" "$f" 2>&1 || true)
      echo "$out" | grep -m1 -E 'ERROR: |runtime error: |deadly signal|ALARM|out-of-memory' |
        sed 's/^/    /'
      echo "$out" | grep -m1 -E "^ +#[0-9]+ .* $root/(schema|reorder|utils|plugin|tools)/" |
        sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ in /    at /'
    done
  fi
done
echo "logs and findings: $findings"
exit $status

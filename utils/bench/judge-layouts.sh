#!/usr/bin/env bash
# The benchmark that judges page layouts (issue #12). For each real program
# (Debian sources via `apt-get source`, never committed) and each of its
# workloads (one startup run, one script run), builds the layouts of the
# SAME release objects (clang-22 -O2 -ffunction-sections -fdata-sections,
# non-PIE) that the tools of the field make from a profile of that
# workload, checks every output behaves as the default build (the
# workloads' stdout and exit status, and the program's own cheap tests),
# and measures each with tools that trust none of them:
#   pages touched, instruction and span bounds: judge-oracle.py on a
#     valgrind lackey instruction trace of the run (through lackey-first);
#   cold-start major faults: judge-faults.py (the binary evicted from the
#     page cache before each run, median of 5);
#   steady time: judge-time.py on the script workload, every layout in
#     the same session: CPU time of 3 copies of each binary over shuffled
#     rounds, median, ratio to default with a 95% interval (samples kept
#     in time.json, for the split-vs-unsplit comparison of the report);
#   file size, and its size stripped (BOLT and reorder outputs keep
#     relocations, which nothing loads).
# Layouts: lld (default order), lld-order (--symbol-ordering-file in the
# trace's first-execution order), lld-bp (--bp-startup-sort=function with a
# temporal IR PGO profile), lld-cdsort (--call-graph-profile-sort=cdsort on
# a --call-graph-ordering-file from the instrumented recorder's edges),
# bolt (llvm-bolt from a perf profile, perf2bolt -nl), ldpl-trace and
# ldpl-inst (ld.pagelayout with the trace / instrumented-recorder profile),
# re-trace and re-inst (pagelayout reorder of the default binary linked
# with --emit-relocs, same two profiles), ldpl-split (the objects compiled
# again with the cluster list of a trace with block ids: issue 13) and
# ldpl-split-lto (ThinLTO objects linked by ld.pagelayout with a trace
# profile with block ids of their own LTO build, which splits the code in
# LTO's own code generation: no compile step of the user's).
# Builds, profiles and measurements are cached under build/bench/judge/:
# a re-run redoes only what is missing; pagelayout's four layouts are
# redone when the pagelayout tools are newer than them or with
# --only-pagelayout. Timing is always redone, for all layouts, so ratios
# come from one session. Writes docs/bench/judge-layouts.{md,svg}.
# Usage: judge-layouts.sh [--only-pagelayout] [--programs=lua,zstd,...]
#        [--fresh] [--quick] [--time-only]
#   --quick: 3 fault runs, 3 timing rounds;
#   --time-only: the timing step and the report alone, on the layouts
#     already built and measured (nothing is rebuilt, whatever is newer).
# The default binary is timed twice (lld and lld-again, two files): their
# ratio is the session's noise.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
bench=$root/utils/bench
J=${JUDGE_DIR:-$build/bench/judge}
only_pl=0 fresh=0 fault_runs=5 time_rounds=10 time_only=0
programs="lua zstd jsoncpp vim"
for a in "$@"; do
  case $a in
    --only-pagelayout) only_pl=1 ;;
    --programs=*) programs=${a#--programs=}; programs=${programs//,/ } ;;
    --fresh) fresh=1 ;;
    --quick) fault_runs=3 time_rounds=3 ;;
    --time-only) time_only=1 ;;
    *) echo "judge-layouts.sh: unknown argument '$a'" >&2; exit 2 ;;
  esac
done
[ $fresh = 1 ] && rm -rf "$J"
mkdir -p "$J"

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
need() { # need COMMAND PACKAGE
  command -v "$1" >/dev/null ||
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need valgrind valgrind
need perf linux-perf
need llvm-bolt-22 bolt-22
need perf2bolt-22 bolt-22
need clang++-22 clang-22
"$root/utils/build.sh" >/dev/null
pl=$build/tools/pagelayout/pagelayout
ldpl=$build/plugin/ld.pagelayout
llvm=/usr/lib/llvm-22/bin
RT_LDFLAGS="-fno-sanitize-link-runtime -L$build/utils/recorder -l:libpagelayout_rt.a -lpthread"
RT_CFLAGS="-finstrument-functions-after-inlining -I$build/utils/recorder/include"
[ -x "$J/lackey-first" ] || clang-22 -O2 "$bench/lackey-first.c" -o "$J/lackey-first"

RELEASE_CFLAGS="-O2 -ffunction-sections -fdata-sections -fno-pie"
# -disable-preinline: the PGO instrumentation pass otherwise inlines small
# callees before instrumenting, and their names never reach the traces.
PGOGEN_CFLAGS="-fprofile-generate -mllvm -pgo-temporal-instrumentation -mllvm -disable-preinline"
LAYOUTS="lld lld-order lld-bp lld-cdsort bolt ldpl-trace ldpl-inst re-trace re-inst ldpl-split ldpl-split-lto"
PL_LAYOUTS="ldpl-trace ldpl-inst re-trace re-inst ldpl-split ldpl-split-lto"

log() { echo "== $*"; }
# write_link DIR CC LIBS OBJECTS...: DIR/link.sh OUT [FLAGS...] links the
# objects, in the order given, non-PIE, with the variant's runtime.
write_link() {
  local dir=$1 cc=$2 libs=$3; shift 3
  local extra=""
  case $(basename "$dir") in
    pgogen) extra="-fprofile-generate" ;;
    inst) extra="$RT_LDFLAGS" ;;
  esac
  {
    echo '#!/bin/sh'
    echo 'out=$1; shift'
    echo "exec $cc -no-pie \"\$@\" $* $libs $extra -o \"\$out\""
  } > "$dir/link.sh"
  chmod +x "$dir/link.sh"
}
variant_cflags() { # variant_cflags VARIANT
  case $1 in
    release) echo "$RELEASE_CFLAGS" ;;
    pgogen) echo "$RELEASE_CFLAGS $PGOGEN_CFLAGS" ;;
    inst) echo "$RELEASE_CFLAGS $RT_CFLAGS" ;;
    bbmap) echo "$RELEASE_CFLAGS -fbasic-block-address-map" ;;
    ltobb) echo "$RELEASE_CFLAGS -flto=thin" ;;
  esac
}

source "$bench/judge-programs.sh"

# Every run of a workload reads /dev/null (vim -es reads commands from
# its stdin).
# run_out DIR BINARY ARGS...: what a run printed (stdout's sha256, stderr
# with the binary's path taken out) and its exit status, one line each.
run_out() {
  local d=$1 bin=$2 status=0; shift 2
  (cd "$d" && "$bin" "$@" > "$d/.out" 2> "$d/.err" < /dev/null) || status=$?
  echo "stdout $(sha256sum < "$d/.out" | cut -c1-16) stderr $(sed "s|$bin|BIN|g" "$d/.err" | sha256sum | cut -c1-16) exit $status"
}
# transcript P BINARY: the binary on every workload of P, then P's tests.
transcript() {
  local p=$1 bin=$2 name kind se args targs
  while IFS='|' read -r name kind se args targs; do
    eval "set -- $args"
    echo "$name: $(run_out "$J/$p/run" "$bin" "$@")"
  done < <(${p}_workloads)
  ${p}_tests "$bin" "$J/$p/run" 2>&1
}

# lackey_pages BINARY DIR ARGS...: the oracle's line for one run under
# lackey (log through a FIFO into lackey-first); the run's stdout is kept
# in DIR/lackey.out to compare with the plain run.
lackey_pages() {
  local bin=$1 d=$2; shift 2
  local t=$d/.lk
  rm -rf "$t" && mkdir -p "$t" && mkfifo "$t/fifo"
  "$J/lackey-first" < "$t/fifo" > "$t/log" &
  local filter=$!
  (cd "$J/$p/run" && valgrind --tool=lackey --trace-mem=yes --vex-guest-chase=no \
    --log-file="$t/fifo" "$bin" "$@" > "$d/lackey.out" 2>/dev/null < /dev/null) || true
  wait "$filter"
  python3 "$bench/judge-oracle.py" "$bin" "$t/log"
  rm -rf "$t"
}

# measure P W L: checks and measures layout L of workload W into
# $J/P/W/L/result (key=value lines), unless it is newer than the binary.
measure() {
  local p=$1 w=$2 l=$3 d=$J/$1/$2/$3
  local bin=$d/bin res=$d/result
  if [ ! -f "$bin" ]; then
    echo "status=build failed: $(grep -v '^\s*$' "$d/build.log" 2>/dev/null | tail -1 | cut -c1-160)" > "$res"
    return
  fi
  [ -f "$res" ] && [ "$res" -nt "$bin" ] && return
  log "$p $w $l: check and measure"
  local status=same diff
  transcript "$p" "$bin" > "$d/transcript"
  if ! diff=$(diff -a "$J/$p/default.transcript" "$d/transcript"); then
    status="DIFFERS: $(echo "$diff" | { grep -a '^>' || true; } | head -2 | tr '\n' ' ' | cut -c1-160)"
  fi
  local kind se args
  IFS='|' read -r _ kind se args _ < <(${p}_workloads | grep "^$w|")
  eval "set -- $args"
  local oracle faults
  oracle=$(lackey_pages "$bin" "$d" "$@")
  (cd "$J/$p/run" && "$bin" "$@" > "$d/plain.out" 2>/dev/null < /dev/null) || true
  cmp -s "$d/plain.out" "$d/lackey.out" || status="$status; stdout under lackey differs"
  faults=$(cd "$J/$p/run" && python3 "$bench/judge-faults.py" --runs "$fault_runs" "$bin" "$@")
  local size stripped
  size=$(stat -c %s "$bin")
  "$llvm/llvm-objcopy" --strip-all "$bin" "$d/.stripped"
  stripped=$(stat -c %s "$d/.stripped"); rm -f "$d/.stripped"
  {
    echo "status=$status"
    echo "$oracle" | tr ' ' '\n'
    local runs=${faults#* }
    echo "majflt=${faults%% *}"
    echo "majflt_runs=${runs% readin=*}"
    echo "readin=${faults##*readin=}"
    echo "size=$size"
    echo "stripped=$stripped"
    [ -f "$d/note" ] && echo "note=$(head -c 300 "$d/note" | tr '\n' ' ')"
  } > "$res"
  echo "   $status; $oracle; majflt ${faults%% *}; size $size"
}

# try D COMMAND...: runs a build step with its output in D/build.log; a
# failure leaves no D/bin (measure reports "build failed").
try() {
  local d=$1; shift
  mkdir -p "$d"
  rm -f "$d/bin"
  "$@" > "$d/build.log" 2>&1 || { rm -f "$d/bin"; echo "   failed: $(tail -1 "$d/build.log")"; }
}

# profiles P W: the profiles of workload W, each made once.
profiles() {
  local p=$1 w=$2 kind=$3 se=$4; shift 4
  local d=$J/$p/$w run=$J/$p/run
  mkdir -p "$d"
  if [ ! -f "$d/trace.yaml" ]; then
    log "$p $w: trace profile (record --mode=trace on the default binary)"
    (cd "$run" && "$pl" record --mode=trace ${se:+--startup-end=$se} -o "$d/trace.yaml.tmp" \
      -- "$J/$p/bin/default.q" "$@" >/dev/null 2> "$d/trace.err" < /dev/null) || true
    grep -i -E 'warning|error' "$d/trace.err" | head -3 || true
    mv "$d/trace.yaml.tmp" "$d/trace.yaml"
  fi
  if [ ! -f "$d/order.txt" ]; then
    # The profile's first trace: every function in first-execution order
    # (pagelayout's own `profile convert --to=orderfile` should give the
    # same; a difference is noted in the report).
    python3 "$bench/judge-order.py" "$d/trace.yaml" > "$d/order.txt"
    "$pl" profile convert "$d/trace.yaml" --to=orderfile --include-cold \
      -o "$d/order.convert.txt" 2> "$d/convert.err" || true
    cmp -s "$d/order.txt" "$d/order.convert.txt" ||
      echo "profile convert --to=orderfile differs from the trace's first-execution order" \
        > "$d/lld-order.note"
  fi
  if [ ! -f "$d/clusters.txt" ]; then
    # Functions split by phase (issue 13): the same run traced on the build
    # with the basic-block address map, its block ids as clang's clusters.
    log "$p $w: trace profile with block ids, cluster list"
    (cd "$run" && "$pl" record --mode=trace ${se:+--startup-end=$se} -o "$d/split.yaml.tmp" \
      -- "$J/$p/bin/bbmap" "$@" >/dev/null 2> "$d/split-trace.err" < /dev/null) || true
    mv "$d/split.yaml.tmp" "$d/split.yaml"
    "$pl" profile convert "$d/split.yaml" --binary "$J/$p/bin/bbmap" --to=bb-clusters \
      -o "$d/clusters.txt.tmp" 2> "$d/clusters.log" || true
    tail -1 "$d/clusters.log"
    mv "$d/clusters.txt.tmp" "$d/clusters.txt"
  fi
  if [ ! -f "$d/lto-split.yaml" ]; then
    log "$p $w: trace profile with block ids of the ThinLTO build"
    (cd "$run" && "$pl" record --mode=trace ${se:+--startup-end=$se} -o "$d/lto-split.yaml.tmp" \
      -- "$J/$p/bin/ltobb" "$@" >/dev/null 2> "$d/lto-split-trace.err" < /dev/null) || true
    mv "$d/lto-split.yaml.tmp" "$d/lto-split.yaml"
  fi
  if [ ! -f "$d/inst.yaml" ]; then
    log "$p $w: instrumented-recorder profile (full mode)"
    (cd "$run" && "$pl" record -o "$d/inst.yaml.tmp" -- "$J/$p/bin/inst" "$@" \
      >/dev/null 2> "$d/inst.err" < /dev/null) || true
    mv "$d/inst.yaml.tmp" "$d/inst.yaml"
    "$pl" profile convert "$d/inst.yaml" --to=callgraph -o "$d/cg.txt" 2> "$d/cg.err" || true
  fi
  if [ ! -f "$d/irpgo.profdata" ]; then
    log "$p $w: temporal IR PGO profile"
    rm -rf "$d/profraw" && mkdir -p "$d/profraw"
    (cd "$run" && LLVM_PROFILE_FILE="$d/profraw/%p.profraw" "$J/$p/bin/pgogen" "$@" \
      >/dev/null 2>&1 < /dev/null) || true
    llvm-profdata-22 merge -o "$d/irpgo.profdata" "$d"/profraw/*.profraw
  fi
  if [ ! -f "$d/bolt.fdata" ]; then
    log "$p $w: perf profile for BOLT"
    # A startup run lasts a millisecond: sampled once it gives BOLT nothing,
    # so it is repeated; the profile is the sum (perf2bolt keeps the
    # samples of this binary only).
    local reps=30; [ "$kind" = startup ] && reps=200
    local cmd; cmd=$(printf '%q ' "$J/$p/bin/default.q" "$@")
    (cd "$run" && perf record -q -F 10000 -o "$d/perf.data" -- \
      sh -c "for i in \$(seq $reps); do $cmd >/dev/null 2>&1 </dev/null; done" 2> "$d/perf.err") || true
    perf2bolt-22 -nl -p "$d/perf.data" -o "$d/bolt.fdata" "$J/$p/bin/default.q" \
      > "$d/perf2bolt.log" 2>&1 || echo "   perf2bolt failed: $(tail -1 "$d/perf2bolt.log")"
  fi
}

# layouts P W: builds the layouts of workload W that are missing (all of
# pagelayout's with --only-pagelayout, or when its tools changed).
layouts() {
  local p=$1 w=$2 d=$J/$1/$2
  local link=$J/$p/release/link.sh q=$J/$p/bin/default.q l
  for l in $LAYOUTS; do
    local o=$d/$l
    if [ -f "$o/bin" ]; then
      case " $PL_LAYOUTS " in *" $l "*) ;; *) continue ;; esac
      [ $only_pl = 0 ] && [ "$o/bin" -nt "$pl" ] && [ "$o/bin" -nt "$ldpl" ] && continue
    elif [ $only_pl = 1 ] && [ -f "$o/build.log" ]; then
      case " $PL_LAYOUTS " in *" $l "*) ;; *) continue ;; esac
    fi
    log "$p $w: link $l"
    rm -f "$o/note"
    case $l in
      lld) try "$o" cp "$J/$p/bin/default" "$o/bin" ;;
      lld-order) try "$o" "$link" "$o/bin" -fuse-ld=lld \
          -Wl,--symbol-ordering-file="$d/order.txt" -Wl,--no-warn-symbol-ordering ;;
      lld-bp) try "$o" "$link" "$o/bin" -fuse-ld=lld -Wl,--irpgo-profile="$d/irpgo.profdata" \
          -Wl,--bp-startup-sort=function -Wl,--verbose-bp-section-orderer ;;
      lld-cdsort) try "$o" "$link" "$o/bin" -fuse-ld=lld \
          -Wl,--call-graph-ordering-file="$d/cg.txt" -Wl,--call-graph-profile-sort=cdsort ;;
      bolt) try "$o" "$llvm/llvm-bolt" "$q" -o "$o/bin" -data="$d/bolt.fdata" \
          -reorder-blocks=ext-tsp -reorder-functions=cdsort -split-functions \
          -split-all-cold -dyno-stats ;;
      ldpl-trace|ldpl-inst)
        try "$o" "$link" "$o/bin" --ld-path="$ldpl" \
          -Wl,--layout-profile="$d/${l#ldpl-}.yaml" -Wl,--layout-report="$o/report.txt" ;;
      ldpl-split)
        # The program compiled again with this workload's cluster list,
        # then linked by ld.pagelayout with the profile of block ids.
        if [ ! -f "$o/obj/.built" ] || [ "$d/clusters.txt" -nt "$o/obj/.built" ]; then
          rm -rf "$o/obj" && mkdir -p "$o/obj"
          # shellcheck disable=SC2046
          ${p}_build release "$o/obj" $(variant_cflags bbmap) \
            "-fbasic-block-sections=list=$d/clusters.txt" > "$o/compile.log" 2>&1 &&
            touch "$o/obj/.built" || echo "   split build failed, see $o/compile.log"
        fi
        try "$o" "$o/obj/link.sh" "$o/bin" --ld-path="$ldpl" \
          -Wl,--layout-profile="$d/split.yaml" -Wl,--layout-report="$o/report.txt" ;;
      ldpl-split-lto)
        # The ThinLTO objects as they are: ld.pagelayout computes the
        # clusters against its first pass and LTO splits the code. The
        # pass plugin is off: it would steer the optimizer by the profile,
        # so the code would no longer be the traced code (block_hash).
        try "$o" "$J/$p/ltobb/link.sh" "$o/bin" --ld-path="$ldpl" \
          -Wl,--layout-lto-plugin=none \
          -Wl,--layout-profile="$d/lto-split.yaml" -Wl,--layout-report="$o/report.txt"
        grep -c "stays whole" "$o/build.log" > "$o/whole.count" || true ;;
      re-trace|re-inst)
        try "$o" "$pl" reorder --profile "$d/${l#re-}.yaml" "$q" -o "$o/bin" \
          --report="$o/report.txt"
        grep -E '^(note|warning)|: (note|warning):' "$o/build.log" > "$o/note" || rm -f "$o/note" ;;
    esac
    [ -s "$o/note" ] || rm -f "$o/note"
  done
}

for p in $programs; do
  log "$p: build (release, temporal-PGO-instrumented, recorder-instrumented)"
  mkdir -p "$J/$p/bin" "$J/$p/run"
  for v in release pgogen inst bbmap ltobb; do
    if [ ! -f "$J/$p/$v/.built" ]; then
      rm -rf "$J/$p/$v" && mkdir -p "$J/$p/$v"
      # shellcheck disable=SC2046
      ${p}_build "$v" "$J/$p/$v" $(variant_cflags "$v") > "$J/$p/$v.log" 2>&1 ||
        { echo "$p: $v build failed, see $J/$p/$v.log"; tail -5 "$J/$p/$v.log"; exit 1; }
      touch "$J/$p/$v/.built"
    fi
  done
  [ -f "$J/$p/bin/default" ] || "$J/$p/release/link.sh" "$J/$p/bin/default" -fuse-ld=lld
  [ -f "$J/$p/bin/default.q" ] ||
    "$J/$p/release/link.sh" "$J/$p/bin/default.q" -fuse-ld=lld -Wl,--emit-relocs
  [ -f "$J/$p/bin/pgogen" ] || "$J/$p/pgogen/link.sh" "$J/$p/bin/pgogen" -fuse-ld=lld
  [ -f "$J/$p/bin/inst" ] || "$J/$p/inst/link.sh" "$J/$p/bin/inst" -fuse-ld=lld
  [ -f "$J/$p/bin/bbmap" ] || "$J/$p/bbmap/link.sh" "$J/$p/bin/bbmap" -fuse-ld=lld
  # ThinLTO code with the address map LTO writes (what a user of the LTO
  # workflow traces: ld.pagelayout's own first pass makes the same code).
  [ -f "$J/$p/bin/ltobb" ] || "$J/$p/ltobb/link.sh" "$J/$p/bin/ltobb" -fuse-ld=lld \
    -Wl,--lto-basic-block-address-map
  [ -f "$J/$p/run/.setup" ] || { ${p}_setup "$J/$p/run"; touch "$J/$p/run/.setup"; }
  ${p}_workloads | sed "s|$J/$p/run/||g; s|$bench/lua/||g" |
    awk -F'|' -v p="$p" '{print $1 "|" p " " $4 "|" ($5 == "" ? "" : p " " $5)}' > "$J/$p/workloads.txt"
  [ -f "$J/$p/default.transcript" ] ||
    transcript "$p" "$J/$p/bin/default" > "$J/$p/default.transcript"
  while IFS='|' read -r w kind se args targs; do
    eval "set -- $args"
    if [ $time_only = 0 ]; then
      profiles "$p" "$w" "$kind" "$se" "$@"
      layouts "$p" "$w"
      for l in $LAYOUTS; do measure "$p" "$w" "$l"; done
    fi
    if [ "$kind" = script ]; then
      log "$p $w: steady time, $time_rounds rounds"
      builds=()
      for l in $LAYOUTS; do
        grep -q '^status=same$' "$J/$p/$w/$l/result" && builds+=("$l=$J/$p/$w/$l/bin")
      done
      eval "set -- ${targs:-$args}"
      cp "$J/$p/bin/default" "$J/$p/$w/lld-again.bin"
      python3 "$bench/judge-time.py" --rounds "$time_rounds" \
        --samples "$J/$p/$w/time.json" --cwd "$J/$p/run" -- "$@" \
        ::: "${builds[@]}" "lld-again=$J/$p/$w/lld-again.bin" > "$J/$p/$w/time.txt"
      cat "$J/$p/$w/time.txt"
    fi
  done < <(${p}_workloads)
done

python3 "$bench/judge-report.py" "$J" "$root/docs/bench/judge-layouts.md" \
  "$root/docs/bench/judge-layouts.svg" $programs
cat "$root/docs/bench/judge-layouts.md"

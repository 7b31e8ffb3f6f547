#!/usr/bin/env bash
# Steady-state time of split code (issue 13): is a program whose functions
# ld.pagelayout split by phase any slower on its hot loop than the same
# program laid out whole? judge-layouts.sh times twelve layouts in one
# session and so can afford only a few samples each; this times the five
# that answer the question, with enough samples to narrow the interval:
#   lld             ld.lld's default order (the reference);
#   lld-again       the same binary again: the session's noise;
#   ldpl-trace      ld.pagelayout, trace profile, functions whole;
#   ldpl-split      the objects compiled again with the cluster list;
#   ldpl-split-lto  ThinLTO code split in ld.pagelayout's LTO.
# Each on the judge's timed script workload, through judge-time.py (CPU
# time, COPIES copies of each binary, ROUNDS shuffled rounds, medians,
# bootstrap intervals). The split builds are then compared with
# ldpl-trace from the same samples. Uses the binaries judge-layouts.sh
# built and checked (run it first); writes docs/bench/split-time.md.
# Usage: split-time.sh [--programs=lua,zstd,...] [--rounds=N] [--copies=C]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
bench=$root/utils/bench
J=${JUDGE_DIR:-$build/bench/judge}
programs="lua zstd jsoncpp vim" rounds=12 copies=6
for a in "$@"; do
  case $a in
    --programs=*) programs=${a#--programs=}; programs=${programs//,/ } ;;
    --rounds=*) rounds=${a#--rounds=} ;;
    --copies=*) copies=${a#--copies=} ;;
    *) echo "split-time.sh: unknown argument '$a'" >&2; exit 2 ;;
  esac
done
write_link() { :; } # judge-programs.sh expects it; nothing is built here
source "$bench/judge-programs.sh"
layouts="lld ldpl-trace ldpl-split ldpl-split-lto"
# The documented table is all four programs'; a subset goes to the build.
out=$root/docs/bench/split-time.md
[ "$programs" = "lua zstd jsoncpp vim" ] || out=$J/split-time.md
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for p in $programs; do
  line=$(${p}_workloads | grep '^script|') ||
    { echo "split-time.sh: $p has no script workload" >&2; exit 1; }
  IFS='|' read -r w _ _ args targs <<< "$line"
  d=$J/$p/$w
  builds=()
  for l in $layouts; do
    grep -q '^status=same$' "$d/$l/result" 2>/dev/null || {
      echo "split-time.sh: $p $w $l is not built or does not behave as the" \
        "default (run judge-layouts.sh first)" >&2
      exit 1
    }
    builds+=("$l=$d/$l/bin")
    [ "$l" = lld ] && builds+=("lld-again=$d/$l/bin")
  done
  echo "== $p $w: $rounds rounds x $copies copies" >&2
  eval "set -- ${targs:-$args}"
  python3 "$bench/judge-time.py" --rounds "$rounds" --copies "$copies" \
    --samples "$d/split-time.json" --cwd "$J/$p/run" -- "$@" \
    ::: "${builds[@]}" > "$d/split-time.txt"
  cat "$d/split-time.txt" >&2
  echo "$p $w $d/split-time.json" >> "$tmp"
done
python3 "$bench/split-time-report.py" "$rounds" "$copies" < "$tmp" > "$out"
cat "$out"

#!/bin/bash
# link-time.sh: ld.pagelayout's link time as a ratio of ld.lld's, in the
# three modes issue 16 names: no LTO, ThinLTO and full LTO, on vim 9.0
# (Debian's source, more than 2 MB of text; not in CI), and without LTO on
# ld.pagelayout itself (C++, more than 3 MB of text).
#
# Per mode, vim's objects are compiled once (release flags, plus -flto=thin
# or -flto; cached in build/bench/linktime/MODE, or taken from
# judge-layouts.sh's builds with the same flags). One trace profile of the
# startup workload, recorded from the no-LTO build, serves every mode;
# ld.lld gets the same order as an ordering file (profile convert
# --to=orderfile), so both linkers are asked for the same order. Then
# ROUNDS alternating runs of the two whole link commands (clang driver
# included): CPU time (user + system) and wall time, medians, and their
# ratios from that one run. Neither link has a ThinLTO cache of the user's
# (ld.pagelayout's two passes share one of its own). Each output must run
# the startup workload as the default build does.
# Writes docs/bench/link-time.md.
# Usage: link-time.sh [--rounds=N] [--modes=none,thin,full]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
bench=$root/utils/bench
J=$build/bench/linktime
rounds=5 modes="none thin full"
for a in "$@"; do
  case $a in
    --rounds=*) rounds=${a#--rounds=} ;;
    --modes=*) modes=${a#--modes=}; modes=${modes//,/ } ;;
    *) echo "link-time.sh: unknown argument '$a'" >&2; exit 2 ;;
  esac
done
mkdir -p "$J/run"
"$root/utils/build.sh" >/dev/null
pl=$build/tools/pagelayout/pagelayout
ldpl=$build/plugin/ld.pagelayout
RELEASE_CFLAGS="-O2 -ffunction-sections -fdata-sections -fno-pie"
RT_LDFLAGS=""
log() { echo "== $*"; }
# write_link DIR CC LIBS OBJECTS...: DIR/link.sh OUT [FLAGS...] links the
# objects non-PIE (what judge-programs.sh's builds expect).
write_link() {
  local dir=$1 cc=$2 libs=$3; shift 3
  {
    echo '#!/bin/sh'
    echo 'out=$1; shift'
    echo "exec $cc -no-pie \"\$@\" $* $libs -o \"\$out\""
  } > "$dir/link.sh"
  chmod +x "$dir/link.sh"
}
source "$bench/judge-programs.sh"

mode_cflags() {
  case $1 in
    none) echo "$RELEASE_CFLAGS" ;;
    thin) echo "$RELEASE_CFLAGS -flto=thin" ;;
    full) echo "$RELEASE_CFLAGS -flto" ;;
  esac
}
# The startup workload's arguments (vim_workloads' first line).
IFS='|' read -r _ _ _ startup_args _ < <(vim_workloads | head -1)
eval "set -- $startup_args"
startup=("$@")

# The judge's builds of vim (judge-layouts.sh) are these with the same
# flags: release is the no-LTO one, ltobb the ThinLTO one.
judge=$build/bench/judge/vim
for m in none thin; do
  v=$([ $m = none ] && echo release || echo ltobb)
  [ ! -e "$J/$m" ] && [ -f "$judge/$v/.built" ] && ln -s "$judge/$v" "$J/$m"
done
for m in none $modes; do
  [ -f "$J/$m/.built" ] && continue
  log "vim, $m: compile"
  rm -rf "$J/$m" && mkdir -p "$J/$m"
  # shellcheck disable=SC2046
  vim_build release "$J/$m" $(mode_cflags "$m") > "$J/$m/build.log" 2>&1 ||
    { echo "build failed, see $J/$m/build.log" >&2; exit 1; }
  touch "$J/$m/.built"
done

if [ ! -f "$J/trace.yaml" ]; then
  log "trace profile of the startup workload (no-LTO build)"
  "$J/none/link.sh" "$J/default" -fuse-ld=lld
  (cd "$J/run" && "$pl" record --mode=trace -o "$J/trace.yaml.tmp" -- "$J/default" \
    "${startup[@]}" > /dev/null 2> "$J/trace.err" < /dev/null)
  "$pl" profile convert "$J/trace.yaml.tmp" --to=orderfile --include-cold -o "$J/order.txt"
  mv "$J/trace.yaml.tmp" "$J/trace.yaml"
fi
[ -x "$J/default" ] || "$J/none/link.sh" "$J/default" -fuse-ld=lld
expected=$(cd "$J/run" && "$J/default" "${startup[@]}" < /dev/null 2>&1 | sha256sum)

text_bytes=$(/usr/lib/llvm-22/bin/llvm-size -A "$J/default" | awk '$1 == ".text" {print $2}')
rows=""
for m in $modes; do
  log "vim, $m: $rounds alternating rounds"
  lld=("$J/$m/link.sh" "$J/$m/lld.out" -fuse-ld=lld
       "-Wl,--symbol-ordering-file=$J/order.txt" -Wl,--no-warn-symbol-ordering)
  pagelayout=("$J/$m/link.sh" "$J/$m/ldpl.out" "--ld-path=$ldpl"
              "-Wl,--layout-profile=$J/trace.yaml")
  label=$(case $m in none) echo "no LTO" ;; thin) echo "ThinLTO" ;; full) echo "full LTO" ;; esac)
  row=$(python3 "$bench/link-time.py" --rounds "$rounds" --label "$label" -- \
    "${lld[@]}" --- "${pagelayout[@]}")
  for out in lld.out ldpl.out; do
    got=$(cd "$J/run" && "$J/$m/$out" "${startup[@]}" < /dev/null 2>&1 | sha256sum)
    [ "$got" = "$expected" ] || { echo "vim, $m: $out behaves differently" >&2; exit 1; }
  done
  row="$row $rounds | $(date -u +%Y-%m-%d) |"
  echo "$row"
  rows="$rows$row"$'\n'
done

# The second program, without LTO: ld.pagelayout itself (C++, lld's ELF
# code linked in statically, more than 3 MB of .text), as the build links
# it. Its profile: a trace of it linking vim (the no-LTO objects) as plain
# lld, the work a linker's startup and steady state are made of.
self_row=""
if [[ " $modes " == *" none "* ]]; then
  S=$J/self
  mkdir -p "$S"
  link_cmd=$(ninja -C "$build" -t commands plugin/ld.pagelayout | tail -1 |
    sed -e 's/^: && //' -e 's/ && :$//' -e 's| -o plugin/ld.pagelayout | |')
  # shellcheck disable=SC2206
  self_link=($link_cmd)
  (cd "$build" && "${self_link[@]}" -o "$S/default" -fuse-ld=lld)
  mapfile -t vim_args < <("$J/none/link.sh" "$J/run/probe" -fuse-ld=lld -### 2>&1 |
    tail -1 | python3 -c 'import shlex, sys; print("\n".join(shlex.split(sys.stdin.read())[1:]))')
  if [ ! -f "$S/trace.yaml" ] || [ "$S/trace.yaml" -ot "$ldpl" ]; then
    log "ld.pagelayout itself: trace profile of it linking vim"
    "$pl" record --mode=trace -o "$S/trace.yaml.tmp" -- "$S/default" "${vim_args[@]}" \
      -o "$S/vim.out" > /dev/null 2> "$S/trace.err" < /dev/null
    "$pl" profile convert "$S/trace.yaml.tmp" --to=orderfile --include-cold -o "$S/order.txt"
    mv "$S/trace.yaml.tmp" "$S/trace.yaml"
  fi
  log "ld.pagelayout itself, no LTO: $rounds alternating rounds"
  self_text=$(/usr/lib/llvm-22/bin/llvm-size -A "$S/default" | awk '$1 == ".text" {print $2}')
  label="no LTO, ld.pagelayout itself ($((self_text / 1000)) KB .text, C++)"
  self_row=$(cd "$build" && python3 "$bench/link-time.py" --rounds "$rounds" --label "$label" -- \
    "${self_link[@]}" -o "$S/lld.out" -fuse-ld=lld "-Wl,--symbol-ordering-file=$S/order.txt" \
    -Wl,--no-warn-symbol-ordering --- \
    "${self_link[@]}" -o "$S/ldpl.out" "--ld-path=$ldpl" "-Wl,--layout-profile=$S/trace.yaml")
  want=$("$S/default" --version | sha256sum)
  for o in lld.out ldpl.out; do
    [ "$("$S/$o" --version | sha256sum)" = "$want" ] ||
      { echo "ld.pagelayout itself: $o behaves differently" >&2; exit 1; }
  done
  self_row="$self_row $rounds | $(date -u +%Y-%m-%d) |"
  echo "$self_row"
fi

out=$root/docs/bench/link-time.md
# Rows of the modes not run this time are kept from the last table (each
# row says when it was measured).
label_of() { case $1 in none) echo "no LTO" ;; thin) echo "ThinLTO" ;; full) echo "full LTO" ;; esac; }
table=""
for m in none thin full; do
  label=$(label_of "$m")
  if [[ " $modes " == *" $m "* ]]; then
    table="$table$(printf '%s' "$rows" | grep -F "| $label |")"$'\n'
  elif [ -f "$out" ] && grep -qF "| $label |" "$out"; then
    table="$table$(grep -F "| $label |" "$out")"$'\n'
  fi
done
if [ -n "$self_row" ]; then
  table="$table$self_row"$'\n'
elif [ -f "$out" ] && grep -qF "| no LTO, ld.pagelayout itself" "$out"; then
  table="$table$(grep -F "| no LTO, ld.pagelayout itself" "$out")"$'\n'
fi
{
  echo "<!-- written by utils/bench/link-time.sh; do not edit -->"
  echo "vim 9.0 (Debian source; .text $text_bytes bytes without LTO), $(nproc) cores shared."
  echo "Each mode: the same objects linked by ld.lld with an ordering file and by ld.pagelayout with the trace profile it was made from (vim: its startup workload; ld.pagelayout itself: it linking vim), alternating rounds; medians of the whole link command (compiler driver included), CPU time from getrusage. Both outputs checked against the default build's run."
  echo
  echo "| mode | ld.lld CPU s | ld.pagelayout CPU s | ratio | ld.lld wall s | ld.pagelayout wall s | ratio | rounds | measured |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s' "$table"
} > "$out"
log "wrote $out"

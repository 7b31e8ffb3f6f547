#!/usr/bin/env bash
# Real C++ program, post-link: jsoncpp from Debian's source package
# (libjsoncpp), built -O2 -ffunction-sections -Wl,-q by clang++-22 + lld
# and by g++ + GNU ld. Its unit-test program (C++ exceptions, EH tables, virtual calls)
# and its JSON test runner are profiled with pagelayout record --mode=perf
# on their own tests, rewritten by pagelayout reorder, and jsoncpp's own
# test drivers are run against the rewritten programs.
# Writes docs/bench/jsoncpp-reorder-tests.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
pl=$build/tools/pagelayout/pagelayout
"$root/utils/build.sh" >/dev/null
command -v clang++-22 >/dev/null
src=$("$root/utils/bench/debian-source.sh" libjsoncpp "$build/bench/src")
work=$build/bench/jsoncpp
rm -rf "$work" && mkdir -p "$work"
results=()
rewrite() { # NAME PROFILE-COMMAND... -> rewrites $bin/NAME to $bin/NAME.re
  local name=$1; shift
  "$pl" record --mode=perf -o "$work/$tc.$name.yaml" -- "$@" >/dev/null 2>&1
  "$pl" reorder --force --verify=full --profile "$work/$tc.$name.yaml" "$bin/$name" \
    -o "$bin/$name.re" > "$work/$tc.$name.reorder.log"
  moved=$(sed -n 's/.*: \([0-9]*\) functions moved/\1/p' "$work/$tc.$name.reorder.log")
  total=$(head -1 "$work/$tc.$name.reorder.log" | sed 's/^[^:]*: \([0-9]*\) functions.*/\1/')
  movable=$(sed -n 's/^movable: \([0-9]*\);.*/\1/p' "$work/$tc.$name.reorder.log")
}
check() { # LABEL COMMAND... -> appends a result row
  local label="$1, $toolchain"; shift
  local log=$work/$(echo "$label" | tr -c 'A-Za-z0-9_\n' '-').log
  "$@" > "$log" 2>&1 && status=passed || status=FAILED
  summary=$(grep -E "^(All [0-9]+ tests passed|Test results:)" "$log" |
    tail -1 || true)
  results+=("| $label | $total | $movable | $moved | $status${summary:+ ($summary)} |")
  echo "$label: $moved of $total functions moved; $status $summary"
}

tests=$src/test
for tc in clang gcc; do
  case $tc in
    clang) cxx=clang++-22 ldflags="-fuse-ld=lld -Wl,-q" toolchain="clang++ + lld" ;;
    gcc) cxx=g++ ldflags="-Wl,-q" toolchain="g++ + GNU ld" ;;
  esac
  cmake -S "$src" -B "$work/$tc" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER=$cxx -DCMAKE_CXX_FLAGS=-ffunction-sections \
    -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
    -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DBUILD_OBJECT_LIBS=OFF \
    -DJSONCPP_WITH_TESTS=ON -DJSONCPP_WITH_POST_BUILD_UNITTEST=OFF \
    -DJSONCPP_WITH_EXAMPLE=OFF >/dev/null
  ninja -C "$work/$tc" jsoncpp_test jsontestrunner_exe >/dev/null
  bin=$work/$tc/bin
  rewrite jsoncpp_test "$bin/jsoncpp_test"
  check "jsoncpp_test (rununittests.py)" \
    python3 "$tests/rununittests.py" "$bin/jsoncpp_test.re"
  rewrite jsontestrunner_exe python3 "$tests/runjsontests.py" \
    "$bin/jsontestrunner_exe" "$tests/data"
  check "jsontestrunner_exe (runjsontests.py)" \
    python3 "$tests/runjsontests.py" "$bin/jsontestrunner_exe.re" "$tests/data"
  check "jsontestrunner_exe (runjsontests.py --with-json-checker)" \
    python3 "$tests/runjsontests.py" --with-json-checker \
    "$bin/jsontestrunner_exe.re" "$tests/data"
done

out=$root/docs/bench/jsoncpp-reorder-tests.md
{
  echo "| program (jsoncpp's own test driver) | functions | proved movable | moved | result on the rewritten binary |"
  echo "|---|---:|---:|---:|---|"
  printf '%s\n' "${results[@]}"
  echo
  echo "jsoncpp $(basename "$src" | sed 's/^libjsoncpp-//') (Debian libjsoncpp source),"
  echo "-O2 -ffunction-sections -Wl,-q, static libjsoncpp, built by clang++-22 + lld"
  echo "and by g++ + GNU ld; profiles:"
  echo "pagelayout record --mode=perf on each program's own tests; $(date -u +%Y-%m-%d)."
  echo "With --with-json-checker, runjsontests.py also runs the jsonchecker suite"
  echo "(its count line reports only the data/ tests). 'moved' counts functions whose"
  echo "address changed; the rest were already where the plan puts them."
} > "$out"
cat "$out"
for r in "${results[@]}"; do case $r in *FAILED*) exit 1 ;; esac; done

#!/usr/bin/env bash
# Installs the build into a scratch prefix, builds the consumer against it
# and checks its output. Usage: run.sh BUILD_DIR SCRATCH_DIR
set -euo pipefail
build=$1 scratch=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$scratch" && mkdir -p "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
cmake -S "$here" -B "$scratch/consumer" -G Ninja \
  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
  -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/consumer" >/dev/null
out=$("$scratch/consumer/consumer")
expected=$'hot@0\ncold@32'
if [ "$out" != "$expected" ]; then
  echo "consumer printed:"; echo "$out"; exit 1
fi

# The recorder: a program built against pagelayout::rt records, and the
# installed tool prints flags that point into the prefix.
prefix=$(cd "$scratch/prefix" && pwd -P)
rec=$(cd "$scratch" && PAGELAYOUT_OUT="$scratch/recorded.raw" \
  "$scratch/consumer/recorded")
if [ "$rec" != "recorded 3" ]; then
  echo "recorded printed: $rec"; exit 1
fi
"$prefix/bin/pagelayout" record --from-raw="$scratch/recorded.raw" \
  -o "$scratch/recorded.yaml"
grep -q -- "- name: consumer_startup" "$scratch/recorded.yaml" || {
  echo "the recorded profile lacks consumer_startup:"
  cat "$scratch/recorded.yaml"; exit 1; }
flags=$("$prefix/bin/pagelayout" record --print-flags=flags)
case "$flags" in
  *"-I$prefix/include"*"-L$prefix/lib"*) ;;
  *) echo "installed --print-flags does not point into $prefix:"
     echo "$flags"; exit 1 ;;
esac
echo "find_package(pagelayout) consumer: ok"

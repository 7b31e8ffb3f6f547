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
echo "find_package(pagelayout) consumer: ok"

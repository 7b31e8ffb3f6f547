#!/usr/bin/env bash
# Configures and builds pagelayout into build/ (or $PAGELAYOUT_BUILD_DIR)
# with LLVM 22's clang. Safe to re-run: only what changed is rebuilt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 >/dev/null
fi
cmake --build "$build" -- -j"$(nproc)"

#!/usr/bin/env bash
# Set up, build, and pass all tests: GoogleTest (via ctest) and lit; then
# a fuzzing smoke run of every reader (utils/fuzz.sh, docs/fuzzing.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
"$root/utils/setup.sh"
"$root/utils/build.sh"
cd "$build"
ctest --output-on-failure -j"$(nproc)"
"$root/utils/fuzz.sh" --time "${PAGELAYOUT_FUZZ_SECONDS:-6}"

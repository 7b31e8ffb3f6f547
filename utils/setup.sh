#!/usr/bin/env bash
# Installs the Debian packages pagelayout needs, only when some are missing.
# Idempotent and quiet when everything is present. Needs root (or sudo).
set -euo pipefail

packages=(
  clang-22 lld-22 llvm-22-dev llvm-22-tools liblld-22-dev libclang-rt-22-dev
  libyaml-cpp-dev googletest libgtest-dev libgmock-dev libbenchmark-dev
  cmake ninja-build python3 gcc g++ valgrind libxml2-utils
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Fetches a Debian source package into a cache directory (never into the
# repository). Adds a deb-src stanza copied from the system's deb one when
# there is none. Usage: debian-source.sh NAME CACHE_DIR -> prints the path.
set -euo pipefail
name=$1 cache=$2
mkdir -p "$cache"
# The source package may be named differently (zstd comes from libzstd):
# any unpacked tree whose name holds NAME and that has a debian/ folder.
find_tree() {
  for d in "$cache"/*"$name"*; do
    [ -d "$d/debian" ] && { echo "$d"; return 0; }
  done
  return 1
}
if existing=$(find_tree); then echo "$existing"; exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! grep -qs "^Types:.*deb-src" /etc/apt/sources.list.d/*.sources &&
   ! grep -qs "^deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/*.list; then
  src=$(ls /etc/apt/sources.list.d/*.sources | head -1)
  # The first stanza of the system's sources, as deb-src.
  awk 'BEGIN{RS="";ORS="\n\n"} NR==1' "$src" |
    sed 's/^Types: deb$/Types: deb-src/' |
    $SUDO tee /etc/apt/sources.list.d/pagelayout-deb-src.sources >/dev/null
  $SUDO apt-get update -qq >/dev/null
fi
command -v dpkg-source >/dev/null ||
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev >/dev/null
(cd "$cache" && apt-get source -qq "$name" >/dev/null 2>&1)
find_tree

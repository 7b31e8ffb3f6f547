#!/usr/bin/env bash
# Proves the README's two commands on a bare Debian bookworm, the way CI sees
# them: a package installed by hand on a developer's machine can hide a
# missing step in utils/setup.sh, and only a system that never had it shows
# the gap.
#
# The script debootstraps a minbase bookworm chroot from this machine's
# mirror, gives it this machine's apt sources (bookworm, bookworm-updates,
# bookworm-security: clang-22 comes from the last), installs nothing else,
# copies in the committed HEAD of the repository (git archive: uncommitted
# changes are not tested) and runs, as root, with CI=true and no stdin:
#
#   ./utils/setup.sh && ./utils/demo.sh
#   ./utils/setup.sh && ./utils/check.sh
#
# printing PASS or FAIL for each (with the log's tail on failure). It exits 0
# only when both pass.
#
# Each run starts from a bare system. Without --reuse the base is
# debootstrapped anew (a few minutes) and saved as a tarball; with --reuse a
# fresh copy is extracted from that tarball (seconds). The chroot is deleted
# on exit unless --keep; /proc, /sys, /dev, /dev/pts and /dev/shm are
# unmounted on exit either way, also on failure or Ctrl-C.
set -euo pipefail

usage() {
  cat <<EOF
usage: $0 [--dir DIR] [--cache FILE] [--reuse] [--keep] [--jobs N]
  --dir DIR     chroot location (default /var/tmp/pagelayout-fresh/root);
                logs go to DIR.logs
  --cache FILE  pristine debootstrap tarball
                (default /var/tmp/pagelayout-fresh/bookworm-minbase.tar.gz)
  --reuse       extract the base from --cache instead of debootstrapping
                (debootstraps and saves it when the tarball is missing)
  --keep        keep the chroot after the run (for inspection)
  --jobs N      build and test jobs inside the chroot (default 2; nproc
                there answers N through OMP_NUM_THREADS)
Needs root (debootstrap, mount, chroot).
EOF
}

root=$(cd "$(dirname "$0")/.." && pwd)
base=/var/tmp/pagelayout-fresh
dir=$base/root
cache=$base/bookworm-minbase.tar.gz
reuse=0
keep=0
jobs=2
while [ $# -gt 0 ]; do
  case $1 in
  --dir) dir=${2:?--dir needs a directory}; shift 2 ;;
  --cache) cache=${2:?--cache needs a file}; shift 2 ;;
  --reuse) reuse=1; shift ;;
  --keep) keep=1; shift ;;
  --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
  -h | --help) usage; exit 0 ;;
  *) echo "fresh-check: unknown option '$1'; see --help" >&2; exit 2 ;;
  esac
done

die() { echo "fresh-check: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root for debootstrap, mount and chroot; run it with sudo"
case $dir in
/?*) ;;
*) die "--dir '$dir' must be an absolute path other than /" ;;
esac
dir=${dir%/}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs '$jobs' must be a positive number"
logs=$dir.logs
marker=.pagelayout-fresh-check

# The host's mirror: the URIs of the deb822 stanza listing suite bookworm
# (one-line sources.list as a fallback).
sources=/etc/apt/sources.list.d/debian.sources
if [ -f "$sources" ]; then
  mirror=$(awk 'BEGIN { RS = ""; FS = "\n" }
    { uri = ""; hit = 0
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^URIs:/) { split($i, w, /[ \t]+/); uri = w[2] }
        if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) hit = 1
      }
      if (hit && uri != "") { print uri; exit } }' "$sources")
else
  mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
fi
[ -n "${mirror:-}" ] || die "$sources: no entry for suite bookworm; cannot tell which mirror to debootstrap from"

if ! command -v debootstrap >/dev/null; then
  echo "fresh-check: installing debootstrap on the host" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

mounted_under() { awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo; }

# Deletes a chroot of ours; refuses anything still mounted or not made here.
remove_chroot() {
  [ -e "$1" ] || return 0
  [ -e "$1/$marker" ] || [ -e "$1.partial" ] ||
    die "$1 exists and was not made by fresh-check; pick another --dir or remove it"
  [ -z "$(mounted_under "$1")" ] ||
    die "$1 still has mounts ($(mounted_under "$1" | tr '\n' ' ')); unmount them first"
  rm -rf --one-file-system "$1"
  rm -f "$1.partial"
}

# Processes whose root is the chroot.
# shellcheck disable=SC2317  # runs from the EXIT trap
in_chroot() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" != "$dir" ] || echo "${p#/proc/}"
  done
}

mounts=()
owned=0  # set once $dir is ours to delete
# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
  local status=$? i left sig
  # Processes still running in the chroot (after Ctrl-C or kill) keep the
  # mounts busy: stop them, by force after 10 s.
  for i in $(seq 20); do
    left=$(in_chroot)
    [ -n "$left" ] || break
    sig=-TERM
    [ "$i" -lt 20 ] || sig=-KILL
    # shellcheck disable=SC2086  # one pid a word
    kill "$sig" $left 2>/dev/null || true
    sleep 0.5
  done
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" ||
      echo "fresh-check: cannot unmount ${mounts[i]}" >&2
  done
  if [ "$owned" -eq 0 ]; then
    :
  elif [ "$keep" -eq 1 ]; then
    [ ! -d "$dir" ] || echo "fresh-check: kept the chroot in $dir (enter: sudo chroot $dir)" >&2
  elif [ -d "$dir" ]; then
    if [ -z "$(mounted_under "$dir")" ]; then
      rm -rf --one-file-system "$dir"
      rm -f "$dir.partial"
    else
      echo "fresh-check: left $dir in place: it still has mounts" >&2
    fi
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo "fresh-check: interrupted" >&2; exit 130' INT
trap 'echo "fresh-check: terminated" >&2; exit 143' TERM

start=$SECONDS
remove_chroot "$dir"
rm -rf "$logs"
mkdir -p "$logs" "$(dirname "$cache")"
touch "$dir.partial"  # lets remove_chroot clean up a half-made chroot
owned=1

# 1. A bare base system.
if [ "$reuse" -eq 1 ] && [ -f "$cache" ]; then
  echo "fresh-check: extracting the base system from $cache"
  mkdir -p "$dir"
  tar -xpzf "$cache" --numeric-owner -C "$dir"
else
  echo "fresh-check: debootstrap --variant=minbase bookworm $dir $mirror (log: $logs/debootstrap.log)"
  if ! debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$logs/debootstrap.log" 2>&1; then
    tail -n 30 "$logs/debootstrap.log" >&2
    die "debootstrap failed; see $logs/debootstrap.log"
  fi
  tar -cpzf "$cache.tmp" --numeric-owner -C "$dir" .
  mv "$cache.tmp" "$cache"
  echo "fresh-check: saved the base system as $cache (use --reuse next time)"
fi
touch "$dir/$marker"
rm -f "$dir.partial"

# 2. The host's apt sources, exactly, and its name resolution.
rm -f "$dir/etc/apt/sources.list"
mkdir -p "$dir/etc/apt/sources.list.d"
if [ -f "$sources" ]; then
  cp "$sources" "$dir/etc/apt/sources.list.d/"
else
  cp /etc/apt/sources.list "$dir/etc/apt/"
fi
cp -L /etc/resolv.conf "$dir/etc/resolv.conf"

# 3. The committed HEAD of the repository (as a fresh clone would have it).
git -C "$root" diff --quiet HEAD 2>/dev/null ||
  echo "fresh-check: note: uncommitted changes are not tested (HEAD only)" >&2
mkdir -p "$dir/src/pagelayout"
git -C "$root" archive --format=tar HEAD | tar -x -C "$dir/src/pagelayout"
commit=$(git -C "$root" rev-parse --short HEAD)

# 4. Kernel file systems.
mount_one() { mount "$@"; mounts+=("${*: -1}"); }
mount_one -t proc proc "$dir/proc"
mount_one -t sysfs sysfs "$dir/sys"
mount_one --bind /dev "$dir/dev"
mount_one --bind /dev/pts "$dir/dev/pts"
mount_one -t tmpfs -o mode=1777 shm "$dir/dev/shm"

# 5. The README's commands, as CI runs them.
run() {
  local name=$1 cmd=$2 t0=$SECONDS
  echo "fresh-check: [$commit] $cmd (log: $logs/$name.log)"
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root TERM=dumb CI=true OMP_NUM_THREADS="$jobs" LIT_OPTS="-j$jobs --show-unsupported" \
    chroot "$dir" /bin/bash -c "cd /src/pagelayout && $cmd" \
    </dev/null >"$logs/$name.log" 2>&1 &
  # In the background so that a signal runs the traps at once, not after
  # the build.
  if wait $!; then
    echo "PASS  $cmd  ($((SECONDS - t0)) s)"
    return 0
  fi
  echo "FAIL  $cmd  ($((SECONDS - t0)) s); last lines of $logs/$name.log:"
  tail -n 40 "$logs/$name.log" | sed 's/^/    /'
  return 1
}
failed=0
run demo "./utils/setup.sh && ./utils/demo.sh" || failed=1
run check "./utils/setup.sh && ./utils/check.sh" || failed=1
# A pass can still hide a missing package: lit skips a test whose REQUIRES
# (gcc, perf) this system lacks. ctest keeps lit's output in LastTest.log.
last=$dir/src/pagelayout/build/Testing/Temporary/LastTest.log
if [ -f "$last" ]; then
  awk '/^Total Discovered Tests:/ { print "    lit: " $0 }
       /^Unsupported Tests \(/ { print "    lit: " $0; group = 1; next }
       group && /^  / { print "    " $0; next }
       { group = 0 }' "$last"
fi
echo "fresh-check: $([ $failed -eq 0 ] && echo PASS || echo FAIL) on bare bookworm, commit $commit, $((SECONDS - start)) s in all"
exit $failed

#!/usr/bin/env bash
# What libPageLayoutLTO.so changes on a real program: lua 5.4 (Debian
# source) built with -flto=thin and linked by ld.pagelayout with a recorded
# profile, once with the plugin (default) and once without
# (--layout-lto-plugin=none). Reports startup bytes, text pages executed
# during startup (valgrind), .text size and the CPU-bound run time, and
# writes docs/bench/lua-lto-plugin.md. Run lua-link-startup.sh first (it
# records the profile this script uses).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAGELAYOUT_BUILD_DIR:-$root/build}
work=$build/bench/lua-lto
bench=$root/utils/bench
profile=$build/bench/lua-link/lua.yaml
[ -f "$profile" ] || "$bench/lua-link-startup.sh" >/dev/null
"$root/utils/build.sh" >/dev/null
source "$bench/lua-common.sh"
lua_prepare
echo "== build lua with -flto=thin"
lua_compile "$work/thin" -flto=thin
ldpl=$build/plugin/ld.pagelayout
for variant in plugin none; do
  opt=""; [ "$variant" = none ] && opt="-Wl,--layout-lto-plugin=none"
  # shellcheck disable=SC2086
  clang-22 -flto=thin --ld-path="$ldpl" -no-pie "$work"/thin/*.o -lm -ldl \
    -o "$work/lua.$variant" -Wl,--layout-profile="$profile" $opt \
    -Wl,--layout-report="$work/report.$variant.txt" 2>"$work/link.$variant.log" || {
      cat "$work/link.$variant.log"; exit 1; }
done
for s in core stdlib strings meta errors bench; do
  cmp <(lua_run "$work/lua.plugin" "$s") <(lua_run "$work/lua.none" "$s")
done
echo "outputs identical on core, stdlib, strings, meta, errors and bench.lua"

startup_bytes() { awk '$1=="startup" && $2 ~ /^0x/ {print $5}' "$1"; }
seconds() {
  "$bench/best-time.py" --runs 3 --digits 3 -- "$1" "$bench/lua/bench.lua" 3000000
}
out=$root/docs/bench/lua-lto-plugin.md
{
  echo "| ThinLTO build | startup bytes | startup text pages executed | text pages executed (run) | .text pages | bench.lua 3000000 (s) |"
  echo "|---|---:|---:|---:|---:|---:|"
  for variant in none plugin; do
    read -r sp wp tp <<<"$(lua_text_pages "$work/lua.$variant")"
    label="ld.pagelayout, no plugin"
    [ "$variant" = plugin ] && label="ld.pagelayout + libPageLayoutLTO.so"
    echo "| $label | $(startup_bytes "$work/report.$variant.txt") | $sp | $wp | $tp | $(seconds "$work/lua.$variant") |"
  done
  echo
  echo "lua 5.4.4 (Debian source), clang-22 -O2 -ffunction-sections -flto=thin, non-PIE,"
  echo "profile recorded by lua-link-startup.sh. Startup bytes: the startup phase's"
  echo "function bytes in --layout-report; pages: valgrind lackey trace up to"
  echo "luaL_loadfilex; time: best of 3. $(date -u +%Y-%m-%d)."
} > "$out"
cat "$out"

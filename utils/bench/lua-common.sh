# Sourced by the lua benchmarks: fetches lua5.4's Debian source and builds
# it with clang-22. Expects: root, build, work, bench set by the caller.
# Provides: lua_prepare (copy + patch sources), lua_compile OUT FLAGS...,
# lua_link OUT OBJDIR [LINK FLAGS...], lua_run LUA SCRIPT.

lua_prepare() {
  local src
  src=$("$bench/debian-source.sh" lua5.4 "$build/bench/src")
  rm -rf "$work/src" && mkdir -p "$work" && cp -r "$src/src" "$work/src"
  # Startup ends where the script begins: mark the start of handle_script.
  sed -i 's|^static int handle_script (lua_State \*L, char \*\*argv) {|#include <pagelayout/marker.h>\n&\n  pagelayout_mark("startup_end");|' "$work/src/lua.c"
  grep -q 'pagelayout_mark("startup_end")' "$work/src/lua.c"
  # Debian's luaconf.h includes a header its build generates.
  echo "#define DEB_HOST_MULTIARCH \"$(gcc -print-multiarch)\"" > "$work/src/lua5.4-deb-multiarch.h"
}

LUA_FILES="lapi lcode lctype ldebug ldo ldump lfunc lgc llex lmem lobject
  lopcodes lparser lstate lstring ltable ltm lundump lvm lzio lauxlib lbaselib
  lcorolib ldblib liolib lmathlib loadlib loslib lstrlib ltablib lutf8lib
  linit lua"

lua_compile() { # lua_compile OUTDIR EXTRA_FLAGS...
  local out=$1; shift; mkdir -p "$out"
  for f in $LUA_FILES; do
    clang-22 -O2 -ffunction-sections -fno-pie -DLUA_COMPAT_5_3 -DLUA_USE_LINUX \
      -I"$root/utils/recorder/include" "$@" -c "$work/src/$f.c" -o "$out/$f.o"
  done
}

LUA_RT_LDFLAGS="-fno-sanitize-link-runtime -L$build/utils/recorder -l:libpagelayout_rt.a"

# lua_text_pages BINARY -> "startup_pages whole_run_pages text_pages": the
# distinct 4 KiB .text pages executed (valgrind lackey instruction trace)
# before the script starts and in the whole run of bench.lua 2000.
lua_text_pages() {
  local trace=$1.trace
  valgrind --tool=lackey --trace-mem=yes --log-file="$trace" \
    "$1" "$bench/lua/bench.lua" 2000 >/dev/null 2>&1
  # handle_script is inlined; the first thing it calls is luaL_loadfilex.
  python3 "$bench/text-pages.py" "$1" "$trace" luaL_loadfilex
  rm -f "$trace"
}

# lua_run LUA SCRIPT: what a Lua script printed, then its exit status, so
# two builds compare on both (a crash must not pass as "same output").
lua_run() {
  local status=0
  "$1" "$bench/lua/$2.lua" 2000 2>&1 || status=$?
  echo "exit status $status"
}

# Sourced by judge-layouts.sh: the programs it judges. Each program P
# defines
#   P_build VARIANT DIR CFLAGS...  compile P's objects into DIR with the
#                                  variant's flags, write DIR/link.sh
#                                  (write_link) that links them;
#   P_workloads                    one line per workload:
#                                  NAME|startup or script|STARTUP_END|ARGS|TARGS
#                                  (ARGS in shell words; STARTUP_END: the
#                                  symbol whose first run ends startup in
#                                  the trace profile, or empty; TARGS: the
#                                  same work made longer for the steady
#                                  time, as lackey runs ~5000x slower than
#                                  the program and cannot take a long run);
#   P_setup RUNDIR                 the workloads' input files;
#   P_tests BINARY RUNDIR          the program's own cheap tests: prints a
#                                  transcript compared with the default
#                                  build's.
# Expects from the caller: J, root, build, bench, write_link.

# ---- lua 5.4 (Debian lua5.4) -------------------------------------------
# The string-hash seed is fixed (luai_makeseed(L) becomes 0*sizeof(L)):
# seeded from the time and addresses, the hash order of tables, and with it
# the executed path, would change from run to run and layout to layout.
lua_build() {
  local v=$1 dir=$2; shift 2
  work=$J/lua
  [ -d "$work/src" ] || { source "$bench/lua-common.sh"; lua_prepare; }
  source "$bench/lua-common.sh"
  lua_compile "$dir" "$@" '-Dluai_makeseed=0*sizeof'
  local objs=""
  for f in $LUA_FILES; do objs="$objs $dir/$f.o"; done
  # shellcheck disable=SC2086
  write_link "$dir" clang-22 "-lm -ldl" $objs
}
lua_workloads() {
  echo "startup|startup||-e 'print(1)'"
  echo "script|script|luaL_loadfilex|$bench/lua/bench.lua ${LUA_N:-3000}|$bench/lua/bench.lua 300000"
}
lua_setup() { :; }
lua_tests() {
  local bin=$1 s status
  for s in core stdlib strings meta errors; do
    status=0
    "$bin" "$bench/lua/$s.lua" 2000 > "$2/.t" 2>&1 || status=$?
    echo "== $s.lua: exit $status"
    sed "s|$bin|BIN|g" "$2/.t"
  done
}

# ---- zstd 1.5.4 (Debian libzstd) ----------------------------------------
# The CLI with the whole library linked in, as `make -C programs zstd`
# builds it (multithreaded, legacy formats), without zlib/lzma/lz4.
zstd_build() {
  local v=$1 dir=$2; shift 2
  local src=$J/zstd/src
  if [ ! -d "$src" ]; then
    cp -r "$("$bench/debian-source.sh" zstd "$build/bench/src")" "$src"
  fi
  local ld="-no-pie -fuse-ld=lld"
  case $v in
    pgogen) ld="$ld -fprofile-generate" ;;
    inst) ld="$ld $RT_LDFLAGS" ;;
  esac
  make -j2 -C "$src/programs" zstd BUILD_DIR="$dir/obj" CC=clang-22 CFLAGS="$*" \
    LDFLAGS="$ld" HAVE_ZLIB=0 HAVE_LZMA=0 HAVE_LZ4=0
  # shellcheck disable=SC2046
  write_link "$dir" clang-22 "-pthread" $(ls "$dir"/obj/*.o | sort)
}
zstd_workloads() {
  echo "startup|startup||-q -c $J/zstd/run/small.txt"
  echo "script|script|FIO_compressFilename|-q -3 -c $J/zstd/run/data-512k.bin|-q -3 -c $J/zstd/run/data-32m.bin"
}
zstd_setup() {
  local src=$J/zstd/src
  make -s -C "$src/tests" datagen CC=clang-22 >/dev/null 2>&1
  "$src/tests/datagen" -g$((${ZSTD_MB:-2} * 1000000)) > "$1/data.bin"
  head -c 524288 "$1/data.bin" > "$1/data-512k.bin"
  "$src/tests/datagen" -g32000000 > "$1/data-32m.bin"
  head -c 6000 "$src/README.md" > "$1/small.txt"
  "$J/zstd/bin/default" -q -19 -c "$1/data.bin" > "$1/data.zst"
}
zstd_tests() {
  local bin=$1 r=$2 l
  for l in 1 3 19; do
    echo "-$l small: $("$bin" -q -$l -c "$r/small.txt" | sha256sum | cut -c1-16)"
  done
  echo "-1 data: $("$bin" -q -1 -c "$r/data.bin" | sha256sum | cut -c1-16)"
  echo "round trip: $("$bin" -q -1 -c "$r/data.bin" | "$bin" -q -d -c | cmp - "$r/data.bin" && echo ok)"
  echo "-d data.zst: $("$bin" -q -d -c "$r/data.zst" | sha256sum | cut -c1-16)"
  echo "-t data.zst: $("$bin" -q -t "$r/data.zst" 2>&1; echo "exit $?")"
}

# ---- jsoncpp 1.9.5 (Debian libjsoncpp): a C++ program -----------------
# Its unit-test program: 119 tests registered by static constructors, run
# through jsoncpp's own small test framework (exceptions, std::string,
# iostreams). Startup: --list-tests (every registration, then a list);
# script: the whole suite, which is also the program's own test.
jsoncpp_build() {
  local v=$1 dir=$2; shift 2
  local src ld="-no-pie -fuse-ld=lld"
  src=$("$bench/debian-source.sh" libjsoncpp "$build/bench/src")
  case $v in
    pgogen) ld="$ld -fprofile-generate" ;;
    inst) ld="$ld $RT_LDFLAGS" ;;
  esac
  cmake -S "$src" -B "$dir/cmake" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER=clang++-22 -DCMAKE_CXX_FLAGS="$*" \
    -DCMAKE_CXX_FLAGS_RELEASE="-DNDEBUG" -DCMAKE_EXE_LINKER_FLAGS="$ld" \
    -DCMAKE_POSITION_INDEPENDENT_CODE=OFF \
    -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DBUILD_OBJECT_LIBS=OFF \
    -DJSONCPP_WITH_TESTS=ON -DJSONCPP_WITH_POST_BUILD_UNITTEST=OFF \
    -DJSONCPP_WITH_EXAMPLE=OFF
  ninja -j2 -C "$dir/cmake" jsoncpp_test
  # The objects and archive of CMake's own link line, in its order.
  local inputs
  inputs=$(ninja -C "$dir/cmake" -t commands jsoncpp_test | tail -1 | tr ' ' '\n' |
    grep -E '^[^-].*\.(o|a)$' | sed "s|^|$dir/cmake/|")
  # shellcheck disable=SC2086
  write_link "$dir" clang++-22 "" $inputs
}
jsoncpp_workloads() {
  echo "startup|startup||--list-tests"
  echo "script|script||"
}
jsoncpp_setup() { :; }
jsoncpp_tests() { echo "(the script workload is jsoncpp's own unit-test suite)"; }

# ---- vim 9.0 (Debian vim): more than 2 MB of text ----------------------
# Built as `./configure --with-features=huge` without GUI, X, NLS or
# optional libraries; run in Ex silent mode (-es: no terminal), without
# user files (-u NONE -i NONE). Startup: initialise and quit; script: a
# Vim-script that builds, sorts, substitutes and formats a buffer of n
# lines, then prints its end (n = 500 judged, 20000 timed).
vim_build() {
  local v=$1 dir=$2; shift 2
  local src ld="-no-pie -fuse-ld=lld"
  src=$("$bench/debian-source.sh" vim "$build/bench/src")
  case $v in
    pgogen) ld="$ld -fprofile-generate" ;;
    inst) ld="$ld $RT_LDFLAGS" ;;
  esac
  cp -r "$src" "$dir/src"
  (cd "$dir/src" && CC=clang-22 CFLAGS="$*" LDFLAGS="$ld" ./configure \
    --with-features=huge --enable-gui=no --without-x --disable-nls \
    --disable-gpm --disable-selinux --disable-libsodium --disable-canberra \
    --disable-sysmouse --disable-netbeans --with-tlib=tinfo)
  make -j2 -C "$dir/src/src" vim
  local libs
  libs=$(sed -n 's/^LIBS\s*=\s*//p' "$dir/src/src/auto/config.mk")
  # shellcheck disable=SC2046
  write_link "$dir" clang-22 "$libs" $(ls "$dir"/src/src/objects/*.o | sort)
}
vim_workloads() {
  echo "startup|startup||-u NONE -i NONE -N -es -c 'call setline(1, \"ready\")' -c '%p' -c 'qa!'"
  echo "script|script||-u NONE -i NONE -N -es -c 'let n = 500' -S $J/vim/run/work.vim|-u NONE -i NONE -N -es -c 'let n = 20000' -S $J/vim/run/work.vim"
}
vim_setup() {
  cat > "$1/work.vim" <<'VIM'
" A CPU-bound Vim-script: lists, dicts, regexps, sort, substitute, format.
let lines = []
for i in range(1, n)
  call add(lines, printf('%05d %s %x', (i * 7919) % n, repeat('ab', i % 7), i * 3))
endfor
call setline(1, lines)
sort n
%s/\(ab\)\+/\=toupper(submatch(0))/ge
let counts = {}
for l in getline(1, '$')
  let k = matchstr(l, '\x\+$')
  let counts[k[-1:]] = get(counts, k[-1:], 0) + 1
endfor
g/^0[0-4]/m$
call append('$', string(sort(items(counts))))
$-20,$p
qa!
VIM
}
vim_tests() {
  local bin=$1 r=$2
  # Without the build's time stamp ("compiled Dec  2 2026 04:11:20"):
  # the split layouts are compiled again, later.
  echo "version: $("$bin" --version < /dev/null | head -3 |
    sed 's/, compiled [^)]*)/)/' | sha256sum | cut -c1-16)"
  echo "ex: $(printf 'a\nx\ny\n.\n%%s/x/z/\n%%p\nqa!\n' | "$bin" -u NONE -i NONE -N -es 2>&1; echo "exit $?")"
}

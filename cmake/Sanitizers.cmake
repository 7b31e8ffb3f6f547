# Sanitized and fuzzing builds, in a build tree of their own (utils/fuzz.sh
# uses build-fuzz/; docs/fuzzing.md). Flags apply to every target that
# follows, so the libraries, tools and tests are all built the same way.
#
#   PAGELAYOUT_SANITIZE=address  ASan + UBSan, stopping at the first report.
#   PAGELAYOUT_BUILD_FUZZERS     libFuzzer targets in test/fuzz/; adds
#                                -fsanitize=fuzzer-no-link everywhere so
#                                coverage reaches the libraries' code.
set(PAGELAYOUT_SANITIZE OFF CACHE STRING
  "Build everything with sanitizers: OFF or address (ASan + UBSan)")
set_property(CACHE PAGELAYOUT_SANITIZE PROPERTY STRINGS OFF address)

set(PAGELAYOUT_SANITIZE_FLAGS)
if(PAGELAYOUT_SANITIZE STREQUAL "address")
  # vptr checks need RTTI on both sides; libLLVM is built without it and
  # every check of one of its classes would be a false report.
  set(PAGELAYOUT_SANITIZE_FLAGS -fsanitize=address,undefined
    -fno-sanitize=vptr -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer)
elseif(PAGELAYOUT_SANITIZE)
  message(FATAL_ERROR "PAGELAYOUT_SANITIZE=${PAGELAYOUT_SANITIZE}: "
    "expected OFF or address")
endif()

# libFuzzer ships with clang's runtimes (libclang-rt-22-dev). Fuzzing code
# built without ASan and coverage finds little, so the fuzzers come with
# the sanitized build and are off in a plain one.
set(PAGELAYOUT_HAVE_LIBFUZZER OFF)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS -fsanitize=fuzzer)
  set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=fuzzer)
  check_cxx_source_compiles([[
    #include <cstddef>
    #include <cstdint>
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t *, size_t) { return 0; }
  ]] PAGELAYOUT_LIBFUZZER_LINKS)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  set(PAGELAYOUT_HAVE_LIBFUZZER ${PAGELAYOUT_LIBFUZZER_LINKS})
endif()
set(PAGELAYOUT_FUZZERS_DEFAULT OFF)
if(PAGELAYOUT_HAVE_LIBFUZZER AND PAGELAYOUT_SANITIZE)
  set(PAGELAYOUT_FUZZERS_DEFAULT ON)
endif()
option(PAGELAYOUT_BUILD_FUZZERS
  "Build libFuzzer targets (default: on in a sanitized clang build)"
  ${PAGELAYOUT_FUZZERS_DEFAULT})
if(PAGELAYOUT_BUILD_FUZZERS)
  if(NOT PAGELAYOUT_HAVE_LIBFUZZER)
    message(FATAL_ERROR "PAGELAYOUT_BUILD_FUZZERS needs clang with "
      "libFuzzer (libclang-rt-22-dev; utils/setup.sh installs it)")
  endif()
  if(NOT PAGELAYOUT_SANITIZE)
    message(FATAL_ERROR "PAGELAYOUT_BUILD_FUZZERS needs "
      "-DPAGELAYOUT_SANITIZE=address (a build tree of its own: utils/fuzz.sh)")
  endif()
  list(APPEND PAGELAYOUT_SANITIZE_FLAGS -fsanitize=fuzzer-no-link)
endif()

if(PAGELAYOUT_SANITIZE_FLAGS)
  message(STATUS "Sanitizers: ${PAGELAYOUT_SANITIZE_FLAGS}")
  add_compile_options(${PAGELAYOUT_SANITIZE_FLAGS})
  add_link_options(${PAGELAYOUT_SANITIZE_FLAGS})
endif()

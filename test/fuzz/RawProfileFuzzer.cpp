//===- RawProfileFuzzer.cpp - Fuzz the recorder's raw file reader ---------===//
//
// Feeds each input as a raw per-process file to readRawProcess (utils/
// recorder/lib/RawProfile.cpp), then turns what reads into a profile with
// buildProfile (ProfileBuilder.cpp, Symbolizer.cpp). The reader only takes
// a path, so the input goes into an anonymous in-memory file (memfd) read
// through /proc/self/fd: nothing is written to disk.
//
// The module paths in a raw file name files to open. Fuzzed paths would
// open whatever the machine has (devices, FIFOs, huge files), so every
// module is replaced by one fixed ELF file: $PAGELAYOUT_FUZZ_MODULE
// (utils/fuzz.sh points it at the program its raw seeds were recorded
// from) or this fuzzer itself. Crashes, sanitizer reports and hangs are
// findings; a rejected input is not.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/ProfileBuilder.h"
#include "pagelayout/record/RawProfile.h"
#include <cstdio>
#include <cstdlib>
#include <sys/mman.h>
#include <unistd.h>

using namespace llvm;
using namespace pagelayout;

namespace {

/// One memfd reused for every input.
struct InMemoryFile {
  InMemoryFile() {
    Fd = memfd_create("pagelayout-fuzz-raw", 0);
    if (Fd < 0) {
      perror("memfd_create");
      abort();
    }
    Path = "/proc/self/fd/" + std::to_string(Fd);
  }
  void set(const uint8_t *Data, size_t Size) {
    if (ftruncate(Fd, 0) != 0 ||
        (Size && pwrite(Fd, Data, Size, 0) != static_cast<ssize_t>(Size))) {
      perror("memfd write");
      abort();
    }
  }
  int Fd;
  std::string Path;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  static InMemoryFile File;
  static const std::string Module = [] {
    const char *Env = getenv("PAGELAYOUT_FUZZ_MODULE");
    return std::string(Env && *Env ? Env : "/proc/self/exe");
  }();
  auto Ignore = [](const Twine &) {};
  // Symbols are read once per module path: keep them across inputs.
  static Symbolizer Symbols(Ignore);

  File.set(Data, Size);
  Expected<RawProcess> Raw = readRawProcess(File.Path);
  if (!Raw) {
    consumeError(Raw.takeError());
    return 0;
  }
  for (RawModule &M : Raw->Modules)
    M.Path = Module;
  Profile P = buildProfile(*Raw, Symbols, InferenceConfig(), Ignore);
  (void)P;
  return 0;
}

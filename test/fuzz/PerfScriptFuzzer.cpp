//===- PerfScriptFuzzer.cpp - Fuzz the perf script importer ---------------===//
//
// Feeds each input as `perf script` text to importPerfScript (utils/
// recorder/lib/Importers.cpp), once taking every DSO and once only frames
// of "app" (the --dso filter), then resolves the phases of what it made.
// Crashes, sanitizer reports and hangs are findings; a rejected input is
// not.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/Importers.h"
#include "pagelayout/schema/PhaseInference.h"

using namespace llvm;
using namespace pagelayout;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  StringRef Text(reinterpret_cast<const char *>(Data), Size);
  auto Ignore = [](const Twine &) {};
  (void)looksLikePerfScript(Text);
  for (StringRef Dso : {"", "app"}) {
    Expected<Profile> P = importPerfScript(Text, "fuzz.perf", Dso, Ignore);
    if (!P) {
      consumeError(P.takeError());
      continue;
    }
    ResolvedProfile RP = resolvePhases(*P);
    (void)RP;
  }
  return 0;
}

//===- OrderFileFuzzer.cpp - Fuzz the order-file and call-graph readers ---===//
//
// Feeds each input to both plain-text readers of schema/lib/OrderFile.cpp:
// parseSymbolOrderFile (lld's --symbol-ordering-file) and
// parseCallGraphFile (--call-graph-ordering-file), and to the format
// detection `profile convert` uses. What reads is written back in the same
// format, and that text must read again. Crashes, sanitizer reports, hangs
// and unreadable written files are findings; a rejected input is not.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/schema/OrderFile.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdlib>

using namespace llvm;
using namespace pagelayout;

template <typename Parse, typename Write>
static void roundTrip(StringRef Text, StringRef What, Parse Read,
                      Write WriteBack) {
  Expected<Profile> P = Read(Text, "fuzz.txt");
  if (!P) {
    consumeError(P.takeError());
    return;
  }
  std::string Out;
  raw_string_ostream OS(Out);
  WriteBack(*P, OS);
  Expected<Profile> Again = Read(Out, "written.txt");
  if (!Again) {
    errs() << "the written " << What
           << " does not read back: " << toString(Again.takeError())
           << "\n--- written:\n"
           << Out;
    abort();
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  StringRef Text(reinterpret_cast<const char *>(Data), Size);
  auto Ignore = [](const Twine &) {};
  (void)detectProfileFormat(Text);
  roundTrip(
      Text, "order file",
      [&](StringRef T, StringRef Name) {
        return parseSymbolOrderFile(T, Name, Phase::Startup, Ignore);
      },
      [](const Profile &P, raw_ostream &OS) {
        writeSymbolOrderFile(P, OS, /*IncludeCold=*/true);
      });
  roundTrip(
      Text, "call graph",
      [&](StringRef T, StringRef Name) {
        return parseCallGraphFile(T, Name, Ignore);
      },
      [](const Profile &P, raw_ostream &OS) { writeCallGraphFile(P, OS); });
  return 0;
}

//===- PageMapFuzzer.cpp - Fuzz pagelayout report's page map --------------===//
//
// The first byte picks a profile shape (FuzzProfile.h) and a page size;
// the rest is a binary, ELF or SMF, read as `pagelayout report` reads it
// (readBinary without the rewrite's preconditions). The page map is built
// without a profile and with one of the binary's own functions, and
// printed in every form: text, YAML, JSON, SVG and HTML. Crashes,
// sanitizer reports, hangs and memory beyond the limit are findings; a
// rejected input is not.
//
//===----------------------------------------------------------------------===//

#include "ElfMutator.h"
#include "FuzzProfile.h"
#include "pagelayout/reorder/PageMap.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace pagelayout;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size < 2)
    return 0;
  uint8_t Mode = Data[0];
  Expected<LinkedBinary> B = readBinary(
      MemoryBuffer::getMemBufferCopy(
          StringRef(reinterpret_cast<const char *>(Data + 1), Size - 1),
          "fuzz.bin"),
      [] {
        LinkedReadOptions O;
        O.ForRewrite = false;
        return O;
      }());
  if (!B) {
    consumeError(B.takeError());
    return 0;
  }
  PageMapOptions Opts;
  // Bit 2: small pages (more of them, more boundaries) or the usual.
  Opts.PageSize = Mode & 4 ? 64 : 4096;
  Profile P = makeProfile(B->Functions, Mode);
  Opts.Source = TouchSource::Profile;
  PageMap WithProfile = buildPageMap(*B, &P, Opts);
  PageMap Bare = buildPageMap(*B, nullptr, PageMapOptions{});
  raw_null_ostream Null;
  for (PlanFormat F : {PlanFormat::Table, PlanFormat::YAML, PlanFormat::JSON})
    for (bool Functions : {false, true}) {
      PageMapPrintOptions Print;
      Print.Format = F;
      Print.ListFunctions = Functions;
      printPageMaps({&WithProfile}, Print, Null);
      printPageMaps({&Bare, &WithProfile}, Print, Null);
    }
  writePageMapSvg({&Bare, &WithProfile}, Null);
  writePageMapHtml({&WithProfile}, Null);
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *Data, size_t Size,
                                          size_t MaxSize, unsigned Seed) {
  return fuzz::mutateElf(Data, Size, MaxSize, Seed, /*Skip=*/1);
}

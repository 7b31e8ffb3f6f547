//===- RewriteFuzzer.cpp - Fuzz the whole post-link rewrite path ----------===//
//
// The path `pagelayout reorder` takes, in memory: readLinkedBinary ->
// checkMoveSafety -> movableUnits -> a profile -> rewriteBinary -> read
// the output image back -> verifyRewrite and verifyRewriteByDecoding (reorder/lib/BinaryRewriter.cpp,
// RewriteVerifier.cpp; tools/pagelayout/ReorderCommand.cpp's verifyOutput
// is the model).
//
// An input is one mode byte followed by the ELF image. The profile is made
// from the binary's own functions, so every input has a plan that moves
// code; the mode byte picks how:
//   bits 0-1: 0 every other function startup, the rest cold;
//             1 every function startup, first called in reverse order;
//             2 call counts and call edges, steady or cold by call rate;
//             3 a phase per function from a hash of its index and bits 3-7;
//   bit 2:    16 KB pages instead of 4 KB (other fit fallbacks).
// Mutations of the image are ELF-aware (ElfMutator.h).
//
// A rejected input, a rewrite that refuses, and a verification that fails
// are all fine: nothing would be written. Crashes, sanitizer reports and
// hangs are findings, and so is an output the verifier passes that is
// wrong (for the full check to find).
//
//===----------------------------------------------------------------------===//

#include "ElfMutator.h"
#include "FuzzProfile.h"
#include "pagelayout/reorder/BinaryRewriter.h"
#include "pagelayout/reorder/ReorderPipeline.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/MoveSafety.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/reorder/RewriteVerifier.h"
#include <cstdio>
#include <cstdlib>

using namespace llvm;
using namespace pagelayout;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size < 1)
    return 0;
  uint8_t Mode = Data[0];
  Expected<LinkedBinary> In = readLinkedBinary(MemoryBuffer::getMemBufferCopy(
      StringRef(reinterpret_cast<const char *>(Data + 1), Size - 1),
      "fuzz.elf"));
  if (!In) {
    consumeError(In.takeError());
    return 0;
  }
  rewriteAndVerify(*In, Mode, Mode & 4 ? 16384 : 4096,
                   /*OutputMustRead=*/false);
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *Data, size_t Size,
                                          size_t MaxSize, unsigned Seed) {
  return fuzz::mutateElf(Data, Size, MaxSize, Seed, /*Skip=*/1);
}

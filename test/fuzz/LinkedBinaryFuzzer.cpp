//===- LinkedBinaryFuzzer.cpp - Fuzz the ELF reader and the move proof ----===//
//
// Feeds each input as a linked x86-64 ELF file to readLinkedBinary
// (reorder/lib/LinkedBinary.cpp) from memory, then proves which functions
// can move (checkMoveSafety, MoveSafety.cpp: disassembly, relocation and
// jump-table analysis) and forms the units a plan would move
// (movableUnits). Mutations are ELF-aware (ElfMutator.h). Crashes,
// sanitizer reports and hangs are findings; a rejected input is not.
//
//===----------------------------------------------------------------------===//

#include "ElfMutator.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/MoveSafety.h"

using namespace llvm;
using namespace pagelayout;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  Expected<LinkedBinary> B = readLinkedBinary(MemoryBuffer::getMemBufferCopy(
      StringRef(reinterpret_cast<const char *>(Data), Size), "fuzz.elf"));
  if (!B) {
    consumeError(B.takeError());
    return 0;
  }
  Expected<MoveSafety> Proof = checkMoveSafety(*B);
  if (!Proof) {
    consumeError(Proof.takeError());
    return 0;
  }
  std::vector<Atom> Units = movableUnits(*B, *Proof);
  (void)Units;
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *Data, size_t Size,
                                          size_t MaxSize, unsigned Seed) {
  return fuzz::mutateElf(Data, Size, MaxSize, Seed, /*Skip=*/0);
}

//===- InputTextFuzzer.cpp - Fuzz the one-pass link's input reader --------===//
//
// Feeds each input as the one input file of a link (a relocatable object,
// or an archive of them, by its magic) to readInputText
// (plugin/driver/InputText.cpp: section and symbol tables, COMDAT groups,
// archive indexes, lazy loading), then lists what a plan may
// (certainText). The names main and f are undefined, so archive members
// defining them load. Mutations are ELF-aware (ElfMutator.h) for objects.
// Crashes, sanitizer reports and hangs are findings; a rejected input is
// not (ld.pagelayout then plans from a first lld pass).
//
//===----------------------------------------------------------------------===//

#include "ElfMutator.h"
#include "InputText.h"
#include "LinkInputs.h"
#include "llvm/BinaryFormat/Magic.h"

using namespace llvm;
using namespace pagelayout;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  StringRef Bytes(reinterpret_cast<const char *>(Data), Size);
  LinkInputs In;
  LinkInputFile F;
  F.Path = "fuzz.o";
  F.Buffer = MemoryBufferRef(Bytes, F.Path);
  F.Magic = identify_magic(Bytes);
  if (F.Magic != file_magic::archive)
    F.Magic = file_magic::elf_relocatable;
  In.Files.push_back(F);
  In.Undefined = {"main", "f"};
  Expected<InputText> T = readInputText(In, /*Threads=*/false);
  if (!T) {
    consumeError(T.takeError());
    return 0;
  }
  StringSet<> Profiled;
  Profiled.insert("main");
  Profiled.insert("f");
  CertainText C = certainText(std::move(*T), Profiled);
  (void)C;
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *Data, size_t Size,
                                          size_t MaxSize, unsigned Seed) {
  return fuzz::mutateElf(Data, Size, MaxSize, Seed, /*Skip=*/0);
}

//===- smf-run.cpp - Load an SMF module the way its loader does and run it ===//
//
// A test tool: `smf-run module.smf [args...]` reads the module with
// smf::readModule, maps it as the reference loader does and calls its
// entry point as `int main(int argc, char **argv)`, exiting with what it
// returns. It lets tests check that a module still runs after a layout.
//
// As the loader: the Code section is copied into fresh memory (zero-filled
// up to its virtual size), Data/RoData/Bss into a separate read-write
// mapping, relocations patch the code (Abs64 writes S + A in 8 bytes;
// Pc32 and Plt32 write S + A - P in 4), S being code base + value for a
// local symbol and the address the import resolver returns for any other
// (here dlsym(RTLD_DEFAULT, name)); then the code is made read-execute.
// Unlike the loader, a 32-bit field that does not fit is an error, not a
// truncation: the code is mapped near the first import so PC-relative
// references usually reach it, and a Plt32 call that still cannot reach
// goes through a jump slot allocated right after the code. GotPcRel, which
// the loader skips with a warning, is refused.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/SmfFormat.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

using namespace llvm;
using namespace pagelayout;

namespace {

constexpr uint64_t PageSize = 4096;
constexpr uint64_t SlotSize = 16; ///< jmp *0(%rip); .quad target; padding

std::string hex(uint64_t V) { return "0x" + utohexstr(V, true); }

Error fail(const smf::Module &M, const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), M.Path + ": " + Msg);
}

bool fitsInt32(int64_t V) { return V >= INT32_MIN && V <= INT32_MAX; }

/// The loaded image: code (+ jump slots) and data.
struct Image {
  uint8_t *Code = nullptr;
  uint64_t CodeMapSize = 0;
  uint64_t SlotsAt = 0; ///< offset of the first jump slot
};

/// Maps \p Len bytes read-write, near \p Near when it is not 0 so that
/// 32-bit PC-relative fields can reach it.
uint8_t *mapNear(uint64_t Near, uint64_t Len) {
  if (Near) {
    // Try below and above the target, at growing distances well inside
    // the +-2 GB a 32-bit displacement reaches.
    for (uint64_t Step = 1; Step <= 16; ++Step)
      for (int Sign : {-1, 1}) {
        uint64_t Hint =
            alignDown(Near + Sign * int64_t(Step * (64ull << 20)), PageSize);
        void *P =
            mmap(reinterpret_cast<void *>(Hint), Len, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (P == MAP_FAILED)
          continue;
        int64_t Distance = int64_t(uint64_t(P) - Near);
        if (fitsInt32(Distance) && fitsInt32(Distance + int64_t(Len)))
          return static_cast<uint8_t *>(P);
        munmap(P, Len);
      }
  }
  void *P = mmap(nullptr, Len, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return P == MAP_FAILED ? nullptr : static_cast<uint8_t *>(P);
}

Expected<int> run(const smf::Module &M, int Argc, char **Argv) {
  if (M.H.Platform != smf::PlatformAny && M.H.Platform != smf::PlatformLinux)
    return fail(M, "platform " + Twine(unsigned(M.H.Platform)) +
                       " is not Linux (1) or any (0)");
  if (!(M.H.Flags & smf::FlagExecutable))
    return fail(M, "the module is a library (EXECUTABLE is not set in the "
                   "header flags); smf-run runs executable modules");
  if (M.CodeSection < 0)
    return fail(M, "the module has no Code section");
  const smf::Section &CodeSec = M.Sections[M.CodeSection];
  uint64_t CodeMem = std::max(CodeSec.Size, CodeSec.VirtualSize);

  // Resolve every import first: the first one decides where code goes.
  DenseMap<uint32_t, uint64_t> Imports; // symbol index -> address
  DenseMap<uint32_t, unsigned> Slots;   // symbol index -> jump slot
  uint64_t Near = 0;
  for (size_t I = 0; I < M.Relocations.size(); ++I) {
    const smf::Relocation &R = M.Relocations[I];
    const smf::Symbol &S = M.Symbols[R.SymbolIndex];
    if (R.Type == smf::RelocNone || S.isLocal())
      continue;
    if (!Imports.count(R.SymbolIndex)) {
      void *Addr = dlsym(RTLD_DEFAULT, S.Name.c_str());
      if (!Addr)
        return fail(M, "undefined symbol '" + S.Name + "' (relocation[" +
                           Twine(I) + "] at code offset " + hex(R.Offset) +
                           "): no library loaded by smf-run defines it");
      Imports[R.SymbolIndex] = uint64_t(Addr);
      if (!Near)
        Near = uint64_t(Addr);
    }
    if (R.Type == smf::RelocPlt32 && !Slots.count(R.SymbolIndex)) {
      unsigned Index = Slots.size();
      Slots[R.SymbolIndex] = Index;
    }
  }

  Image Img;
  Img.SlotsAt = alignTo(CodeMem, SlotSize);
  Img.CodeMapSize = alignTo(
      std::max<uint64_t>(Img.SlotsAt + Slots.size() * SlotSize, 1), PageSize);
  Img.Code = mapNear(Near, Img.CodeMapSize);
  if (!Img.Code)
    return fail(M, "cannot map " + hex(Img.CodeMapSize) +
                       " bytes of code: " + std::strerror(errno));
  std::memcpy(Img.Code, M.Code.data(), M.Code.size());
  // The rest of the mapping is zero already (anonymous memory).
  for (auto [SymIndex, Slot] : Slots) {
    uint8_t *P = Img.Code + Img.SlotsAt + Slot * SlotSize;
    const uint8_t Jmp[] = {0xff, 0x25, 0, 0, 0, 0}; // jmp *0(%rip)
    std::memcpy(P, Jmp, sizeof(Jmp));
    support::endian::write64le(P + 6, Imports[SymIndex]);
    std::memset(P + 14, 0xcc, SlotSize - 14);
  }

  // Data, RoData and Bss: one read-write mapping, as the loader keeps them.
  uint64_t DataMem = 0;
  for (const smf::Section &S : M.Sections)
    if (S.Type == smf::SectionData || S.Type == smf::SectionRoData ||
        S.Type == smf::SectionBss)
      DataMem += std::max(S.Size, S.VirtualSize);
  if (DataMem) {
    void *P = mmap(nullptr, alignTo(DataMem, PageSize), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (P == MAP_FAILED)
      return fail(M, "cannot map " + hex(DataMem) + " bytes of data");
    uint8_t *D = static_cast<uint8_t *>(P);
    for (unsigned I = 0; I < M.Sections.size(); ++I) {
      const smf::Section &S = M.Sections[I];
      if (S.Type != smf::SectionData && S.Type != smf::SectionRoData &&
          S.Type != smf::SectionBss)
        continue;
      if (S.Type != smf::SectionBss) {
        ArrayRef<uint8_t> Bytes = M.sectionBytes(I);
        std::memcpy(D, Bytes.data(), Bytes.size());
      }
      D += std::max(S.Size, S.VirtualSize);
    }
  }

  uint64_t Base = uint64_t(Img.Code);
  for (size_t I = 0; I < M.Relocations.size(); ++I) {
    const smf::Relocation &R = M.Relocations[I];
    const smf::Symbol &S = M.Symbols[R.SymbolIndex];
    uint8_t *Field = Img.Code + R.Offset;
    uint64_t P = Base + R.Offset;
    uint64_t SymAddr = S.isLocal() ? Base + S.Value : Imports[R.SymbolIndex];
    auto NoFit = [&](StringRef Kind, int64_t V) {
      return fail(M, Kind + " relocation[" + Twine(I) + "] at code offset " +
                         hex(R.Offset) + " against '" + S.Name +
                         "' needs displacement " + Twine(V) +
                         ", which does not fit in 32 bits");
    };
    switch (R.Type) {
    case smf::RelocNone:
      break;
    case smf::RelocAbs64:
      support::endian::write64le(Field, SymAddr + uint64_t(R.Addend));
      break;
    case smf::RelocPc32:
    case smf::RelocPlt32: {
      int64_t V = int64_t(SymAddr + uint64_t(R.Addend) - P);
      if (!fitsInt32(V) && R.Type == smf::RelocPlt32 && !S.isLocal()) {
        SymAddr = Base + Img.SlotsAt + Slots[R.SymbolIndex] * SlotSize;
        V = int64_t(SymAddr + uint64_t(R.Addend) - P);
      }
      if (!fitsInt32(V))
        return NoFit(R.Type == smf::RelocPc32 ? "Pc32" : "Plt32", V);
      support::endian::write32le(Field, uint32_t(int32_t(V)));
      break;
    }
    case smf::RelocGotPcRel:
      return fail(M, "relocation[" + Twine(I) + "] at code offset " +
                         hex(R.Offset) +
                         " is GotPcRel, which the SMF loader "
                         "does not implement");
    }
  }
  if (mprotect(Img.Code, Img.CodeMapSize, PROT_READ | PROT_EXEC) != 0)
    return fail(M, Twine("cannot make the code executable: ") +
                       std::strerror(errno));

  using MainFn = int (*)(int, char **);
  auto Entry = reinterpret_cast<MainFn>(Img.Code + M.H.EntryPoint);
  return Entry(Argc, Argv);
}

const char *phaseName(smf::Phase P) {
  static const char *const Names[] = {"startup", "first_frame", "steady",
                                      "cold"};
  return Names[P & 3];
}

const char *bindingName(uint8_t B) {
  return B == smf::BindingLocal    ? "local"
         : B == smf::BindingGlobal ? "global"
                                   : "weak";
}

/// `smf-run --dump`: what the reader found, for tests to check.
void dump(const smf::Module &M, raw_ostream &OS) {
  const smf::Header &H = M.H;
  OS << "version " << unsigned(H.VersionMajor) << "."
     << unsigned(H.VersionMinor) << ", header " << smf::headerPlaceName(M.Place)
     << " at " << hex(M.HeaderOffset) << ", data offset " << hex(M.DataOffset)
     << ", stub " << H.StubSize << " bytes\n";
  OS << "flags " << hex(H.Flags) << ", entry_point " << hex(H.EntryPoint)
     << ", exported " << H.ExportedCount << "\n";
  for (unsigned I = 0; I < M.Sections.size(); ++I) {
    const smf::Section &S = M.Sections[I];
    OS << "section[" << I << "] type " << unsigned(S.Type) << " '" << S.name()
       << "' offset " << hex(S.Offset) << " size " << hex(S.Size) << " align "
       << S.Alignment << "\n";
  }
  for (unsigned I = 0; I < M.Symbols.size(); ++I) {
    const smf::Symbol &S = M.Symbols[I];
    OS << "symbol[" << I << "] " << S.Name << " type " << unsigned(S.Type)
       << " " << bindingName(S.Binding) << " value " << hex(S.Value) << " size "
       << hex(S.Size) << " phase " << phaseName(S.phase())
       << (S.pinned() ? " pinned" : "") << "\n";
  }
  for (unsigned I = 0; I < M.Relocations.size(); ++I) {
    const smf::Relocation &R = M.Relocations[I];
    static const char *const Types[] = {"None", "Abs64", "Pc32", "Plt32",
                                        "GotPcRel"};
    OS << "relocation[" << I << "] " << Types[R.Type] << " at " << hex(R.Offset)
       << " -> " << M.Symbols[R.SymbolIndex].Name
       << (R.Addend < 0 ? " - " : " + ")
       << (R.Addend < 0 ? -uint64_t(R.Addend) : uint64_t(R.Addend)) << "\n";
  }
}

} // namespace

int main(int Argc, char **Argv) {
  bool Dump = Argc > 1 && StringRef(Argv[1]) == "--dump";
  if (Dump) {
    --Argc;
    ++Argv;
  }
  if (Argc < 2 || StringRef(Argv[1]) == "--help" ||
      StringRef(Argv[1]) == "-h") {
    (Argc < 2 ? errs() : outs())
        << "usage: smf-run module.smf [args...]\n"
        << "       smf-run --dump module.smf   (print what the reader "
           "found)\n";
    return Argc < 2 ? 2 : 0;
  }
  ErrorOr<std::unique_ptr<MemoryBuffer>> In =
      MemoryBuffer::getFile(Argv[1], /*IsText=*/false);
  if (!In) {
    WithColor::error(errs(), "smf-run")
        << Argv[1] << ": " << In.getError().message() << "\n";
    return 127;
  }
  Expected<smf::Module> M = smf::readModule((*In)->getMemBufferRef());
  if (!M) {
    WithColor::error(errs(), "smf-run") << toString(M.takeError()) << "\n";
    return 127;
  }
  if (Dump) {
    dump(*M, outs());
    return 0;
  }
  // The module sees its own path as argv[0], as a script does.
  Expected<int> Status = run(*M, Argc - 1, Argv + 1);
  if (!Status) {
    WithColor::error(errs(), "smf-run") << toString(Status.takeError()) << "\n";
    return 127;
  }
  std::fflush(nullptr);
  std::exit(*Status);
}

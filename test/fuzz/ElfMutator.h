//===- ElfMutator.h - ELF-aware mutations for the binary fuzzers -*- C++
//-*-===//
//
// Flipping random bytes of an ELF file mostly breaks its headers, and the
// reader rejects it before the rewriter sees anything. What the rewriter
// trusts are the records inside sections: relocations (where a field is,
// its type, its addend), symbols (where a function starts, how long it
// is), section headers and the code itself. This mutator finds those in
// the input and changes one or two fields of one of them, keeping the
// file's size and every other byte: a field set to a boundary value (the
// end of the section a relocation applies to, 2^63, a relocation type the
// rewriter handles), or a window of bytes handed to libFuzzer's own
// mutator. One mutation in four is libFuzzer's, on the
// whole input, so the headers get fuzzed too.
//
// Included by LinkedBinaryFuzzer.cpp and RewriteFuzzer.cpp, which call
// mutateElf from their LLVMFuzzerCustomMutator; \p Skip is the number of
// bytes before the ELF image (the rewrite target's mode byte).
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_TEST_FUZZ_ELFMUTATOR_H
#define PAGELAYOUT_TEST_FUZZ_ELFMUTATOR_H

#include "llvm/BinaryFormat/ELF.h"
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

extern "C" size_t LLVMFuzzerMutate(uint8_t *Data, size_t Size, size_t MaxSize);

namespace pagelayout {
namespace fuzz {

/// A byte range of the input and the size of the records it holds.
struct Region {
  size_t Begin = 0, Size = 0, EntrySize = 1;
  uint32_t Type = 0; ///< SHT_* of the section; SHT_NULL for headers
  /// Relocations: the end address of the section they apply to.
  uint64_t TargetEnd = 0;
};

template <typename T> T load(const uint8_t *P) {
  T V;
  memcpy(&V, P, sizeof(T));
  return V;
}
template <typename T> void store(uint8_t *P, T V) { memcpy(P, &V, sizeof(T)); }

/// The regions worth mutating, all inside [Skip, Size).
inline std::vector<Region> findRegions(const uint8_t *Data, size_t Size,
                                       size_t Skip) {
  using namespace llvm::ELF;
  std::vector<Region> R;
  if (Size < Skip + sizeof(Elf64_Ehdr))
    return R;
  const uint8_t *Elf = Data + Skip;
  size_t Len = Size - Skip;
  if (memcmp(Elf, ElfMagic, 4) != 0 || Elf[EI_CLASS] != ELFCLASS64)
    return R;
  auto Eh = load<Elf64_Ehdr>(Elf);
  R.push_back({Skip, sizeof(Elf64_Ehdr), 1, SHT_NULL});
  if (Eh.e_shentsize != sizeof(Elf64_Shdr) || Eh.e_shoff > Len ||
      Eh.e_shnum > (Len - Eh.e_shoff) / sizeof(Elf64_Shdr))
    return R;
  R.push_back({Skip + size_t(Eh.e_shoff), Eh.e_shnum * sizeof(Elf64_Shdr),
               sizeof(Elf64_Shdr), SHT_NULL});
  for (unsigned I = 0; I < Eh.e_shnum; ++I) {
    auto Sh = load<Elf64_Shdr>(Elf + Eh.e_shoff + I * sizeof(Elf64_Shdr));
    if (Sh.sh_type == SHT_NOBITS || !Sh.sh_size || Sh.sh_offset > Len ||
        Sh.sh_size > Len - Sh.sh_offset)
      continue;
    bool Records = Sh.sh_type == SHT_RELA || Sh.sh_type == SHT_REL ||
                   Sh.sh_type == SHT_SYMTAB;
    bool Code = Sh.sh_flags & SHF_EXECINSTR;
    bool Contents = Sh.sh_type == SHT_PROGBITS ||
                    Sh.sh_type == SHT_INIT_ARRAY ||
                    Sh.sh_type == SHT_FINI_ARRAY;
    if (!Records && !Code && !Contents)
      continue;
    size_t Entry = Records && Sh.sh_entsize ? Sh.sh_entsize : 1;
    uint64_t TargetEnd = 0;
    if (Sh.sh_type == SHT_RELA && Sh.sh_info < Eh.e_shnum) {
      auto T =
          load<Elf64_Shdr>(Elf + Eh.e_shoff + Sh.sh_info * sizeof(Elf64_Shdr));
      TargetEnd = T.sh_addr + T.sh_size;
    }
    R.push_back({Skip + size_t(Sh.sh_offset), size_t(Sh.sh_size), Entry,
                 Sh.sh_type, TargetEnd});
    // Relocations and symbols are what the rewriter trusts most: weigh
    // them up.
    if (Records)
      R.push_back(R.back());
  }
  return R;
}

/// 64-bit values at the edges of what the rewriter computes with: fixed
/// ones, ones next to \p Near (the field's value) or \p End (a section's
/// end), or \p Near with one bit flipped.
inline uint64_t boundaryValue(std::minstd_rand &Rng, uint64_t Near,
                              uint64_t End = 0) {
  static const uint64_t Values[] = {0,
                                    1,
                                    4,
                                    8,
                                    0x7fffffff,
                                    0x80000000,
                                    0xffffffff,
                                    0x100000000,
                                    0x7fffffffffffffff,
                                    0x8000000000000000,
                                    0xfffffffffffffffc,
                                    0xffffffffffffffff};
  switch (Rng() % 4) {
  case 0:
    return Values[Rng() % std::size(Values)];
  case 1:
    return Near + (Rng() % 17) - 8;
  case 2:
    return (End ? End : Near) - Rng() % 9;
  default:
    return Near ^ (uint64_t(1) << (Rng() % 64));
  }
}

/// Relocation types of x86-64 the reader and rewriter treat differently.
inline uint32_t relocationType(std::minstd_rand &Rng) {
  using namespace llvm::ELF;
  static const uint32_t Types[] = {R_X86_64_NONE,      R_X86_64_64,
                                   R_X86_64_PC32,      R_X86_64_GOT32,
                                   R_X86_64_PLT32,     R_X86_64_GOTPCREL,
                                   R_X86_64_32,        R_X86_64_32S,
                                   R_X86_64_16,        R_X86_64_PC16,
                                   R_X86_64_8,         R_X86_64_PC8,
                                   R_X86_64_TPOFF32,   R_X86_64_PC64,
                                   R_X86_64_GOTOFF64,  R_X86_64_GOTPC32,
                                   R_X86_64_SIZE32,    R_X86_64_SIZE64,
                                   R_X86_64_GOTPCRELX, R_X86_64_REX_GOTPCRELX,
                                   R_X86_64_GOTTPOFF,  R_X86_64_TLSGD,
                                   R_X86_64_TLSLD,     R_X86_64_DTPOFF32};
  return Types[Rng() % std::size(Types)];
}

/// Changes one field of the record at \p E in \p Reg.
inline void mutateField(uint8_t *Data, uint8_t *E, const Region &Reg,
                        std::minstd_rand &Rng) {
  using namespace llvm::ELF;
  if (Reg.Type == SHT_RELA && Reg.EntrySize >= sizeof(Elf64_Rela)) {
    auto Rel = load<Elf64_Rela>(E);
    switch (Rng() % 4) {
    case 0:
      Rel.r_offset = boundaryValue(Rng, Rel.r_offset, Reg.TargetEnd);
      break;
    case 1:
      Rel.setType(relocationType(Rng));
      break;
    case 2:
      Rel.r_addend = int64_t(boundaryValue(Rng, uint64_t(Rel.r_addend)));
      break;
    default:
      Rel.setSymbol(uint32_t(boundaryValue(Rng, Rel.getSymbol())));
      break;
    }
    store(E, Rel);
  } else if (Reg.Type == SHT_SYMTAB && Reg.EntrySize >= sizeof(Elf64_Sym)) {
    auto Sym = load<Elf64_Sym>(E);
    switch (Rng() % 4) {
    case 0:
      Sym.st_value = boundaryValue(Rng, Sym.st_value);
      break;
    case 1:
      Sym.st_size = boundaryValue(Rng, Sym.st_size);
      break;
    case 2:
      Sym.st_shndx = uint16_t(boundaryValue(Rng, Sym.st_shndx));
      break;
    default:
      Sym.st_info = uint8_t(Rng());
      break;
    }
    store(E, Sym);
  } else if (Reg.EntrySize == sizeof(Elf64_Shdr) && Reg.Type == SHT_NULL) {
    auto Sh = load<Elf64_Shdr>(E);
    uint64_t *Fields[] = {&Sh.sh_addr, &Sh.sh_offset, &Sh.sh_size,
                          &Sh.sh_entsize, &Sh.sh_addralign};
    uint64_t *F = Fields[Rng() % std::size(Fields)];
    *F = boundaryValue(Rng, *F);
    store(E, Sh);
  } else if (E + 8 <= Data + Reg.Begin + Reg.Size) {
    // Code, data or the ELF header: an 8-byte field.
    store(E, boundaryValue(Rng, load<uint64_t>(E)));
  }
}

/// Changes one or two fields of one record of \p Reg in place: a
/// relocation's type and offset together reach what neither does alone.
inline void mutateRecord(uint8_t *Data, const Region &Reg,
                         std::minstd_rand &Rng) {
  size_t Entries = Reg.Size / Reg.EntrySize;
  if (!Entries)
    return;
  uint8_t *E = Reg.EntrySize > 1
                   ? Data + Reg.Begin + (Rng() % Entries) * Reg.EntrySize
                   : Data + Reg.Begin + ((Rng() % Reg.Size) & ~size_t(3));
  for (unsigned N = 1 + Rng() % 2; N > 0; --N)
    mutateField(Data, E, Reg, Rng);
}

/// One mutation of \p Data; returns the new size (at most \p MaxSize).
inline size_t mutateElf(uint8_t *Data, size_t Size, size_t MaxSize,
                        unsigned Seed, size_t Skip) {
  std::minstd_rand Rng(Seed);
  std::vector<Region> Regions = findRegions(Data, Size, Skip);
  if (Regions.empty() || Rng() % 4 == 0)
    return LLVMFuzzerMutate(Data, Size, MaxSize);
  const Region &Reg = Regions[Rng() % Regions.size()];
  if (Rng() % 2) {
    mutateRecord(Data, Reg, Rng);
    return Size;
  }
  // libFuzzer's byte mutations inside a window of the region, the file's
  // size and layout unchanged.
  size_t Window = std::min<size_t>(Reg.Size, 32);
  size_t At = Reg.Begin + Rng() % (Reg.Size - Window + 1);
  uint8_t Buf[32];
  memcpy(Buf, Data + At, Window);
  size_t N = LLVMFuzzerMutate(Buf, Window, Window);
  memcpy(Data + At, Buf, std::min(N, Window));
  return Size;
}

} // namespace fuzz
} // namespace pagelayout

#endif

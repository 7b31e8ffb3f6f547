//===- LinkedBinary.cpp - A linked ELF binary, as the rewriter sees it ----===//
//
// Only x86-64 is read for now; the architecture-specific parts (this
// check, the relocation types, the instruction decoder in MoveSafety.cpp)
// are kept in those two files so AArch64 can follow.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/LinkedBinary.h"
#include "AddressText.h"
#include "FunctionsByAddress.h"
#include "pagelayout/reorder/ElfMachine.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/ELFObjectFile.h"

using namespace llvm;
using namespace llvm::object;

namespace pagelayout {
namespace {

/// The .dynamic tags whose value is the address of code the loader calls.
bool isDynamicCodeAddress(int64_t Tag) {
  return Tag == ELF::DT_INIT || Tag == ELF::DT_FINI;
}

Error fail(StringRef Path, const Twine &Msg) {
  return makeLocatedError(Path, {}, Msg);
}

/// PC-relative relocations in allocated data sections, with the value the
/// linker wrote into each field; every relocation in code outside .text.
Error collectDataPcRelatives(const ELF64LEFile &File,
                             ELF64LEFile::Elf_Shdr_Range Sections,
                             const ELF64LE::Shdr &Rela,
                             ELF64LEFile::Elf_Rela_Range Relas,
                             LinkedBinary &B) {
  if (Rela.sh_info >= Sections.size())
    return fail(B.Path, "relocation section names no valid section");
  const ELF64LE::Shdr &Target = Sections[Rela.sh_info];
  if (!(Target.sh_flags & ELF::SHF_ALLOC) || Target.sh_type == ELF::SHT_NOBITS)
    return Error::success();
  if (Target.sh_flags & ELF::SHF_EXECINSTR) {
    // Code: every field, to be decoded like .text's.
    for (const ELF64LE::Rela &R : Relas)
      B.OtherCodeRelocations.push_back({R.r_offset, R.getType(false)});
    return Error::success();
  }
  Expected<ArrayRef<uint8_t>> Data = File.getSectionContents(Target);
  Expected<StringRef> Name = File.getSectionName(Target);
  if (!Data || !Name) {
    consumeError(Data.takeError());
    consumeError(Name.takeError());
    return fail(B.Path, "malformed section relocated by retained relocations");
  }
  for (const ELF64LE::Rela &R : Relas) {
    uint32_t Type = R.getType(false);
    unsigned Size = B.Arch ? B.Arch->dataPcRelativeSize(Type) : 0;
    if (!Size)
      continue;
    uint64_t Off = R.r_offset - Target.sh_addr;
    if (R.r_offset < Target.sh_addr || Off > Data->size() ||
        Data->size() - Off < Size)
      return fail(B.Path, "relocation at " + hex(R.r_offset) +
                              " lies outside " + *Name);
    int64_t V;
    if (Size == 8) {
      memcpy(&V, Data->data() + Off, 8);
    } else {
      int32_t V32;
      memcpy(&V32, Data->data() + Off, 4);
      V = V32;
    }
    B.DataPcRelatives.push_back({Name->str(), R.r_offset, V, Type, Size});
  }
  return Error::success();
}

} // namespace

Expected<LinkedBinary> readBinary(StringRef Path,
                                  const LinkedReadOptions &Opts) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
      MemoryBuffer::getFile(Path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!Buf)
    return fail(Path, "cannot open: " + Buf.getError().message());
  return readBinary(std::move(*Buf), Opts);
}

Expected<LinkedBinary> readBinary(std::unique_ptr<MemoryBuffer> Buffer,
                                  const LinkedReadOptions &Opts) {
  if (isSmfModule(Buffer->getBuffer()))
    return readSmfBinary(std::move(Buffer), Opts);
  return readLinkedBinary(std::move(Buffer), Opts);
}

int LinkedBinary::regionAt(uint64_t Addr) const {
  for (size_t I = 0; I < Regions.size(); ++I)
    if (Addr >= Regions[I].Address && Addr - Regions[I].Address < Regions[I].Size)
      return int(I);
  return -1;
}

StringRef LinkedBinary::importAt(uint64_t Addr) const {
  auto It = llvm::lower_bound(
      ImportSlots, Addr,
      [](const std::pair<uint64_t, std::string> &S, uint64_t A) {
        return S.first < A;
      });
  return It != ImportSlots.end() && It->first == Addr ? StringRef(It->second)
                                                      : StringRef();
}

bool LinkedBinary::isRegionSection(unsigned Index) const {
  return any_of(Regions,
                [&](const CodeRegion &R) { return R.SectionIndex == Index; });
}

Expected<LinkedBinary> readLinkedBinary(StringRef Path,
                                        const LinkedReadOptions &Opts) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
      MemoryBuffer::getFile(Path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!Buf)
    return fail(Path, "cannot open: " + Buf.getError().message());
  return readLinkedBinary(std::move(*Buf), Opts);
}

/// What a file that is no 64-bit little-endian ELF is told: a rewrite
/// needs x86-64; a report or a plan reads any such binary.
static std::string notElfMessage(const LinkedReadOptions &Opts) {
  if (Opts.ForRewrite)
    return "not a 64-bit little-endian ELF file; pagelayout reorder "
           "rewrites x86-64 ELF binaries";
  return "not a linked ELF binary or an SMF module (expected a 64-bit "
         "little-endian ELF executable or shared object)";
}

Profile profileFromInputPhases(const LinkedBinary &B) {
  Profile P;
  for (const auto &[Name, Ph] : B.InputPhases) {
    FunctionProfile F;
    F.Name = Name;
    F.ExplicitPhase = Ph;
    P.Functions.push_back(std::move(F));
  }
  return P;
}

bool isBlockSectionPart(StringRef Name) {
  if (Name.ends_with(".cold") && Name.size() > 5)
    return true;
  size_t At = Name.rfind(".__part.");
  if (At == StringRef::npos || At == 0)
    return false;
  StringRef N = Name.substr(At + 8);
  return !N.empty() && all_of(N, isDigit);
}

bool isFunctionSymbol(uint8_t Type, StringRef Name) {
  return Type == ELF::STT_FUNC ||
         (Type == ELF::STT_NOTYPE && isBlockSectionPart(Name));
}

Expected<LinkedBinary> readLinkedBinary(std::unique_ptr<MemoryBuffer> Buffer,
                                        const LinkedReadOptions &Opts) {
  StringRef Path = Buffer->getBufferIdentifier();
  LinkedBinary B;
  B.Path = Path.str();
  B.Buffer = std::move(Buffer);
  Path = B.Path;
  // ELFFile::create trusts the header: check the identification first.
  StringRef Data = B.Buffer->getBuffer();
  if (Data.size() < ELF::EI_NIDENT ||
      !Data.starts_with("\x7f"
                        "ELF") ||
      uint8_t(Data[ELF::EI_CLASS]) != ELF::ELFCLASS64 ||
      uint8_t(Data[ELF::EI_DATA]) != ELF::ELFDATA2LSB)
    return fail(Path, notElfMessage(Opts));
  Expected<ELF64LEFile> File = ELF64LEFile::create(Data);
  if (!File) {
    consumeError(File.takeError());
    return fail(Path, notElfMessage(Opts));
  }
  const ELF64LE::Ehdr &H = File->getHeader();
  B.Machine = H.e_machine;
  B.Arch = targetForElfMachine(H.e_machine);
  if (Opts.ForRewrite && !B.Arch)
    return fail(Path, elfMachineName(H.e_machine) +
                          " binaries are not supported yet; pagelayout "
                          "reorder rewrites x86-64 only");
  if (H.e_type == ELF::ET_REL)
    return fail(Path, "a relocatable object, not a linked binary; link it "
                      "(with ld.pagelayout to lay it out at link time)");
  if (H.e_type != ELF::ET_EXEC && H.e_type != ELF::ET_DYN)
    return fail(Path, "not an executable or shared object");
  B.SharedObject = H.e_type == ELF::ET_DYN;
  B.Entry = H.e_entry;

  Expected<ELF64LEFile::Elf_Shdr_Range> Sections = File->sections();
  if (!Sections)
    return fail(Path,
                "malformed section table: " + toString(Sections.takeError()));
  // The rewrite writes many sections of the one image, and the headers:
  // were two of them to share file bytes, writing one would change the
  // other behind its back.
  {
    std::vector<std::tuple<uint64_t, uint64_t, std::string>> Ranges;
    Ranges.push_back({0, sizeof(ELF64LE::Ehdr), "the ELF header"});
    if (H.e_phnum)
      Ranges.push_back({H.e_phoff, uint64_t(H.e_phnum) * H.e_phentsize,
                        "the program headers"});
    if (H.e_shnum)
      Ranges.push_back({H.e_shoff, uint64_t(H.e_shnum) * H.e_shentsize,
                        "the section headers"});
    for (const ELF64LE::Shdr &S : *Sections)
      if (S.sh_type != ELF::SHT_NOBITS && S.sh_type != ELF::SHT_NULL &&
          S.sh_size)
        Ranges.push_back({S.sh_offset, S.sh_size,
                          "section " +
                              std::to_string(&S - Sections->begin())});
    llvm::sort(Ranges);
    for (size_t I = 1; I < Ranges.size(); ++I) {
      const auto &[PrevAt, PrevSize, PrevName] = Ranges[I - 1];
      if (std::get<0>(Ranges[I]) - PrevAt < PrevSize)
        return fail(Path, PrevName + " and " + std::get<2>(Ranges[I]) +
                              " overlap in the file; the section table is "
                              "damaged (relink the binary)");
    }
  }
  const ELF64LE::Shdr *SymTab = nullptr;
  // The regions: .text and the adjacent .text.* output sections of the
  // same mapping (lld -z keep-text-section-prefix). Other executable
  // sections stay, decoded for what they reach.
  std::vector<unsigned> Candidates;
  int TextIndex = -1;
  for (const ELF64LE::Shdr &S : *Sections) {
    Expected<StringRef> Name = File->getSectionName(S);
    if (!Name)
      return fail(Path,
                  "malformed section name: " + toString(Name.takeError()));
    unsigned Index = unsigned(&S - Sections->begin());
    if (S.sh_type == ELF::SHT_SYMTAB)
      SymTab = &S;
    if (S.sh_type != ELF::SHT_PROGBITS ||
        (S.sh_flags & (ELF::SHF_ALLOC | ELF::SHF_EXECINSTR)) !=
            (ELF::SHF_ALLOC | ELF::SHF_EXECINSTR))
      continue;
    // Code must end inside the address space: page and range arithmetic
    // on it would wrap.
    if (S.sh_addr + S.sh_size < S.sh_addr ||
        S.sh_addr + S.sh_size > UINT64_MAX - 0xffffffffULL)
      return fail(Path, "executable section " + *Name + " at " +
                            hex(S.sh_addr) + " of " + Twine(S.sh_size) +
                            " bytes ends past the address space; the "
                            "section table is damaged");
    if (*Name == ".text" && TextIndex < 0)
      TextIndex = int(Index);
    if ((*Name == ".text" || Name->starts_with(".text.")) && S.sh_size)
      Candidates.push_back(Index);
  }
  if (TextIndex < 0)
    return fail(Path, "no .text section");
  llvm::stable_sort(Candidates, [&](unsigned A, unsigned C) {
    return (*Sections)[A].sh_addr < (*Sections)[C].sh_addr;
  });
  // Regions share .text's mapping (one executable segment), so the span
  // from the first to the last is one range of the file. Sections between
  // them (.init, .fini, .plt) are not regions: their bytes stay.
  const ELF64LE::Shdr &TextSec = (*Sections)[TextIndex];
  auto SameMapping = [&](const ELF64LE::Shdr &C) {
    return C.sh_addr - TextSec.sh_addr == C.sh_offset - TextSec.sh_offset;
  };
  std::vector<unsigned> Run;
  for (unsigned Index : Candidates)
    if (SameMapping((*Sections)[Index]))
      Run.push_back(Index);
  if (Run.empty())
    Run.push_back(unsigned(TextIndex)); // an empty .text
  for (unsigned Index : Run) {
    const ELF64LE::Shdr &S = (*Sections)[Index];
    Expected<StringRef> Name = File->getSectionName(S);
    if (!Name)
      return fail(Path, "malformed section name");
    if (S.sh_size > Data.size() || S.sh_offset > Data.size() - S.sh_size)
      return fail(Path, *Name + " lies outside the file; the section table "
                                "is damaged (relink the binary)");
    B.Regions.push_back({Name->str(), Index, S.sh_addr, S.sh_size});
  }
  {
    const ELF64LE::Shdr &First = (*Sections)[Run.front()];
    const ELF64LE::Shdr &Last = (*Sections)[Run.back()];
    B.TextAddress = First.sh_addr;
    B.TextBytes = ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(Data.data()) + First.sh_offset,
        Last.sh_offset + Last.sh_size - First.sh_offset);
  }
  for (const ELF64LE::Shdr &S : *Sections) {
    if (B.isRegionSection(unsigned(&S - Sections->begin())) ||
        S.sh_type != ELF::SHT_PROGBITS ||
        (S.sh_flags & (ELF::SHF_ALLOC | ELF::SHF_EXECINSTR)) !=
            (ELF::SHF_ALLOC | ELF::SHF_EXECINSTR))
      continue;
    Expected<StringRef> Name = File->getSectionName(S);
    Expected<ArrayRef<uint8_t>> Code = File->getSectionContents(S);
    if (!Name || !Code) {
      consumeError(Name.takeError());
      consumeError(Code.takeError());
      return fail(Path, "malformed executable section");
    }
    B.OtherCode.push_back({Name->str(), S.sh_addr, *Code});
  }
  for (const ELF64LE::Shdr &S : *Sections) {
    if (S.sh_type != ELF::SHT_DYNAMIC)
      continue;
    Expected<ArrayRef<ELF64LE::Dyn>> Dyn =
        File->template getSectionContentsAsArray<ELF64LE::Dyn>(S);
    if (!Dyn)
      return fail(Path, "malformed .dynamic: " + toString(Dyn.takeError()));
    for (const ELF64LE::Dyn &D : *Dyn)
      if (isDynamicCodeAddress(D.d_tag))
        B.DynamicCode.push_back({int64_t(D.d_tag), D.d_un.d_ptr});
  }
  // Import slots: allocated SHT_RELA sections linked to a symbol table
  // (.rela.plt, .rela.dyn). A slot only names a callee: one that cannot
  // be read is left out.
  if (B.Arch)
    for (const ELF64LE::Shdr &S : *Sections) {
      if (S.sh_type != ELF::SHT_RELA || !(S.sh_flags & ELF::SHF_ALLOC) ||
          S.sh_link == 0 || S.sh_link >= Sections->size())
        continue;
      const ELF64LE::Shdr &Syms = (*Sections)[S.sh_link];
      Expected<ELF64LEFile::Elf_Rela_Range> Relas = File->relas(S);
      Expected<ELF64LEFile::Elf_Sym_Range> SymRange = File->symbols(&Syms);
      Expected<StringRef> Names = File->getStringTableForSymtab(Syms);
      if (!Relas || !SymRange || !Names) {
        consumeError(Relas.takeError());
        consumeError(SymRange.takeError());
        consumeError(Names.takeError());
        continue;
      }
      for (const ELF64LE::Rela &R : *Relas) {
        uint32_t Sym = R.getSymbol(false);
        if (!B.Arch->isImportSlot(R.getType(false)) || Sym == 0 ||
            Sym >= SymRange->size())
          continue;
        Expected<StringRef> Name = (*SymRange)[Sym].getName(*Names);
        if (!Name) {
          consumeError(Name.takeError());
          continue;
        }
        B.ImportSlots.push_back({R.r_offset, Name->str()});
      }
    }
  // A slot two relocations name differently names no callee.
  llvm::sort(B.ImportSlots);
  B.ImportSlots.erase(std::unique(B.ImportSlots.begin(), B.ImportSlots.end()),
                      B.ImportSlots.end());
  {
    std::vector<std::pair<uint64_t, std::string>> Agreed;
    for (size_t I = 0; I < B.ImportSlots.size();) {
      size_t J = I;
      while (J < B.ImportSlots.size() &&
             B.ImportSlots[J].first == B.ImportSlots[I].first)
        ++J;
      if (J == I + 1)
        Agreed.push_back(std::move(B.ImportSlots[I]));
      I = J;
    }
    B.ImportSlots = std::move(Agreed);
  }
  if (!SymTab)
    return fail(Path, "no symbol table (the binary is stripped); relink "
                      "without -s/--strip-all so functions can be found");

  // Retained relocations: SHT_RELA sections whose sh_info names a section
  // (lld's and GNU ld's --emit-relocs output).
  for (const ELF64LE::Shdr &S : *Sections) {
    if (!Opts.ForRewrite || S.sh_type != ELF::SHT_RELA ||
        (S.sh_flags & ELF::SHF_ALLOC) || S.sh_info == 0)
      continue;
    Expected<StringRef> Name = File->getSectionName(S);
    B.RelocationSections.push_back(Name ? Name->str() : "?");
    if (!Name)
      consumeError(Name.takeError());
    Expected<ELF64LEFile::Elf_Rela_Range> Relas = File->relas(S);
    if (!B.isRegionSection(S.sh_info)) {
      if (!Relas) {
        consumeError(Relas.takeError());
        continue;
      }
      if (Error E = collectDataPcRelatives(*File, *Sections, S, *Relas, B))
        return std::move(E);
      continue;
    }
    if (!Relas)
      return fail(Path, "malformed relocation section: " +
                            toString(Relas.takeError()));
    for (const ELF64LE::Rela &R : *Relas)
      B.TextRelocations.push_back({R.r_offset, R.getType(false)});
  }
  if (Opts.ForRewrite && B.TextRelocations.empty())
    return fail(Path, "no relocations were kept for .text; relink with "
                      "-Wl,--emit-relocs (-Wl,-q) so every reference to "
                      "moved code can be found and fixed");
  auto ByOffset = [](const RetainedRelocation &A, const RetainedRelocation &C) {
    return A.Offset < C.Offset;
  };
  llvm::sort(B.TextRelocations, ByOffset);
  llvm::sort(B.OtherCodeRelocations, ByOffset);

  // Functions: STT_FUNC symbols with a size inside .text; aliases merged.
  Expected<ELF64LEFile::Elf_Sym_Range> Symbols = File->symbols(SymTab);
  if (!Symbols)
    return fail(Path,
                "malformed symbol table: " + toString(Symbols.takeError()));
  Expected<StringRef> StrTab = File->getStringTableForSymtab(*SymTab);
  if (!StrTab)
    return fail(Path,
                "malformed string table: " + toString(StrTab.takeError()));
  FunctionsByAddress Functions;
  uint64_t TextEnd = B.TextAddress + B.TextBytes.size();
  for (const ELF64LE::Sym &S : *Symbols) {
    // Clang's basic-block sections name a function's later parts with
    // sized STT_NOTYPE symbols (NAME.__part.N, NAME.cold): functions too.
    // (Parts that fall into each other, as lld's --optimize-bb-jumps makes
    // them, move together: the proof checks where code runs on.)
    if ((S.getType() != ELF::STT_FUNC && S.getType() != ELF::STT_NOTYPE) ||
        S.st_size == 0 || S.st_value < B.TextAddress || S.st_value >= TextEnd)
      continue;
    Expected<StringRef> Name = S.getName(*StrTab);
    if (!Name)
      return fail(Path, "malformed symbol name: " + toString(Name.takeError()));
    if (!isFunctionSymbol(S.getType(), *Name))
      continue;
    // The rewrite updates the symbols that name .text; a function symbol
    // whose address lies in .text but that names another section would
    // keep its old address after a move.
    int Region = B.regionAt(S.st_value);
    if (Region < 0)
      continue; // between two regions: not a function of either
    if (S.st_shndx != B.Regions[Region].SectionIndex)
      return fail(Path, "function symbol '" + *Name + "' at " +
                            hex(S.st_value) + " lies in " +
                            B.Regions[Region].Name + " but names section " +
                            Twine(S.st_shndx) +
                            "; the symbol table is damaged (relink the "
                            "binary)");
    if (S.st_size > B.Regions[Region].end() - S.st_value)
      return fail(Path, "function symbol '" + *Name + "' at " +
                            hex(S.st_value) + " (" + Twine(S.st_size) +
                            " bytes) runs past the end of " +
                            B.Regions[Region].Name +
                            "; the symbol table is damaged (relink the "
                            "binary)");
    Functions.add(S.st_value, *Name, S.st_size);
  }
  if (Functions.empty())
    return fail(Path, "no function symbols in .text");
  Functions.take([&](uint64_t Addr, Atom &&A) {
    A.OriginalOffset = Addr;
    A.Origin = A.Symbols.front().Name;
    B.Functions.push_back(std::move(A));
  });
  // Functions are read from .symtab. One that only .dynsym names would be
  // code without a symbol to the rewrite, which may reuse what looks like
  // padding there, while other programs still call it: refused.
  for (const ELF64LE::Shdr &S : *Sections) {
    if (S.sh_type != ELF::SHT_DYNSYM)
      continue;
    Expected<ELF64LEFile::Elf_Sym_Range> Dyn = File->symbols(&S);
    if (!Dyn)
      return fail(Path, "malformed dynamic symbol table: " +
                            toString(Dyn.takeError()));
    for (const ELF64LE::Sym &D : *Dyn) {
      if (D.getType() != ELF::STT_FUNC || D.st_size == 0 ||
          !B.isRegionSection(D.st_shndx) || D.st_value < B.TextAddress ||
          D.st_value >= TextEnd)
        continue;
      auto It = llvm::lower_bound(B.Functions, D.st_value,
                                  [](const Atom &A, uint64_t Addr) {
                                    return A.OriginalOffset < Addr;
                                  });
      if (It == B.Functions.end() || It->OriginalOffset != D.st_value ||
          none_of(It->Symbols, [&](const AtomSymbol &Sym) {
            return Sym.Size == D.st_size;
          }))
        return fail(Path, "the dynamic symbol table names a function at " +
                              hex(D.st_value) + " (" + Twine(D.st_size) +
                              " bytes) that .symtab does not; the symbol "
                              "tables disagree (the binary is damaged or "
                              "partly stripped: relink it)");
    }
  }
  return B;
}

} // namespace pagelayout

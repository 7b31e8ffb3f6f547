//===- elf2smf.cpp - Convert an x86-64 ELF object into an SMF module ------===//
//
// A test tool: it turns one relocatable object (clang -c
// -ffunction-sections -fdata-sections) into an SMF module the reference
// loader can run, so the SMF reader, writer and layout can be tested on
// real compiled code.
//
// The loader maps only the Code section where relocations can reach it
// (a local symbol resolves to code base + value; the Data/RoData/Bss
// sections go to a separate mapping no relocation can name) and maps it
// read-execute. So the executable sections are concatenated into the Code
// section, each at its alignment, and the read-only data sections follow
// them in it; writable and thread-local data cannot be expressed and are
// refused. Every other symbol is resolved by name through the loader's
// import resolver, even one this module defines, so a relocation against a
// defined global targets a local alias ("name.local") with the same value;
// a relocation against a section targets a local marker named after the
// section. Read-only-after-relocation data (.data.rel.ro, tables of
// pointers in -fPIE code) goes with the read-only data: the loader patches
// the code before it protects it. Undefined symbols become imports: global
// (or weak), type none, value 0.
//
// Steps: read the ELF -> place sections -> map symbols -> convert
// relocations -> apply --entry/--phase/--pin -> encode -> re-read the
// result with readModule (the tool never writes a module it cannot read).
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/SmfFormat.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include <cstring>
#include <map>

using namespace llvm;
using namespace llvm::object;
using namespace pagelayout;
using ELFT = ELF64LE;
using Shdr = ELFT::Shdr;
using Sym = ELFT::Sym;

namespace {

struct Options {
  std::string Input, Output, StubPath;
  unsigned Minor = 0;
  std::string Entry = "main";
  std::vector<std::pair<std::string, smf::Phase>> Phases;
  std::vector<std::string> Pins;
};

/// The module under construction and where each ELF thing went.
struct Converter {
  const Options &Opts;
  const ELFFile<ELFT> &Elf;
  ArrayRef<Shdr> Sections;
  std::vector<uint8_t> Code;
  uint64_t CodeAlign = 16;
  /// ELF section index -> offset of its bytes in Code.
  DenseMap<unsigned, uint64_t> Placed;
  std::vector<smf::Symbol> Symbols;
  std::vector<smf::Relocation> Relocs;
  /// ELF symbol index -> SMF symbol index.
  DenseMap<unsigned, uint32_t> SymbolMap;
  DenseMap<unsigned, uint32_t> Aliases;        ///< by ELF symbol index
  DenseMap<unsigned, uint32_t> SectionMarkers; ///< by ELF section index

  Converter(const Options &Opts, const ELFFile<ELFT> &Elf)
      : Opts(Opts), Elf(Elf) {}

  Error fail(const Twine &Msg) const {
    return createStringError(inconvertibleErrorCode(), Opts.Input + ": " + Msg);
  }
  std::string sectionName(const Shdr &S) const {
    Expected<StringRef> N = Elf.getSectionName(S);
    if (!N) {
      consumeError(N.takeError());
      return "<section " + std::to_string(&S - Sections.data()) + ">";
    }
    return N->str();
  }

  Error placeSections();
  Error mapSymbols();
  Error convertRelocations();
  Error applyOptions(uint64_t &EntryPoint, bool &Executable);
  uint32_t addSymbol(StringRef Name, uint8_t Type, uint8_t Binding,
                     uint64_t Value, uint64_t Size) {
    smf::Symbol S;
    S.Name = Name.str();
    S.Type = Type;
    S.Binding = Binding;
    S.Value = Value;
    S.Size = Size;
    Symbols.push_back(std::move(S));
    return uint32_t(Symbols.size() - 1);
  }
};

/// .eh_frame describes code for the ELF unwinder; SMF has no place for it.
bool isUnwindInfo(const Shdr &S, StringRef Name) {
  return S.sh_type == ELF::SHT_X86_64_UNWIND || Name == ".eh_frame";
}

Error Converter::placeSections() {
  std::vector<unsigned> Exec, ReadOnly;
  for (unsigned I = 0; I < Sections.size(); ++I) {
    const Shdr &S = Sections[I];
    if (!(S.sh_flags & ELF::SHF_ALLOC) || S.sh_size == 0)
      continue;
    std::string Name = sectionName(S);
    if (isUnwindInfo(S, Name))
      continue;
    if (S.sh_flags & ELF::SHF_TLS)
      return fail("section '" + Name +
                  "' holds thread-local data, which SMF cannot express; "
                  "remove the _Thread_local variables");
    // .data.rel.ro is written only by relocations, which the loader
    // applies before it makes the code read-execute: it can live there.
    bool RelRo = StringRef(Name).starts_with(".data.rel.ro");
    if ((S.sh_flags & ELF::SHF_WRITE) && !RelRo)
      return fail("section '" + Name + "' is writable (" + Twine(S.sh_size) +
                  " bytes): the SMF loader maps the code read-execute and "
                  "relocations reach no other section, so a module cannot "
                  "hold writable data; make the data const");
    if (S.sh_type == ELF::SHT_REL || S.sh_type == ELF::SHT_RELA)
      continue;
    (S.sh_flags & ELF::SHF_EXECINSTR ? Exec : ReadOnly).push_back(I);
  }
  // Code first, then read-only data, each at its ELF alignment; code gaps
  // are int3, data gaps zero.
  auto Place = [&](unsigned I, uint8_t Fill) -> Error {
    const Shdr &S = Sections[I];
    uint64_t Align = std::max<uint64_t>(S.sh_addralign, 1);
    if (!isPowerOf2_64(Align) || Align > 4096)
      return fail("section '" + sectionName(S) + "' has alignment " +
                  Twine(Align) + "; expected a power of two up to 4096");
    CodeAlign = std::max(CodeAlign, Align);
    uint64_t At = alignTo(Code.size(), Align);
    Code.resize(At, Fill);
    Placed[I] = At;
    if (S.sh_type == ELF::SHT_NOBITS) {
      Code.resize(At + S.sh_size, 0);
      return Error::success();
    }
    Expected<ArrayRef<uint8_t>> Bytes = Elf.getSectionContents(S);
    if (!Bytes)
      return fail("section '" + sectionName(S) +
                  "': " + toString(Bytes.takeError()));
    Code.insert(Code.end(), Bytes->begin(), Bytes->end());
    return Error::success();
  };
  for (unsigned I : Exec)
    if (Error E = Place(I, 0xCC))
      return E;
  for (unsigned I : ReadOnly)
    if (Error E = Place(I, 0))
      return E;
  if (Exec.empty())
    return fail("no executable section; compile a C file with functions");
  return Error::success();
}

Error Converter::mapSymbols() {
  const Shdr *SymTab = nullptr;
  for (const Shdr &S : Sections)
    if (S.sh_type == ELF::SHT_SYMTAB)
      SymTab = &S;
  if (!SymTab)
    return fail("no symbol table; do not strip the object");
  Expected<ArrayRef<Sym>> Syms = Elf.symbols(SymTab);
  Expected<StringRef> Strings = Elf.getStringTableForSymtab(*SymTab);
  if (!Syms || !Strings) {
    consumeError(Syms.takeError());
    consumeError(Strings.takeError());
    return fail("malformed symbol table");
  }
  for (unsigned I = 1; I < Syms->size(); ++I) {
    const Sym &S = (*Syms)[I];
    uint8_t Type = S.getType();
    if (Type == ELF::STT_SECTION || Type == ELF::STT_FILE)
      continue;
    Expected<StringRef> Name = S.getName(*Strings);
    if (!Name)
      return fail("symbol " + Twine(I) + ": " + toString(Name.takeError()));
    if (Name->empty())
      continue;
    uint8_t Binding = S.getBinding() == ELF::STB_LOCAL  ? smf::BindingLocal
                      : S.getBinding() == ELF::STB_WEAK ? smf::BindingWeak
                                                        : smf::BindingGlobal;
    if (S.st_shndx == ELF::SHN_UNDEF) {
      // An import: the loader resolves it by name.
      SymbolMap[I] = addSymbol(
          *Name, smf::SymbolNone,
          Binding == smf::BindingLocal ? smf::BindingGlobal : Binding, 0, 0);
      continue;
    }
    if (S.st_shndx == ELF::SHN_COMMON)
      return fail("common symbol '" + *Name +
                  "' is writable data, which SMF cannot hold; make it const "
                  "or compile with -fno-common");
    if (S.st_shndx >= ELF::SHN_LORESERVE)
      continue; // absolute symbols: nothing to place
    auto It = Placed.find(S.st_shndx);
    if (It == Placed.end())
      continue; // in a section SMF does not keep (.eh_frame, debug info)
    bool InCode = Sections[S.st_shndx].sh_flags & ELF::SHF_EXECINSTR;
    uint8_t SmfType = Type == ELF::STT_FUNC               ? smf::SymbolFunction
                      : InCode && Type == ELF::STT_NOTYPE ? smf::SymbolFunction
                                                          : smf::SymbolData;
    SymbolMap[I] =
        addSymbol(*Name, SmfType, Binding, It->second + S.st_value, S.st_size);
  }
  return Error::success();
}

Error Converter::convertRelocations() {
  const Shdr *SymTab = nullptr;
  for (const Shdr &S : Sections)
    if (S.sh_type == ELF::SHT_SYMTAB)
      SymTab = &S;
  Expected<ArrayRef<Sym>> Syms = Elf.symbols(SymTab);
  if (!Syms)
    return fail("malformed symbol table: " + toString(Syms.takeError()));
  for (const Shdr &RS : Sections) {
    if (RS.sh_type != ELF::SHT_RELA && RS.sh_type != ELF::SHT_REL)
      continue;
    auto Target = Placed.find(RS.sh_info);
    if (Target == Placed.end())
      continue; // relocates a section SMF does not keep
    std::string TargetName = sectionName(Sections[RS.sh_info]);
    if (RS.sh_type == ELF::SHT_REL)
      return fail("section '" + sectionName(RS) +
                  "' holds REL relocations; x86-64 objects use RELA");
    Expected<ArrayRef<ELFT::Rela>> Relas = Elf.relas(RS);
    if (!Relas)
      return fail("section '" + sectionName(RS) +
                  "': " + toString(Relas.takeError()));
    for (const ELFT::Rela &R : *Relas) {
      uint32_t Type = R.getType(false);
      auto Where = [&] {
        return TargetName + "+0x" + utohexstr(R.r_offset, true);
      };
      uint8_t SmfType;
      switch (Type) {
      case ELF::R_X86_64_NONE:
        continue;
      case ELF::R_X86_64_64:
        SmfType = smf::RelocAbs64;
        break;
      case ELF::R_X86_64_PC32:
        SmfType = smf::RelocPc32;
        break;
      case ELF::R_X86_64_PLT32:
        SmfType = smf::RelocPlt32;
        break;
      default:
        return fail("relocation " +
                    getELFRelocationTypeName(ELF::EM_X86_64, Type) + " at " +
                    Where() +
                    " is not supported; SMF has Abs64, Pc32 and Plt32 "
                    "(R_X86_64_64, R_X86_64_PC32, R_X86_64_PLT32): compile "
                    "with -fPIE and without TLS or extern variables");
      }
      unsigned SymIndex = R.getSymbol(false);
      if (SymIndex == 0 || SymIndex >= Syms->size())
        return fail("relocation at " + Where() + " names no symbol");
      const Sym &S = (*Syms)[SymIndex];
      uint32_t SmfSym;
      if (S.getType() == ELF::STT_SECTION) {
        auto Sec = Placed.find(S.st_shndx);
        if (Sec == Placed.end())
          return fail("relocation at " + Where() + " points into section '" +
                      (S.st_shndx < Sections.size()
                           ? sectionName(Sections[S.st_shndx])
                           : std::string("?")) +
                      "', which SMF does not keep");
        auto [It, New] = SectionMarkers.try_emplace(S.st_shndx, 0);
        if (New)
          It->second = addSymbol(sectionName(Sections[S.st_shndx]),
                                 smf::SymbolNone, smf::BindingLocal,
                                 Sec->second, Sections[S.st_shndx].sh_size);
        SmfSym = It->second;
      } else {
        auto Mapped = SymbolMap.find(SymIndex);
        if (Mapped == SymbolMap.end())
          return fail("relocation at " + Where() +
                      " points at a symbol in a section SMF does not keep");
        SmfSym = Mapped->second;
        bool Defined = S.st_shndx != ELF::SHN_UNDEF;
        if (Defined && !Symbols[SmfSym].isLocal()) {
          // The loader would look a non-local target up by name among
          // the imports; a local alias keeps it in this module.
          auto [It, New] = Aliases.try_emplace(SymIndex, 0);
          if (New) {
            smf::Symbol A = Symbols[SmfSym]; // copied: addSymbol reallocates
            It->second = addSymbol(A.Name + ".local", smf::SymbolNone,
                                   smf::BindingLocal, A.Value, A.Size);
          }
          SmfSym = It->second;
        }
      }
      smf::Relocation Out;
      Out.Offset = Target->second + R.r_offset;
      Out.SymbolIndex = SmfSym;
      Out.Type = SmfType;
      Out.Addend = R.r_addend;
      Relocs.push_back(Out);
    }
  }
  return Error::success();
}

Error Converter::applyOptions(uint64_t &EntryPoint, bool &Executable) {
  auto FindFunction = [&](StringRef Name, StringRef Option) -> Expected<int> {
    for (size_t I = 0; I < Symbols.size(); ++I)
      if (Symbols[I].Name == Name && Symbols[I].Type == smf::SymbolFunction)
        return int(I);
    return fail(Option + " names '" + Name +
                "', which is not a function defined in this object");
  };
  Executable = !Opts.Entry.empty();
  if (Executable) {
    Expected<int> I = FindFunction(Opts.Entry, "--entry");
    if (!I)
      return I.takeError();
    EntryPoint = Symbols[*I].Value;
  }
  for (const auto &[Name, P] : Opts.Phases) {
    Expected<int> I = FindFunction(Name, "--phase");
    if (!I)
      return I.takeError();
    Symbols[*I].setPhase(P);
  }
  for (const std::string &Name : Opts.Pins) {
    Expected<int> I = FindFunction(Name, "--pin");
    if (!I)
      return I.takeError();
    Symbols[*I].Flags |= smf::SymbolFlagPinned;
  }
  return Error::success();
}

// Encoding. Offsets below are relative to the SMF data (after the stub).

void put(std::string &Out, uint64_t Off, const void *P, size_t N) {
  if (Out.size() < Off + N)
    Out.resize(Off + N, '\0');
  std::memcpy(&Out[Off], P, N);
}
template <typename T> void putLE(std::string &Out, uint64_t Off, T V) {
  uint8_t B[sizeof(T)];
  support::endian::write<T, llvm::endianness::little>(B, V);
  put(Out, Off, B, sizeof(T));
}

struct SectionOut {
  uint8_t Type;
  uint32_t Flags;
  uint64_t Offset, Size, Align;
  const char *Name;
};

std::string encode(const Options &Opts, Converter &C, StringRef Stub,
                   uint64_t EntryPoint, bool Executable) {
  std::string Strings(1, '\0');
  for (smf::Symbol &S : C.Symbols) {
    S.NameOffset = uint32_t(Strings.size());
    S.NameHash = smf::fnv1a32(S.Name);
    Strings += S.Name;
    Strings += '\0';
  }
  uint64_t SymEntry =
      Opts.Minor ? smf::SymbolEntrySizeV11 : smf::SymbolEntrySizeV10;
  bool V10 = Opts.Minor == 0;
  unsigned SectionCount = C.Relocs.empty() ? 3 : 4;
  uint64_t At = V10 ? smf::HeaderSize : 0;
  uint64_t SectionTable = At;
  At += SectionCount * smf::SectionEntrySize;
  uint64_t CodeAt = alignTo(At, C.CodeAlign);
  At = CodeAt + C.Code.size();
  uint64_t RelocAt = alignTo(At, 8);
  At = RelocAt + C.Relocs.size() * smf::RelocationEntrySize;
  uint64_t SymAt = alignTo(At, 8);
  // The loader reads names from the bytes right after the symbol table.
  uint64_t StrAt = SymAt + C.Symbols.size() * SymEntry;
  uint64_t End = StrAt + Strings.size();

  std::string D; // the SMF data
  D.resize(End, '\0');
  std::vector<SectionOut> Secs;
  Secs.push_back({smf::SectionCode, smf::SectionFlagRead | smf::SectionFlagExec,
                  CodeAt, C.Code.size(), C.CodeAlign, ".text"});
  if (!C.Relocs.empty())
    Secs.push_back({smf::SectionReloc, 0, RelocAt,
                    C.Relocs.size() * smf::RelocationEntrySize, 8, ".rela"});
  Secs.push_back({smf::SectionSymTab, 0, SymAt, StrAt - SymAt, 8, ".symtab"});
  Secs.push_back({smf::SectionStrTab, 0, StrAt, Strings.size(), 1, ".strtab"});
  for (size_t I = 0; I < Secs.size(); ++I) {
    uint64_t E = SectionTable + I * smf::SectionEntrySize;
    putLE<uint8_t>(D, E + 0, Secs[I].Type);
    putLE<uint32_t>(D, E + 4, Secs[I].Flags);
    putLE<uint64_t>(D, E + 8, Secs[I].Offset);
    putLE<uint64_t>(D, E + 16, Secs[I].Size);
    putLE<uint64_t>(D, E + 24, Secs[I].Size);
    putLE<uint64_t>(D, E + 32, Secs[I].Align);
    put(D, E + 40, Secs[I].Name, std::strlen(Secs[I].Name));
  }
  put(D, CodeAt, C.Code.data(), C.Code.size());
  for (size_t I = 0; I < C.Relocs.size(); ++I) {
    uint64_t E = RelocAt + I * smf::RelocationEntrySize;
    putLE<uint64_t>(D, E + 0, C.Relocs[I].Offset);
    putLE<uint32_t>(D, E + 8, C.Relocs[I].SymbolIndex);
    putLE<uint8_t>(D, E + 12, C.Relocs[I].Type);
    putLE<uint64_t>(D, E + 16, uint64_t(C.Relocs[I].Addend));
  }
  uint32_t Exported = 0;
  for (size_t I = 0; I < C.Symbols.size(); ++I) {
    const smf::Symbol &S = C.Symbols[I];
    uint64_t E = SymAt + I * SymEntry;
    putLE<uint32_t>(D, E + 0, S.NameOffset);
    putLE<uint32_t>(D, E + 4, S.NameHash);
    putLE<uint8_t>(D, E + 8, S.Type);
    putLE<uint8_t>(D, E + 9, S.Binding);
    putLE<uint8_t>(D, E + 11, S.Flags);
    putLE<uint64_t>(D, E + 16, S.Value);
    putLE<uint64_t>(D, E + 24, S.Size);
    if (!S.isLocal() && S.Type != smf::SymbolNone)
      ++Exported;
  }
  put(D, StrAt, Strings.data(), Strings.size());

  std::string H(smf::HeaderSize, '\0');
  put(H, 0, "SMF\0", 4);
  putLE<uint8_t>(H, 4, 1);
  putLE<uint8_t>(H, 5, uint8_t(Opts.Minor));
  putLE<uint8_t>(H, 6, smf::PlatformLinux);
  putLE<uint8_t>(H, 7, smf::ArchX86_64);
  uint32_t Flags = (Executable ? smf::FlagExecutable : 0) |
                   (Stub.empty() ? 0 : smf::FlagHasStub);
  putLE<uint32_t>(H, 8, Flags);
  putLE<uint32_t>(H, 16, SectionCount);
  putLE<uint64_t>(H, 24, SectionTable);
  putLE<uint64_t>(H, 32, SymAt);
  putLE<uint32_t>(H, 40, uint32_t(C.Symbols.size()));
  putLE<uint32_t>(H, 44, Exported);
  putLE<uint64_t>(H, 48, EntryPoint);
  putLE<uint32_t>(H, 56, uint32_t(Stub.size()));
  putLE<uint32_t>(H, 60, uint32_t(Stub.size()));

  if (V10) {
    D.replace(0, smf::HeaderSize, H);
    return D;
  }
  return Stub.str() + D + H; // v1.1: the header is the trailer
}

Error run(const Options &Opts) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> In =
      MemoryBuffer::getFile(Opts.Input, /*IsText=*/false);
  if (!In)
    return createStringError(In.getError(),
                             Opts.Input + ": " + In.getError().message());
  std::string Stub;
  if (!Opts.StubPath.empty()) {
    ErrorOr<std::unique_ptr<MemoryBuffer>> S =
        MemoryBuffer::getFile(Opts.StubPath, /*IsText=*/false);
    if (!S)
      return createStringError(S.getError(),
                               Opts.StubPath + ": " + S.getError().message());
    Stub = (*S)->getBuffer().str();
    if (Stub.empty())
      return createStringError(inconvertibleErrorCode(),
                               Opts.StubPath + ": the stub is empty");
    if (Stub.size() > UINT32_MAX)
      return createStringError(inconvertibleErrorCode(),
                               Opts.StubPath + ": the stub is over 4 GB");
  }
  Expected<ELFFile<ELFT>> Elf = ELFFile<ELFT>::create((*In)->getBuffer());
  if (!Elf)
    return createStringError(inconvertibleErrorCode(),
                             Opts.Input +
                                 ": not a 64-bit little-endian ELF "
                                 "file: " +
                                 toString(Elf.takeError()));
  if (Elf->getHeader().e_machine != ELF::EM_X86_64)
    return createStringError(inconvertibleErrorCode(),
                             Opts.Input + ": not an x86-64 object");
  if (Elf->getHeader().e_type != ELF::ET_REL)
    return createStringError(inconvertibleErrorCode(),
                             Opts.Input + ": not a relocatable object; "
                                          "compile with -c");
  Expected<ArrayRef<Shdr>> Sections = Elf->sections();
  if (!Sections)
    return createStringError(inconvertibleErrorCode(),
                             Opts.Input + ": " +
                                 toString(Sections.takeError()));
  Converter C(Opts, *Elf);
  C.Sections = *Sections;
  if (Error E = C.placeSections())
    return E;
  if (Error E = C.mapSymbols())
    return E;
  if (Error E = C.convertRelocations())
    return E;
  uint64_t EntryPoint = 0;
  bool Executable = false;
  if (Error E = C.applyOptions(EntryPoint, Executable))
    return E;
  std::string Out = encode(Opts, C, Stub, EntryPoint, Executable);

  // Never write a module the reader refuses.
  if (Expected<smf::Module> Check =
          smf::readModule(MemoryBufferRef(Out, Opts.Output));
      !Check)
    return createStringError(inconvertibleErrorCode(),
                             "internal error: the module written does not "
                             "read back: " +
                                 toString(Check.takeError()));
  if (Error E = writeToOutput(Opts.Output, [&](raw_ostream &OS) {
        OS << Out;
        return Error::success();
      }))
    return E;
  if (!Stub.empty()) // a module with a stub is meant to be run directly
    if (std::error_code EC = sys::fs::setPermissions(
            Opts.Output, sys::fs::perms(sys::fs::all_read | sys::fs::all_exe |
                                        sys::fs::owner_write)))
      return createStringError(EC, Opts.Output + ": " + EC.message());
  return Error::success();
}

const char Usage[] =
    "usage: elf2smf input.o -o out.smf [--version=1.0|1.1] [--stub=FILE]\n"
    "               [--entry=SYMBOL] [--phase=SYMBOL=startup|first_frame|"
    "steady|cold]... [--pin=SYMBOL]...\n";

Expected<Options> parse(int Argc, char **Argv) {
  Options O;
  auto Bad = [](const Twine &Msg) {
    return createStringError(inconvertibleErrorCode(), Msg);
  };
  for (int I = 1; I < Argc; ++I) {
    StringRef A = Argv[I];
    if (A == "-o") {
      if (++I == Argc)
        return Bad("-o needs a file name");
      O.Output = Argv[I];
    } else if (A.consume_front("--version=")) {
      if (A == "1.0")
        O.Minor = 0;
      else if (A == "1.1")
        O.Minor = 1;
      else
        return Bad("--version=" + A + " is unknown; expected 1.0 or 1.1");
    } else if (A.consume_front("--stub=")) {
      O.StubPath = A.str();
    } else if (A.consume_front("--entry=")) {
      O.Entry = A.str();
    } else if (A.consume_front("--phase=")) {
      auto [Name, Phase] = A.rsplit('=');
      std::optional<smf::Phase> P;
      if (Phase == "startup")
        P = smf::PhaseStartup;
      else if (Phase == "first_frame")
        P = smf::PhaseFirstFrame;
      else if (Phase == "steady")
        P = smf::PhaseSteady;
      else if (Phase == "cold")
        P = smf::PhaseCold;
      if (Name.empty() || !P)
        return Bad("--phase=" + A +
                   ": expected SYMBOL=startup|first_frame|steady|cold");
      O.Phases.push_back({Name.str(), *P});
    } else if (A.consume_front("--pin=")) {
      O.Pins.push_back(A.str());
    } else if (A == "-h" || A == "--help") {
      outs() << Usage;
      exit(0);
    } else if (A.starts_with("-")) {
      return Bad("unknown option '" + A + "'\n" + Usage);
    } else if (O.Input.empty()) {
      O.Input = A.str();
    } else {
      return Bad("more than one input ('" + O.Input + "' and '" + A +
                 "'); elf2smf converts one object");
    }
  }
  if (O.Input.empty() || O.Output.empty())
    return Bad(Twine("an input and -o are required\n") + Usage);
  if (!O.StubPath.empty() && O.Minor == 0)
    return Bad("--stub needs --version=1.1 (a v1.0 header is at offset 0, "
               "where the stub would be)");
  return O;
}

} // namespace

int main(int Argc, char **Argv) {
  Expected<Options> O = parse(Argc, Argv);
  Error E = O ? run(*O) : O.takeError();
  if (E) {
    WithColor::error(errs(), "elf2smf") << toString(std::move(E)) << "\n";
    return 1;
  }
  return 0;
}

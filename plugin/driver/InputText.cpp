//===- InputText.cpp - The .text a link will have, from its inputs --------===//
//
// A laid-out link is planned from what lld will place, and that can be
// read from the inputs' section and symbol tables, which is far cheaper
// than linking: the link then runs once. This file repeats the part of
// lld's work that decides which code is in the link:
//
//   - every object on the command line is loaded;
//   - an archive member (or an object between --start-lib and --end-lib)
//     is loaded when it defines a symbol that is undefined at that point,
//     at once, depth first, as lld's symbol resolution extracts it; a
//     weak reference loads nothing; --whole-archive loads every member;
//     -u and --entry load what they name after all inputs are read;
//   - of COMDAT groups with one signature, the first loaded is kept;
//   - .text and .text.* sections of loaded files go to .text, file by
//     file in load order, each file's in section order.
//
// What lld decides beyond that, this does not: which sections
// --gc-sections drops and what --icf folds (LinkInputs tells the caller,
// which plans whole functions then, where a listed section that is not
// in the link costs nothing, or links twice). Shared objects' definitions
// are not read: an archive member that defines a symbol a shared object
// listed before it already defines would be taken for loaded.
//
// The plan lists sections by name, so a section that is listed but not
// in the link would shift every later one off the page the plan gave it.
// Only certain sections are therefore listed: objects', and those of the
// loaded archive members that define a function the profile names (they
// ran, so the link has them). The other members' code is left to lld,
// which places it after everything listed; whether there is any says
// whether the code after .text starts where the listed code ends.
//
//===----------------------------------------------------------------------===//

#include "InputText.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;
using namespace llvm::object;

namespace pagelayout {
namespace {

using ELFT = ELF64LE;
using Elf_Shdr = ELFT::Shdr;
using Elf_Sym = ELFT::Sym;
using Elf_Word = ELFT::Word;

bool isTextSectionName(StringRef Name) {
  return Name == ".text" || Name.starts_with(".text.");
}

/// An object that may be loaded: a file, an archive member or a
/// --start-lib object.
struct Unit {
  MemoryBufferRef Buffer;
  std::string Origin;
  bool Loaded = false;
  /// A member of an archive (not a command-line object).
  bool Member = false;
};

/// One symbol's state during resolution, as far as loading goes.
struct SymbolState {
  enum Kind : uint8_t { Undefined, WeakUndefined, Defined, Lazy } K;
  unsigned LazyUnit = 0;
};

class TextReader {
public:
  TextReader(const LinkInputs &In, const StringSet<> &Profiled)
      : In(In), Profiled(Profiled) {}
  Expected<InputText> run();

private:
  Error addFile(const LinkInputFile &F);
  Error addArchive(MemoryBufferRef Buf, const LinkInputFile &F);
  Error load(unsigned U);
  Error readSymbolsLazily(unsigned U);
  Error refer(StringRef Name, bool Weak);

  const LinkInputs &In;
  const StringSet<> &Profiled;
  std::vector<std::unique_ptr<MemoryBuffer>> Buffers;
  std::vector<std::unique_ptr<Archive>> Archives;
  std::vector<Unit> Units;
  StringMap<SymbolState> Symbols;
  StringSet<> Comdats;
  /// Loaded, not listed: code lld places after every listed section.
  bool Unlisted = false;
  uint64_t InitBytes = 0;
  InputText R;
  uint64_t Cursor = 0;
};

Error damaged(StringRef Origin, Error E) {
  return makeLocatedError(Origin, {},
                          "cannot read its ELF tables: " +
                              toString(std::move(E)));
}

// A strong reference loads the lazy member that defines the name.
Error TextReader::refer(StringRef Name, bool Weak) {
  auto [It, New] = Symbols.try_emplace(
      Name, SymbolState{Weak ? SymbolState::WeakUndefined
                             : SymbolState::Undefined});
  if (New)
    return Error::success();
  SymbolState &S = It->second;
  if (S.K == SymbolState::WeakUndefined && !Weak)
    S.K = SymbolState::Undefined;
  if (S.K == SymbolState::Lazy && !Weak) {
    unsigned U = S.LazyUnit;
    S.K = SymbolState::Defined;
    return load(U);
  }
  return Error::success();
}

Error TextReader::load(unsigned U) {
  if (Units[U].Loaded)
    return Error::success();
  Units[U].Loaded = true;
  StringRef Origin = Units[U].Origin;
  Expected<ELFFile<ELFT>> File =
      ELFFile<ELFT>::create(Units[U].Buffer.getBuffer());
  if (!File)
    return damaged(Origin, File.takeError());
  Expected<ArrayRef<Elf_Shdr>> Sections = File->sections();
  if (!Sections)
    return damaged(Origin, Sections.takeError());
  Expected<StringRef> SectionNames = File->getSectionStringTable(*Sections);
  if (!SectionNames)
    return damaged(Origin, SectionNames.takeError());
  const Elf_Shdr *SymTab = nullptr;
  for (const Elf_Shdr &S : *Sections)
    if (S.sh_type == ELF::SHT_SYMTAB)
      SymTab = &S;
  ArrayRef<Elf_Sym> Syms;
  StringRef Strings;
  if (SymTab) {
    Expected<ArrayRef<Elf_Sym>> S = File->symbols(SymTab);
    if (!S)
      return damaged(Origin, S.takeError());
    Syms = *S;
    Expected<StringRef> Str = File->getStringTableForSymtab(*SymTab, *Sections);
    if (!Str)
      return damaged(Origin, Str.takeError());
    Strings = *Str;
  }
  // COMDAT groups whose signature a loaded file had first: their sections
  // are not in the link.
  std::vector<bool> Discarded(Sections->size());
  for (const Elf_Shdr &S : *Sections) {
    if (S.sh_type != ELF::SHT_GROUP)
      continue;
    Expected<ArrayRef<Elf_Word>> Words =
        File->template getSectionContentsAsArray<Elf_Word>(S);
    if (!Words)
      return damaged(Origin, Words.takeError());
    if (Words->empty() || !((*Words)[0] & ELF::GRP_COMDAT))
      continue;
    if (S.sh_info >= Syms.size())
      return makeLocatedError(Origin, {},
                              "a section group's signature symbol is out of "
                              "range; the file is damaged");
    Expected<StringRef> Signature = Syms[S.sh_info].getName(Strings);
    if (!Signature)
      return damaged(Origin, Signature.takeError());
    if (Comdats.insert(*Signature).second)
      continue;
    for (Elf_Word Member : Words->drop_front())
      if (Member < Discarded.size())
        Discarded[Member] = true;
  }
  bool Listed = !Units[U].Member;
  // Section index -> its atom in R.Map.Atoms.
  DenseMap<unsigned, unsigned> AtomOf;
  size_t FirstAtom = R.Map.Atoms.size();
  for (unsigned I = 0; I < Sections->size(); ++I) {
    const Elf_Shdr &S = (*Sections)[I];
    if (Discarded[I] || S.sh_type != ELF::SHT_PROGBITS ||
        (S.sh_flags & (ELF::SHF_ALLOC | ELF::SHF_EXECINSTR)) !=
            (ELF::SHF_ALLOC | ELF::SHF_EXECINSTR))
      continue;
    Expected<StringRef> Name = File->getSectionName(S, *SectionNames);
    if (!Name)
      return damaged(Origin, Name.takeError());
    if (*Name == ".init" || *Name == ".fini")
      InitBytes += S.sh_size;
    if (!isTextSectionName(*Name) || S.sh_size == 0)
      continue;
    if (S.sh_offset > Units[U].Buffer.getBufferSize() ||
        S.sh_size > Units[U].Buffer.getBufferSize() - S.sh_offset)
      return makeLocatedError(Origin, {},
                              "section " + *Name +
                                  " lies outside the file; the file is "
                                  "damaged");
    Atom A;
    A.Size = S.sh_size;
    A.Alignment = std::max<uint64_t>(1, S.sh_addralign);
    if (!isPowerOf2_64(A.Alignment) || A.Alignment > (uint64_t(1) << 30))
      return makeLocatedError(Origin, {},
                              "section " + *Name + " claims an alignment of " +
                                  Twine(A.Alignment) +
                                  " bytes; the file is damaged");
    A.Origin = (Origin + ":(" + *Name + ")").str();
    AtomOf[I] = R.Map.Atoms.size();
    R.Map.Atoms.push_back(std::move(A));
  }
  // The symbols: names of the atoms, then what they define and need.
  std::vector<std::pair<StringRef, bool>> Refs;
  for (size_t I = 1; I < Syms.size(); ++I) {
    const Elf_Sym &Sym = Syms[I];
    uint8_t Type = Sym.getType(), Binding = Sym.getBinding();
    if (Type == ELF::STT_SECTION || Type == ELF::STT_FILE)
      continue;
    Expected<StringRef> Name = Sym.getName(Strings);
    if (!Name)
      return damaged(Origin, Name.takeError());
    if (Name->empty())
      continue;
    uint16_t Index = Sym.st_shndx;
    if (Index == ELF::SHN_UNDEF) {
      if (Binding != ELF::STB_LOCAL)
        Refs.push_back({*Name, Binding == ELF::STB_WEAK});
      continue;
    }
    if (Binding != ELF::STB_LOCAL &&
        (Index >= Discarded.size() || !Discarded[Index])) {
      SymbolState &S = Symbols[*Name];
      S.K = SymbolState::Defined;
    }
    auto It = AtomOf.find(Index);
    if (It == AtomOf.end())
      continue;
    Atom &A = R.Map.Atoms[It->second];
    if (Sym.st_value > A.Size || Sym.st_size > A.Size - Sym.st_value)
      return makeLocatedError(Origin, {},
                              "symbol " + *Name + " runs past its section " +
                                  A.Origin + "; the file is damaged");
    A.Symbols.push_back({Name->str(), Sym.st_value, Sym.st_size});
    if (!Listed) {
      StringRef Stem = Name->split('.').first;
      Listed = Profiled.contains(*Name) || Profiled.contains(Stem);
    }
  }
  // The atoms in section order, at lld's default offsets; a member that
  // defines no profiled function is left to lld, after all listed code.
  if (!Listed) {
    Unlisted |= R.Map.Atoms.size() > FirstAtom;
    R.Map.Atoms.resize(FirstAtom);
  }
  for (size_t I = FirstAtom; I < R.Map.Atoms.size(); ++I) {
    Atom &A = R.Map.Atoms[I];
    llvm::stable_sort(A.Symbols, [](const AtomSymbol &X, const AtomSymbol &Y) {
      return X.Offset < Y.Offset;
    });
    Cursor = alignTo(Cursor, A.Alignment);
    A.OriginalOffset = Cursor;
    Cursor += A.Size;
    if (any_of(A.Symbols, [&](const AtomSymbol &S) {
          return S.Offset != A.Symbols.front().Offset;
        }))
      R.Map.MultiFunctionSections.push_back(unsigned(I));
  }
  for (auto [Name, Weak] : Refs)
    if (Error E = refer(Name, Weak))
      return E;
  return Error::success();
}

// A --start-lib object without an index: its global definitions are lazy.
Error TextReader::readSymbolsLazily(unsigned U) {
  Expected<ELFFile<ELFT>> File =
      ELFFile<ELFT>::create(Units[U].Buffer.getBuffer());
  if (!File)
    return damaged(Units[U].Origin, File.takeError());
  Expected<ArrayRef<Elf_Shdr>> Sections = File->sections();
  if (!Sections)
    return damaged(Units[U].Origin, Sections.takeError());
  for (const Elf_Shdr &S : *Sections) {
    if (S.sh_type != ELF::SHT_SYMTAB)
      continue;
    Expected<ArrayRef<Elf_Sym>> Syms = File->symbols(&S);
    Expected<StringRef> Str = File->getStringTableForSymtab(S, *Sections);
    if (!Syms || !Str) {
      consumeError(Str.takeError());
      return damaged(Units[U].Origin, Syms ? Error::success()
                                           : Syms.takeError());
    }
    for (const Elf_Sym &Sym : Syms->drop_front()) {
      if (Sym.getBinding() == ELF::STB_LOCAL || Sym.st_shndx == ELF::SHN_UNDEF)
        continue;
      Expected<StringRef> Name = Sym.getName(*Str);
      if (!Name)
        return damaged(Units[U].Origin, Name.takeError());
      auto [It, New] =
          Symbols.try_emplace(*Name, SymbolState{SymbolState::Lazy, U});
      if (New)
        continue;
      SymbolState &St = It->second;
      if (St.K == SymbolState::Undefined) {
        if (Error E = load(U))
          return E;
        return Error::success();
      }
      if (St.K == SymbolState::WeakUndefined)
        St = {SymbolState::Lazy, U};
    }
  }
  return Error::success();
}

Error TextReader::addArchive(MemoryBufferRef Buf, const LinkInputFile &F) {
  Expected<std::unique_ptr<Archive>> Ar = Archive::create(Buf);
  if (!Ar)
    return makeLocatedError(F.Path, {},
                            "malformed archive: " + toString(Ar.takeError()));
  Archive &A = **Ar;
  Archives.push_back(std::move(*Ar));
  DenseMap<uint64_t, unsigned> UnitAt; // member offset -> unit
  Error Err = Error::success();
  std::vector<unsigned> Members;
  for (const Archive::Child &C : A.children(Err)) {
    Expected<MemoryBufferRef> M = C.getMemoryBufferRef();
    Expected<StringRef> Name = C.getName();
    if (!M || !Name) {
      consumeError(Name.takeError());
      return makeLocatedError(F.Path, {},
                              "cannot read an archive member: " +
                                  toString(M ? Name.takeError()
                                             : M.takeError()));
    }
    file_magic Magic = identify_magic(M->getBuffer());
    if (Magic == file_magic::bitcode && R.NotFromInputs.empty())
      R.NotFromInputs =
          F.Path + " holds LLVM bitcode, whose code LTO generates in the link";
    if (Magic != file_magic::elf_relocatable)
      continue; // other members hold no code
    UnitAt[C.getChildOffset()] = Units.size();
    Members.push_back(Units.size());
    Units.push_back({*M, F.Path + "(" + Name->str() + ")", false, true});
  }
  if (Err)
    return makeLocatedError(F.Path, {},
                            "malformed archive: " + toString(std::move(Err)));
  if (F.WholeArchive) {
    for (unsigned U : Members)
      if (Error E = load(U))
        return E;
    return Error::success();
  }
  if (!A.hasSymbolTable()) {
    for (unsigned U : Members)
      if (Error E = readSymbolsLazily(U))
        return E;
    return Error::success();
  }
  for (const Archive::Symbol &Sym : A.symbols()) {
    Expected<Archive::Child> C = Sym.getMember();
    if (!C)
      return makeLocatedError(F.Path, {},
                              "bad archive symbol table: " +
                                  toString(C.takeError()));
    auto Member = UnitAt.find(C->getChildOffset());
    if (Member == UnitAt.end())
      continue;
    auto [It, New] = Symbols.try_emplace(
        Sym.getName(), SymbolState{SymbolState::Lazy, Member->second});
    if (New)
      continue;
    SymbolState &S = It->second;
    if (S.K == SymbolState::Undefined) {
      S.K = SymbolState::Defined;
      if (Error E = load(Member->second))
        return E;
    } else if (S.K == SymbolState::WeakUndefined) {
      S = {SymbolState::Lazy, Member->second};
    }
  }
  return Error::success();
}

Error TextReader::addFile(const LinkInputFile &F) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf = MemoryBuffer::getFile(
      F.Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!Buf)
    return makeLocatedError(F.Path, {},
                            "cannot open: " + Buf.getError().message());
  MemoryBufferRef Ref = (*Buf)->getMemBufferRef();
  Buffers.push_back(std::move(*Buf));
  switch (identify_magic(Ref.getBuffer())) {
  case file_magic::archive:
    return addArchive(Ref, F);
  case file_magic::elf_relocatable: {
    unsigned U = Units.size();
    Units.push_back({Ref, F.Path, false, F.Lazy});
    return F.Lazy ? readSymbolsLazily(U) : load(U);
  }
  default:
    return Error::success(); // shared objects: no code in this link
  }
}

Expected<InputText> TextReader::run() {
  for (const LinkInputFile &F : In.Files)
    if (Error E = addFile(F))
      return std::move(E);
  for (const std::string &Name : In.Undefined)
    if (Error E = refer(Name, /*Weak=*/false))
      return std::move(E);
  R.Map.TextAddress = 0;
  R.Map.TextSize = Cursor;
  R.Closed = !Unlisted;
  // lld puts .init, .fini and the PLT right after .text: the page where
  // the listed code ends is touched by every run.
  if (R.Closed)
    R.Map.RunsAnyway.push_back(
        {alignTo(Cursor, 4), alignTo(Cursor, 4) + std::max<uint64_t>(InitBytes, 1)});
  return std::move(R);
}

} // namespace

Expected<InputText> readInputText(const LinkInputs &In,
                                  const StringSet<> &Profiled) {
  return TextReader(In, Profiled).run();
}

} // namespace pagelayout

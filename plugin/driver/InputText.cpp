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
//     -u makes its symbol undefined before any input, --entry after all;
//   - a shared object's undefined symbols load members too;
//   - of COMDAT groups with one signature, the first loaded is kept, and
//     SHF_EXCLUDE sections are dropped;
//   - a global name belongs to its winning definition (the first strong
//     one, else the first weak one);
//   - .text and .text.* sections of loaded files go to .text, file by
//     file in load order, each file's in section order.
//
// What lld decides beyond that, this does not: which sections
// --gc-sections drops and what --icf folds (LinkInputs tells the caller,
// which plans whole functions then, where a listed section that is not
// in the link costs nothing, or links twice). Shared objects' definitions
// are not read: an archive member that defines a symbol a shared object
// listed before it already defines would be taken for loaded. Such a
// mistake is not silent: the laid-out link checks where its listed code
// ends (LayoutLink.cpp, checkPlacement).
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
#include "llvm/ADT/CachedHashString.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Parallel.h"
#include <deque>
#include <optional>

using namespace llvm;
using namespace llvm::object;

namespace pagelayout {
namespace {

using ELFT = ELF64LE;
using Elf_Shdr = ELFT::Shdr;
using Elf_Sym = ELFT::Sym;
using Elf_Word = ELFT::Word;

/// From how many bytes of objects their tables are read in parallel.
constexpr uint64_t ParallelReadBytes = 64 << 20;

bool isTextSectionName(StringRef Name) {
  return Name == ".text" || Name.starts_with(".text.");
}

/// What one object holds, as far as the link's code goes.
struct ObjectTables {
  /// .text sections in section order, with the symbols they define.
  std::vector<Atom> Atoms;
  std::vector<unsigned> AtomSection; ///< each atom's section index
  std::vector<StringRef> AtomName;   ///< each atom's section name
  unsigned Sections = 0;
  /// COMDAT groups: the signature and the member sections.
  struct Group {
    StringRef Signature;
    std::vector<unsigned> Sections;
  };
  std::vector<Group> Comdats;
  /// Global definitions and references (name, weak), hashed here, where
  /// objects are read in parallel. A definition in an atom says which.
  struct Definition {
    CachedHashStringRef Name;
    unsigned Section;
    bool Weak;
    int Atom; ///< index in Atoms, or -1
  };
  std::vector<Definition> Defined;
  std::vector<std::pair<CachedHashStringRef, bool>> Refs;
  uint64_t InitBytes = 0;
  /// The object names libraries to link (.deplibs): lld adds them.
  bool DependentLibraries = false;
};

/// An object that may be loaded: a file, an archive member or a
/// --start-lib object.
struct Unit {
  MemoryBufferRef Buffer;
  std::string Origin;
  bool Loaded = false;
  /// A member of an archive (not a command-line object).
  bool Member = false;
  /// Read ahead (command-line objects, in parallel).
  std::optional<Expected<ObjectTables>> Tables;
};

/// One symbol's state during resolution, as far as loading goes.
struct SymbolState {
  enum Kind : uint8_t { Undefined, WeakUndefined, Defined, Lazy, LazyMember } K;
  /// Lazy: the unit (a --start-lib object); LazyMember: the entry of
  /// LazyMembers (an archive's symbol table) that defines it.
  unsigned Which = 0;
  /// Defined: by a weak symbol (a strong one later wins), and in which
  /// atom of InputText::Atoms (-1: not in a .text section).
  bool Weak = false;
  int Atom = -1;
};

class TextReader {
public:
  TextReader(const LinkInputs &In, bool Threads) : In(In), Threads(Threads) {}
  /// Tables read ahead and not loaded (reading stopped at an error) are
  /// dropped, their errors with them.
  ~TextReader() {
    for (auto &Entry : ReadAhead)
      if (Entry.second && !*Entry.second)
        consumeError(Entry.second->takeError());
    for (Unit &U : Units)
      if (U.Tables && !*U.Tables)
        consumeError(U.Tables->takeError());
  }
  Expected<InputText> run();

private:
  Error addFile(const LinkInputFile &F);
  Error addArchive(const LinkInputFile &F);
  Error load(unsigned U);
  /// Loads the archive member that lazy symbol \p L names.
  Error loadMember(unsigned L);
  Error readSymbolsLazily(unsigned U);
  Error refer(CachedHashStringRef Name, bool Weak);
  SymbolState &symbol(CachedHashStringRef Name, SymbolState Initial,
                      bool &New) {
    auto [It, Inserted] = Symbols.try_emplace(Name, Initial);
    New = Inserted;
    return It->getSecond();
  }

  const LinkInputs &In;
  bool Threads;
  DenseMap<const LinkInputFile *, std::optional<Expected<ObjectTables>>>
      ReadAhead;
  std::vector<std::unique_ptr<Archive>> Archives;
  /// A deque: loading a member adds units while another is being read.
  std::deque<Unit> Units;
  /// Lazy symbols of archives: the archive symbol table entry, whose
  /// member is read only when it is loaded.
  std::vector<std::pair<const Archive *, Archive::Symbol>> LazyMembers;
  /// (archive, member offset) -> unit, for members read already.
  DenseMap<std::pair<const Archive *, uint64_t>, unsigned> MemberUnit;
  /// Names point into the inputs' buffers, which outlive the reading.
  DenseMap<CachedHashStringRef, SymbolState> Symbols;
  /// Every global definition in an atom: (atom, name).
  std::vector<std::pair<unsigned, CachedHashStringRef>> GlobalsInAtoms;
  Error addSharedObject(const LinkInputFile &F);
  void dropLosingNames();
  StringSet<> Comdats;
  InputText R;
  /// Loaded archive members (and --start-lib objects), numbered from 1.
  unsigned Members = 0;
};

Error damaged(StringRef Origin, Error E) {
  return makeLocatedError(Origin, {},
                          "cannot read its ELF tables: " +
                              toString(std::move(E)));
}

// A strong reference loads the lazy member that defines the name.
Error TextReader::refer(CachedHashStringRef Name, bool Weak) {
  bool New;
  SymbolState &S = symbol(
      Name,
      SymbolState{Weak ? SymbolState::WeakUndefined : SymbolState::Undefined},
      New);
  if (New || Weak)
    return Error::success();
  if (S.K == SymbolState::WeakUndefined)
    S.K = SymbolState::Undefined;
  // The member's own definition then takes the name (and says whether it
  // is weak, and where).
  if (S.K == SymbolState::Lazy || S.K == SymbolState::LazyMember) {
    SymbolState Was = S;
    return Was.K == SymbolState::Lazy ? load(Was.Which) : loadMember(Was.Which);
  }
  return Error::success();
}

Error TextReader::loadMember(unsigned L) {
  auto [Ar, Sym] = LazyMembers[L];
  Expected<Archive::Child> C = Sym.getMember();
  if (!C)
    return makeLocatedError(Ar->getFileName(), {},
                            "bad archive symbol table: " +
                                toString(C.takeError()));
  // A member read before: its unit, or NoCode.
  constexpr unsigned NoCode = ~0u;
  auto [It, New] = MemberUnit.try_emplace({Ar, C->getChildOffset()}, NoCode);
  if (!New)
    return It->second == NoCode ? Error::success() : load(It->second);
  Expected<MemoryBufferRef> M = C->getMemoryBufferRef();
  Expected<StringRef> Name = C->getName();
  if (!M || !Name) {
    consumeError(Name.takeError());
    return makeLocatedError(Ar->getFileName(), {},
                            "cannot read an archive member: " +
                                toString(M ? Name.takeError() : M.takeError()));
  }
  file_magic Magic = identify_magic(M->getBuffer());
  if (Magic == file_magic::bitcode && R.NotFromInputs.empty())
    R.NotFromInputs = (Ar->getFileName() +
                       " holds LLVM bitcode, whose code LTO generates in the "
                       "link")
                          .str();
  if (Magic != file_magic::elf_relocatable)
    return Error::success(); // no code
  unsigned U = Units.size();
  It->second = U;
  Units.push_back({*M, (Ar->getFileName() + "(" + *Name + ")").str(), false,
                   true, std::nullopt});
  return load(U);
}

// What one object holds, read on its own (so objects can be read in
// parallel); resolution then applies it in load order.
Expected<ObjectTables> readObjectTables(MemoryBufferRef Buffer,
                                        StringRef Origin) {
  ObjectTables T;
  Expected<ELFFile<ELFT>> File = ELFFile<ELFT>::create(Buffer.getBuffer());
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
  T.Sections = Sections->size();
  // Section indices of symbols past SHN_LORESERVE (SHN_XINDEX).
  ArrayRef<Elf_Word> ShndxTable;
  for (const Elf_Shdr &S : *Sections)
    if (S.sh_type == ELF::SHT_SYMTAB_SHNDX && SymTab &&
        S.sh_link == unsigned(SymTab - Sections->data())) {
      Expected<ArrayRef<Elf_Word>> Table = File->getSHNDXTable(S, *Sections);
      if (!Table)
        return damaged(Origin, Table.takeError());
      ShndxTable = *Table;
    }
  for (const Elf_Shdr &S : *Sections) {
    if (S.sh_type == ELF::SHT_LLVM_DEPENDENT_LIBRARIES)
      T.DependentLibraries = true;
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
    ObjectTables::Group G{*Signature, {}};
    for (Elf_Word Member : Words->drop_front())
      if (Member < T.Sections)
        G.Sections.push_back(Member);
    T.Comdats.push_back(std::move(G));
  }
  // Section index -> its atom in T.Atoms.
  DenseMap<unsigned, unsigned> AtomOf;
  T.Atoms.reserve(Sections->size() / 2);
  T.Refs.reserve(Syms.size() / 2);
  T.Defined.reserve(Syms.size() / 2);
  for (unsigned I = 0; I < Sections->size(); ++I) {
    const Elf_Shdr &S = (*Sections)[I];
    // SHF_EXCLUDE: lld drops the section outside -r.
    if (S.sh_type != ELF::SHT_PROGBITS ||
        (S.sh_flags & (ELF::SHF_ALLOC | ELF::SHF_EXECINSTR)) !=
            (ELF::SHF_ALLOC | ELF::SHF_EXECINSTR) ||
        (S.sh_flags & ELF::SHF_EXCLUDE))
      continue;
    Expected<StringRef> Name = File->getSectionName(S, *SectionNames);
    if (!Name)
      return damaged(Origin, Name.takeError());
    if (*Name == ".init" || *Name == ".fini")
      T.InitBytes += S.sh_size;
    if (!isTextSectionName(*Name) || S.sh_size == 0)
      continue;
    if (S.sh_offset > Buffer.getBufferSize() ||
        S.sh_size > Buffer.getBufferSize() - S.sh_offset)
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
    AtomOf[I] = T.Atoms.size();
    T.Atoms.push_back(std::move(A));
    T.AtomSection.push_back(I);
    T.AtomName.push_back(*Name);
  }
  // The symbols: names of the atoms, and what the object defines and needs.
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
    if (Sym.st_shndx == ELF::SHN_UNDEF) {
      if (Binding != ELF::STB_LOCAL)
        T.Refs.push_back(
            {CachedHashStringRef(*Name), Binding == ELF::STB_WEAK});
      continue;
    }
    // The section: SHN_XINDEX's in the extended table; ABS, COMMON and
    // the other reserved indices are none.
    unsigned Index = ~0u;
    if (Sym.st_shndx == ELF::SHN_XINDEX) {
      if (I < ShndxTable.size())
        Index = ShndxTable[I];
    } else if (Sym.st_shndx < ELF::SHN_LORESERVE) {
      Index = Sym.st_shndx;
    }
    // (Only indices of real sections are looked up: ~0u is the map's own
    // empty key.)
    int InAtom = -1;
    if (Index < T.Sections)
      if (auto It = AtomOf.find(Index); It != AtomOf.end())
        InAtom = int(It->second);
    // foo@@VER defines foo (its default version); foo@VER only itself.
    StringRef Defines = *Name;
    // ('@' is rare: a byte search first, the pair only where it is.)
    if (size_t At = Defines.find('@'); At != StringRef::npos)
      Defines = Defines.take_front(Defines.find("@@", At));
    if (Binding != ELF::STB_LOCAL)
      T.Defined.push_back({CachedHashStringRef(Defines), Index,
                           Binding == ELF::STB_WEAK, InAtom});
    if (InAtom < 0)
      continue;
    // A symbol past its section's end names the section all the same (lld
    // accepts it): its offset and size are clamped.
    Atom &A = T.Atoms[InAtom];
    uint64_t Offset = std::min<uint64_t>(Sym.st_value, A.Size);
    uint64_t Size = std::min<uint64_t>(Sym.st_size, A.Size - Offset);
    A.Symbols.push_back({Name->str(), Offset, Size});
  }
  // A section is named by its first symbol; by its file and section name
  // (Origin) only where a message may need that: a section of several
  // functions, or of none (formatting every one costs a link of thousands
  // of functions a millisecond).
  for (size_t I = 0; I < T.Atoms.size(); ++I) {
    Atom &A = T.Atoms[I];
    llvm::stable_sort(A.Symbols, [](const AtomSymbol &X, const AtomSymbol &Y) {
      return X.Offset < Y.Offset;
    });
    if (A.Symbols.empty() || A.Symbols.back().Offset != A.Symbols.front().Offset)
      A.Origin = (Origin + ":(" + T.AtomName[I] + ")").str();
  }
  return std::move(T);
}

Error TextReader::load(unsigned U) {
  if (Units[U].Loaded)
    return Error::success();
  Units[U].Loaded = true;
  Expected<ObjectTables> Read =
      Units[U].Tables ? std::move(*Units[U].Tables)
                      : readObjectTables(Units[U].Buffer, Units[U].Origin);
  Units[U].Tables.reset();
  if (!Read)
    return Read.takeError();
  ObjectTables &T = *Read;
  // COMDAT groups whose signature a loaded file had first: their sections
  // are not in the link.
  std::vector<bool> Discarded(T.Sections);
  for (const ObjectTables::Group &G : T.Comdats)
    if (!Comdats.insert(G.Signature).second)
      for (unsigned S : G.Sections)
        Discarded[S] = true;
  unsigned Member = Units[U].Member ? ++Members : 0;
  R.InitBytes += T.InitBytes;
  if (T.DependentLibraries && R.NotFromInputs.empty())
    R.NotFromInputs = Units[U].Origin +
                      " names libraries to link (.deplibs), which lld adds";
  std::vector<int> AtomAt(T.Atoms.size(), -1);
  for (size_t I = 0; I < T.Atoms.size(); ++I) {
    if (Discarded[T.AtomSection[I]])
      continue;
    AtomAt[I] = int(R.Atoms.size());
    R.Atoms.push_back(std::move(T.Atoms[I]));
    R.MemberOf.push_back(Member);
  }
  // A global name belongs to the definition that wins: the first strong
  // one, else the first weak one. The names of the rest are dropped at the
  // end (lld orders only the winner's section by it).
  for (const ObjectTables::Definition &D : T.Defined) {
    if (D.Section < Discarded.size() && Discarded[D.Section])
      continue;
    int InAtom = D.Atom >= 0 ? AtomAt[D.Atom] : -1;
    if (InAtom >= 0)
      GlobalsInAtoms.push_back({unsigned(InAtom), D.Name});
    bool New;
    SymbolState &S =
        symbol(D.Name, SymbolState{SymbolState::Defined, 0, D.Weak, InAtom}, New);
    if (New)
      continue;
    if (S.K != SymbolState::Defined || (S.Weak && !D.Weak))
      S = SymbolState{SymbolState::Defined, 0, D.Weak, InAtom};
  }
  for (auto [Name, Weak] : T.Refs)
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
      bool New;
      SymbolState &St = symbol(CachedHashStringRef(*Name),
                               SymbolState{SymbolState::Lazy, U}, New);
      if (New)
        continue;
      if (St.K == SymbolState::Undefined) {
        if (Error E = load(U))
          return E;
        return Error::success();
      }
      if (St.K == SymbolState::WeakUndefined)
        St = SymbolState{SymbolState::Lazy, U};
    }
  }
  return Error::success();
}

/// Whether every member offset an archive's symbol table gives is a
/// member's: a damaged index would have libObject read past the archive.
/// Formats other than GNU's count as unsound (their members' own tables
/// are read instead).
bool indexIsSound(const Archive &A) {
  unsigned Width;
  switch (A.kind()) {
  case Archive::K_GNU:
    Width = 4;
    break;
  case Archive::K_GNU64:
    Width = 8;
    break;
  default:
    return false;
  }
  DenseSet<uint64_t> Members;
  Error Err = Error::success();
  for (const Archive::Child &C : A.children(Err))
    Members.insert(C.getChildOffset());
  if (Err) {
    consumeError(std::move(Err));
    return false;
  }
  StringRef T = A.getSymbolTable();
  auto Read = [&](size_t At) -> uint64_t {
    return Width == 4 ? support::endian::read32be(T.data() + At)
                      : support::endian::read64be(T.data() + At);
  };
  if (T.size() < Width)
    return false;
  uint64_t N = Read(0);
  if (N > (T.size() - Width) / Width)
    return false;
  for (uint64_t I = 0; I < N; ++I)
    if (!Members.contains(Read(Width + I * Width)))
      return false;
  return true;
}

Error TextReader::addArchive(const LinkInputFile &F) {
  Expected<std::unique_ptr<Archive>> Ar = Archive::create(F.Buffer);
  if (!Ar)
    return makeLocatedError(F.Path, {},
                            "malformed archive: " + toString(Ar.takeError()));
  Archive &A = **Ar;
  Archives.push_back(std::move(*Ar));
  // Every member, read now: --whole-archive, or no sound symbol table to
  // say which member defines what (lld reads the members' own tables).
  if (F.WholeArchive || !A.hasSymbolTable() || !indexIsSound(A)) {
    Error Err = Error::success();
    std::vector<unsigned> Members;
    for (const Archive::Child &C : A.children(Err)) {
      Expected<MemoryBufferRef> M = C.getMemoryBufferRef();
      Expected<StringRef> Name = C.getName();
      if (!M || !Name) {
        consumeError(Name.takeError());
        consumeError(std::move(Err));
        return makeLocatedError(F.Path, {},
                                "cannot read an archive member: " +
                                    toString(M ? Name.takeError()
                                               : M.takeError()));
      }
      file_magic Magic = identify_magic(M->getBuffer());
      if (Magic == file_magic::bitcode && R.NotFromInputs.empty())
        R.NotFromInputs = F.Path + " holds LLVM bitcode, whose code LTO "
                                   "generates in the link";
      if (Magic != file_magic::elf_relocatable)
        continue;
      MemberUnit[{&A, C.getChildOffset()}] = Units.size();
      Members.push_back(Units.size());
      Units.push_back(
        {*M, F.Path + "(" + Name->str() + ")", false, true, std::nullopt});
    }
    if (Err)
      return makeLocatedError(F.Path, {},
                              "malformed archive: " + toString(std::move(Err)));
    for (unsigned U : Members)
      if (Error E = F.WholeArchive ? load(U) : readSymbolsLazily(U))
        return E;
    return Error::success();
  }
  for (const Archive::Symbol &Sym : A.symbols()) {
    bool New;
    SymbolState &S = symbol(
        CachedHashStringRef(Sym.getName()),
        SymbolState{SymbolState::LazyMember, unsigned(LazyMembers.size())},
        New);
    if (New) {
      LazyMembers.push_back({&A, Sym});
      continue;
    }
    if (S.K == SymbolState::Undefined) {
      LazyMembers.push_back({&A, Sym});
      if (Error E = loadMember(unsigned(LazyMembers.size() - 1)))
        return E;
    } else if (S.K == SymbolState::WeakUndefined) {
      S = SymbolState{SymbolState::LazyMember, unsigned(LazyMembers.size())};
      LazyMembers.push_back({&A, Sym});
    }
  }
  return Error::success();
}

Error TextReader::addFile(const LinkInputFile &F) {
  switch (F.Magic) {
  case file_magic::archive:
    return addArchive(F);
  case file_magic::elf_relocatable: {
    unsigned U = Units.size();
    Units.push_back({F.Buffer, F.Path, false, F.Lazy, std::nullopt});
    if (auto It = ReadAhead.find(&F); It != ReadAhead.end()) {
      Units[U].Tables = std::move(It->second);
      ReadAhead.erase(It);
    }
    return F.Lazy ? readSymbolsLazily(U) : load(U);
  }
  case file_magic::bitcode:
    if (R.NotFromInputs.empty())
      R.NotFromInputs =
          F.Path + " is LLVM bitcode, whose code LTO generates in the link";
    return Error::success();
  case file_magic::elf_shared_object:
    return addSharedObject(F);
  default:
    return Error::success();
  }
}

// A shared object has no code in this link, but what it needs loads
// archive members, as lld resolves its undefined symbols too.
Error TextReader::addSharedObject(const LinkInputFile &F) {
  Expected<ELFFile<ELFT>> File = ELFFile<ELFT>::create(F.Buffer.getBuffer());
  if (!File) {
    consumeError(File.takeError());
    return Error::success(); // lld reports it
  }
  Expected<ArrayRef<Elf_Shdr>> Sections = File->sections();
  if (!Sections) {
    consumeError(Sections.takeError());
    return Error::success();
  }
  for (const Elf_Shdr &S : *Sections) {
    if (S.sh_type != ELF::SHT_DYNSYM)
      continue;
    Expected<ArrayRef<Elf_Sym>> Syms = File->symbols(&S);
    Expected<StringRef> Str = File->getStringTableForSymtab(S, *Sections);
    if (!Syms || !Str) {
      consumeError(Syms.takeError());
      consumeError(Str.takeError());
      return Error::success();
    }
    for (const Elf_Sym &Sym : Syms->drop_front()) {
      if (Sym.st_shndx != ELF::SHN_UNDEF ||
          Sym.getBinding() != ELF::STB_GLOBAL)
        continue;
      Expected<StringRef> Name = Sym.getName(*Str);
      if (!Name) {
        consumeError(Name.takeError());
        continue;
      }
      // Only a name an archive may define lazily matters.
      auto It = Symbols.find(CachedHashStringRef(*Name));
      if (It != Symbols.end() && (It->second.K == SymbolState::Lazy ||
                                  It->second.K == SymbolState::LazyMember))
        if (Error E = refer(CachedHashStringRef(*Name), /*Weak=*/false))
          return E;
    }
  }
  return Error::success();
}

void TextReader::dropLosingNames() {
  for (auto [AtomIndex, Name] : GlobalsInAtoms) {
    auto It = Symbols.find(Name);
    if (It == Symbols.end() || It->second.Atom == int(AtomIndex))
      continue;
    std::vector<AtomSymbol> &Syms = R.Atoms[AtomIndex].Symbols;
    llvm::erase_if(Syms, [&](const AtomSymbol &S) {
      StringRef N = S.Name;
      return N == Name.val() ||
             (N.starts_with(Name.val()) && N.substr(Name.size()).starts_with("@@"));
    });
  }
}

Expected<InputText> TextReader::run() {
  // Every object on the command line is loaded: their tables are read
  // first, on every thread allowed where there are enough of them to
  // gain by it (vim's 138 objects, 8.7 MB, were read 2 ms faster on one
  // thread of two: the threads' first touches of fresh memory and of the
  // files' pages contend); resolution then runs in order.
  std::vector<std::pair<const LinkInputFile *, std::optional<Expected<ObjectTables>>>> Ahead;
  uint64_t AheadBytes = 0;
  for (const LinkInputFile &F : In.Files)
    if (F.Magic == file_magic::elf_relocatable && !F.Lazy) {
      Ahead.push_back({&F, std::nullopt});
      AheadBytes += F.Buffer.getBufferSize();
    }
  auto ReadOne = [&](size_t I) {
    Ahead[I].second.emplace(
        readObjectTables(Ahead[I].first->Buffer, Ahead[I].first->Path));
  };
  if (Threads && AheadBytes >= ParallelReadBytes)
    parallelFor(0, Ahead.size(), ReadOne);
  else
    for (size_t I = 0; I < Ahead.size(); ++I)
      ReadOne(I);
  size_t Atoms = 0, Names = 0;
  for (auto &[F, Tables] : Ahead)
    if (*Tables) {
      Atoms += (*Tables)->Atoms.size();
      Names += (*Tables)->Defined.size() + (*Tables)->Refs.size();
    }
  R.Atoms.reserve(Atoms);
  R.MemberOf.reserve(Atoms);
  Symbols.reserve(Names);
  for (auto &[F, Tables] : Ahead)
    ReadAhead[F] = std::move(Tables);
  // lld makes -u's symbols undefined before it reads an input, and looks
  // for the entry symbol after all of them.
  for (const std::string &Name : In.Undefined)
    if (Error E = refer(CachedHashStringRef(Name), /*Weak=*/false))
      return std::move(E);
  for (const LinkInputFile &F : In.Files)
    if (Error E = addFile(F))
      return std::move(E);
  // The entry: the last --entry (or ENTRY), else lld's default, _start.
  std::string Entry = In.Entry.empty() ? "_start" : In.Entry.back();
  if (Error E = refer(CachedHashStringRef(Entry), /*Weak=*/false))
    return std::move(E);
  dropLosingNames();
  return std::move(R);
}

} // namespace

Expected<InputText> readInputText(const LinkInputs &In, bool Threads) {
  return TextReader(In, Threads).run();
}

CertainText certainText(InputText &&T, const StringSet<> &Profiled) {
  // Members that define a profiled function, by its name or the name up
  // to the first '.' (foo.cold, foo.llvm.123).
  std::vector<bool> Listed;
  for (size_t I = 0; I < T.Atoms.size(); ++I) {
    unsigned M = T.MemberOf[I];
    if (!M)
      continue;
    if (Listed.size() <= M)
      Listed.resize(M + 1);
    if (Listed[M])
      continue;
    Listed[M] = any_of(T.Atoms[I].Symbols, [&](const AtomSymbol &S) {
      StringRef Name = S.Name;
      return Profiled.contains(Name) || Profiled.contains(Name.split('.').first);
    });
  }
  CertainText R;
  R.Map.Atoms.reserve(T.Atoms.size());
  uint64_t Cursor = 0;
  bool Unlisted = false;
  for (size_t I = 0; I < T.Atoms.size(); ++I) {
    unsigned M = T.MemberOf[I];
    if (M && !Listed[M]) {
      Unlisted = true;
      const std::vector<AtomSymbol> &Syms = T.Atoms[I].Symbols;
      for (size_t K = 0; K < Syms.size(); ++K)
        if (none_of(ArrayRef(Syms).take_front(K), [&](const AtomSymbol &S) {
              return S.Name == Syms[K].Name;
            }))
          R.Map.UnlistedNames.push_back(Syms[K].Name);
      continue;
    }
    // At lld's default offset: sections in load order.
    Atom &A = T.Atoms[I];
    Cursor = alignTo(Cursor, A.Alignment);
    A.OriginalOffset = Cursor;
    Cursor += A.Size;
    if (any_of(A.Symbols, [&](const AtomSymbol &S) {
          return S.Offset != A.Symbols.front().Offset;
        }))
      R.Map.MultiFunctionSections.push_back(unsigned(R.Map.Atoms.size()));
    R.Map.Atoms.push_back(std::move(A));
  }
  R.Map.TextAddress = 0;
  R.Map.TextSize = Cursor;
  R.Closed = !Unlisted;
  // lld puts .init, .fini and the PLT right after .text: the page where
  // the listed code ends is touched by every run.
  if (R.Closed)
    R.Map.RunsAnyway.push_back(
        {alignTo(Cursor, 4),
         alignTo(Cursor, 4) + std::max<uint64_t>(T.InitBytes, 1)});
  return R;
}

} // namespace pagelayout

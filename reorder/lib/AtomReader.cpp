//===- AtomReader.cpp - Read atoms from ELF files -------------------------===//
//
// Sizes and alignments come straight from LLVM's Object library. For
// relocatable objects the atom is the section, because that is what a
// linker can move; its names are the function symbols defined in it. For a
// linked binary the atom is the function symbol (st_value, st_size): a
// post-link rewriter moves functions, not sections.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/AtomReader.h"
#include "FunctionsByAddress.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include <map>

using namespace llvm;
using namespace llvm::object;

namespace pagelayout {
namespace {

bool isTextSectionName(StringRef Name) {
  return Name == ".text" || Name.starts_with(".text.");
}

class AtomReader {
public:
  explicit AtomReader(const WarningHandler &Warn) : Warn(Warn) {}
  Error readPath(StringRef Path);
  AtomSet take() { return std::move(Result); }

private:
  Error readBuffer(MemoryBufferRef Buf, StringRef Origin);
  Error readArchive(Archive &Ar, StringRef Origin);
  Error readRelocatable(const ELFObjectFileBase &Obj, StringRef Origin);
  Error readLinked(const ELFObjectFileBase &Obj, StringRef Origin);
  void noteKind(AtomSourceKind K) {
    Result.Kind = Result.Kind == AtomSourceKind::None || Result.Kind == K
                      ? K
                      : AtomSourceKind::Mixed;
  }
  /// The functions of a binary read into the code model. The first binary
  /// keeps its real addresses, so page numbers in plans and reports are
  /// the pages the program really uses; later ones follow it.
  void appendFunctions(LinkedBinary &B, StringRef Origin) {
    uint64_t Start = Cursor;
    uint64_t Base = Start == 0 ? 0 : B.Functions.front().OriginalOffset;
    for (Atom &A : B.Functions) {
      A.OriginalOffset = Start + (A.OriginalOffset - Base);
      A.Origin = (Origin + ":" + A.Symbols.front().Name).str();
      append(std::move(A));
    }
  }
  void append(Atom A) {
    Cursor = alignTo(Cursor, A.Alignment);
    if (Result.Kind != AtomSourceKind::Linked)
      A.OriginalOffset = Cursor;
    Cursor = A.OriginalOffset + A.Size;
    Result.Atoms.push_back(std::move(A));
  }

  const WarningHandler &Warn;
  AtomSet Result;
  uint64_t Cursor = 0;
  StringSet<> ComdatSeen;
  std::vector<std::unique_ptr<MemoryBuffer>> Buffers;
  std::vector<std::unique_ptr<Binary>> Binaries;
};

Error AtomReader::readPath(StringRef Path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
      MemoryBuffer::getFile(Path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!Buf)
    return makeLocatedError(Path, {},
                            "cannot open: " + Buf.getError().message());
  MemoryBufferRef Ref = (*Buf)->getMemBufferRef();
  Buffers.push_back(std::move(*Buf));
  return readBuffer(Ref, Path);
}

Error AtomReader::readBuffer(MemoryBufferRef Buf, StringRef Origin) {
  // An SMF module: its functions as `reorder` reads them.
  if (isSmfModule(Buf.getBuffer())) {
    noteKind(AtomSourceKind::Linked);
    Expected<LinkedBinary> B =
        readSmfBinary(MemoryBuffer::getMemBuffer(Buf, false));
    if (!B)
      return B.takeError();
    appendFunctions(*B, Origin);
    return Error::success();
  }
  if (identify_magic(Buf.getBuffer()) == file_magic::bitcode)
    return makeLocatedError(Origin, {},
                            "LLVM bitcode (LTO) input has no machine code to "
                            "lay out; plan on objects compiled without -flto, "
                            "or link with ld.pagelayout");
  Expected<std::unique_ptr<Binary>> Bin = createBinary(Buf);
  if (!Bin) {
    std::string Msg = toString(Bin.takeError());
    return makeLocatedError(
        Origin, {}, "not an ELF object, archive or binary (" + Msg + ")");
  }
  Binary *B = Bin->get();
  Binaries.push_back(std::move(*Bin));
  if (auto *Ar = dyn_cast<Archive>(B))
    return readArchive(*Ar, Origin);
  auto *Obj = dyn_cast<ELFObjectFileBase>(B);
  if (!Obj)
    return makeLocatedError(Origin, {},
                            "not an ELF file; pagelayout reads ELF objects, "
                            "archives and binaries");
  if (Obj->getEType() == ELF::ET_REL)
    return readRelocatable(*Obj, Origin);
  if (Obj->getEType() == ELF::ET_EXEC || Obj->getEType() == ELF::ET_DYN)
    return readLinked(*Obj, Origin);
  return makeLocatedError(Origin, {},
                          "unsupported ELF type " + Twine(Obj->getEType()) +
                              "; expected a relocatable object, executable "
                              "or shared object");
}

Error AtomReader::readArchive(Archive &Ar, StringRef Origin) {
  Error Err = Error::success();
  for (const Archive::Child &Child : Ar.children(Err)) {
    Expected<StringRef> Name = Child.getName();
    if (!Name)
      return makeLocatedError(
          Origin, {}, "bad archive member name: " + toString(Name.takeError()));
    Expected<MemoryBufferRef> Member = Child.getMemoryBufferRef();
    if (!Member)
      return makeLocatedError(Origin, {},
                              "cannot read member '" + *Name +
                                  "': " + toString(Member.takeError()));
    std::string MemberOrigin = (Origin + "(" + *Name + ")").str();
    if (Error E = readBuffer(*Member, MemberOrigin))
      return E;
  }
  if (Err)
    return makeLocatedError(Origin, {},
                            "malformed archive: " + toString(std::move(Err)));
  return Error::success();
}

/// A code section's bytes must be in the file and its alignment sane: a
/// damaged header would otherwise become an atom of terabytes.
Error checkTextSection(const SectionRef &Sec, StringRef Name,
                       StringRef Origin) {
  constexpr uint64_t MaxAlignment = uint64_t(1) << 30;
  if (Sec.getAlignment().value() > MaxAlignment)
    return makeLocatedError(Origin, {},
                            "section " + Name + " claims an alignment of " +
                                Twine(Sec.getAlignment().value()) +
                                " bytes; the file is damaged");
  if (Expected<StringRef> Contents = Sec.getContents(); !Contents)
    return makeLocatedError(Origin, {},
                            "section " + Name + " lies outside the file (" +
                                toString(Contents.takeError()) +
                                "); the file is damaged");
  return Error::success();
}

Error AtomReader::readRelocatable(const ELFObjectFileBase &Obj,
                                  StringRef Origin) {
  noteKind(AtomSourceKind::Relocatable);
  // Section index -> atom under construction, in section order.
  std::map<uint64_t, Atom> BySection;
  for (const SectionRef &Sec : Obj.sections()) {
    Expected<StringRef> Name = Sec.getName();
    if (!Name)
      return makeLocatedError(
          Origin, {}, "bad section name: " + toString(Name.takeError()));
    ELFSectionRef ESec(Sec);
    if (!Sec.isText() || !isTextSectionName(*Name) || Sec.getSize() == 0)
      continue;
    // COMDAT copies (inline functions, templates) are linked once.
    if ((ESec.getFlags() & ELF::SHF_GROUP) && !ComdatSeen.insert(*Name).second)
      continue;
    if (Error E = checkTextSection(Sec, *Name, Origin))
      return E;
    Atom A;
    A.Size = Sec.getSize();
    A.Alignment = std::max<uint64_t>(1, Sec.getAlignment().value());
    A.Origin = (Origin + ":" + *Name).str();
    BySection[Sec.getIndex()] = std::move(A);
  }
  for (const ELFSymbolRef &Sym : Obj.symbols()) {
    Expected<SymbolRef::Type> Type = Sym.getType();
    Expected<section_iterator> Sec = Sym.getSection();
    Expected<StringRef> Name = Sym.getName();
    Expected<uint64_t> Value = Sym.getValue();
    if (!Type || !Sec || !Name || !Value) {
      consumeError(Type.takeError());
      consumeError(Sec.takeError());
      consumeError(Name.takeError());
      consumeError(Value.takeError());
      return makeLocatedError(Origin, {}, "malformed symbol table");
    }
    if (*Type != SymbolRef::ST_Function || *Sec == Obj.section_end())
      continue;
    auto It = BySection.find((*Sec)->getIndex());
    if (It == BySection.end())
      continue;
    uint64_t SectionSize = It->second.Size;
    if (*Value > SectionSize || Sym.getSize() > SectionSize - *Value)
      return makeLocatedError(
          Origin, {},
          "function " + *Name + " (offset " + Twine(*Value) + ", size " +
              Twine(Sym.getSize()) + ") runs past its " + "section of " +
              Twine(SectionSize) + " bytes; the file is damaged");
    It->second.Symbols.push_back({Name->str(), *Value, Sym.getSize()});
  }
  for (auto &[Index, A] : BySection) {
    llvm::stable_sort(A.Symbols, [](const AtomSymbol &X, const AtomSymbol &Y) {
      return X.Offset < Y.Offset;
    });
    if (A.Symbols.size() > 1)
      ++Result.MultiFunctionSections;
    append(std::move(A));
  }
  return Error::success();
}

Error AtomReader::readLinked(const ELFObjectFileBase &Obj, StringRef Origin) {
  noteKind(AtomSourceKind::Linked);
  // The functions `reorder` would move, read by the rewriter's own reader,
  // so `plan` and `reorder` see the same ones. Only a binary that reader
  // does not take (32-bit or big-endian, or only .dynsym) is read below.
  if (Obj.isLittleEndian() && Obj.getBytesInAddress() == 8) {
    LinkedReadOptions Opts;
    Opts.ForRewrite = false;
    Expected<LinkedBinary> B = readLinkedBinary(
        MemoryBuffer::getMemBuffer(Obj.getMemoryBufferRef(), false), Opts);
    if (B) {
      appendFunctions(*B, Origin);
      return Error::success();
    }
    // Without .symtab the .dynsym fallback below still plans something.
    bool NoSymtab = false;
    Error E = handleErrors(B.takeError(), [&](std::unique_ptr<LocatedError> L)
                                              -> Error {
      NoSymtab = StringRef(L->Message).starts_with("no symbol table");
      if (NoSymtab)
        return Error::success();
      return makeLocatedError(Origin, L->Loc, L->Message);
    });
    if (E)
      return E;
  }
  std::vector<std::pair<uint64_t, uint64_t>> TextRanges;
  for (const SectionRef &Sec : Obj.sections()) {
    Expected<StringRef> Name = Sec.getName();
    if (!Name) {
      consumeError(Name.takeError());
      continue;
    }
    if (!Sec.isText() || !isTextSectionName(*Name))
      continue;
    if (Error E = checkTextSection(Sec, *Name, Origin))
      return E;
    TextRanges.push_back({Sec.getAddress(), Sec.getAddress() + Sec.getSize()});
  }
  if (TextRanges.empty())
    return makeLocatedError(Origin, {}, "no .text section");
  auto Symbols = Obj.symbols();
  bool FromDynsym = Symbols.begin() == Symbols.end();
  if (FromDynsym)
    Warn("warning: " + Origin +
         ": no .symtab; using .dynsym, which names only exported functions "
         "(relink without -s/--strip-all for a full plan)");
  auto All = FromDynsym ? Obj.getDynamicSymbolIterators() : Symbols;
  FunctionsByAddress Functions;
  for (const ELFSymbolRef &Sym : All) {
    Expected<SymbolRef::Type> Type = Sym.getType();
    Expected<uint64_t> Addr = Sym.getAddress();
    Expected<StringRef> Name = Sym.getName();
    if (!Type || !Addr || !Name) {
      consumeError(Type.takeError());
      consumeError(Addr.takeError());
      consumeError(Name.takeError());
      return makeLocatedError(Origin, {}, "malformed symbol table");
    }
    if (*Type != SymbolRef::ST_Function || Sym.getSize() == 0)
      continue;
    // The whole function, not just its start: a damaged size must not
    // make an atom larger than the code it stands for.
    bool InText = any_of(TextRanges, [&](auto R) {
      return *Addr >= R.first && *Addr < R.second &&
             Sym.getSize() <= R.second - *Addr;
    });
    if (!InText)
      continue;
    Functions.add(*Addr, *Name, Sym.getSize());
  }
  if (Functions.empty())
    return makeLocatedError(Origin, {},
                            "no function symbols in .text; the binary is "
                            "stripped: plan on an unstripped copy");
  // The first binary keeps its real addresses, so page numbers in plans
  // and reports are the pages the program really uses.
  uint64_t Start = Cursor;
  uint64_t Base = Start == 0 ? 0 : Functions.lowestAddress();
  Functions.take([&](uint64_t Addr, Atom &&A) {
    A.OriginalOffset = Start + (Addr - Base);
    A.Origin = (Origin + ":" + A.Symbols.front().Name).str();
    append(std::move(A));
  });
  return Error::success();
}

} // namespace

Expected<AtomSet> readAtoms(ArrayRef<std::string> Paths,
                            const WarningHandler &Warn) {
  WarningHandler Sink = Warn ? Warn : [](const Twine &) {};
  AtomReader Reader(Sink);
  for (const std::string &Path : Paths)
    if (Error E = Reader.readPath(Path))
      return std::move(E);
  return Reader.take();
}

} // namespace pagelayout

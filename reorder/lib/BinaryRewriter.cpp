//===- BinaryRewriter.cpp - Move functions inside a linked binary ---------===//
//
// The rewrite applies a plan the engine made to fit .text (fitLayout(),
// RegionFit.cpp), in pipeline order:
//
//   move     - a new .text: every function at its planned address, the
//              rest the target's fill (int3 on x86-64).
//   patch    - every retained relocation: a field in moved code moves with
//              it; a PC-relative field is recomputed from where it now is
//              and where its target now is (the target read from the
//              instruction itself: operand + end of instruction); an
//              absolute field whose value points into moved code gets the
//              new address; .eh_frame pointers likewise. The retained
//              relocations themselves get their new offsets and addends.
//   dynamic  - RELATIVE/IRELATIVE addends, .got words, .symtab/.dynsym
//              values, e_entry, and the sorted .eh_frame_hdr table.
//   write    - through a temporary file, renamed; mode bits kept.
//
// Everything the rewrite changes is found through relocations the linker
// kept (--emit-relocs); what MoveSafety.cpp could not prove stays put.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/BinaryRewriter.h"
#include "CodeRewrite.h"
#include "AddressText.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/ToolOutputFile.h"
#include <algorithm>
#include <map>
#include <optional>

using namespace llvm;
using namespace llvm::object;

namespace pagelayout {
FormatRewriter::~FormatRewriter() = default;

namespace {

class ElfRewriter final : public FormatRewriter {
public:
  ElfRewriter(const LinkedBinary &B, const MoveSafety &S) : B(B), Safety(S) {}
  Error init();
  Error move(const std::vector<Atom> &Atoms, const LayoutPlan &Plan) override {
    return Code->move(Atoms, Plan);
  }
  Error patch() override;
  RewriteResult take() override;

private:
  Error fail(const Twine &Msg) { return makeLocatedError(B.Path, {}, Msg); }
  Expected<MutableArrayRef<uint8_t>> sectionBytes(const ELF64LE::Shdr &S);
  Error patchRelocations();
  bool refersToText(const ELF64LE::Shdr &Rela, const ELF64LE::Rela &R);
  Error patchDataField(const ELF64LE::Shdr &Target, const ELF64LE::Rela &R);
  Error patchDynamic();
  Error patchSymbols();
  Error rebuildEhFrameHdr();
  uint8_t *fileAt(const ELF64LE::Shdr &Sec, uint64_t Addr, uint64_t Size);
  uint8_t *addressAt(uint64_t Addr, uint64_t Size);

  const LinkedBinary &B;
  const MoveSafety &Safety;
  std::optional<ELF64LEFile> File;
  ArrayRef<ELF64LE::Shdr> Sections;
  std::string Out; // the output file image
  /// Per symbol table (section index): which symbols are defined in .text.
  std::map<unsigned, std::vector<bool>> SymbolInText;
  /// Fields already patched: (relocated section, offset).
  /// Data fields already patched, (relocated section, offset) -> type.
  DenseMap<std::pair<unsigned, uint64_t>, uint32_t> Patched;
  /// The format-neutral half: the code moved, its fields re-targeted.
  std::optional<CodeRewrite> Code;
  /// Old -> new addresses (valid once the code moved).
  const AddressMap &Map() const { return Code->map(); }
  RewriteResult Result;
};

// A damaged header must not send a write outside the image: every section
// the rewrite changes is reached through here.
Expected<MutableArrayRef<uint8_t>>
ElfRewriter::sectionBytes(const ELF64LE::Shdr &S) {
  if (S.sh_type == ELF::SHT_NOBITS)
    return MutableArrayRef<uint8_t>();
  if (S.sh_offset > Out.size() || S.sh_size > Out.size() - S.sh_offset)
    return fail("section " + Twine(&S - Sections.begin()) + " (offset " +
                hex(S.sh_offset) + ", size " + hex(S.sh_size) +
                ") lies outside the file; the input is damaged, nothing was "
                "written");
  return MutableArrayRef<uint8_t>(
      reinterpret_cast<uint8_t *>(Out.data()) + S.sh_offset, S.sh_size);
}

uint8_t *ElfRewriter::fileAt(const ELF64LE::Shdr &Sec, uint64_t Addr,
                          uint64_t Size) {
  if (Addr < Sec.sh_addr || Size > Sec.sh_size ||
      Addr - Sec.sh_addr > Sec.sh_size - Size ||
      Sec.sh_type == ELF::SHT_NOBITS || Sec.sh_offset > Out.size() ||
      Sec.sh_size > Out.size() - Sec.sh_offset)
    return nullptr;
  return reinterpret_cast<uint8_t *>(Out.data()) + Sec.sh_offset +
         (Addr - Sec.sh_addr);
}

uint8_t *ElfRewriter::addressAt(uint64_t Addr, uint64_t Size) {
  for (const ELF64LE::Shdr &S : Sections)
    if ((S.sh_flags & ELF::SHF_ALLOC) && Addr >= S.sh_addr &&
        Addr + Size <= S.sh_addr + S.sh_size)
      return fileAt(S, Addr, Size);
  return nullptr;
}

// A relocated field outside .text: data pointers, .eh_frame, jump tables
// (whose targets MoveSafety pinned), debug info.
Error ElfRewriter::patchDataField(const ELF64LE::Shdr &Target,
                               const ELF64LE::Rela &R) {
  uint32_t Type = R.getType(false);
  unsigned Size = B.Arch->fieldSize(Type);
  bool Alloc = Target.sh_flags & ELF::SHF_ALLOC;
  // The field's whole width lies in its section, or it is left alone.
  uint8_t *Field = nullptr;
  if (Alloc) {
    Field = fileAt(Target, R.r_offset, std::max(Size, 1u));
  } else {
    Expected<MutableArrayRef<uint8_t>> Bytes = sectionBytes(Target);
    if (!Bytes)
      return Bytes.takeError();
    if (R.r_offset <= Bytes->size() && Bytes->size() - R.r_offset >= Size)
      Field = Bytes->data() + R.r_offset;
  }
  if (!Field || Size == 0 || B.Arch->isPositionFree(Type))
    return Error::success();
  // Code outside the regions (.init, .fini, ...) is CodeRewrite's.
  if (Target.sh_flags & ELF::SHF_EXECINSTR)
    return Error::success();
  const class Target &T = *B.Arch;
  unsigned AbsSize = 0;
  bool Signed = false;
  if (T.isAbsolute(Type, AbsSize, Signed)) {
    if (AbsSize == 8) {
      support::endian::write64le(Field,
                                 Map()(support::endian::read64le(Field)));
      return Error::success();
    }
    uint64_t V = support::endian::read32le(Field);
    if (Signed)
      V = uint64_t(int64_t(int32_t(V)));
    support::endian::write32le(Field, uint32_t(Map()(V)));
    return Error::success();
  }
  if (unsigned PcSize = T.dataPcRelativeSize(Type); PcSize == 8) {
    if (!Alloc)
      return Error::success();
    // A plain pointer (an exception table's LPStart): what it reaches
    // moved exactly, or was pinned.
    int64_t V = int64_t(support::endian::read64le(Field));
    uint64_t Points = R.r_offset + uint64_t(V);
    if (Map().moves(Points))
      support::endian::write64le(Field, Map()(Points) - R.r_offset);
    return Error::success();
  }
  if (T.dataPcRelativeSize(Type) == 4) {
    if (!Alloc)
      return Error::success(); // not an address in the running program
    int32_t V = support::endian::read32le(Field);
    // A jump-table entry understood exactly: target - base, base fixed.
    auto Table = Safety.JumpTables.find(R.r_offset);
    if (Table != Safety.JumpTables.end()) {
      uint64_t Base = Table->second.Base;
      uint64_t Target = T.jumpTableTarget(Base, V);
      // An entry at its function's end moves with that function.
      uint64_t NewTarget =
          Table->second.AtOwnerEnd ? Map()(Target - 1) + 1 : Map()(Target);
      if (!T.writeJumpTableEntry(MutableArrayRef<uint8_t>(Field, Size), Base,
                                 NewTarget))
        return fail("a jump table entry at " + hex(R.r_offset) +
                    " no longer fits its field");
      return Error::success();
    }
    uint64_t Points = R.r_offset + int64_t(V);
    // .eh_frame holds plain PC-relative pointers; jump-table entries reach
    // functions MoveSafety pinned, so Map leaves them alone either way.
    int64_t NewV = int64_t(Map()(Points)) - int64_t(R.r_offset);
    if (Map().moves(Points) && NewV >= INT32_MIN && NewV <= INT32_MAX)
      support::endian::write32le(Field, uint32_t(int32_t(NewV)));
    return Error::success();
  }
  if (Alloc)
    return fail("relocation type " + Twine(Type) + " at " + hex(R.r_offset) +
                " is not understood; nothing was written");
  return Error::success();
}

bool ElfRewriter::refersToText(const ELF64LE::Shdr &Rela, const ELF64LE::Rela &R) {
  uint32_t Index = R.getSymbol(false);
  if (Index == 0 || Rela.sh_link >= Sections.size())
    return false;
  // One pass over each symbol table, then a lookup per relocation: debug
  // sections alone carry hundreds of thousands of relocations.
  std::vector<bool> &InText = SymbolInText[Rela.sh_link];
  if (InText.empty()) {
    const ELF64LE::Shdr &SymTab = Sections[Rela.sh_link];
    auto *Syms = reinterpret_cast<const ELF64LE::Sym *>(
        B.Buffer->getBufferStart() + SymTab.sh_offset);
    size_t Count = SymTab.sh_size / sizeof(ELF64LE::Sym);
    size_t FileSize = B.Buffer->getBufferSize();
    if (SymTab.sh_offset > FileSize ||
        SymTab.sh_size > FileSize - SymTab.sh_offset)
      Count = 0;
    InText.assign(Count + 1, false);
    for (size_t I = 0; I < Count; ++I)
      InText[I] = B.isRegionSection(Syms[I].st_shndx);
  }
  return Index < InText.size() && InText[Index];
}

Error ElfRewriter::patchRelocations() {
  // How many static relocation sections name each section: a field can be
  // named twice only within one of them when it is the only one.
  std::vector<unsigned> RelocatorsOf(Sections.size());
  for (const ELF64LE::Shdr &S : Sections)
    if (S.sh_type == ELF::SHT_RELA && !(S.sh_flags & ELF::SHF_ALLOC) &&
        S.sh_info != 0 && S.sh_info < Sections.size())
      ++RelocatorsOf[S.sh_info];
  for (const ELF64LE::Shdr &S : Sections) {
    // Retained (static) relocations; the allocated .rela.dyn and
    // .rela.plt are the dynamic loader's, handled in patchDynamic.
    if (S.sh_type != ELF::SHT_RELA ||
        (S.sh_flags & ELF::SHF_ALLOC) || S.sh_info == 0 ||
        S.sh_info >= Sections.size())
      continue;
    const ELF64LE::Shdr &Target = Sections[S.sh_info];
    Expected<ELF64LEFile::Elf_Rela_Range> Relas = File->relas(S);
    if (!Relas)
      return fail("malformed " + toString(Relas.takeError()));
    auto *Entries = reinterpret_cast<ELF64LE::Rela *>(Out.data() + S.sh_offset);
    // The only relocation section of its target, in offset order (as
    // linkers write them): a field named twice is named by neighbours, so
    // no table of the fields seen is needed. Debug sections alone carry
    // hundreds of thousands of relocations.
    bool Ordered = RelocatorsOf[S.sh_info] == 1 &&
                   std::is_sorted(Relas->begin(), Relas->end(),
                                  [](const ELF64LE::Rela &A,
                                     const ELF64LE::Rela &B) {
                                    return A.r_offset < B.r_offset;
                                  });
    std::optional<std::pair<uint64_t, uint32_t>> LastField;
    for (size_t I = 0; I < Relas->size(); ++I) {
      const ELF64LE::Rela &R = (*Relas)[I];
      // Fields in code were patched by CodeRewrite; the entries of the
      // regions' relocation sections follow their fields.
      if (B.isRegionSection(S.sh_info)) {
        uint64_t NewOffset = Map()(R.r_offset);
        // Keep the retained relocation true for the next rewrite: its
        // field moved, and a PC-relative expression S + A moves with it.
        int64_t Shift = int64_t(NewOffset) - int64_t(R.r_offset);
        Entries[I].r_offset = NewOffset;
        int64_t Addend;
        if (B.Arch->isPcRelative32(R.getType(false)) &&
            AddOverflow(int64_t(R.r_addend), Shift, Addend))
          return fail("the addend of the relocation at " + hex(R.r_offset) +
                      " overflows when its field moves; the input is "
                      "damaged, nothing was written");
        if (B.Arch->isPcRelative32(R.getType(false)))
          Entries[I].r_addend = Addend;
        continue;
      }
      // In loaded data a relocated field holds an address (S + A, or
      // S + A - P): where it reaches moved code it follows it, whatever
      // symbol the relocation names. In sections that are not loaded a
      // field is an address of code only when its symbol is defined in
      // .text: debug sections also hold offsets (into .debug_str, ...)
      // that can equal a code address by chance.
      // A data field is patched once, however many relocations name it: a
      // second application would translate the new value again. (One
      // that changes nothing, R_X86_64_NONE or a TLS offset, does not
      // count.)
      // Two relocations of different types naming one field say two
      // different things about it: the input is damaged.
      uint32_t Type = R.getType(false);
      bool First = true;
      if (B.Arch->fieldSize(Type) && !B.Arch->isPositionFree(Type)) {
        uint32_t SeenType = Type;
        if (Ordered) {
          First = !LastField || LastField->first != R.r_offset;
          if (First)
            LastField.emplace(R.r_offset, Type);
          SeenType = LastField->second;
        } else {
          auto [It, New] = Patched.try_emplace({S.sh_info, R.r_offset}, Type);
          First = New;
          SeenType = It->second;
        }
        if (!First && SeenType != Type)
          return fail("relocations of types " + Twine(SeenType) + " and " +
                      Twine(Type) + " name the same field at " +
                      hex(R.r_offset) +
                      "; the input is damaged, nothing was written");
      }
      if (!First ||
          (!(Target.sh_flags & ELF::SHF_ALLOC) && !refersToText(S, R)))
        continue;
      if (Error E = patchDataField(Target, R))
        return E;
    }
  }
  return Error::success();
}

Error ElfRewriter::patchDynamic() {
  for (const ELF64LE::Shdr &S : Sections) {
    Expected<StringRef> Name = File->getSectionName(S);
    if (!Name) {
      consumeError(Name.takeError());
      continue;
    }
    if (S.sh_type == ELF::SHT_RELA && (S.sh_flags & ELF::SHF_ALLOC)) {
      Expected<MutableArrayRef<uint8_t>> Bytes = sectionBytes(S);
      if (!Bytes)
        return Bytes.takeError();
      auto *Entries = reinterpret_cast<ELF64LE::Rela *>(Bytes->data());
      for (size_t I = 0; I < Bytes->size() / sizeof(ELF64LE::Rela); ++I) {
        uint32_t Type = Entries[I].getType(false);
        if (B.Arch->isRelativeDynamic(Type))
          Entries[I].r_addend = int64_t(Map()(uint64_t(Entries[I].r_addend)));
      }
    }
    // DT_INIT and DT_FINI name functions the loader calls.
    if (S.sh_type == ELF::SHT_DYNAMIC) {
      Expected<MutableArrayRef<uint8_t>> Bytes = sectionBytes(S);
      if (!Bytes)
        return Bytes.takeError();
      auto *Dyn = reinterpret_cast<ELF64LE::Dyn *>(Bytes->data());
      for (size_t I = 0; I < Bytes->size() / sizeof(ELF64LE::Dyn); ++I)
        if (Dyn[I].d_tag == ELF::DT_INIT || Dyn[I].d_tag == ELF::DT_FINI)
          Dyn[I].d_un.d_ptr = Map()(Dyn[I].d_un.d_ptr);
    }
    // Statically filled GOT slots hold addresses; only code moved.
    if (*Name == ".got" && S.sh_type == ELF::SHT_PROGBITS) {
      Expected<MutableArrayRef<uint8_t>> Bytes = sectionBytes(S);
      if (!Bytes)
        return Bytes.takeError();
      uint8_t *Words = Bytes->data();
      for (uint64_t Off = 0; Off + 8 <= Bytes->size(); Off += 8)
        support::endian::write64le(Words + Off,
                                   Map()(support::endian::read64le(Words + Off)));
    }
  }
  auto *Header = reinterpret_cast<ELF64LE::Ehdr *>(Out.data());
  Header->e_entry = Map()(Header->e_entry);
  return Error::success();
}

Error ElfRewriter::patchSymbols() {
  for (const ELF64LE::Shdr &S : Sections) {
    if (S.sh_type != ELF::SHT_SYMTAB && S.sh_type != ELF::SHT_DYNSYM)
      continue;
    Expected<MutableArrayRef<uint8_t>> Bytes = sectionBytes(S);
    if (!Bytes)
      return Bytes.takeError();
    auto *Syms = reinterpret_cast<ELF64LE::Sym *>(Bytes->data());
    for (size_t I = 0; I < Bytes->size() / sizeof(ELF64LE::Sym); ++I)
      if (Syms[I].getType() != ELF::STT_SECTION &&
          B.isRegionSection(Syms[I].st_shndx))
        Syms[I].st_value = Map()(Syms[I].st_value);
  }
  return Error::success();
}

// .eh_frame_hdr: version, three encodings, eh_frame_ptr, fde_count, then a
// table of (initial location, FDE address) sorted by initial location,
// both datarel sdata4 (relative to the header).
Error ElfRewriter::rebuildEhFrameHdr() {
  for (const ELF64LE::Shdr &S : Sections) {
    Expected<StringRef> Name = File->getSectionName(S);
    if (!Name || *Name != ".eh_frame_hdr") {
      if (!Name)
        consumeError(Name.takeError());
      continue;
    }
    Expected<MutableArrayRef<uint8_t>> Bytes = sectionBytes(S);
    if (!Bytes)
      return Bytes.takeError();
    uint8_t *H = Bytes->data();
    if (Bytes->size() < 12 || H[0] != 1 || H[2] != 0x03 || H[3] != 0x3B)
      return fail(".eh_frame_hdr has an encoding this rewriter does not "
                  "know (expected udata4 count, datarel sdata4 table)");
    uint32_t Count = support::endian::read32le(H + 8);
    if (12 + uint64_t(Count) * 8 > Bytes->size())
      return fail(".eh_frame_hdr table runs past its section");
    std::vector<std::pair<int32_t, int32_t>> Table(Count);
    for (uint32_t I = 0; I < Count; ++I) {
      int32_t Loc = support::endian::read32le(H + 12 + 8 * I);
      int32_t Fde = support::endian::read32le(H + 16 + 8 * I);
      // Unsigned arithmetic: a damaged sh_addr must not overflow.
      uint64_t Addr = S.sh_addr + uint64_t(int64_t(Loc));
      int64_t NewLoc = int64_t(Map()(Addr) - S.sh_addr);
      if (NewLoc < INT32_MIN || NewLoc > INT32_MAX)
        return fail(".eh_frame_hdr entry " + Twine(I) + " (for " + hex(Addr) +
                    ") no longer fits its 32-bit field; the section "
                    "header is damaged, nothing was written");
      Table[I] = {int32_t(NewLoc), Fde};
    }
    llvm::stable_sort(Table);
    for (uint32_t I = 0; I < Count; ++I) {
      support::endian::write32le(H + 12 + 8 * I, uint32_t(Table[I].first));
      support::endian::write32le(H + 16 + 8 * I, uint32_t(Table[I].second));
    }
  }
  return Error::success();
}

Error ElfRewriter::init() {
  Expected<ELF64LEFile> F = ELF64LEFile::create(B.Buffer->getBuffer());
  if (!F)
    return F.takeError();
  File.emplace(std::move(*F));
  Expected<ELF64LEFile::Elf_Shdr_Range> Secs = File->sections();
  if (!Secs)
    return Secs.takeError();
  Sections = *Secs;
  Out = B.Buffer->getBuffer().str();
  Code.emplace(B, Safety, Out);
  return Error::success();
}

Error ElfRewriter::patch() {
  if (Error E = Code->patchCode())
    return E;
  if (Error E = patchRelocations())
    return E;
  if (Error E = patchDynamic())
    return E;
  if (Error E = patchSymbols())
    return E;
  return rebuildEhFrameHdr();
}

RewriteResult ElfRewriter::take() {
  Result.Moved = Code->moved();
  Result.Image = std::move(Out);
  return std::move(Result);
}


} // namespace

Expected<std::unique_ptr<FormatRewriter>>
createElfRewriter(const LinkedBinary &B, const MoveSafety &Safety) {
  auto R = std::make_unique<ElfRewriter>(B, Safety);
  if (Error E = R->init())
    return std::move(E);
  return std::unique_ptr<FormatRewriter>(std::move(R));
}

Expected<BinaryRewrite> BinaryRewrite::create(const LinkedBinary &B,
                                              const MoveSafety &Safety) {
  if (!B.Arch)
    return makeLocatedError(B.Path, {}, "no instruction set to rewrite");
  Expected<std::unique_ptr<FormatRewriter>> R =
      B.Format == BinaryFormat::SMF ? createSmfRewriter(B, Safety)
                                    : createElfRewriter(B, Safety);
  if (!R)
    return R.takeError();
  return BinaryRewrite(std::move(*R));
}
BinaryRewrite::BinaryRewrite(std::unique_ptr<FormatRewriter> R)
    : Impl(std::move(R)) {}
BinaryRewrite::BinaryRewrite(BinaryRewrite &&) = default;
BinaryRewrite::~BinaryRewrite() = default;
Error BinaryRewrite::move(const std::vector<Atom> &Atoms,
                          const LayoutPlan &Plan) {
  return Impl->move(Atoms, Plan);
}
Error BinaryRewrite::patch() { return Impl->patch(); }
RewriteResult BinaryRewrite::take() { return Impl->take(); }

Expected<RewriteResult> rewriteBinary(const LinkedBinary &B,
                                      const MoveSafety &Safety,
                                      const std::vector<Atom> &Atoms,
                                      const LayoutPlan &Plan) {
  Expected<BinaryRewrite> R = BinaryRewrite::create(B, Safety);
  if (!R)
    return R.takeError();
  if (Error E = R->move(Atoms, Plan))
    return std::move(E);
  if (Error E = R->patch())
    return std::move(E);
  return R->take();
}

Error checkOutputIsNotInput(StringRef InputPath, StringRef Output) {
  bool Same = false;
  // Follows symbolic links and sees hard links: the same file either way.
  if (sys::fs::exists(Output) && !sys::fs::equivalent(InputPath, Output, Same) &&
      Same)
    return createStringError(
        "'" + Output + "' is the input binary" +
        (Output == InputPath ? "" : " (a link to it)") +
        "; pagelayout reorder never modifies its input: write to another "
        "file (-o) and rename it if you want to replace the input");
  return Error::success();
}

Error writeRewrittenBinary(const RewriteResult &R, StringRef InputPath,
                           StringRef Output) {
  return writeBinary(R.Image, InputPath, Output);
}

/// Writes Image into a temporary file next to Output, with the input's
/// mode bits; returns it unnamed (the caller keeps or discards it).
static Expected<sys::fs::TempFile> writeTemporary(StringRef Image,
                                                  StringRef InputPath,
                                                  StringRef Output) {
  if (Error E = checkOutputIsNotInput(InputPath, Output))
    return std::move(E);
  // The output runs like the input: the same permission bits (set-id and
  // sticky bits too), set on the temporary file before it is renamed, so
  // the output never exists without them.
  ErrorOr<sys::fs::perms> Mode = sys::fs::getPermissions(InputPath);
  if (!Mode)
    return createStringError(Mode.getError(), "cannot read the mode of '" +
                                                  InputPath + "': " +
                                                  Mode.getError().message());
  Expected<sys::fs::TempFile> Temp =
      sys::fs::TempFile::create(Output + ".tmp-%%%%%%");
  if (!Temp)
    return createStringError("cannot write '" + Output +
                             "': " + toString(Temp.takeError()));
  if (std::error_code EC = sys::fs::setPermissions(Temp->FD, *Mode)) {
    consumeError(Temp->discard());
    return createStringError(EC, "cannot set the mode of '" + Output +
                                     "': " + EC.message());
  }
  raw_fd_ostream OS(Temp->FD, /*shouldClose=*/false);
  OS << Image;
  OS.flush();
  if (OS.has_error()) {
    std::error_code EC = OS.error();
    OS.clear_error();
    consumeError(Temp->discard());
    return createStringError(EC, "cannot write '" + Output +
                                     "': " + EC.message());
  }
  return Temp;
}

Error writeBinary(StringRef Image, StringRef InputPath, StringRef Output) {
  StagedOutput Staged(Image, InputPath, Output);
  return Staged.keep();
}

StagedOutput::StagedOutput(StringRef Image, StringRef InputPath,
                           StringRef Output)
    : Output(Output.str()),
      Worker([this, Image, Input = InputPath.str()] {
        Expected<sys::fs::TempFile> T = writeTemporary(Image, Input, this->Output);
        if (T)
          Temp.emplace(std::move(*T));
        else
          Failure = toString(T.takeError());
      }) {}

StagedOutput::~StagedOutput() {
  if (Worker.joinable())
    Worker.join();
  if (Temp)
    consumeError(Temp->discard());
}

Error StagedOutput::keep() {
  if (Worker.joinable())
    Worker.join();
  if (!Temp)
    return createStringError(Failure);
  // An existing output is first renamed aside and removed once the new
  // one is in place, as lld does with its outputs: ext4 (auto_da_alloc)
  // writes a file renamed over another one out to disk on the spot, which
  // took longer than any step of the rewrite on a small binary (lua: 1.4
  // ms). Should the rename fail, the old output is put back.
  SmallString<128> Aside;
  sys::fs::file_status Old;
  if (!sys::fs::status(Output, Old, /*Follow=*/false) &&
      Old.type() == sys::fs::file_type::regular_file) {
    sys::fs::createUniquePath(Output + ".old-%%%%%%", Aside,
                              /*MakeAbsolute=*/false);
    if (sys::fs::rename(Output, Aside))
      Aside.clear();
  }
  Error E = Temp->keep(Output);
  Temp.reset();
  if (E) {
    if (!Aside.empty())
      (void)sys::fs::rename(Aside, Output);
    return createStringError("cannot write '" + Output +
                             "': " + toString(std::move(E)));
  }
  if (!Aside.empty())
    (void)sys::fs::remove(Aside);
  return Error::success();
}

} // namespace pagelayout

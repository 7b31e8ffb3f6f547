//===- SmfFormat.cpp - The SMF module format: reader, model, writer -------===//
//
// Reading is a chain of named checks, each on a structure the next one
// relies on: find the header (EOF-96, EOF-128, offset 0), check its
// version, architecture, compression and stub fields, then the section
// table, the symbol table and its names, the relocations, the entry point,
// and last that the structures writeModule re-encodes do not overlap. Every
// check runs before the bytes it guards are read and names the field and
// its file offset, so a damaged module gives one precise error, never a
// crash; counts are checked against the file size before anything is
// reserved.
//
// Where the reference loader and the prose specification disagree we
// follow the loader (docs/smf.md lists each case): names come from the
// bytes after the symbol table up to the end of the file, relocations
// patch the Code section, and SymTab/StrTab sections are descriptive only
// (a SymTab section must agree with the header when present).
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/SmfFormat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MathExtras.h"
#include <cstring>

using namespace llvm;
using namespace llvm::support::endian;

namespace pagelayout {
namespace smf {

// Field offsets inside each repr(C) structure.
namespace hdr {
constexpr uint64_t Magic = 0, VersionMajor = 4, VersionMinor = 5, Platform = 6,
                   Arch = 7, Flags = 8, Compression = 12, CompressionLevel = 13,
                   ReservedCompression = 14, SectionCount = 16,
                   SectionTableOffset = 24, SymbolTableOffset = 32,
                   SymbolCount = 40, ExportedCount = 44, EntryPoint = 48,
                   StubSize = 56, SmfDataOffset = 60, ModuleHash = 64,
                   SourceHash = 72, AppType = 80, WindowWidth = 82,
                   WindowHeight = 84, PrefetchHint = 86, PrefetchFileCount = 87,
                   Reserved = 88;
} // namespace hdr
namespace sec {
constexpr uint64_t Type = 0, Flags = 4, Offset = 8, Size = 16, VirtualSize = 24,
                   Alignment = 32, Name = 40;
} // namespace sec
namespace sym {
constexpr uint64_t NameOffset = 0, NameHash = 4, Type = 8, Binding = 9,
                   Visibility = 10, Flags = 11, Value = 16, Size = 24,
                   TypeId = 32, Version = 36, TemplateParamCount = 40,
                   TemplateReserved = 41, TemplateOffset = 48;
} // namespace sym
namespace rel {
constexpr uint64_t Offset = 0, SymbolIndex = 8, Type = 12, Addend = 16;
} // namespace rel

unsigned relocationWidth(uint8_t Type) {
  switch (Type) {
  case RelocAbs64:
    return 8;
  case RelocPc32:
  case RelocPlt32:
  case RelocGotPcRel:
    return 4;
  default:
    return 0;
  }
}

uint32_t fnv1a32(StringRef Name) {
  uint32_t Hash = 2166136261u;
  for (unsigned char C : Name) {
    Hash ^= C;
    Hash *= 16777619u;
  }
  return Hash;
}

StringRef Section::name() const {
  const char *End =
      static_cast<const char *>(std::memchr(RawName.data(), 0, RawName.size()));
  return StringRef(RawName.data(),
                   End ? size_t(End - RawName.data()) : RawName.size());
}

ArrayRef<uint8_t> Module::sectionBytes(unsigned I) const {
  if (I >= Sections.size())
    return {};
  const Section &S = Sections[I];
  uint64_t Start = DataOffset + S.Offset;
  if (Start < DataOffset || Start > Image.size() ||
      S.Size > Image.size() - Start)
    return {};
  return ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(Image.data()) + Start, S.Size);
}

uint64_t Module::symbolEntrySize() const {
  return H.VersionMinor >= 1 ? SymbolEntrySizeV11 : SymbolEntrySizeV10;
}

uint64_t Module::codeSize() const {
  return CodeSection >= 0 && unsigned(CodeSection) < Sections.size()
             ? Sections[CodeSection].Size
             : 0;
}

int Module::findSymbol(StringRef Name) const {
  for (size_t I = 0; I < Symbols.size(); ++I)
    if (Symbols[I].Name == Name)
      return int(I);
  return -1;
}

StringRef headerPlaceName(Module::HeaderPlace P) {
  switch (P) {
  case Module::Front:
    return "front (offset 0)";
  case Module::TrailerAt96:
    return "trailer at EOF-96";
  case Module::TrailerAt128:
    return "trailer at EOF-128";
  }
  llvm_unreachable("bad header place");
}

std::optional<HeaderSearch> findHeaderPlace(StringRef Data) {
  auto HasMagic = [&](uint64_t Off) {
    return Data.size() >= Off + 4 && Data.substr(Off, 4) == StringRef("SMF\0", 4);
  };
  uint64_t Size = Data.size();
  if (Size >= HeaderSize && HasMagic(Size - 96))
    // A header at offset 0 is the front header, even when the file is
    // exactly one header long.
    return HeaderSearch{Size - 96,
                        Size == 96 ? Module::Front : Module::TrailerAt96};
  if (Size >= 128 && HasMagic(Size - 128))
    return HeaderSearch{Size - 128,
                        Size == 128 ? Module::Front : Module::TrailerAt128};
  if (HasMagic(0))
    return HeaderSearch{0, Module::Front};
  return std::nullopt;
}

namespace {

std::string hex(uint64_t V) { return "0x" + utohexstr(V, /*LowerCase=*/true); }

StringRef archName(uint8_t A) {
  static const char *const Names[] = {"x86_64",  "aarch64", "x86",    "arm",
                                      "riscv64", "riscv32", "wasm32", "wasm64"};
  return A < std::size(Names) ? Names[A] : "unknown";
}

StringRef sectionTypeName(uint8_t T) {
  static const char *const Names[] = {
      "",        "Code",   "Data",         "RoData",      "Bss",
      "Reloc",   "SymTab", "StrTab",       "Debug",       "TypeInfo",
      "Version", "SrcMap", "TemplateCode", "TemplateMeta"};
  return T < std::size(Names) ? Names[T] : "";
}

/// A region of the file that writeModule re-encodes.
struct Region {
  std::string What;  ///< "the section table"
  uint64_t FieldOff; ///< where the field placing it is
  std::string Field; ///< "section_table_offset"
  uint64_t Start, Len;
};

class Reader {
public:
  Reader(MemoryBufferRef Buffer)
      : Path(Buffer.getBufferIdentifier().str()), Buf(Buffer.getBuffer()) {}

  Expected<Module> read();

private:
  std::string Path;
  StringRef Buf;
  Module M;
  std::vector<Region> Regions;
  uint64_t SecTable = 0; ///< file offset of the section table

  const uint8_t *at(uint64_t Off) const {
    return reinterpret_cast<const uint8_t *>(Buf.data()) + Off;
  }
  uint8_t u8(uint64_t Off) const { return *at(Off); }
  uint16_t u16(uint64_t Off) const { return read16le(at(Off)); }
  uint32_t u32(uint64_t Off) const { return read32le(at(Off)); }
  uint64_t u64(uint64_t Off) const { return read64le(at(Off)); }

  Error fail(uint64_t Off, const Twine &Field, const Twine &What,
             const Twine &Fix) const {
    return createStringError(inconvertibleErrorCode(),
                             Path + ": offset " + hex(Off) + ": " + Field +
                                 " " + What + "; " + Fix);
  }

  /// Checks that [DataOffset + Rel, + Len) lies in the file; returns the
  /// absolute start. FieldOff/Field name the field holding Rel.
  Expected<uint64_t> place(uint64_t FieldOff, const Twine &Field, uint64_t Rel,
                           uint64_t Len, const Twine &What) const {
    uint64_t Size = Buf.size();
    uint64_t Abs = M.DataOffset + Rel;
    if (Abs < Rel || Abs > Size || Len > Size - Abs) {
      std::string Where =
          M.DataOffset ? " (" + hex(M.DataOffset) + " + " + hex(Rel) + ")"
                       : std::string();
      return fail(FieldOff, Field,
                  hex(Rel) + " puts " + What + " (" + hex(Len) +
                      " bytes) at file offset " +
                      (Abs < Rel ? std::string("past 2^64") : hex(Abs)) +
                      Where + ", past the end of the file (" + hex(Size) +
                      " bytes)",
                  "the module is truncated or the field is damaged; "
                  "rebuild the module");
    }
    return Abs;
  }

  Error findHeader();
  Error readHeader();
  Error readSections();
  Error readSymbols();
  Error readRelocations();
  Error checkEntry();
  Error checkOverlaps();
};


Error Reader::findHeader() {
  uint64_t Size = Buf.size();
  if (Size < HeaderSize)
    return fail(0, "header", "needs 96 bytes but the file has " + hex(Size),
                "this is not an SMF module");
  if (std::optional<HeaderSearch> Found = findHeaderPlace(Buf)) {
    M.HeaderOffset = Found->Offset;
    M.Place = Found->Place;
    return Error::success();
  }
  return fail(0, "magic", "\"SMF\\0\" is not at EOF-96, EOF-128 or offset 0",
              "this is not an SMF module");
}

Error Reader::readHeader() {
  uint64_t B = M.HeaderOffset;
  Header &H = M.H;
  std::memcpy(H.Magic.data(), at(B + hdr::Magic), 4);
  H.VersionMajor = u8(B + hdr::VersionMajor);
  H.VersionMinor = u8(B + hdr::VersionMinor);
  H.Platform = u8(B + hdr::Platform);
  H.Arch = u8(B + hdr::Arch);
  H.Flags = u32(B + hdr::Flags);
  H.Compression = u8(B + hdr::Compression);
  H.CompressionLevel = u8(B + hdr::CompressionLevel);
  std::memcpy(H.ReservedCompression.data(), at(B + hdr::ReservedCompression),
              2);
  H.SectionCount = u32(B + hdr::SectionCount);
  H.SectionTableOffset = u64(B + hdr::SectionTableOffset);
  H.SymbolTableOffset = u64(B + hdr::SymbolTableOffset);
  H.SymbolCount = u32(B + hdr::SymbolCount);
  H.ExportedCount = u32(B + hdr::ExportedCount);
  H.EntryPoint = u64(B + hdr::EntryPoint);
  H.StubSize = u32(B + hdr::StubSize);
  H.SmfDataOffset = u32(B + hdr::SmfDataOffset);
  H.ModuleHash = u64(B + hdr::ModuleHash);
  H.SourceHash = u64(B + hdr::SourceHash);
  H.AppType = u8(B + hdr::AppType);
  H.WindowWidth = u16(B + hdr::WindowWidth);
  H.WindowHeight = u16(B + hdr::WindowHeight);
  H.PrefetchHint = u8(B + hdr::PrefetchHint);
  H.PrefetchFileCount = u8(B + hdr::PrefetchFileCount);
  std::memcpy(H.Reserved.data(), at(B + hdr::Reserved), 5);

  if (H.VersionMajor != 1 || H.VersionMinor > 1)
    return fail(B + hdr::VersionMajor, "version",
                Twine(unsigned(H.VersionMajor)) + "." +
                    Twine(unsigned(H.VersionMinor)) + " is not supported",
                "pagelayout reads SMF 1.0 and 1.1");
  if (H.Arch != ArchX86_64)
    return fail(B + hdr::Arch, "arch",
                Twine(unsigned(H.Arch)) + " (" + archName(H.Arch) +
                    ") is not supported",
                "pagelayout lays out x86_64 (arch 0) modules only");
  if (H.Compression != 0)
    return fail(B + hdr::Compression, "compression",
                Twine(unsigned(H.Compression)) +
                    ": compressed sections are not supported",
                "write the module uncompressed");

  if (H.Flags & FlagHasStub) {
    if (M.Place == Module::Front)
      return fail(B + hdr::Flags, "flags",
                  "sets HAS_STUB but the header is at offset 0, where the "
                  "stub would be",
                  "a module with a stub keeps its header as a v1.1 trailer");
    if (H.SmfDataOffset > M.HeaderOffset)
      return fail(B + hdr::SmfDataOffset, "smf_data_offset",
                  hex(H.SmfDataOffset) + " is past the header at " +
                      hex(M.HeaderOffset),
                  "set it to the size of the stub");
    if (H.StubSize > H.SmfDataOffset)
      return fail(B + hdr::StubSize, "stub_size",
                  hex(H.StubSize) + " is larger than smf_data_offset " +
                      hex(H.SmfDataOffset),
                  "the stub must end where the SMF data begins");
    M.DataOffset = H.SmfDataOffset;
  }
  Regions.push_back({"the header", B, "header", M.HeaderOffset, HeaderSize});
  return Error::success();
}

Error Reader::readSections() {
  const Header &H = M.H;
  uint64_t B = M.HeaderOffset;
  // At most 2^32 entries of 56 bytes: the product fits in 64 bits.
  uint64_t TableSize = uint64_t(H.SectionCount) * SectionEntrySize;
  Expected<uint64_t> Table = place(
      B + hdr::SectionTableOffset, "section_table_offset", H.SectionTableOffset,
      TableSize, "the section table of " + Twine(H.SectionCount) + " entries");
  if (!Table)
    return Table.takeError();
  SecTable = *Table;
  if (TableSize)
    Regions.push_back({"the section table", B + hdr::SectionTableOffset,
                       "section_table_offset", *Table, TableSize});
  M.Sections.reserve(H.SectionCount);
  for (uint32_t I = 0; I < H.SectionCount; ++I) {
    uint64_t E = *Table + uint64_t(I) * SectionEntrySize;
    std::string F = "section[" + std::to_string(I) + "].";
    Section S;
    S.Type = u8(E + sec::Type);
    S.Flags = u32(E + sec::Flags);
    S.Offset = u64(E + sec::Offset);
    S.Size = u64(E + sec::Size);
    S.VirtualSize = u64(E + sec::VirtualSize);
    S.Alignment = u64(E + sec::Alignment);
    std::memcpy(S.RawName.data(), at(E + sec::Name), 16);
    if (S.Type < SectionCode || S.Type > SectionTemplateMeta)
      return fail(E + sec::Type, F + "section_type",
                  Twine(unsigned(S.Type)) + " is unknown",
                  "expected 1 (Code) to 13 (TemplateMeta)");
    if (S.Flags & SectionFlagCompressed)
      return fail(E + sec::Flags, F + "flags",
                  "mark the " + sectionTypeName(S.Type) +
                      " section compressed: compressed sections are not "
                      "supported",
                  "write the module uncompressed");
    if (S.VirtualSize != 0 && S.Size > S.VirtualSize)
      return fail(E + sec::Size, F + "size",
                  hex(S.Size) + " is larger than virtual_size " +
                      hex(S.VirtualSize),
                  "virtual_size is the size in memory and must hold the "
                  "file bytes");
    if (S.Alignment != 0 && !isPowerOf2_64(S.Alignment))
      return fail(E + sec::Alignment, F + "alignment",
                  hex(S.Alignment) + " is not a power of two",
                  "use 1, 2, 4, 8, 16, ...");
    if (S.Size) {
      Expected<uint64_t> Data =
          place(E + sec::Offset, F + "offset", S.Offset, S.Size,
                "the " + sectionTypeName(S.Type) + " section");
      if (!Data)
        return Data.takeError();
    }
    auto Unique = [&](int &Index, StringRef What) -> Error {
      if (Index >= 0)
        return fail(E + sec::Type, F + "section_type",
                    "is a second " + What + " section (section[" +
                        Twine(Index) + "] is one)",
                    "pagelayout reads modules with at most one " + What +
                        " section; merge them");
      Index = int(I);
      return Error::success();
    };
    if (S.Type == SectionCode)
      if (Error Err = Unique(M.CodeSection, "Code"))
        return Err;
    if (S.Type == SectionReloc)
      if (Error Err = Unique(M.RelocSection, "Reloc"))
        return Err;
    if (S.Type == SectionSymTab)
      if (Error Err = Unique(M.SymTabSection, "SymTab"))
        return Err;
    M.Sections.push_back(S);
  }
  if (M.CodeSection >= 0) {
    const Section &C = M.Sections[M.CodeSection];
    uint64_t E = *Table + uint64_t(M.CodeSection) * SectionEntrySize;
    // An empty section's offset is never checked (it places nothing):
    // it must not be used to form a pointer either.
    if (C.Size)
      M.Code.assign(at(M.DataOffset + C.Offset),
                    at(M.DataOffset + C.Offset) + C.Size);
    if (C.Size)
      Regions.push_back(
          {"the Code section", E + sec::Offset,
           "section[" + std::to_string(M.CodeSection) + "].offset",
           M.DataOffset + C.Offset, C.Size});
  }
  return Error::success();
}

Error Reader::readSymbols() {
  const Header &H = M.H;
  uint64_t B = M.HeaderOffset;
  uint64_t EntrySize = M.symbolEntrySize();
  uint64_t TableSize = uint64_t(H.SymbolCount) * EntrySize;
  Expected<uint64_t> Table =
      place(B + hdr::SymbolTableOffset, "symbol_table_offset",
            H.SymbolTableOffset, TableSize,
            "the symbol table of " + Twine(H.SymbolCount) + " entries of " +
                Twine(EntrySize) + " bytes");
  if (!Table)
    return Table.takeError();
  M.SymbolTableFileOffset = *Table;
  M.StringTableFileOffset = *Table + TableSize;
  if (TableSize)
    Regions.push_back({"the symbol table", B + hdr::SymbolTableOffset,
                       "symbol_table_offset", *Table, TableSize});

  // The loader ignores SymTab sections; one that disagrees with the header
  // would mislead every other reader, so it must agree.
  if (M.SymTabSection >= 0) {
    const Section &S = M.Sections[M.SymTabSection];
    uint64_t E = SecTable + uint64_t(M.SymTabSection) * SectionEntrySize;
    std::string F = "section[" + std::to_string(M.SymTabSection) + "].";
    if (S.Offset != H.SymbolTableOffset)
      return fail(E + sec::Offset, F + "offset",
                  hex(S.Offset) +
                      " of the SymTab section differs from "
                      "symbol_table_offset " +
                      hex(H.SymbolTableOffset),
                  "the loader reads the header's table; make them agree");
    if (S.Size != TableSize)
      return fail(E + sec::Size, F + "size",
                  hex(S.Size) + " of the SymTab section is not symbol_count " +
                      Twine(H.SymbolCount) + " * " + Twine(EntrySize) + " = " +
                      hex(TableSize) + " for SMF 1." +
                      Twine(unsigned(H.VersionMinor)),
                  "make the section describe the header's symbol table");
  }

  StringRef Strings = Buf.drop_front(M.StringTableFileOffset);
  uint64_t CodeSize = M.codeSize();
  M.Symbols.reserve(H.SymbolCount);
  for (uint32_t I = 0; I < H.SymbolCount; ++I) {
    uint64_t E = *Table + uint64_t(I) * EntrySize;
    std::string F = "symbol[" + std::to_string(I) + "].";
    Symbol S;
    S.NameOffset = u32(E + sym::NameOffset);
    S.NameHash = u32(E + sym::NameHash);
    S.Type = u8(E + sym::Type);
    S.Binding = u8(E + sym::Binding);
    S.Visibility = u8(E + sym::Visibility);
    S.Flags = u8(E + sym::Flags);
    S.Value = u64(E + sym::Value);
    S.Size = u64(E + sym::Size);
    S.TypeId = u32(E + sym::TypeId);
    S.Version = u32(E + sym::Version);
    if (EntrySize == SymbolEntrySizeV11) {
      S.TemplateParamCount = u8(E + sym::TemplateParamCount);
      std::memcpy(S.TemplateReserved.data(), at(E + sym::TemplateReserved), 3);
      S.TemplateOffset = u64(E + sym::TemplateOffset);
    }
    if (S.NameOffset >= Strings.size())
      return fail(E + sym::NameOffset, F + "name_offset",
                  hex(S.NameOffset) + " is outside the string table (" +
                      hex(Strings.size()) + " bytes from file offset " +
                      hex(M.StringTableFileOffset) +
                      ", after the symbol table)",
                  "names are read from the bytes after the symbol table");
    StringRef Rest = Strings.drop_front(S.NameOffset);
    size_t Nul = Rest.find('\0');
    if (Nul == StringRef::npos)
      return fail(E + sym::NameOffset, F + "name_offset",
                  hex(S.NameOffset) + " starts a name with no NUL before "
                                      "the end of the file",
                  "terminate every name with a NUL byte");
    S.Name = Rest.take_front(Nul).str();
    // The loader finds symbols by name through name_hash: a wrong hash
    // makes the symbol unfindable, so it is an error, not a warning.
    uint32_t Want = fnv1a32(S.Name);
    if (S.NameHash != Want)
      return fail(E + sym::NameHash, F + "name_hash",
                  hex(S.NameHash) + " is not FNV-1a 32 of '" + S.Name + "' (" +
                      hex(Want) + ")",
                  "recompute it; the loader looks symbols up by this hash");
    if (S.Type > SymbolConstant)
      return fail(E + sym::Type, F + "sym_type",
                  Twine(unsigned(S.Type)) + " of '" + S.Name + "' is unknown",
                  "expected 0 (none) to 6 (constant)");
    if (S.Binding > BindingWeak)
      return fail(E + sym::Binding, F + "binding",
                  Twine(unsigned(S.Binding)) + " of '" + S.Name +
                      "' is unknown",
                  "expected 0 (local), 1 (global) or 2 (weak)");
    if (S.Type == SymbolFunction) {
      if (M.CodeSection < 0)
        return fail(E + sym::Type, F + "sym_type",
                    "makes '" + S.Name +
                        "' a function but the module has no Code section",
                    "add the Code section the function lives in");
      if (S.Value > CodeSize || S.Size > CodeSize - S.Value)
        return fail(E + sym::Value, F + "value",
                    hex(S.Value) + " + size " + hex(S.Size) + " of function '" +
                        S.Name + "' is outside the Code section (" +
                        hex(CodeSize) + " bytes)",
                    "a function's value is its offset in the Code section");
    }
    M.Symbols.push_back(std::move(S));
  }
  return Error::success();
}

Error Reader::readRelocations() {
  if (M.RelocSection < 0)
    return Error::success();
  const Section &RS = M.Sections[M.RelocSection];
  uint64_t E = SecTable + uint64_t(M.RelocSection) * SectionEntrySize;
  std::string F = "section[" + std::to_string(M.RelocSection) + "].";
  if (RS.Size % RelocationEntrySize != 0)
    return fail(E + sec::Size, F + "size",
                hex(RS.Size) + " of the Reloc section is not a multiple of "
                               "the 24-byte relocation entry",
                "the section holds whole relocation entries only");
  uint64_t Count = RS.Size / RelocationEntrySize;
  if (Count && M.CodeSection < 0)
    return fail(E + sec::Type, F + "section_type",
                "is a Reloc section with " + Twine(Count) +
                    " entries but the module has no Code section",
                "relocations patch the Code section; add it");
  uint64_t Start = M.DataOffset + RS.Offset; // checked by readSections
  if (Count)
    Regions.push_back(
        {"the Reloc section", E + sec::Offset, F + "offset", Start, RS.Size});
  uint64_t CodeSize = M.codeSize();
  M.Relocations.reserve(Count); // bounded by the file size
  for (uint64_t I = 0; I < Count; ++I) {
    uint64_t R = Start + I * RelocationEntrySize;
    std::string RF = "relocation[" + std::to_string(I) + "].";
    Relocation Rel;
    Rel.Offset = u64(R + rel::Offset);
    Rel.SymbolIndex = u32(R + rel::SymbolIndex);
    Rel.Type = u8(R + rel::Type);
    Rel.Addend = int64_t(u64(R + rel::Addend));
    if (Rel.Type > RelocGotPcRel)
      return fail(R + rel::Type, RF + "reloc_type",
                  Twine(unsigned(Rel.Type)) + " is unknown",
                  "expected 0 (none), 1 (Abs64), 2 (Pc32), 3 (Plt32) or 4 "
                  "(GotPcRel)");
    unsigned Width = relocationWidth(Rel.Type);
    if (Rel.Offset > CodeSize || Width > CodeSize - Rel.Offset)
      return fail(R + rel::Offset, RF + "offset",
                  hex(Rel.Offset) + " + " + Twine(Width) +
                      " patched bytes is outside the Code section (" +
                      hex(CodeSize) + " bytes)",
                  "a relocation's offset is into the Code section");
    if (Rel.SymbolIndex >= M.Symbols.size())
      return fail(R + rel::SymbolIndex, RF + "symbol_index",
                  Twine(Rel.SymbolIndex) + " is not below symbol_count " +
                      Twine(M.Symbols.size()),
                  "point the relocation at an entry of the symbol table");
    // The loader resolves a local target to code base + value: it must
    // point into the code it was mapped with.
    const Symbol &Target = M.Symbols[Rel.SymbolIndex];
    if (Rel.Type != RelocNone && Target.isLocal() && Target.Value > CodeSize)
      return fail(
          M.SymbolTableFileOffset +
              uint64_t(Rel.SymbolIndex) * M.symbolEntrySize() + sym::Value,
          "symbol[" + Twine(Rel.SymbolIndex) + "].value",
          hex(Target.Value) + " of local symbol '" + Target.Name +
              "' (target of relocation[" + Twine(I) +
              "]) is outside the Code section (" + hex(CodeSize) + " bytes)",
          "the loader resolves a local symbol to code base + value; "
          "keep relocation targets in the Code section");
    M.Relocations.push_back(Rel);
  }
  return Error::success();
}

Error Reader::checkEntry() {
  if (!(M.H.Flags & FlagExecutable))
    return Error::success();
  uint64_t CodeSize = M.codeSize();
  if (M.H.EntryPoint >= CodeSize)
    return fail(M.HeaderOffset + hdr::EntryPoint, "entry_point",
                hex(M.H.EntryPoint) +
                    " of an executable module is outside the Code section (" +
                    hex(CodeSize) + " bytes)",
                "set it to the entry function's offset in the Code section, "
                "or clear EXECUTABLE for a library");
  return Error::success();
}

Error Reader::checkOverlaps() {
  for (size_t I = 0; I < Regions.size(); ++I)
    for (size_t J = 0; J < I; ++J) {
      const Region &A = Regions[I], &B = Regions[J];
      if (A.Start < B.Start + B.Len && B.Start < A.Start + A.Len)
        return fail(A.FieldOff, A.Field,
                    "puts " + A.What + " at " + hex(A.Start) + ".." +
                        hex(A.Start + A.Len) + ", overlapping " + B.What +
                        " at " + hex(B.Start) + ".." + hex(B.Start + B.Len),
                    "every structure needs its own bytes; rebuild the module");
    }
  return Error::success();
}

Expected<Module> Reader::read() {
  M.Path = Path;
  if (Error Err = findHeader())
    return std::move(Err);
  if (Error Err = readHeader())
    return std::move(Err);
  if (Error Err = readSections())
    return std::move(Err);
  if (Error Err = readSymbols())
    return std::move(Err);
  if (Error Err = readRelocations())
    return std::move(Err);
  if (Error Err = checkEntry())
    return std::move(Err);
  if (Error Err = checkOverlaps())
    return std::move(Err);
  M.Image = Buf.str();
  return std::move(M);
}

// Writing.

void put8(std::string &Out, uint64_t Off, uint8_t V) { Out[Off] = char(V); }
void put16(std::string &Out, uint64_t Off, uint16_t V) {
  write16le(&Out[Off], V);
}
void put32(std::string &Out, uint64_t Off, uint32_t V) {
  write32le(&Out[Off], V);
}
void put64(std::string &Out, uint64_t Off, uint64_t V) {
  write64le(&Out[Off], V);
}

Error writableError(const Module &M, const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(),
                           M.Path +
                               ": cannot write the module in place: " + Msg);
}

bool fits(const Module &M, uint64_t Start, uint64_t Len) {
  return Start <= M.Image.size() && Len <= M.Image.size() - Start;
}

} // namespace

Expected<Module> readModule(MemoryBufferRef Buffer) {
  return Reader(Buffer).read();
}

Error checkWritable(const Module &M) {
  const Header &H = M.H;
  if (!fits(M, M.HeaderOffset, HeaderSize))
    return writableError(M, "the header lies outside the image");
  if (M.Sections.size() != H.SectionCount)
    return writableError(M, Twine(M.Sections.size()) +
                                " sections but section_count is " +
                                Twine(H.SectionCount));
  if (M.Symbols.size() != H.SymbolCount)
    return writableError(M, Twine(M.Symbols.size()) +
                                " symbols but symbol_count is " +
                                Twine(H.SymbolCount));
  uint64_t SecTable = M.DataOffset + H.SectionTableOffset;
  if (SecTable < M.DataOffset ||
      !fits(M, SecTable, uint64_t(H.SectionCount) * SectionEntrySize))
    return writableError(M, "the section table lies outside the image");
  uint64_t SymTable = M.DataOffset + H.SymbolTableOffset;
  if (SymTable < M.DataOffset ||
      !fits(M, SymTable, uint64_t(H.SymbolCount) * M.symbolEntrySize()))
    return writableError(M, "the symbol table lies outside the image");
  uint64_t RelocCount = 0;
  if (M.RelocSection >= 0) {
    if (unsigned(M.RelocSection) >= M.Sections.size())
      return writableError(M, "RelocSection is not a section index");
    const Section &RS = M.Sections[M.RelocSection];
    if (RS.Size % RelocationEntrySize ||
        M.sectionBytes(M.RelocSection).size() != RS.Size)
      return writableError(M, "the Reloc section lies outside the image");
    RelocCount = RS.Size / RelocationEntrySize;
  }
  if (M.Relocations.size() != RelocCount)
    return writableError(M, Twine(M.Relocations.size()) +
                                " relocations but the Reloc section holds " +
                                Twine(RelocCount) +
                                " (a layout never adds or drops one)");
  if (M.CodeSection >= 0) {
    if (unsigned(M.CodeSection) >= M.Sections.size())
      return writableError(M, "CodeSection is not a section index");
    const Section &C = M.Sections[M.CodeSection];
    if (M.sectionBytes(M.CodeSection).size() != C.Size)
      return writableError(M, "the Code section lies outside the image");
  }
  if (M.Code.size() != M.codeSize())
    return writableError(
        M, Twine(M.Code.size()) + " code bytes but the Code section holds " +
               Twine(M.codeSize()) + " (a layout never resizes the code)");
  return Error::success();
}

std::string writeModule(const Module &M) {
  if (Error Err = checkWritable(M))
    report_fatal_error(std::move(Err));
  std::string Out = M.Image;
  const Header &H = M.H;

  uint64_t B = M.HeaderOffset;
  std::memcpy(&Out[B + hdr::Magic], H.Magic.data(), 4);
  put8(Out, B + hdr::VersionMajor, H.VersionMajor);
  put8(Out, B + hdr::VersionMinor, H.VersionMinor);
  put8(Out, B + hdr::Platform, H.Platform);
  put8(Out, B + hdr::Arch, H.Arch);
  put32(Out, B + hdr::Flags, H.Flags);
  put8(Out, B + hdr::Compression, H.Compression);
  put8(Out, B + hdr::CompressionLevel, H.CompressionLevel);
  std::memcpy(&Out[B + hdr::ReservedCompression], H.ReservedCompression.data(),
              2);
  put32(Out, B + hdr::SectionCount, H.SectionCount);
  put64(Out, B + hdr::SectionTableOffset, H.SectionTableOffset);
  put64(Out, B + hdr::SymbolTableOffset, H.SymbolTableOffset);
  put32(Out, B + hdr::SymbolCount, H.SymbolCount);
  put32(Out, B + hdr::ExportedCount, H.ExportedCount);
  put64(Out, B + hdr::EntryPoint, H.EntryPoint);
  put32(Out, B + hdr::StubSize, H.StubSize);
  put32(Out, B + hdr::SmfDataOffset, H.SmfDataOffset);
  put64(Out, B + hdr::ModuleHash, H.ModuleHash);
  put64(Out, B + hdr::SourceHash, H.SourceHash);
  put8(Out, B + hdr::AppType, H.AppType);
  put16(Out, B + hdr::WindowWidth, H.WindowWidth);
  put16(Out, B + hdr::WindowHeight, H.WindowHeight);
  put8(Out, B + hdr::PrefetchHint, H.PrefetchHint);
  put8(Out, B + hdr::PrefetchFileCount, H.PrefetchFileCount);
  std::memcpy(&Out[B + hdr::Reserved], H.Reserved.data(), 5);

  uint64_t SecTable = M.DataOffset + H.SectionTableOffset;
  for (size_t I = 0; I < M.Sections.size(); ++I) {
    const Section &S = M.Sections[I];
    uint64_t E = SecTable + I * SectionEntrySize;
    put8(Out, E + sec::Type, S.Type);
    put32(Out, E + sec::Flags, S.Flags);
    put64(Out, E + sec::Offset, S.Offset);
    put64(Out, E + sec::Size, S.Size);
    put64(Out, E + sec::VirtualSize, S.VirtualSize);
    put64(Out, E + sec::Alignment, S.Alignment);
    std::memcpy(&Out[E + sec::Name], S.RawName.data(), 16);
  }

  uint64_t EntrySize = M.symbolEntrySize();
  uint64_t SymTable = M.DataOffset + H.SymbolTableOffset;
  for (size_t I = 0; I < M.Symbols.size(); ++I) {
    const Symbol &S = M.Symbols[I];
    uint64_t E = SymTable + I * EntrySize;
    put32(Out, E + sym::NameOffset, S.NameOffset);
    put32(Out, E + sym::NameHash, S.NameHash);
    put8(Out, E + sym::Type, S.Type);
    put8(Out, E + sym::Binding, S.Binding);
    put8(Out, E + sym::Visibility, S.Visibility);
    put8(Out, E + sym::Flags, S.Flags);
    put64(Out, E + sym::Value, S.Value);
    put64(Out, E + sym::Size, S.Size);
    put32(Out, E + sym::TypeId, S.TypeId);
    put32(Out, E + sym::Version, S.Version);
    if (EntrySize == SymbolEntrySizeV11) {
      put8(Out, E + sym::TemplateParamCount, S.TemplateParamCount);
      std::memcpy(&Out[E + sym::TemplateReserved], S.TemplateReserved.data(),
                  3);
      put64(Out, E + sym::TemplateOffset, S.TemplateOffset);
    }
  }

  if (M.RelocSection >= 0) {
    uint64_t Start = M.DataOffset + M.Sections[M.RelocSection].Offset;
    for (size_t I = 0; I < M.Relocations.size(); ++I) {
      const Relocation &R = M.Relocations[I];
      uint64_t E = Start + I * RelocationEntrySize;
      put64(Out, E + rel::Offset, R.Offset);
      put32(Out, E + rel::SymbolIndex, R.SymbolIndex);
      put8(Out, E + rel::Type, R.Type);
      put64(Out, E + rel::Addend, uint64_t(R.Addend));
    }
  }

  if (M.CodeSection >= 0 && !M.Code.empty())
    std::memcpy(&Out[M.DataOffset + M.Sections[M.CodeSection].Offset],
                M.Code.data(), M.Code.size());
  return Out;
}

} // namespace smf
} // namespace pagelayout

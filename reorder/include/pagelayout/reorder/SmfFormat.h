//===- SmfFormat.h - The SMF module format: reader, model, writer -*- C++
//-*-===//
//
// SMF is the module format of the Simple language. Its reference loader
// (ormastes/simple, src/rust/loader) reads each structure with the size of
// a Rust #[repr(C)] struct, so the layouts here are those, field by field
// (header 96 bytes, section 56, symbol 40 in v1.0 and 56 in v1.1,
// relocation 24); the prose specification disagrees on several sizes, and
// docs/smf.md lists each place where we follow the loader instead.
//
// The model mirrors the file: readModule checks every offset, size, count
// and index before it is used and keeps the whole file, so writeModule can
// start from the original bytes and re-encode only the structures a layout
// changes (symbol values and flags, relocation offsets, the code bytes).
// A module read and written unchanged is byte-identical, padding included.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_SMFFORMAT_H
#define PAGELAYOUT_REORDER_SMFFORMAT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pagelayout {
namespace smf {

/// repr(C) sizes of the reference loader's structures.
constexpr uint64_t HeaderSize = 96;
constexpr uint64_t SectionEntrySize = 56;
constexpr uint64_t SymbolEntrySizeV10 = 40;
constexpr uint64_t SymbolEntrySizeV11 = 56;
constexpr uint64_t RelocationEntrySize = 24;

/// Header flags.
enum HeaderFlag : uint32_t {
  FlagExecutable = 1u << 0,
  FlagReloadable = 1u << 1,
  FlagDebugInfo = 1u << 2,
  FlagPic = 1u << 3,
  FlagHasStub = 1u << 4,
};

enum Arch : uint8_t {
  ArchX86_64 = 0,
  ArchAArch64 = 1,
  ArchX86 = 2,
  ArchArm = 3,
  ArchRiscv64 = 4,
  ArchRiscv32 = 5,
  ArchWasm32 = 6,
  ArchWasm64 = 7,
};

enum Platform : uint8_t {
  PlatformAny = 0,
  PlatformLinux = 1,
  PlatformWindows = 2,
  PlatformMacOS = 3,
  PlatformFreeBSD = 4,
  PlatformNone = 5,
};

enum SectionType : uint8_t {
  SectionCode = 1,
  SectionData = 2,
  SectionRoData = 3,
  SectionBss = 4,
  SectionReloc = 5,
  SectionSymTab = 6,
  SectionStrTab = 7,
  SectionDebug = 8,
  SectionTypeInfo = 9,
  SectionVersion = 10,
  SectionSrcMap = 11,
  SectionTemplateCode = 12,
  SectionTemplateMeta = 13,
};

enum SectionFlag : uint32_t {
  SectionFlagRead = 1u << 0,
  SectionFlagWrite = 1u << 1,
  SectionFlagExec = 1u << 2,
  SectionFlagCompressed = 1u << 3,
};

enum SymbolType : uint8_t {
  SymbolNone = 0, ///< an import (non-local) or a section marker (local)
  SymbolFunction = 1,
  SymbolData = 2,
  SymbolTypeDef = 3,
  SymbolTrait = 4,
  SymbolActor = 5,
  SymbolConstant = 6,
};

enum SymbolBinding : uint8_t {
  BindingLocal = 0,
  BindingGlobal = 1,
  BindingWeak = 2,
};

/// Layout phase, symbol flags bits 0-1.
enum Phase : uint8_t {
  PhaseStartup = 0,
  PhaseFirstFrame = 1,
  PhaseSteady = 2,
  PhaseCold = 3,
};

enum SymbolFlag : uint8_t {
  SymbolFlagPhaseMask = 0x03,
  SymbolFlagEventLoopAnchor = 0x04,
  SymbolFlagPinned = 0x08,
  SymbolFlagGenericTemplate = 0x10,
  SymbolFlagSpecialized = 0x20,
};

enum RelocationType : uint8_t {
  RelocNone = 0,
  RelocAbs64 = 1,
  RelocPc32 = 2,
  RelocPlt32 = 3,
  RelocGotPcRel = 4,
};

/// Bytes a relocation of \p Type patches (0 for None and unknown types).
unsigned relocationWidth(uint8_t Type);

/// FNV-1a 32 (offset basis 2166136261, prime 16777619): SMF's name_hash.
uint32_t fnv1a32(llvm::StringRef Name);

/// SmfHeader, every field (padding bytes are kept in Module::Image).
struct Header {
  std::array<uint8_t, 4> Magic = {'S', 'M', 'F', 0};
  uint8_t VersionMajor = 1;
  uint8_t VersionMinor = 0;
  uint8_t Platform = 0;
  uint8_t Arch = 0;
  uint32_t Flags = 0;
  uint8_t Compression = 0;
  uint8_t CompressionLevel = 0;
  std::array<uint8_t, 2> ReservedCompression = {0, 0};
  uint32_t SectionCount = 0;
  uint64_t SectionTableOffset = 0;
  uint64_t SymbolTableOffset = 0;
  uint32_t SymbolCount = 0;
  uint32_t ExportedCount = 0;
  uint64_t EntryPoint = 0;
  uint32_t StubSize = 0;
  uint32_t SmfDataOffset = 0;
  uint64_t ModuleHash = 0;
  uint64_t SourceHash = 0;
  uint8_t AppType = 0;
  uint16_t WindowWidth = 0;
  uint16_t WindowHeight = 0;
  uint8_t PrefetchHint = 0;
  uint8_t PrefetchFileCount = 0;
  std::array<uint8_t, 5> Reserved = {0, 0, 0, 0, 0};
};

/// SmfSection. Offset is relative to Module::DataOffset.
struct Section {
  uint8_t Type = 0;
  uint32_t Flags = 0;
  uint64_t Offset = 0;
  uint64_t Size = 0;
  uint64_t VirtualSize = 0;
  uint64_t Alignment = 0;
  std::array<char, 16> RawName = {}; ///< as stored, bytes after the NUL too
  /// The name up to its NUL (or all 16 bytes).
  llvm::StringRef name() const;
};

/// SmfSymbol (v1.1 adds the template fields) and its resolved name.
struct Symbol {
  uint32_t NameOffset = 0;
  uint32_t NameHash = 0;
  uint8_t Type = 0;
  uint8_t Binding = 0;
  uint8_t Visibility = 0;
  uint8_t Flags = 0;
  uint64_t Value = 0;
  uint64_t Size = 0;
  uint32_t TypeId = 0;
  uint32_t Version = 0;
  // v1.1 only.
  uint8_t TemplateParamCount = 0;
  std::array<uint8_t, 3> TemplateReserved = {0, 0, 0};
  uint64_t TemplateOffset = 0;

  std::string Name;

  Phase phase() const { return Phase(Flags & SymbolFlagPhaseMask); }
  void setPhase(Phase P) {
    Flags = uint8_t((Flags & ~SymbolFlagPhaseMask) | P);
  }
  bool pinned() const { return Flags & SymbolFlagPinned; }
  /// The loader resolves a relocation against a local symbol to code base +
  /// Value and against any other symbol by name through its import
  /// resolver, even when the module defines it.
  bool isLocal() const { return Binding == BindingLocal; }
};

/// An entry of the Reloc section. Offset is into the Code section.
struct Relocation {
  uint64_t Offset = 0;
  uint32_t SymbolIndex = 0;
  uint8_t Type = 0;
  int64_t Addend = 0;
};

struct Module {
  Header H;
  enum HeaderPlace { Front, TrailerAt96, TrailerAt128 } Place = Front;
  /// File offset of the header.
  uint64_t HeaderOffset = 0;
  /// smf_data_offset when HAS_STUB is set, else 0: every offset in the
  /// header and the section table is relative to it.
  uint64_t DataOffset = 0;
  std::vector<Section> Sections;
  std::vector<Symbol> Symbols;
  std::vector<Relocation> Relocations;
  int CodeSection = -1;   ///< index of the one Code section
  int RelocSection = -1;  ///< index of the one Reloc section
  int SymTabSection = -1; ///< a SymTab section, if any (must match header)
  /// The bytes of the Code section, editable: writeModule writes these back
  /// (same size). sectionBytes() keeps returning the bytes as read.
  std::vector<uint8_t> Code;
  /// File offsets of the symbol table and of the string table the loader
  /// reads names from (from the end of the symbol table to the end of the
  /// file).
  uint64_t SymbolTableFileOffset = 0;
  uint64_t StringTableFileOffset = 0;
  std::string Image; ///< the whole file
  std::string Path;

  /// The file bytes of section \p I (empty for an index out of range).
  llvm::ArrayRef<uint8_t> sectionBytes(unsigned I) const;
  /// 40 for v1.0, 56 for v1.1.
  uint64_t symbolEntrySize() const;
  /// Size of the Code section in the file (0 without one).
  uint64_t codeSize() const;
  /// Index of the first symbol named \p Name, or -1.
  int findSymbol(llvm::StringRef Name) const;
};

/// Where a module's header is: the magic at EOF-96, then EOF-128, then
/// offset 0 (a trailer that starts at offset 0 is the front header).
struct HeaderSearch {
  uint64_t Offset = 0;
  Module::HeaderPlace Place = Module::Front;
};
std::optional<HeaderSearch> findHeaderPlace(llvm::StringRef Data);

/// Reads and validates a module. Errors read
/// "<file>: offset 0x..: <field> <what is wrong>; <fix>".
llvm::Expected<Module> readModule(llvm::MemoryBufferRef Buffer);

/// Checks that \p M can be written back in place: the counts and sizes are
/// those read (a layout moves bytes, it never resizes) and every field fits.
llvm::Error checkWritable(const Module &M);

/// Writes \p M back: M.Image with the header, section table, symbol table,
/// relocation entries and Code bytes re-encoded from the structures at
/// their places. \p M must pass checkWritable (a failure is a programming
/// error and aborts).
std::string writeModule(const Module &M);

/// "front (offset 0)", "trailer at EOF-96" or "trailer at EOF-128".
llvm::StringRef headerPlaceName(Module::HeaderPlace P);

} // namespace smf
} // namespace pagelayout

#endif

//===- LinkedBinary.h - A linked ELF binary, as the rewriter sees it -*- C++
//-*-===//
//
// The read-only model `pagelayout reorder` starts from: the executable
// text, its functions (from .symtab), and the relocations the linker kept
// (--emit-relocs). Reading checks the preconditions of a safe rewrite and
// names the fix when one is missing.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_LINKEDBINARY_H
#define PAGELAYOUT_REORDER_LINKEDBINARY_H

#include "pagelayout/reorder/Atom.h"
#include "pagelayout/reorder/Target.h"
#include "pagelayout/schema/Profile.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include <memory>

namespace pagelayout {

/// A retained relocation: where it applies and its type.
struct RetainedRelocation {
  uint64_t Offset = 0; ///< virtual address of the patched field
  uint32_t Type = 0;
};

/// An executable section whose functions the rewrite lays out: `.text`,
/// and the `.text.hot`, `.text.unlikely`, `.text.startup`, ... output
/// sections lld makes with -z keep-text-section-prefix. Functions move
/// only inside their own section.
struct CodeRegion {
  std::string Name;
  unsigned SectionIndex = 0;
  uint64_t Address = 0;
  uint64_t Size = 0;
  uint64_t end() const { return Address + Size; }
};

/// The file format a model was read from; only its reader and writer
/// differ.
enum class BinaryFormat { ELF, SMF };

struct LinkedBinary {
  std::string Path;
  BinaryFormat Format = BinaryFormat::ELF;
  uint16_t Machine = 0;
  /// The instruction set (null when no target is known: such a binary is
  /// read for its functions only).
  const Target *Arch = nullptr;
  bool SharedObject = false; ///< ET_DYN (PIE or shared library)
  uint64_t Entry = 0;        ///< e_entry
  /// The code the rewrite lays out: its regions, in address order, and the
  /// bytes spanning them ([TextAddress, TextAddress + TextBytes.size()):
  /// one range of the file, since the regions share one mapping). Bytes
  /// of the span outside every region (.init, .fini, .plt between them,
  /// padding) are not the rewrite's. "Text" below means this span.
  std::vector<CodeRegion> Regions;
  uint64_t TextAddress = 0;
  llvm::ArrayRef<uint8_t> TextBytes;
  /// Functions in the regions, by address; each atom's OriginalOffset is
  /// its address, aliases merged.
  std::vector<Atom> Functions;
  /// Relocations retained for fields inside the regions, sorted by offset.
  std::vector<RetainedRelocation> TextRelocations;

  /// The region holding \p Addr, or -1.
  int regionAt(uint64_t Addr) const;
  /// Whether section \p Index is one of the regions.
  bool isRegionSection(unsigned Index) const;
  /// Names of the retained relocation sections (.rela.text, .rela.data, ...).
  std::vector<std::string> RelocationSections;

  /// A PC-relative field in data (jump table entries, .eh_frame):
  /// at Offset, holding Value; Offset + Value is where it points to when
  /// it is a plain PC-relative pointer.
  struct DataPcRelative {
    std::string Section;
    uint64_t Offset = 0;
    int64_t Value = 0;
    uint32_t Type = 0;
    unsigned Size = 4; ///< 4 or 8 bytes
  };
  std::vector<DataPcRelative> DataPcRelatives;
  /// Executable sections other than .text (.init, .fini, .plt, glibc's
  /// __libc_freeres_fn): their code stays, but may reach code that moves.
  struct CodeSection {
    std::string Name;
    uint64_t Address = 0;
    llvm::ArrayRef<uint8_t> Bytes;
  };
  std::vector<CodeSection> OtherCode;
  /// Retained relocations for fields in OtherCode, sorted by offset.
  std::vector<RetainedRelocation> OtherCodeRelocations;

  /// Slots the loader fills with an imported function's address (the
  /// GOT entries of JUMP_SLOT and GLOB_DAT relocations): (slot address,
  /// symbol name), by address. A PLT entry jumps through one; the proof
  /// names a call's callee by it.
  std::vector<std::pair<uint64_t, std::string>> ImportSlots;
  /// The imported function whose slot is at \p Addr, or "".
  llvm::StringRef importAt(uint64_t Addr) const;

  /// .dynamic entries that hold a code address (DT_INIT, DT_FINI): the
  /// loader calls them, so they must follow the code they name.
  struct DynamicCodeAddress {
    int64_t Tag = 0;
    uint64_t Value = 0;
  };
  std::vector<DynamicCodeAddress> DynamicCode;

  /// Functions the input itself marks as never to move (SMF's
  /// LAYOUT_PINNED), by index into Functions, with why.
  std::vector<std::pair<unsigned, std::string>> InputPins;
  /// Phases the input itself records for its functions (SMF's phase bits):
  /// (function name, phase); empty when it records none.
  std::vector<std::pair<std::string, Phase>> InputPhases;
  /// Why InputPhases is empty, when the format could have had them.
  std::string NoInputPhases;

  std::unique_ptr<llvm::MemoryBuffer> Buffer;
};

/// The phases \p B itself records (InputPhases), as a profile of explicit
/// phases: what reorder and report use when no profile is given.
Profile profileFromInputPhases(const LinkedBinary &B);

/// What the binary is read for.
struct LinkedReadOptions {
  /// For a rewrite: x86-64 only, relocations retained (--emit-relocs).
  /// Without, only the regions and their functions are read (what `plan`
  /// and layout reports need), from any machine.
  bool ForRewrite = true;
  /// SMF: where the region ends, when known. The reader takes the end of
  /// the last function; a rewritten module is read with its input's.
  uint64_t SmfCodeEnd = 0;
};

/// Reads \p Path. Errors name the file and the fix: not x86-64, not linked,
/// stripped, or linked without --emit-relocs.
llvm::Expected<LinkedBinary>
readLinkedBinary(llvm::StringRef Path, const LinkedReadOptions &Opts = {});

/// The same for a file already in memory (named by the buffer's identifier).
llvm::Expected<LinkedBinary>
readLinkedBinary(std::unique_ptr<llvm::MemoryBuffer> Buffer,
                 const LinkedReadOptions &Opts = {});

/// Whether \p Name is a symbol clang gives a later part of a function
/// compiled with basic-block sections: NAME.__part.N or NAME.cold. Such
/// sized STT_NOTYPE symbols count as functions.
bool isBlockSectionPart(llvm::StringRef Name);

/// Whether a sized ELF symbol of type \p Type named \p Name is a function
/// to the rewriter, the plan and the verifier alike: STT_FUNC, or an
/// STT_NOTYPE part of a function (isBlockSectionPart).
bool isFunctionSymbol(uint8_t Type, llvm::StringRef Name);

/// Whether \p Data is an SMF module: not ELF, and the SMF magic where a
/// header can be (smf::findHeaderPlace).
bool isSmfModule(llvm::StringRef Data);

/// Reads an SMF module into the model (SmfBinary.cpp): the Code section's
/// functions as the one region (up to the end of the last function; the
/// read-only data after them stays), its relocations as code fields.
llvm::Expected<LinkedBinary>
readSmfBinary(std::unique_ptr<llvm::MemoryBuffer> Buffer,
              const LinkedReadOptions &Opts = {});

/// Reads an ELF binary or an SMF module, by its contents.
llvm::Expected<LinkedBinary> readBinary(llvm::StringRef Path,
                                        const LinkedReadOptions &Opts = {});
llvm::Expected<LinkedBinary>
readBinary(std::unique_ptr<llvm::MemoryBuffer> Buffer,
           const LinkedReadOptions &Opts = {});

} // namespace pagelayout

#endif

//===- LinkInputs.h - The files a link reads, found as lld finds them -*- C++ -*-===//

#ifndef PAGELAYOUT_PLUGIN_LINKINPUTS_H
#define PAGELAYOUT_PLUGIN_LINKINPUTS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Support/MemoryBuffer.h"
#include <memory>
#include <string>
#include <vector>

namespace pagelayout {

/// One file lld reads as an input, in the order it reads them.
struct LinkInputFile {
  std::string Path;
  /// The file's contents (mapped, owned by LinkInputs) and what they are.
  llvm::MemoryBufferRef Buffer;
  llvm::file_magic Magic = llvm::file_magic::unknown;
  /// Where the file is named on the command line, if it is an argument of
  /// its own (not found by -l, not named by a linker script).
  size_t ArgIndex = NotAnArgument;
  static constexpr size_t NotAnArgument = ~size_t(0);
  /// Between --start-lib and --end-lib: an object whose symbols are lazy,
  /// as an archive member's are.
  bool Lazy = false;
  /// Under --whole-archive: every member of an archive is loaded.
  bool WholeArchive = false;
};

/// What a link's command line says about the code it will place.
struct LinkInputs {
  /// Objects, archives and shared objects, in command-line order, -l
  /// resolved through -L (and --sysroot) and simple linker scripts
  /// (GROUP, INPUT, AS_NEEDED) opened, as lld does.
  std::vector<LinkInputFile> Files;
  /// Symbols the command line makes undefined before any input is read
  /// (-u, EXTERN): they load archive members where the archive comes.
  std::vector<std::string> Undefined;
  /// The entry symbol (--entry, ENTRY), resolved after every input.
  std::vector<std::string> Entry;
  bool GcSections = false;
  /// --icf=all or --icf=safe.
  bool FoldsCode = false;
  /// Why the placement of the link's code cannot be known from its inputs
  /// (a linker script that places sections, --section-start, -r, ...): the
  /// first reason found; empty when it can.
  std::string NotFromInputs;
  /// Owns every Files[I].Buffer.
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> Buffers;
};

/// Reads \p Args (lld's arguments, response files expanded) as lld's ELF
/// driver would.
LinkInputs findLinkInputs(llvm::ArrayRef<const char *> Args);

} // namespace pagelayout

#endif

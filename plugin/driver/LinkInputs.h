//===- LinkInputs.h - The files a link reads, found as lld finds them -*- C++ -*-===//

#ifndef PAGELAYOUT_PLUGIN_LINKINPUTS_H
#define PAGELAYOUT_PLUGIN_LINKINPUTS_H

#include "llvm/ADT/ArrayRef.h"
#include <string>
#include <vector>

namespace pagelayout {

/// One file lld reads as an input, in the order it reads them.
struct LinkInputFile {
  std::string Path;
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
  /// Symbols the command line makes undefined (-u, --entry): they load
  /// archive members too.
  std::vector<std::string> Undefined;
  bool GcSections = false;
  /// --icf=all or --icf=safe.
  bool FoldsCode = false;
  /// Why the placement of the link's code cannot be known from its inputs
  /// (a linker script that places sections, --section-start, -r, ...): the
  /// first reason found; empty when it can.
  std::string NotFromInputs;
};

/// Reads \p Args (lld's arguments, response files expanded) as lld's ELF
/// driver would.
LinkInputs findLinkInputs(llvm::ArrayRef<const char *> Args);

} // namespace pagelayout

#endif

//===- LinkMap.h - Read the input sections lld placed -----------*- C++ -*-===//

#ifndef PAGELAYOUT_PLUGIN_LINKMAP_H
#define PAGELAYOUT_PLUGIN_LINKMAP_H

#include "pagelayout/reorder/Atom.h"
#include "llvm/Support/Error.h"

namespace pagelayout {

/// The executable code of one link, as lld's -Map reports it.
struct LinkMap {
  /// Input sections of the .text output section(s), in address order; each
  /// atom's OriginalOffset is its address.
  std::vector<Atom> Atoms;
  /// Where the .text output section starts, and its size.
  uint64_t TextAddress = 0;
  uint64_t TextSize = 0;
  /// Output sections of code every run executes that no profile names
  /// (.init, .fini, the PLT sections), [begin, end) addresses.
  std::vector<std::pair<uint64_t, uint64_t>> RunsAnyway;
  /// Indices of input sections that define more than one function (no
  /// -ffunction-sections).
  std::vector<unsigned> MultiFunctionSections;
  /// Executable-looking output sections that were left alone because they
  /// are not named .text (e.g. with -z keep-text-section-prefix).
  std::vector<std::string> OtherTextSections;
  /// Planned from the inputs: the names defined by .text sections lld
  /// places but Atoms do not list, once per section (an ordering file
  /// line naming one moves that section too).
  std::vector<std::string> UnlistedNames;
};

/// Parses lld's map file text (-Map=FILE, linked with --no-demangle).
llvm::Expected<LinkMap> parseLinkMap(llvm::StringRef Text,
                                     llvm::StringRef FileName);

} // namespace pagelayout

#endif

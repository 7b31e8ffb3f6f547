//===- MarkerObject.h - Page-aligned phase boundary sections ----*- C++ -*-===//

#ifndef PAGELAYOUT_PLUGIN_MARKEROBJECT_H
#define PAGELAYOUT_PLUGIN_MARKEROBJECT_H

#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <string>
#include <vector>

namespace pagelayout {

/// One executable section ".text.pagelayout.<Name>" defining the hidden
/// symbol "__pagelayout_<Name>": empty and aligned to the page size (a
/// phase boundary), or, with a Size, Size bytes of the target's fill
/// (int3 on x86-64) aligned to 1 (a gap of exactly that many bytes, where
/// a plan by executed bytes leaves one), or empty and aligned to 1 (an end
/// the output can be checked by).
struct PhaseMarker {
  std::string Name;
  uint64_t Size = 0;
  /// An empty marker aligned to 1 instead of the page: it only marks where
  /// the code before it ends.
  bool PageAligned = true;
  /// A gap's symbol is local and temporary (.L): lld drops it from the
  /// output's symbol table.
  std::string symbol() const {
    return (Size ? ".L__pagelayout_" : "__pagelayout_") + Name;
  }
};

/// An ELF64 relocatable object holding \p Markers, for \p Machine (EM_*),
/// little-endian. The sections carry SHF_GNU_RETAIN so --gc-sections keeps
/// them.
std::string buildMarkerObject(const std::vector<PhaseMarker> &Markers,
                              uint16_t Machine, uint64_t PageSize);

} // namespace pagelayout

#endif

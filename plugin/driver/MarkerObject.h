//===- MarkerObject.h - Page-aligned phase boundary sections ----*- C++ -*-===//

#ifndef PAGELAYOUT_PLUGIN_MARKEROBJECT_H
#define PAGELAYOUT_PLUGIN_MARKEROBJECT_H

#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <string>
#include <vector>

namespace pagelayout {

/// One empty executable section ".text.pagelayout.<Name>" aligned to the
/// page size and defining the hidden symbol "__pagelayout_<Name>".
struct PhaseMarker {
  std::string Name;
  std::string symbol() const { return "__pagelayout_" + Name; }
};

/// An ELF64 relocatable object holding \p Markers, for \p Machine (EM_*),
/// little-endian. The sections carry SHF_GNU_RETAIN so --gc-sections keeps
/// them.
std::string buildMarkerObject(const std::vector<PhaseMarker> &Markers,
                              uint16_t Machine, uint64_t PageSize);

} // namespace pagelayout

#endif

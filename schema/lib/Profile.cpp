//===- Profile.cpp - Phase names and small profile queries ----------------===//

#include "pagelayout/schema/Profile.h"
#include <algorithm>

using namespace llvm;

namespace pagelayout {

StringRef phaseName(Phase P) {
  switch (P) {
  case Phase::Startup:
    return "startup";
  case Phase::FirstFrame:
    return "first_frame";
  case Phase::Steady:
    return "steady";
  case Phase::Cold:
    return "cold";
  }
  return "cold";
}

std::optional<Phase> parsePhase(StringRef Name) {
  for (unsigned I = 0; I < NumPhases; ++I)
    if (Name == phaseName(Phase(I)))
      return Phase(I);
  return std::nullopt;
}

StringRef phaseNameList() { return "startup, first_frame, steady or cold"; }

const Marker *Profile::findMarker(StringRef Name) const {
  for (const Marker &M : Markers)
    if (M.Name == Name)
      return &M;
  return nullptr;
}

uint64_t Profile::latestTimeNs() const {
  uint64_t Latest = Metadata.DurationNs.value_or(0);
  for (const Marker &M : Markers)
    Latest = std::max(Latest, M.TimeNs);
  for (const FunctionProfile &F : Functions)
    Latest =
        std::max({Latest, F.FirstCallNs.value_or(0), F.LastCallNs.value_or(0)});
  return Latest;
}

} // namespace pagelayout

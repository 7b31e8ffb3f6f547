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

NamePool &Profile::namePool() {
  if (!Names)
    Names = std::make_shared<NamePool>();
  return *Names;
}

StringRef Profile::intern(StringRef S) { return namePool().intern(S); }

const Marker *Profile::findMarker(StringRef Name) const {
  for (const Marker &M : Markers)
    if (M.Name == Name)
      return &M;
  return nullptr;
}

uint64_t Profile::neededVersion() const {
  uint64_t V = 1;
  for (const FunctionProfile &F : Functions) {
    if (F.needsVersion3())
      return 3;
    if (F.needsVersion2())
      V = 2;
  }
  return V;
}

uint64_t blockSizesHash(ArrayRef<BlockShape> Blocks) {
  uint64_t H = 0xcbf29ce484222325ULL; // FNV-1a 64 offset basis
  auto Word = [&](uint32_t W) {
    for (unsigned I = 0; I < 4; ++I) {
      H ^= (W >> (8 * I)) & 0xff;
      H *= 0x100000001b3ULL; // FNV-1a 64 prime
    }
  };
  for (const BlockShape &B : Blocks) {
    Word(B.Id);
    Word(B.Size);
  }
  return H;
}

void normalizeRanges(std::vector<ByteRange> &Ranges) {
  // In place: a million functions' ranges are normalized per plan, most
  // of them a single range.
  if (Ranges.size() < 2)
    return;
  std::sort(Ranges.begin(), Ranges.end(),
            [](const ByteRange &A, const ByteRange &B) {
              return A.Begin < B.Begin || (A.Begin == B.Begin && A.End < B.End);
            });
  size_t Kept = 0;
  for (size_t I = 1; I < Ranges.size(); ++I) {
    if (Ranges[I].Begin <= Ranges[Kept].End)
      Ranges[Kept].End = std::max(Ranges[Kept].End, Ranges[I].End);
    else
      Ranges[++Kept] = Ranges[I];
  }
  Ranges.resize(Kept + 1);
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

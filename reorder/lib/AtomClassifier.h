//===- AtomClassifier.h - Join atoms with the profile -----------*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_ATOMCLASSIFIER_H
#define PAGELAYOUT_REORDER_ATOMCLASSIFIER_H

#include "pagelayout/reorder/Atom.h"
#include "pagelayout/schema/PhaseInference.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include <vector>

namespace pagelayout {

/// What the profile says about one atom, summed over its symbols.
struct AtomProfile {
  Phase AtomPhase = Phase::Cold;
  bool Profiled = false;
  bool Pinned = false;
  bool RanDuringStartup = false;
  uint64_t FirstCallNs = UINT64_MAX;
  /// Call count (or samples when the profile has no counts).
  uint64_t Count = 0;
};

struct AtomClassification {
  std::vector<AtomProfile> Atoms;
  /// Profile function index -> atom holding it (-1 when none).
  std::vector<int> AtomOfFunction;
  /// Profile function index -> offset of the function inside its atom.
  std::vector<uint64_t> OffsetInAtom;
  /// Profile function index -> size of the function (0 if unknown).
  std::vector<uint64_t> FunctionSize;
  std::vector<std::string> Unmatched;
  unsigned Matched = 0;
};

/// Matches every atom symbol against the profile by exact name. An atom
/// holding functions of several phases goes to the earliest of them: it must
/// be resident whenever any of its functions runs.
AtomClassification classifyAtoms(const std::vector<Atom> &Atoms,
                                 const ResolvedProfile &Profile);

} // namespace pagelayout

#endif

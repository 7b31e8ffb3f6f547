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
  /// The bytes of the atom that ran, in any phase, as offsets in the atom:
  /// sorted, disjoint. A function the profile lists without ranges counts
  /// whole; functions it does not list count as never run. Empty for an
  /// atom that did not run (or whose phase comes from a rule only).
  std::vector<ByteRange> HotRanges;
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
  /// Some function of the profile has executed byte ranges: the packer
  /// places atoms by the bytes that ran, not as if every byte ran.
  bool HaveRanges = false;
};

/// Matches every atom symbol against the profile by exact name. An atom
/// holding functions of several phases goes to the earliest of them: it must
/// be resident whenever any of its functions runs.
AtomClassification classifyAtoms(const std::vector<Atom> &Atoms,
                                 const ResolvedProfile &Profile);

} // namespace pagelayout

#endif

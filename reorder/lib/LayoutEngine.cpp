//===- LayoutEngine.cpp - Atoms + profile in, plan out --------------------===//
//
// The pipeline, in order:
//   classify  - join atoms with the profile, giving each atom a phase;
//   order     - order each phase (temporal / call graph / original);
//   pack      - assign offsets: phases page-aligned, gaps filled with cold
//               atoms, straddling avoided where it is free;
//   measure   - pages per phase against their lower bounds, and pages
//               touched during startup before and after.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/LayoutEngine.h"
#include "AtomClassifier.h"
#include "PagePacker.h"
#include "PhaseOrdering.h"
#include "PlanMetrics.h"
#include "llvm/ADT/STLExtras.h"

namespace pagelayout {

bool isValidPageSize(uint64_t N) { return N >= 16 && (N & (N - 1)) == 0; }

LayoutPlan computeLayout(const std::vector<Atom> &Atoms,
                         const ResolvedProfile &Profile,
                         const LayoutConfig &Config) {
  LayoutPlan Plan;
  Plan.PageSize = Config.PageSize;
  AtomClassification Classes = classifyAtoms(Atoms, Profile);
  PhaseOrders Orders = orderPhases(Atoms, Classes, Profile, Config);
  Plan.Placement = packPhases(Atoms, Classes, Orders, Config);
  measurePhases(Plan, Atoms);

  std::vector<uint64_t> NewOffset(Atoms.size()), OldOffset(Atoms.size());
  for (const PlacedAtom &PA : Plan.Placement)
    NewOffset[PA.AtomIndex] = PA.Offset;
  for (unsigned A = 0; A < Atoms.size(); ++A)
    OldOffset[A] = Atoms[A].OriginalOffset;
  Plan.Startup = measureStartup(NewOffset, Classes, Profile, Config.PageSize);
  Plan.OriginalStartup =
      measureStartup(OldOffset, Classes, Profile, Config.PageSize);
  Plan.UnmatchedProfileNames = std::move(Classes.Unmatched);
  Plan.MatchedProfileFunctions = Classes.Matched;
  return Plan;
}

LayoutPlan measureLayout(const std::vector<Atom> &Atoms,
                         const ResolvedProfile &Profile, uint64_t PageSize) {
  LayoutPlan Plan;
  Plan.PageSize = PageSize;
  AtomClassification Classes = classifyAtoms(Atoms, Profile);
  std::vector<uint64_t> Offsets(Atoms.size());
  uint64_t LastLive = 0;
  for (unsigned A = 0; A < Atoms.size(); ++A) {
    Offsets[A] = Atoms[A].OriginalOffset;
    Phase P = Classes.Atoms[A].AtomPhase;
    Plan.Placement.push_back(
        {A, Offsets[A], P, false, Classes.Atoms[A].Pinned});
    if (P != Phase::Cold)
      LastLive = std::max(LastLive, Offsets[A]);
  }
  for (PlacedAtom &PA : Plan.Placement)
    PA.Filler = PA.AtomPhase == Phase::Cold && PA.Offset < LastLive;
  llvm::stable_sort(Plan.Placement,
                    [](const PlacedAtom &X, const PlacedAtom &Y) {
                      return X.Offset < Y.Offset;
                    });
  measurePhases(Plan, Atoms);
  Plan.Startup = measureStartup(Offsets, Classes, Profile, PageSize);
  Plan.OriginalStartup = Plan.Startup;
  Plan.IsMeasured = true;
  Plan.UnmatchedProfileNames = std::move(Classes.Unmatched);
  Plan.MatchedProfileFunctions = Classes.Matched;
  return Plan;
}

} // namespace pagelayout

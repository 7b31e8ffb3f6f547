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

using namespace llvm;

namespace pagelayout {

bool isValidPageSize(uint64_t N) { return N >= 16 && (N & (N - 1)) == 0; }

struct LayoutOrder::Parts {
  AtomClassification Classes;
  PhaseOrders Orders;
  /// Sorted once for every packing of this order.
  ColdBySize Cold;
};

LayoutOrder::LayoutOrder(std::unique_ptr<Parts> P) : P(std::move(P)) {}
LayoutOrder::LayoutOrder(LayoutOrder &&) = default;
LayoutOrder &LayoutOrder::operator=(LayoutOrder &&) = default;
LayoutOrder::~LayoutOrder() = default;
Phase LayoutOrder::phaseOf(unsigned A) const {
  return P->Classes.Atoms[A].AtomPhase;
}
bool LayoutOrder::byExecutedBytes() const { return P->Classes.HaveRanges; }

LayoutOrder orderLayout(const std::vector<Atom> &Atoms,
                        const ResolvedProfile &Profile,
                        const LayoutConfig &Config) {
  auto P = std::make_unique<LayoutOrder::Parts>();
  P->Classes = classifyAtoms(Atoms, Profile);
  P->Orders = orderPhases(Atoms, P->Classes, Profile, Config);
  P->Cold = sortColdBySize(Atoms, P->Orders, Config.PageSize);
  return LayoutOrder(std::move(P));
}

LayoutPlan packLayout(const std::vector<Atom> &Atoms,
                      const ResolvedProfile &Profile, const LayoutOrder &Order,
                      const LayoutConfig &Config) {
  const AtomClassification &Classes = Order.P->Classes;
  LayoutPlan Plan;
  Plan.PageSize = Config.PageSize;
  Plan.Placement =
      packPhases(Atoms, Classes, Order.P->Orders, Config, &Plan.UnplacedAtoms,
                 &Order.P->Cold);
  measurePlan(Plan, Atoms, Classes, Profile, Config.TouchedOutside);
  return Plan;
}

LayoutPlan computeLayout(const std::vector<Atom> &Atoms,
                         const ResolvedProfile &Profile,
                         const LayoutConfig &Config) {
  return packLayout(Atoms, Profile, orderLayout(Atoms, Profile, Config),
                    Config);
}

LayoutPlan
measureLayout(const std::vector<Atom> &Atoms, const ResolvedProfile &Profile,
              uint64_t PageSize,
              ArrayRef<std::pair<uint64_t, uint64_t>> TouchedOutside) {
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
  Plan.Run = measureRun(Offsets, Classes, Profile, TouchedOutside, PageSize);
  Plan.OriginalRun = Plan.Run;
  Plan.IsMeasured = true;
  Plan.UnmatchedProfileNames = std::move(Classes.Unmatched);
  Plan.MatchedProfileFunctions = Classes.Matched;
  return Plan;
}

LayoutComparison compareWithInput(const LayoutPlan &Plan,
                                  const LayoutPlan &Input) {
  auto Startup = [](const LayoutPlan &P) {
    return P.Startup.HaveExecutedRanges ? P.Startup.ExecutedPagesTouched
                                        : P.Startup.PagesTouched;
  };
  struct Measure {
    const char *What;
    uint64_t Plan, Input;
  } Measures[] = {
      {"startup pages touched", Startup(Plan), Startup(Input)},
      {"first-frame pages", Plan.Phases[size_t(Phase::FirstFrame)].Pages,
       Input.Phases[size_t(Phase::FirstFrame)].Pages},
      {"steady pages", Plan.Phases[size_t(Phase::Steady)].Pages,
       Input.Phases[size_t(Phase::Steady)].Pages}};
  for (const Measure &M : Measures)
    if (M.Plan != M.Input)
      return {M.Plan < M.Input, std::string(M.What) + " " +
                                    std::to_string(M.Plan) + " against " +
                                    std::to_string(M.Input)};
  return {false, "the same pages in every phase"};
}

} // namespace pagelayout

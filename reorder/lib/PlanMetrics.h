//===- PlanMetrics.h - Measure a placement ----------------------*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_PLANMETRICS_H
#define PAGELAYOUT_REORDER_PLANMETRICS_H

#include "AtomClassifier.h"
#include "pagelayout/reorder/LayoutPlan.h"
#include "llvm/ADT/ArrayRef.h"

namespace pagelayout {

/// The span of executed bytes with holes of a page or more taken out
/// (all but their remainder mod page): what the span bound adds up.
/// \p Ranges: sorted, disjoint, not empty.
uint64_t executedSpan(llvm::ArrayRef<ByteRange> Ranges, uint64_t Page);

/// \p Ranges clipped to a function of \p Size bytes (a stale profile may
/// overrun it).
std::vector<ByteRange> clipRanges(llvm::ArrayRef<ByteRange> Ranges,
                                  uint64_t Size);

/// Fills the plan's per-phase and total metrics from its placement.
void measurePhases(LayoutPlan &Plan, const std::vector<Atom> &Atoms);

/// Pages a run's startup touches when atom A sits at AtomOffset[A].
StartupMetrics measureStartup(const std::vector<uint64_t> &AtomOffset,
                              const AtomClassification &Classes,
                              const ResolvedProfile &Profile,
                              uint64_t PageSize);

/// Pages a whole run touches when atom A sits at AtomOffset[A], with
/// \p TouchedOutside's pages (see LayoutConfig).
RunMetrics
measureRun(const std::vector<uint64_t> &AtomOffset,
           const AtomClassification &Classes, const ResolvedProfile &Profile,
           llvm::ArrayRef<std::pair<uint64_t, uint64_t>> TouchedOutside,
           uint64_t PageSize);

/// Everything a plan measures from its placement: the phases and totals,
/// the startup and run pages before (original offsets) and after, and how
/// the profile matched.
void measurePlan(LayoutPlan &Plan, const std::vector<Atom> &Atoms,
                 const AtomClassification &Classes,
                 const ResolvedProfile &Profile,
                 llvm::ArrayRef<std::pair<uint64_t, uint64_t>> TouchedOutside =
                     {});

} // namespace pagelayout

#endif

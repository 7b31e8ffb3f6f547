//===- LayoutEngine.h - Atoms + profile in, plan out ------------*- C++ -*-===//
//
// The engine is pure: it reads atoms (sizes, alignments, names, original
// positions) and a resolved profile, and returns a plan. The linker driver,
// the LTO plugin and the post-link rewriter are adapters around it.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_LAYOUTENGINE_H
#define PAGELAYOUT_REORDER_LAYOUTENGINE_H

#include "pagelayout/reorder/Atom.h"
#include "pagelayout/reorder/LayoutPlan.h"
#include "pagelayout/schema/PhaseInference.h"
#include "llvm/Support/BalancedPartitioning.h"
#include "llvm/Transforms/Utils/CodeLayout.h"
#include <memory>

namespace pagelayout {

struct LayoutConfig {
  /// 4096 by default; 16K, 64K and 2M pages are common elsewhere.
  uint64_t PageSize = 4096;
  /// Where the laid-out code begins: 0 for a plan on its own, the real
  /// address of .text when the atoms carry real addresses (a rewrite), so
  /// page boundaries fall where the program's pages do.
  uint64_t StartAddress = 0;
  /// Where the room for the layout ends (a rewrite's region); only
  /// first-fit packing and fitLayout() look at it.
  uint64_t EndAddress = UINT64_MAX;
  /// Code outside the laid-out atoms that every run executes ([begin, end)
  /// addresses: .init, .plt, ...): its pages are touched anyway, so
  /// executed code placed on them costs no page, and they count in the
  /// pages a run touches. Meaningful only with real addresses.
  std::vector<std::pair<uint64_t, uint64_t>> TouchedOutside;
  /// Where the profile has executed byte ranges, place atoms by the bytes
  /// that ran (PagePacker.cpp); without ranges every byte counts as run.
  /// AlignPhases then means: start an atom on the next page boundary where
  /// that wastes less than packing it densely.
  bool ByExecutedBytes = true;
  /// Instead of phases behind a cursor: each atom, phases in order, in the
  /// first gap between pinned atoms that holds it before EndAddress (the
  /// last resort of a region without room to spare). Atoms that find none
  /// keep their offsets and are listed in LayoutPlan::UnplacedAtoms.
  bool FirstFit = false;
  /// Start every non-empty phase on a page boundary.
  bool AlignPhases = true;
  /// With AlignPhases: align the cold phase too. A rewrite that must fit
  /// the existing .text may give this up first: cold code is never run.
  bool AlignColdPhase = true;
  /// By executed bytes, where the region's last page is touched anyway
  /// (lld puts .init and .plt right after .text): pack the largest
  /// executed atoms that fit against the region's end first.
  bool FillEndPocket = true;
  /// Fill the gap before a phase boundary with cold atoms that fit.
  bool FillWithCold = true;
  /// Move an atom past a page boundary (or pull a later one forward) when
  /// that costs no extra page for the phase.
  bool AvoidStraddling = true;
  /// The steady call graph keeps, per function, only this many of its
  /// heaviest caller and callee edges before cdsort (see PhaseOrdering.cpp).
  unsigned MaxEdgesPerNode = 4;
  /// cdsort is quadratic in its node count: it sees this many of the
  /// hottest steady functions; the rest follow by density.
  unsigned MaxCallGraphNodes = 16384;
  /// Tuning of the steady phase's cache-directed sort.
  llvm::codelayout::CDSortConfig CDSort;
  /// Tuning of balanced partitioning over several startup traces.
  llvm::BalancedPartitioningConfig Partitioning;
};

/// The expensive half of a layout: each atom's phase and the order within
/// each phase (temporal, cdsort). It depends on the atoms' names, sizes and
/// pins, the profile and the ordering options, not on alignments or the
/// packing options, so a caller trying several packings (the rewriter's
/// fit fallbacks) orders once.
class LayoutOrder {
public:
  LayoutOrder(LayoutOrder &&);
  LayoutOrder &operator=(LayoutOrder &&);
  ~LayoutOrder();
  /// The phase the profile (its rules included) gives atom \p A.
  Phase phaseOf(unsigned A) const;
  /// The profile has executed byte ranges: atoms are packed by them.
  bool byExecutedBytes() const;

private:
  struct Parts;
  explicit LayoutOrder(std::unique_ptr<Parts> P);
  std::unique_ptr<Parts> P;
  friend LayoutOrder orderLayout(const std::vector<Atom> &,
                                 const ResolvedProfile &, const LayoutConfig &);
  friend LayoutPlan packLayout(const std::vector<Atom> &,
                               const ResolvedProfile &, const LayoutOrder &,
                               const LayoutConfig &);
};

LayoutOrder orderLayout(const std::vector<Atom> &Atoms,
                        const ResolvedProfile &Profile,
                        const LayoutConfig &Config = {});

/// Places \p Atoms (the ones \p Order was computed for; alignments may
/// differ) by \p Order and measures the result.
LayoutPlan packLayout(const std::vector<Atom> &Atoms,
                      const ResolvedProfile &Profile, const LayoutOrder &Order,
                      const LayoutConfig &Config = {});

/// Orders and packs. Deterministic: ties always fall back to the atoms'
/// original order.
LayoutPlan computeLayout(const std::vector<Atom> &Atoms,
                         const ResolvedProfile &Profile,
                         const LayoutConfig &Config = {});

/// Measures the layout the atoms already have (each at its OriginalOffset):
/// what a finished link or rewrite achieved. Cold atoms that sit before the
/// last non-cold atom count as fillers of the phase they sit in.
LayoutPlan measureLayout(
    const std::vector<Atom> &Atoms, const ResolvedProfile &Profile,
    uint64_t PageSize,
    llvm::ArrayRef<std::pair<uint64_t, uint64_t>> TouchedOutside = {});

/// How a plan compares with the layout it would replace, phase by phase in
/// the engine's priority order: startup pages touched (pages holding
/// executed bytes, where the profile has ranges), then the pages holding
/// first-frame and steady code. The first phase that differs decides.
struct LayoutComparison {
  bool PlanIsBetter = false;
  /// "startup pages touched 2 against 1", for the phase that decided (or
  /// "the same pages in every phase").
  std::string Why;
};
LayoutComparison compareWithInput(const LayoutPlan &Plan,
                                  const LayoutPlan &Input);

/// A range of addresses a layout must fit: an executable output section of
/// a finished binary (or an SMF module's Code section). Its atoms stay in
/// it.
struct LayoutRegion {
  std::string Name;
  uint64_t Begin = 0, End = 0;
};

/// A plan that fits its regions, and what was given up to make it fit.
struct FittedLayout {
  LayoutPlan Plan;
  /// "the cold phase is not page-aligned ...", in the order given up.
  std::vector<std::string> Notes;
};

/// How a region's layout may be bent to fit: the target's smallest legal
/// function alignment (x86-64 with the C++ ABI: 2).
struct FitOptions {
  uint64_t PageSize = 4096;
  uint64_t MinimumAlignment = 2;
  /// Independent packings may run on two threads (false: one thread, as
  /// lld's --threads=1 asks).
  bool Threads = true;
  /// See LayoutConfig::TouchedOutside.
  std::vector<std::pair<uint64_t, uint64_t>> TouchedOutside;
};

/// Lays \p Atoms out inside \p Regions (RegionOf[A] is atom A's region;
/// pinned atoms keep their offsets): page-aligned phases if they fit, else
/// the cold phase unaligned and cold atoms at the minimum alignment, else
/// no phase aligned, else first-fit around the pinned code, else every
/// moved atom at the minimum alignment, and last, what still finds no place
/// keeps its own. Cold is what the profile (its rules included) makes
/// cold. Each region is laid out on its own; the plan covers all of them.
/// `plan`, `reorder --dry-run` and the rewrite all use this one function,
/// so what is printed is what is applied.
FittedLayout fitLayout(const std::vector<Atom> &Atoms,
                       const std::vector<unsigned> &RegionOf,
                       llvm::ArrayRef<LayoutRegion> Regions,
                       const ResolvedProfile &Profile, const FitOptions &Opts);

/// True for 0 < N a power of two no smaller than 16 bytes.
bool isValidPageSize(uint64_t N);

} // namespace pagelayout

#endif

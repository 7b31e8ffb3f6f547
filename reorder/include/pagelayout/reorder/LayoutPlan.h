//===- LayoutPlan.h - What the engine decides, and how good it is -*- C++
//-*-===//

#ifndef PAGELAYOUT_REORDER_LAYOUTPLAN_H
#define PAGELAYOUT_REORDER_LAYOUTPLAN_H

#include "pagelayout/schema/Profile.h"
#include <array>
#include <cstdint>
#include <vector>

namespace pagelayout {

struct PlacedAtom {
  unsigned AtomIndex = 0;
  uint64_t Offset = 0;
  Phase AtomPhase = Phase::Cold;
  /// A cold atom placed in the tail of an earlier phase's last page.
  bool Filler = false;
  /// Kept at its original offset (by the input or by the profile).
  bool Pinned = false;
};

struct PhaseMetrics {
  /// [Begin, End): from the phase's first atom to the end of its last one.
  uint64_t Begin = 0;
  uint64_t End = 0;
  uint64_t Atoms = 0;
  /// Sum of the phase's own atom sizes (fillers excluded).
  uint64_t Bytes = 0;
  /// Distinct pages that hold any byte of the phase's own atoms.
  uint64_t Pages = 0;
  /// ceil(Bytes / page): no layout can use fewer pages.
  uint64_t LowerBound = 0;
  /// Bytes lost to alignment, straddle avoidance and page-boundary padding.
  uint64_t PaddingBytes = 0;
  /// Atoms no larger than a page that still cross a page boundary.
  uint64_t StraddlingAtoms = 0;
  /// Cold atoms used to fill the gap before the next phase's boundary.
  uint64_t FillerAtoms = 0;
  uint64_t FillerBytes = 0;
};

/// Pages touched while the program starts, with three lower bounds.
struct StartupMetrics {
  uint64_t FunctionsRun = 0;
  /// Pages holding any byte of a function run before startup ended.
  uint64_t PagesTouched = 0;
  /// Pages holding any executed byte (equals PagesTouched without ranges).
  uint64_t ExecutedPagesTouched = 0;
  /// ceil(bytes of functions run during startup / page).
  uint64_t FunctionBound = 0;
  /// Best any layout keeping function bodies whole can do (see design.md).
  uint64_t SpanBound = 0;
  /// ceil(executed bytes / page).
  uint64_t InstructionBound = 0;
  bool HaveExecutedRanges = false;
};

/// Pages a whole run touches: every page holding a byte the profile says
/// ran, in any phase, and the pages of code outside the layout that runs
/// anyway (LayoutConfig::TouchedOutside). With an exact profile (the trace
/// recorder's) this is what an instruction trace of the same run counts.
struct RunMetrics {
  uint64_t PagesTouched = 0;
  /// The same bounds as StartupMetrics', over every phase.
  uint64_t SpanBound = 0;
  uint64_t InstructionBound = 0;
  /// Pages outside the layout counted in PagesTouched.
  uint64_t OutsidePages = 0;
  bool HaveExecutedRanges = false;
};

struct LayoutPlan {
  uint64_t PageSize = 4096;
  /// Every atom once, in address order.
  std::vector<PlacedAtom> Placement;
  std::array<PhaseMetrics, NumPhases> Phases;
  uint64_t TotalBytes = 0;
  uint64_t TotalPages = 0;
  uint64_t PaddingBytes = 0;
  uint64_t StraddlingAtoms = 0;
  StartupMetrics Startup;
  /// The same measure for the input's own layout, for comparison.
  StartupMetrics OriginalStartup;
  RunMetrics Run;
  RunMetrics OriginalRun;
  /// A finished layout read back (no "input layout" to compare with).
  bool IsMeasured = false;
  /// First-fit packing (LayoutConfig::FirstFit): atoms that found no place
  /// in their region and were left at their original offsets.
  std::vector<unsigned> UnplacedAtoms;
  /// Profile functions that name no atom (in profile order).
  std::vector<std::string> UnmatchedProfileNames;
  unsigned MatchedProfileFunctions = 0;
  /// How profile names were matched ("exact", "suffix", ...), when a name
  /// matcher ran; filled by the caller.
  std::vector<std::pair<std::string, unsigned>> NameMatches;
};

} // namespace pagelayout

#endif

//===- PlanMetrics.cpp - Measure a placement ------------------------------===//
//
// Startup page counts come with three lower bounds, from loosest to
// tightest claim:
//
//  - function bound: ceil(bytes of the functions run during startup / page).
//    What a layout moving whole functions achieves if it packs perfectly and
//    every byte of those functions were needed.
//  - span bound: per function, only the bytes from its first to its last
//    executed byte; a never-executed gap of g >= page bytes inside it can be
//    skipped by page alignment except for g mod page bytes. This is the true
//    lower bound for any layout that keeps function bodies whole.
//  - instruction bound: ceil(executed bytes / page), reachable only by
//    splitting functions (hot/cold splitting).
//
// Without executed ranges in the profile the three are equal.
//
//===----------------------------------------------------------------------===//

#include "PlanMetrics.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>

using namespace llvm;

namespace pagelayout {
namespace {

/// Collects the page numbers of byte ranges; counts distinct pages.
class PageSet {
public:
  explicit PageSet(uint64_t Page) : Page(Page) {}
  void add(uint64_t Begin, uint64_t Size) {
    if (!Size)
      return;
    for (uint64_t P = Begin / Page; P <= (Begin + Size - 1) / Page; ++P)
      Pages.push_back(P);
  }
  uint64_t count() {
    llvm::sort(Pages);
    return std::unique(Pages.begin(), Pages.end()) - Pages.begin();
  }

private:
  uint64_t Page;
  std::vector<uint64_t> Pages;
};

/// Adds one function's executed ranges, placed at \p Start, to \p Pages
/// and to the span and executed byte totals.
void addExecuted(PageSet &Pages, uint64_t Start, ArrayRef<ByteRange> Ranges,
                 uint64_t Page, uint64_t &SpanBytes, uint64_t &ExecutedBytes) {
  SpanBytes += executedSpan(Ranges, Page);
  for (const ByteRange &R : Ranges) {
    ExecutedBytes += R.End - R.Begin;
    Pages.add(Start + R.Begin, R.End - R.Begin);
  }
}

} // namespace

uint64_t executedSpan(ArrayRef<ByteRange> Ranges, uint64_t Page) {
  uint64_t Span = Ranges.back().End - Ranges.front().Begin;
  for (size_t I = 1; I < Ranges.size(); ++I) {
    uint64_t Gap = Ranges[I].Begin - Ranges[I - 1].End;
    if (Gap >= Page)
      Span -= Gap - Gap % Page;
  }
  return Span;
}

std::vector<ByteRange> clipRanges(ArrayRef<ByteRange> Ranges, uint64_t Size) {
  std::vector<ByteRange> Out;
  for (const ByteRange &R : Ranges)
    if (R.Begin < Size)
      Out.push_back({R.Begin, std::min(R.End, Size)});
  return Out;
}

StartupMetrics measureStartup(const std::vector<uint64_t> &AtomOffset,
                              const AtomClassification &C,
                              const ResolvedProfile &RP, uint64_t Page) {
  StartupMetrics M;
  PageSet Whole(Page), Executed(Page);
  uint64_t FunctionBytes = 0, SpanBytes = 0, ExecutedBytes = 0;
  const Profile &P = *RP.Source;
  for (unsigned FI = 0; FI < P.Functions.size(); ++FI) {
    if (!RP.Functions[FI].RanDuringStartup || C.AtomOfFunction[FI] < 0)
      continue;
    uint64_t Size = C.FunctionSize[FI];
    uint64_t Start = AtomOffset[C.AtomOfFunction[FI]] + C.OffsetInAtom[FI];
    ++M.FunctionsRun;
    FunctionBytes += Size;
    Whole.add(Start, Size);
    std::vector<ByteRange> Ranges =
        clipRanges(P.Functions[FI].StartupRanges, Size);
    if (Ranges.empty()) {
      if (Size)
        Ranges.push_back({0, Size});
    } else {
      M.HaveExecutedRanges = true;
    }
    if (!Ranges.empty())
      addExecuted(Executed, Start, Ranges, Page, SpanBytes, ExecutedBytes);
  }
  M.PagesTouched = Whole.count();
  M.ExecutedPagesTouched = Executed.count();
  M.FunctionBound = divideCeil(FunctionBytes, Page);
  M.SpanBound = divideCeil(SpanBytes, Page);
  M.InstructionBound = divideCeil(ExecutedBytes, Page);
  return M;
}

RunMetrics measureRun(const std::vector<uint64_t> &AtomOffset,
                      const AtomClassification &C, const ResolvedProfile &RP,
                      ArrayRef<std::pair<uint64_t, uint64_t>> TouchedOutside,
                      uint64_t Page) {
  RunMetrics M;
  // Without executed ranges every byte counts as run: the phases' page
  // counts say it all.
  if (!C.HaveRanges)
    return M;
  PageSet Executed(Page), Outside(Page);
  for (auto [B, E] : TouchedOutside) {
    Outside.add(B, E - B);
    Executed.add(B, E - B);
  }
  M.OutsidePages = Outside.count();
  uint64_t SpanBytes = 0, ExecutedBytes = 0;
  const Profile &P = *RP.Source;
  for (unsigned FI = 0; FI < P.Functions.size(); ++FI) {
    const FunctionProfile &F = P.Functions[FI];
    if (C.AtomOfFunction[FI] < 0)
      continue;
    uint64_t Size = C.FunctionSize[FI];
    uint64_t Start = AtomOffset[C.AtomOfFunction[FI]] + C.OffsetInAtom[FI];
    std::vector<ByteRange> All;
    for (const std::vector<ByteRange> *Rs :
         {&F.StartupRanges, &F.FirstFrameRanges, &F.SteadyRanges})
      append_range(All, clipRanges(*Rs, Size));
    normalizeRanges(All);
    if (All.empty()) {
      if (!F.wasExecuted() || !Size)
        continue;
      All.push_back({0, Size});
    } else {
      M.HaveExecutedRanges = true;
    }
    addExecuted(Executed, Start, All, Page, SpanBytes, ExecutedBytes);
  }
  M.PagesTouched = Executed.count();
  M.SpanBound = divideCeil(SpanBytes, Page);
  M.InstructionBound = divideCeil(ExecutedBytes, Page);
  return M;
}

void measurePhases(LayoutPlan &Plan, const std::vector<Atom> &Atoms) {
  const uint64_t Page = Plan.PageSize;
  std::array<PageSet, NumPhases> Pages = {PageSet(Page), PageSet(Page),
                                          PageSet(Page), PageSet(Page)};
  std::array<bool, NumPhases> Seen{};
  uint64_t End = 0, Occupied = 0;
  for (const PlacedAtom &PA : Plan.Placement) {
    const Atom &A = Atoms[PA.AtomIndex];
    End = std::max(End, PA.Offset + A.Size);
    Occupied += A.Size;
    bool Straddles = A.Size && A.Size <= Page &&
                     PA.Offset / Page != (PA.Offset + A.Size - 1) / Page;
    if (PA.Filler) {
      // Fillers are accounted to the phase whose page they fill.
      continue;
    }
    PhaseMetrics &M = Plan.Phases[unsigned(PA.AtomPhase)];
    unsigned PI = unsigned(PA.AtomPhase);
    if (!Seen[PI] || PA.Offset < M.Begin)
      M.Begin = PA.Offset;
    M.End = std::max(M.End, PA.Offset + A.Size);
    Seen[PI] = true;
    ++M.Atoms;
    M.Bytes += A.Size;
    M.StraddlingAtoms += Straddles && PA.AtomPhase != Phase::Cold;
    Pages[PI].add(PA.Offset, A.Size);
  }
  // Fillers and padding belong to the phase whose region they sit in.
  for (const PlacedAtom &PA : Plan.Placement) {
    if (!PA.Filler)
      continue;
    for (unsigned PI = NumPhases; PI-- > 0;) {
      if (Seen[PI] && PA.Offset >= Plan.Phases[PI].Begin) {
        ++Plan.Phases[PI].FillerAtoms;
        Plan.Phases[PI].FillerBytes += Atoms[PA.AtomIndex].Size;
        break;
      }
    }
  }
  for (unsigned PI = 0; PI < NumPhases; ++PI) {
    PhaseMetrics &M = Plan.Phases[PI];
    M.Pages = Pages[PI].count();
    M.LowerBound = divideCeil(M.Bytes, Page);
    if (!Seen[PI])
      continue;
    // The phase's region runs up to the next non-empty phase.
    uint64_t RegionEnd = End;
    for (unsigned N = PI + 1; N < NumPhases; ++N)
      if (Seen[N]) {
        RegionEnd = Plan.Phases[N].Begin;
        break;
      }
    uint64_t Used = M.Bytes + M.FillerBytes;
    uint64_t Region = RegionEnd > M.Begin ? RegionEnd - M.Begin : 0;
    M.PaddingBytes = Region > Used ? Region - Used : 0;
    Plan.StraddlingAtoms += M.StraddlingAtoms;
  }
  // A measured layout starts wherever the linker put .text, not at 0.
  uint64_t Start = Plan.Placement.empty() ? 0 : Plan.Placement.front().Offset;
  Plan.TotalBytes = End - Start;
  Plan.TotalPages = End > Start ? (End - 1) / Page - Start / Page + 1 : 0;
  Plan.PaddingBytes = End - Start > Occupied ? End - Start - Occupied : 0;
}

void measurePlan(LayoutPlan &Plan, const std::vector<Atom> &Atoms,
                 const AtomClassification &Classes,
                 const ResolvedProfile &Profile,
                 ArrayRef<std::pair<uint64_t, uint64_t>> TouchedOutside) {
  measurePhases(Plan, Atoms);
  std::vector<uint64_t> NewOffset(Atoms.size()), OldOffset(Atoms.size());
  for (const PlacedAtom &PA : Plan.Placement)
    NewOffset[PA.AtomIndex] = PA.Offset;
  for (unsigned A = 0; A < Atoms.size(); ++A)
    OldOffset[A] = Atoms[A].OriginalOffset;
  Plan.Startup = measureStartup(NewOffset, Classes, Profile, Plan.PageSize);
  Plan.OriginalStartup =
      measureStartup(OldOffset, Classes, Profile, Plan.PageSize);
  Plan.Run =
      measureRun(NewOffset, Classes, Profile, TouchedOutside, Plan.PageSize);
  Plan.OriginalRun =
      measureRun(OldOffset, Classes, Profile, TouchedOutside, Plan.PageSize);
  Plan.UnmatchedProfileNames = Classes.Unmatched;
  Plan.MatchedProfileFunctions = Classes.Matched;
}

} // namespace pagelayout

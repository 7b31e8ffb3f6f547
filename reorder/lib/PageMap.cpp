//===- PageMap.cpp - Which code sits on which page of a binary ------------===//
//
// Builds the page map from the code model and a profile. The profile is
// joined with the binary's functions exactly as the layout reports join it
// (the C runtime's entry code added, names matched, phases resolved, atoms
// classified), and each profile function's executed bytes are accounted
// the way PlanMetrics accounts them: per function, clipped to its size,
// a function without ranges counting whole. So the startup and whole-run
// totals here are the layout reports' numbers for the same binary and
// profile, page by page.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/PageMap.h"
#include "AtomClassifier.h"
#include "PlanMetrics.h"
#include "pagelayout/reorder/BlockClusters.h"
#include "pagelayout/reorder/MoveSafety.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/reorder/ReorderPipeline.h"
#include "pagelayout/reorder/RuntimeStartup.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"
#include <map>

using namespace llvm;

namespace pagelayout {

StringRef touchSourceName(TouchSource S) {
  switch (S) {
  case TouchSource::None:
    return "none";
  case TouchSource::Phases:
    return "phase bits";
  case TouchSource::Profile:
    return "profile";
  case TouchSource::Run:
    return "run";
  }
  return "none";
}

std::optional<Phase> MappedPage::mainPhase() const {
  std::optional<Phase> Best;
  uint64_t Most = 0;
  for (unsigned PI = 0; PI < NumPhases; ++PI)
    if (PhaseBytes[PI] > Most) {
      Most = PhaseBytes[PI];
      Best = Phase(PI);
    }
  return Best;
}

double PageMap::startupPageEfficiency() const {
  const RunPhaseTotals &S = RunPhases[0];
  return S.SpanBound ? double(S.TouchedPages) / double(S.SpanBound) : 0;
}

namespace {

/// The run phase a function that ran after startup first ran in, when the
/// profile has no ranges to say it: by its first call against the first
/// frame's end, else by its resolved phase.
unsigned runPhaseAfterStartup(const FunctionProfile &F,
                              const ResolvedFunction &R,
                              const ResolvedProfile &RP) {
  if (F.FirstCallNs && RP.FirstFrameEndNs)
    return *F.FirstCallNs < RP.FirstFrameEndNs ? 1 : 2;
  return R.ResolvedPhase == Phase::FirstFrame ? 1 : 2;
}

/// Distinct pages of a set of address ranges.
class PageNumbers {
public:
  explicit PageNumbers(uint64_t Page) : Page(Page) {}
  void add(uint64_t Begin, uint64_t End) {
    if (End > Begin)
      for (uint64_t P = Begin / Page; P <= (End - 1) / Page; ++P)
        Pages.push_back(P);
  }
  uint64_t count() {
    llvm::sort(Pages);
    Pages.erase(std::unique(Pages.begin(), Pages.end()), Pages.end());
    return Pages.size();
  }

private:
  uint64_t Page;
  std::vector<uint64_t> Pages;
};

class PageMapBuilder {
public:
  PageMapBuilder(const LinkedBinary &B, const PageMapOptions &Opts)
      : B(B), Opts(Opts), Page(Opts.PageSize) {}

  PageMap build(const Profile *P);

private:
  void addSections();
  void addCode();
  void addProfile(const Profile &P);
  void addPages();
  void addTotals();
  MappedPage &pageAt(uint64_t PageNumber);

  const LinkedBinary &B;
  const PageMapOptions &Opts;
  const uint64_t Page;
  PageMap M;
  /// Function index in B.Functions -> its index in M.Code.
  std::vector<unsigned> CodeOfFunction;
  std::map<uint64_t, MappedPage> PagesByNumber;
  /// Per run phase, the bound sums over profile functions (as
  /// measureStartup sums them).
  std::array<uint64_t, NumRunPhases> FunctionBytes{}, SpanBytes{},
      ExecutedBytes{};
  uint64_t RunSpanBytes = 0, RunExecutedBytes = 0;
};

void PageMapBuilder::addSections() {
  for (const CodeRegion &R : B.Regions)
    M.Sections.push_back({R.Name, R.Address, R.Size, true});
  for (const LinkedBinary::CodeSection &S : B.OtherCode)
    M.Sections.push_back({S.Name, S.Address, S.Bytes.size(), false});
  llvm::stable_sort(M.Sections, [](const MappedSection &A,
                                   const MappedSection &C) {
    return A.Address < C.Address;
  });
}

void PageMapBuilder::addCode() {
  // What runs in every process is the pipeline's decision (one place):
  // mark the code whose range it names.
  std::vector<std::pair<uint64_t, uint64_t>> Anyway = codeThatRunsAnyway(B);
  auto RunsAnyway = [&](uint64_t Begin, uint64_t End) {
    return llvm::any_of(Anyway, [&](const std::pair<uint64_t, uint64_t> &R) {
      return R.first <= Begin && End <= R.second;
    });
  };
  auto SectionAt = [&](uint64_t Addr) -> std::string {
    for (const MappedSection &S : M.Sections)
      if (S.Address <= Addr && Addr < S.Address + S.Size)
        return S.Name;
    return "";
  };
  struct Item {
    MappedCode Code;
    int Function = -1;
  };
  std::vector<Item> Items;
  for (unsigned I = 0; I < B.Functions.size(); ++I) {
    const Atom &F = B.Functions[I];
    MappedCode C;
    C.Name = F.displayName();
    C.Address = F.OriginalOffset;
    C.Size = F.Size;
    C.Section = SectionAt(C.Address);
    Items.push_back({std::move(C), int(I)});
  }
  for (const Atom &U : findCodeWithoutSymbol(B)) {
    MappedCode C;
    C.Name = "<no symbol>";
    C.Address = U.OriginalOffset;
    C.Size = U.Size;
    C.Section = SectionAt(C.Address);
    C.RunsAnyway = RunsAnyway(C.Address, C.Address + C.Size);
    Items.push_back({std::move(C), -1});
  }
  for (const LinkedBinary::CodeSection &S : B.OtherCode) {
    if (S.Bytes.empty())
      continue;
    MappedCode C;
    C.Name = S.Name;
    C.Section = S.Name;
    C.Address = S.Address;
    C.Size = S.Bytes.size();
    C.RunsAnyway = RunsAnyway(C.Address, C.Address + C.Size);
    Items.push_back({std::move(C), -1});
  }
  llvm::stable_sort(Items, [](const Item &A, const Item &C) {
    return A.Code.Address < C.Code.Address;
  });
  CodeOfFunction.assign(B.Functions.size(), 0);
  for (Item &It : Items) {
    if (It.Function >= 0)
      CodeOfFunction[It.Function] = M.Code.size();
    M.Code.push_back(std::move(It.Code));
  }
}

void PageMapBuilder::addProfile(const Profile &Input) {
  // The layout reports' join (LayoutReport.cpp): the entry code added,
  // names matched, phases resolved, the binary's functions classified.
  Profile WithStartup = Input;
  // Parts of functions split by phase take their phase, as ld.pagelayout
  // gives it them.
  BlockRanges Ranges;
  if (B.Buffer) // a model built in memory has no file
    Ranges = readBlockRanges(B.Buffer->getMemBufferRef());
  applyBlockClusters(WithStartup, B.Functions, &Ranges);
  addRuntimeStartup(WithStartup, B.Functions, B.Entry);
  NameMatchResult Names = matchProfileNames(WithStartup, B.Functions);
  ResolvedProfile RP = resolvePhases(Names.Renamed, Opts.Inference);
  AtomClassification C = classifyAtoms(B.Functions, RP);
  M.ProfileFunctions = WithStartup.Functions.size();
  M.MatchedFunctions = C.Matched;
  M.HaveExecutedRanges = C.HaveRanges;
  for (unsigned I = 0; I < B.Functions.size(); ++I) {
    MappedCode &Code = M.Code[CodeOfFunction[I]];
    Code.LayoutPhase = C.Atoms[I].AtomPhase;
    Code.Profiled = C.Atoms[I].Profiled;
  }
  if (!M.haveTouched())
    return;

  const Profile &P = *RP.Source;
  for (unsigned FI = 0; FI < P.Functions.size(); ++FI) {
    int A = C.AtomOfFunction[FI];
    if (A < 0)
      continue;
    const FunctionProfile &F = P.Functions[FI];
    const ResolvedFunction &R = RP.Functions[FI];
    uint64_t Size = C.FunctionSize[FI];
    uint64_t Start = B.Functions[A].OriginalOffset + C.OffsetInAtom[FI];
    MappedCode &Code = M.Code[CodeOfFunction[A]];
    std::array<std::vector<ByteRange>, NumRunPhases> Ran;
    Ran[1] = clipRanges(F.FirstFrameRanges, Size);
    Ran[2] = clipRanges(F.SteadyRanges, Size);
    std::vector<ByteRange> Startup = clipRanges(F.StartupRanges, Size);
    bool NoRanges = Startup.empty() && Ran[1].empty() && Ran[2].empty();
    if (R.RanDuringStartup) {
      Ran[0] = std::move(Startup);
      if (Ran[0].empty() && Size)
        Ran[0].push_back({0, Size});
    } else {
      // Startup bytes of a function the inference puts after startup (a
      // marker earlier than the trace's own end): they ran after it.
      unsigned Later = runPhaseAfterStartup(F, R, RP);
      append_range(Ran[Later], Startup);
      normalizeRanges(Ran[Later]);
      if (NoRanges && F.wasExecuted() && Size)
        Ran[Later].push_back({0, Size});
    }
    for (unsigned RI = 0; RI < NumRunPhases; ++RI) {
      if (Ran[RI].empty())
        continue;
      FunctionBytes[RI] += Size;
      SpanBytes[RI] += executedSpan(Ran[RI], Page);
      for (const ByteRange &BR : Ran[RI]) {
        ExecutedBytes[RI] += BR.End - BR.Begin;
        Code.Executed[RI].push_back({Start + BR.Begin, Start + BR.End});
      }
      ++M.RunPhases[RI].Functions;
    }
    // The whole run, as measureRun counts it: the union of every phase's
    // bytes, or the whole function when it ran and has none.
    std::vector<ByteRange> All;
    for (const std::vector<ByteRange> *Rs :
         {&F.StartupRanges, &F.FirstFrameRanges, &F.SteadyRanges})
      append_range(All, clipRanges(*Rs, Size));
    normalizeRanges(All);
    if (All.empty() && F.wasExecuted() && Size)
      All.push_back({0, Size});
    if (!All.empty()) {
      RunSpanBytes += executedSpan(All, Page);
      for (const ByteRange &BR : All)
        RunExecutedBytes += BR.End - BR.Begin;
    }
  }
  for (MappedCode &Code : M.Code)
    for (std::vector<ByteRange> &Rs : Code.Executed)
      normalizeRanges(Rs);
}

MappedPage &PageMapBuilder::pageAt(uint64_t PageNumber) {
  auto [It, New] = PagesByNumber.try_emplace(PageNumber);
  if (New)
    It->second.Address = PageNumber * Page;
  return It->second;
}

void PageMapBuilder::addPages() {
  auto Overlap = [&](uint64_t Begin, uint64_t End, uint64_t P) {
    uint64_t PB = P * Page, PE = PB + Page;
    return std::min(End, PE) - std::max(Begin, PB);
  };
  // Code bytes per page from the union of the code's ranges: nested or
  // overlapping symbols do not fill a page twice.
  uint64_t Covered = 0; // code below this address is counted
  for (unsigned CI = 0; CI < M.Code.size(); ++CI) {
    const MappedCode &C = M.Code[CI];
    if (!C.Size)
      continue;
    uint64_t End = C.Address + C.Size;
    for (uint64_t P = C.Address / Page; P <= (End - 1) / Page; ++P) {
      MappedPage &MP = pageAt(P);
      uint64_t Bytes = Overlap(C.Address, End, P);
      if (C.LayoutPhase)
        MP.PhaseBytes[unsigned(*C.LayoutPhase)] += Bytes;
      else
        MP.UnphasedBytes += Bytes;
      MP.RunsAnyway |= C.RunsAnyway;
      MP.Code.push_back(CI);
      if (!is_contained(MP.Sections, C.Section))
        MP.Sections.push_back(C.Section);
      uint64_t From = std::max({C.Address, Covered, P * Page});
      if (From < std::min(End, (P + 1) * Page))
        MP.CodeBytes += Overlap(From, End, P);
    }
    Covered = std::max(Covered, End);
    for (unsigned RI = 0; RI < NumRunPhases; ++RI)
      for (const ByteRange &R : C.Executed[RI])
        for (uint64_t P = R.Begin / Page; P <= (R.End - 1) / Page; ++P)
          pageAt(P).ExecutedBytes[RI] += Overlap(R.Begin, R.End, P);
  }
  for (auto &[Number, MP] : PagesByNumber)
    M.Pages.push_back(std::move(MP));
}

void PageMapBuilder::addTotals() {
  for (const MappedCode &C : M.Code)
    M.CodeBytes += C.Size;
  std::array<PageNumbers, NumPhases> PhasePages = {
      PageNumbers(Page), PageNumbers(Page), PageNumbers(Page),
      PageNumbers(Page)};
  for (const MappedCode &C : M.Code) {
    if (!C.LayoutPhase)
      continue;
    LayoutPhaseTotals &T = M.Phases[unsigned(*C.LayoutPhase)];
    ++T.Functions;
    T.Bytes += C.Size;
    PhasePages[unsigned(*C.LayoutPhase)].add(C.Address, C.Address + C.Size);
  }
  for (unsigned PI = 0; PI < NumPhases; ++PI) {
    M.Phases[PI].Pages = PhasePages[PI].count();
    M.Phases[PI].LowerBound = divideCeil(M.Phases[PI].Bytes, Page);
  }
  if (!M.haveTouched())
    return;
  for (unsigned RI = 0; RI < NumRunPhases; ++RI) {
    RunPhaseTotals &T = M.RunPhases[RI];
    T.ExecutedBytes = ExecutedBytes[RI];
    T.FunctionBound = divideCeil(FunctionBytes[RI], Page);
    T.SpanBound = divideCeil(SpanBytes[RI], Page);
    T.InstructionBound = divideCeil(ExecutedBytes[RI], Page);
  }
  for (const MappedPage &P : M.Pages) {
    bool Earlier = false;
    for (unsigned RI = 0; RI < NumRunPhases; ++RI) {
      if (!P.touchedIn(RI))
        continue;
      ++M.RunPhases[RI].TouchedPages;
      M.RunPhases[RI].NewPages += !Earlier;
      Earlier = true;
    }
    M.Run.TouchedPages += P.touched();
    M.Run.RunsAnywayPages += P.RunsAnyway;
  }
  M.Run.SpanBound = divideCeil(RunSpanBytes, Page);
  M.Run.InstructionBound = divideCeil(RunExecutedBytes, Page);
}

PageMap PageMapBuilder::build(const Profile *P) {
  M.Binary = B.Path;
  M.Format = B.Format;
  M.PageSize = Page;
  M.Source = Opts.Source;
  M.SourceName = Opts.SourceName;
  addSections();
  addCode();
  Profile FromModule;
  if (!P && !B.InputPhases.empty()) {
    // The module's own phase bits are its layout (SMF): phases, but no
    // record of what ran.
    FromModule = profileFromInputPhases(B);
    P = &FromModule;
    M.Source = TouchSource::Phases;
    M.SourceName = "the module's phase bits";
  }
  if (P) {
    if (M.Source == TouchSource::None)
      M.Source = TouchSource::Profile;
    addProfile(*P);
  } else {
    M.Source = TouchSource::None;
    M.NoPhases = B.NoInputPhases.empty() ? "no profile given"
                                         : "no profile given, and " +
                                               B.NoInputPhases;
  }
  addPages();
  addTotals();
  return std::move(M);
}

} // namespace

PageMap buildPageMap(const LinkedBinary &B, const Profile *P,
                     const PageMapOptions &Opts) {
  return PageMapBuilder(B, Opts).build(P);
}

} // namespace pagelayout

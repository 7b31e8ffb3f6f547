//===- RegionFit.cpp - A layout that fits the room a binary has -----------===//
//
// A link makes room for whatever it lays out; a rewrite of a finished
// binary (ELF or SMF) does not: its functions must stay inside the
// executable sections they came from, around code that cannot move. The
// engine decides how to fit, from the regions it is given, so the plan
// `reorder --dry-run` prints is the one the rewrite applies. The ladder,
// from the best layout to the one that always fits:
//
//   1. phases page-aligned, straddling avoided, gaps filled with cold code;
//   2. the cold phase not page-aligned and cold atoms at the target's
//      minimum alignment (cold code never runs: its alignment buys
//      nothing);
//   3. no phase page-aligned;
//   4. first-fit: phases in order, each atom in the first gap around the
//      pinned code that holds it;
//   5. first-fit with every moved atom at the minimum alignment;
//   6. first-fit where what still finds no place keeps its own offset,
//      repeated until everything fits (at worst nothing moves).
//
// With a profile of executed bytes the first rung is two packings by
// executed bytes with every alignment kept — with page skips and the end
// pocket, and densely — of which the one touching fewer pages wins; the
// ladder above follows only when neither fits (pinned code in a region
// without room to spare). ld.pagelayout uses the same rung for .text as
// the first link laid it out (a region too: the code after it stays put).
//
// Each region is laid out on its own; the plan covers them all.
//
//===----------------------------------------------------------------------===//

#include "AtomClassifier.h"
#include "PlanMetrics.h"
#include "pagelayout/reorder/LayoutEngine.h"
#include "llvm/ADT/Twine.h"
#include <optional>
#include <thread>

using namespace llvm;

namespace pagelayout {
namespace {

/// From how many atoms two packings run on two threads.
constexpr size_t ParallelPackingAtoms = 50000;

uint64_t endOf(const LayoutPlan &P, const std::vector<Atom> &Atoms) {
  uint64_t End = 0;
  for (const PlacedAtom &PA : P.Placement)
    End = std::max(End, PA.Offset + Atoms[PA.AtomIndex].Size);
  return End;
}

FittedLayout fitRegion(const std::vector<Atom> &Atoms,
                       const LayoutRegion &Region,
                       const ResolvedProfile &Profile, const FitOptions &O) {
  FittedLayout Result;
  LayoutConfig OrderConfig;
  OrderConfig.PageSize = O.PageSize;
  // One order serves every attempt: only the packing differs.
  LayoutOrder Order = orderLayout(Atoms, Profile, OrderConfig);
  // The atoms with cold ones at the minimum alignment: a copy, made only
  // when a rung needs it (most layouts fit before).
  std::vector<Atom> Packed;
  auto MakePacked = [&] {
    if (!Packed.empty() || Atoms.empty())
      return;
    Packed = Atoms;
    for (unsigned A = 0; A < Packed.size(); ++A)
      if (Order.phaseOf(A) == Phase::Cold && !Packed[A].Pinned)
        Packed[A].Alignment =
            std::min(Packed[A].Alignment, O.MinimumAlignment);
  };

  auto Config = [&](bool Align, bool AlignCold) {
    LayoutConfig C;
    C.PageSize = O.PageSize;
    C.StartAddress = Region.Begin;
    C.EndAddress = Region.End;
    C.TouchedOutside = O.TouchedOutside;
    C.AlignPhases = Align;
    C.AlignColdPhase = AlignCold;
    C.FillWithCold = true;
    // Moving an atom off a page boundary costs bytes: only the first
    // attempt, which has room, spends them.
    C.AvoidStraddling = AlignCold;
    return C;
  };
  // Room is found by packing first: page alignment of the cold phase,
  // then of every phase, is given up before any alignment the compiler
  // chose (a loop in a function one run calls cold would start anywhere).
  struct Attempt {
    bool Align, AlignCold, KeepAlignments;
    const char *Note;
  };
  std::vector<Attempt> Attempts = {
      {true, true, true, nullptr},
      {true, false, true, "the cold phase is not page-aligned, to fit "},
      {false, false, true, "phases are not page-aligned, to fit "},
      {true, false, false,
       "the cold phase is not page-aligned and cold functions are 2-byte "
       "aligned, to fit "},
      {false, false, false,
       "phases are not page-aligned and cold functions are 2-byte aligned, "
       "to fit "}};
  // By executed bytes, room is found by packing, not by lowering the
  // compiler's alignments (a loop in a function one run calls cold would
  // start anywhere): page skips where they fit (Align), else densely,
  // which needs no more room than the input's own order; of those that
  // fit, the one touching fewest pages in a run wins, ties to skips. Only
  // when neither fits (pinned code in a full region) does the ladder go on.
  if (Order.byExecutedBytes()) {
    std::optional<LayoutPlan> Chosen;
    const char *Note = nullptr;
    // The end pocket pins the region's last bytes, so the cold code must
    // fit what is left around it: where that fails, the same without it.
    // The packings with skips and densely are independent: with
    // O.Threads, on two threads (the choice below is the same), where
    // they are large enough to gain by it (a link of vim's 5,600 atoms
    // gained nothing: a thread's start and its first touches of fresh
    // memory cost what the packing on it saves).
    auto Pack = [&](bool Skips, bool Pocket) {
      LayoutConfig C = Config(Skips, true);
      C.FillEndPocket = Pocket;
      return packLayout(Atoms, Profile, Order, C);
    };
    auto Fits = [&](const LayoutPlan &P) {
      return endOf(P, Atoms) <= Region.End;
    };
    // [skips][pocket]
    std::optional<LayoutPlan> Plans[2][2];
    auto PackBoth = [&](bool Pocket, bool Needed[2]) {
      std::thread Dense;
      if (O.Threads && Atoms.size() >= ParallelPackingAtoms && Needed[0] &&
          Needed[1])
        Dense = std::thread([&] { Plans[0][Pocket] = Pack(false, Pocket); });
      else if (Needed[0])
        Plans[0][Pocket] = Pack(false, Pocket);
      if (Needed[1])
        Plans[1][Pocket] = Pack(true, Pocket);
      if (Dense.joinable())
        Dense.join();
    };
    bool All[2] = {true, true};
    PackBoth(true, All);
    // The pocket only ever saves pages where it fits.
    bool WithoutPocket[2] = {!Fits(*Plans[0][1]), !Fits(*Plans[1][1])};
    PackBoth(false, WithoutPocket);
    for (auto [Skips, Pocket] :
         {std::pair{true, true}, {true, false}, {false, true}, {false, false}}) {
      std::optional<LayoutPlan> &P = Plans[Skips][Pocket];
      if (!P || !Fits(*P) ||
          (Chosen && P->Run.PagesTouched >= Chosen->Run.PagesTouched))
        continue;
      Chosen = std::move(*P);
      Note = Skips ? nullptr
                   : "executed code is packed without skipping to page "
                     "boundaries, to fit ";
    }
    if (Chosen) {
      Result.Plan = std::move(*Chosen);
      if (Note)
        Result.Notes.push_back(Note + Region.Name);
      return Result;
    }
  }
  for (const Attempt &A : Attempts) {
    if (!A.KeepAlignments)
      MakePacked();
    const std::vector<Atom> &Input = A.KeepAlignments ? Atoms : Packed;
    LayoutPlan P =
        packLayout(Input, Profile, Order, Config(A.Align, A.AlignCold));
    if (endOf(P, Atoms) <= Region.End) {
      Result.Plan = std::move(P);
      if (A.Note)
        Result.Notes.push_back(A.Note + Region.Name);
      return Result;
    }
  }
  LayoutConfig First = Config(false, false);
  First.FirstFit = true;
  First.FillWithCold = false;
  // Alignment beyond the minimum only helps speed: give it up before
  // giving up the layout.
  MakePacked();
  std::vector<Atom> Tight = Packed;
  for (Atom &A : Tight)
    if (!A.Pinned)
      A.Alignment = std::min(A.Alignment, O.MinimumAlignment);
  LayoutPlan P;
  for (auto [Input, Note] :
       {std::pair(&Packed, "functions fill the gaps around pinned code "
                           "first-fit"),
        std::pair(&Tight, "every moved function is 2-byte aligned")}) {
    P = packLayout(*Input, Profile, Order, First);
    if (P.UnplacedAtoms.empty()) {
      Result.Plan = std::move(P);
      Result.Notes.push_back(std::string("phases are not page-aligned and ") +
                             Note + ", to fit " + Region.Name);
      return Result;
    }
  }
  // Last: what still finds no place keeps the one it has, and the rest
  // fills the region around it; each round keeps at least one more atom.
  unsigned Kept = 0;
  for (;;) {
    for (unsigned I : P.UnplacedAtoms) {
      Tight[I].Pinned = true;
      Kept += Tight[I].functionCount();
    }
    // Pins change the classification's view, not the order: order again
    // only what the packer needs (pinned atoms are skipped by it).
    LayoutOrder Repinned = orderLayout(Tight, Profile, OrderConfig);
    P = packLayout(Tight, Profile, Repinned, First);
    if (P.UnplacedAtoms.empty())
      break;
  }
  Result.Plan = std::move(P);
  Result.Notes.push_back(
      Twine(Kept).str() + " functions keep their place and the rest fill " +
      Region.Name + " around them, 2-byte aligned: " + Region.Name +
      " has no padding to spare (a build that aligns functions, e.g. -O2, "
      "leaves room)");
  return Result;
}

} // namespace

FittedLayout fitLayout(const std::vector<Atom> &Atoms,
                       const std::vector<unsigned> &RegionOf,
                       ArrayRef<LayoutRegion> Regions,
                       const ResolvedProfile &Profile, const FitOptions &O) {
  if (Regions.size() == 1)
    return fitRegion(Atoms, Regions.front(), Profile, O);
  FittedLayout Result;
  LayoutPlan &Plan = Result.Plan;
  Plan.PageSize = O.PageSize;
  for (unsigned R = 0; R < Regions.size(); ++R) {
    std::vector<Atom> Mine;
    std::vector<unsigned> Index;
    for (unsigned A = 0; A < Atoms.size(); ++A)
      if (RegionOf[A] == R) {
        Mine.push_back(Atoms[A]);
        Index.push_back(A);
      }
    if (Mine.empty())
      continue;
    FittedLayout Part = fitRegion(Mine, Regions[R], Profile, O);
    for (PlacedAtom PA : Part.Plan.Placement) {
      PA.AtomIndex = Index[PA.AtomIndex];
      Plan.Placement.push_back(PA);
    }
    append_range(Result.Notes, Part.Notes);
  }
  llvm::stable_sort(Plan.Placement,
                    [](const PlacedAtom &X, const PlacedAtom &Y) {
                      return X.Offset < Y.Offset;
                    });
  // The plan is measured as one: pages are the program's, whichever
  // section they hold.
  measurePlan(Plan, Atoms, classifyAtoms(Atoms, Profile), Profile);
  return Result;
}

} // namespace pagelayout

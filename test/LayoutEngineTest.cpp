//===- LayoutEngineTest.cpp - Packing, ordering and metrics ---------------===//
//
// Tiny inputs with exact expectations. A page size of 256 keeps the
// arithmetic readable; the engine treats every power of two alike.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/LayoutEngine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "llvm/Support/MathExtras.h"

using namespace pagelayout;
using ::testing::ElementsAre;

namespace {

struct AtomSpec {
  const char *Name;
  uint64_t Size;
  uint64_t Align = 1;
};

/// Atoms laid out back to back in the given order, as a reader would.
std::vector<Atom> makeAtoms(std::initializer_list<AtomSpec> Specs) {
  std::vector<Atom> Atoms;
  uint64_t Offset = 0;
  for (const AtomSpec &S : Specs) {
    Atom A;
    A.Symbols.push_back({S.Name, 0, S.Size});
    A.Size = S.Size;
    A.Alignment = S.Align;
    Offset = (Offset + S.Align - 1) / S.Align * S.Align;
    A.OriginalOffset = Offset;
    Offset += S.Size;
    A.Origin = S.Name;
    Atoms.push_back(A);
  }
  return Atoms;
}

FunctionProfile fn(const char *Name, Phase P, uint64_t First = 0,
                   uint64_t Calls = 1) {
  FunctionProfile F;
  F.Name = Name;
  F.ExplicitPhase = P;
  F.Calls = Calls;
  if (First)
    F.FirstCallNs = First;
  return F;
}

LayoutConfig pages(uint64_t Size) {
  LayoutConfig C;
  C.PageSize = Size;
  return C;
}

/// "name@offset" for every placed atom, in address order.
std::vector<std::string> placement(const LayoutPlan &Plan,
                                   const std::vector<Atom> &Atoms) {
  std::vector<std::string> Out;
  for (const PlacedAtom &PA : Plan.Placement)
    Out.push_back(Atoms[PA.AtomIndex].displayName() + "@" +
                  std::to_string(PA.Offset) + (PA.Filler ? "*" : ""));
  return Out;
}

TEST(LayoutEngine, PhasesStartOnPagesAndColdFillsTheGaps) {
  std::vector<Atom> Atoms = makeAtoms({{"c1", 40, 16},
                                       {"h", 60, 16},
                                       {"c2", 200, 16},
                                       {"f", 50, 16},
                                       {"s", 100, 16}});
  Profile P;
  P.Functions = {fn("s", Phase::Startup, 1), fn("f", Phase::FirstFrame),
                 fn("h", Phase::Steady)};
  ResolvedProfile RP = resolvePhases(P);
  LayoutPlan Plan = computeLayout(Atoms, RP, pages(256));
  // c1 fills startup's page; c2 (200 bytes) fits no gap once aligned.
  EXPECT_THAT(placement(Plan, Atoms),
              ElementsAre("s@0", "c1@112*", "f@256", "h@512", "c2@768"));
  EXPECT_EQ(Plan.Phases[0].FillerAtoms, 1u);
  EXPECT_EQ(Plan.Phases[0].Pages, 1u);
  EXPECT_EQ(Plan.Phases[unsigned(Phase::Cold)].Begin, 768u);
  EXPECT_EQ(Plan.TotalPages, 4u);
}

TEST(LayoutEngine, StraddlerMovesToNextPageWhenSlackAllows) {
  std::vector<Atom> Atoms = makeAtoms({{"a", 200}, {"b", 100}});
  Profile P;
  P.Functions = {fn("a", Phase::Startup, 1), fn("b", Phase::Startup, 2)};
  ResolvedProfile RP = resolvePhases(P);
  LayoutPlan Plan = computeLayout(Atoms, RP, pages(256));
  EXPECT_THAT(placement(Plan, Atoms), ElementsAre("a@0", "b@256"));
  EXPECT_EQ(Plan.StraddlingAtoms, 0u);
  EXPECT_EQ(Plan.Phases[0].Pages, Plan.Phases[0].LowerBound);

  LayoutConfig NoAvoid = pages(256);
  NoAvoid.AvoidStraddling = false;
  LayoutPlan Straddling = computeLayout(Atoms, RP, NoAvoid);
  EXPECT_THAT(placement(Straddling, Atoms), ElementsAre("a@0", "b@200"));
  EXPECT_EQ(Straddling.StraddlingAtoms, 1u);
}

TEST(LayoutEngine, StraddlerPullsALaterAtomForwardWhenSlackIsShort) {
  // 506 bytes in a 2-page bound leave 6 bytes of slack: padding b to the
  // boundary would cost a page, so c (56 bytes) fills the gap instead.
  std::vector<Atom> Atoms =
      makeAtoms({{"a", 200}, {"b", 100}, {"c", 56}, {"d", 150}});
  Profile P;
  P.Functions = {fn("a", Phase::Startup, 1), fn("b", Phase::Startup, 2),
                 fn("c", Phase::Startup, 3), fn("d", Phase::Startup, 4)};
  ResolvedProfile RP = resolvePhases(P);
  LayoutPlan Plan = computeLayout(Atoms, RP, pages(256));
  EXPECT_THAT(placement(Plan, Atoms),
              ElementsAre("a@0", "c@200", "b@256", "d@356"));
  EXPECT_EQ(Plan.StraddlingAtoms, 0u);
  EXPECT_EQ(Plan.Phases[0].Pages, 2u);
}

TEST(LayoutEngine, PinnedAtomsKeepTheirPlace) {
  std::vector<Atom> Atoms =
      makeAtoms({{"s1", 80}, {"x", 20}, {"p", 50}, {"s2", 80}});
  Atoms[2].Pinned = true; // p stays at offset 100
  Profile P;
  P.Functions = {fn("s1", Phase::Startup, 1), fn("s2", Phase::Startup, 2)};
  ResolvedProfile RP = resolvePhases(P);
  LayoutPlan Plan = computeLayout(Atoms, RP, pages(256));
  EXPECT_THAT(placement(Plan, Atoms),
              ElementsAre("s1@0", "x@80*", "p@100", "s2@150"));

  // A profile can pin too.
  std::vector<Atom> Unpinned =
      makeAtoms({{"s1", 80}, {"x", 20}, {"p", 50}, {"s2", 80}});
  FunctionProfile Pin = fn("p", Phase::Cold);
  Pin.Pinned = true;
  P.Functions.push_back(Pin);
  ResolvedProfile RP2 = resolvePhases(P);
  EXPECT_EQ(placement(computeLayout(Unpinned, RP2, pages(256)), Unpinned),
            placement(Plan, Atoms));
}

TEST(LayoutEngine, TemporalOrderFollowsFirstCallThenTrace) {
  std::vector<Atom> Atoms = makeAtoms({{"z", 10}, {"y", 10}, {"x", 10}});
  Profile P;
  P.Functions = {fn("x", Phase::Startup, 1), fn("y", Phase::Startup, 2),
                 fn("z", Phase::Startup, 3)};
  ResolvedProfile RP = resolvePhases(P);
  EXPECT_THAT(placement(computeLayout(Atoms, RP, pages(256)), Atoms),
              ElementsAre("x@0", "y@10", "z@20"));

  // One trace decides for what it names; the rest follow by first call.
  P.Traces = {{{"z", "y"}, 1}};
  ResolvedProfile WithTrace = resolvePhases(P);
  EXPECT_THAT(placement(computeLayout(Atoms, WithTrace, pages(256)), Atoms),
              ElementsAre("z@0", "y@10", "x@20"));
}

TEST(LayoutEngine, SeveralTracesUseBalancedPartitioning) {
  std::vector<Atom> Atoms =
      makeAtoms({{"a", 10}, {"b", 10}, {"c", 10}, {"d", 10}, {"e", 10}});
  Profile P;
  for (const char *N : {"a", "b", "c", "d", "e"})
    P.Functions.push_back(fn(N, Phase::Startup, 5));
  P.Traces = {{{"d", "e", "a"}, 1}, {{"d", "e", "b"}, 1}, {{"e", "d"}, 1}};
  ResolvedProfile RP = resolvePhases(P);
  LayoutPlan One = computeLayout(Atoms, RP, pages(256));
  LayoutPlan Two = computeLayout(Atoms, RP, pages(256));
  std::vector<std::string> Order = placement(One, Atoms);
  EXPECT_EQ(Order, placement(Two, Atoms));
  ASSERT_EQ(Order.size(), 5u);
  // d and e run in every trace: they end up side by side.
  auto At = [&](const char *Name) {
    for (unsigned I = 0; I < One.Placement.size(); ++I)
      if (Atoms[One.Placement[I].AtomIndex].displayName() == Name)
        return int(I);
    return -100;
  };
  EXPECT_EQ(std::abs(At("d") - At("e")), 1);
  // c is in no trace: it follows the partitioned ones.
  EXPECT_EQ(At("c"), 4);
}

TEST(LayoutEngine, SteadyClustersCallersWithCallees) {
  std::vector<Atom> Atoms =
      makeAtoms({{"a", 64}, {"b", 64}, {"c", 64}, {"d", 64}});
  Profile P;
  for (const char *N : {"a", "b", "c", "d"})
    P.Functions.push_back(fn(N, Phase::Steady, 0, 1000));
  P.Edges = {{"a", "c", 100000}, {"b", "d", 100000}};
  ResolvedProfile RP = resolvePhases(P);
  LayoutPlan Plan = computeLayout(Atoms, RP, pages(4096));
  std::vector<unsigned> Pos(4);
  for (unsigned I = 0; I < Plan.Placement.size(); ++I)
    Pos[Plan.Placement[I].AtomIndex] = I;
  EXPECT_EQ(std::abs(int(Pos[0]) - int(Pos[2])), 1);
  EXPECT_EQ(std::abs(int(Pos[1]) - int(Pos[3])), 1);
}

TEST(LayoutEngine, AnAtomTakesTheEarliestPhaseOfItsFunctions) {
  std::vector<Atom> Atoms = makeAtoms({{"c", 10}, {"mixed", 100}});
  Atoms[1].Symbols.push_back({"mixed_helper", 50, 50});
  Profile P;
  P.Functions = {fn("mixed", Phase::Cold),
                 fn("mixed_helper", Phase::Startup, 1)};
  ResolvedProfile RP = resolvePhases(P);
  LayoutPlan Plan = computeLayout(Atoms, RP, pages(256));
  EXPECT_EQ(Plan.Placement[0].AtomIndex, 1u);
  EXPECT_EQ(Plan.Placement[0].AtomPhase, Phase::Startup);
}

TEST(LayoutEngine, StartupBoundsUseExecutedRanges) {
  std::vector<Atom> Atoms = makeAtoms({{"big", 1000}});
  Profile P;
  FunctionProfile F = fn("big", Phase::Startup, 1);
  F.StartupRanges = {{0, 10}, {900, 1000}};
  P.Functions = {F};
  ResolvedProfile RP = resolvePhases(P);
  LayoutPlan Plan = computeLayout(Atoms, RP, pages(256));
  const StartupMetrics &S = Plan.Startup;
  EXPECT_TRUE(S.HaveExecutedRanges);
  EXPECT_EQ(S.PagesTouched, 4u);         // the whole body spans 4 pages
  EXPECT_EQ(S.ExecutedPagesTouched, 2u); // executed bytes sit on pages 0, 3
  EXPECT_EQ(S.FunctionBound, 4u);        // ceil(1000 / 256)
  // Span 1000 minus the 890-byte hole's whole pages (768): 232 -> 1 page.
  EXPECT_EQ(S.SpanBound, 1u);
  EXPECT_EQ(S.InstructionBound, 1u); // 110 executed bytes
}

// Packing by executed bytes (PagePacker.cpp).

uint64_t offsetOf(const LayoutPlan &Plan, unsigned Atom) {
  for (const PlacedAtom &PA : Plan.Placement)
    if (PA.AtomIndex == Atom)
      return PA.Offset;
  ADD_FAILURE() << "atom " << Atom << " not placed";
  return 0;
}

TEST(LayoutEngine, AHoleOfAPageIsPlacedToCoverAWholePage) {
  // 1000 executed bytes, then a 9 KB function whose middle 5 KB never
  // run, then cold code. Right behind the first function the hole would
  // cover no whole page (pages 0, 1 and 2 touched); started at 1024-2048
  // it covers page 1, and cold code fills the gap before it.
  std::vector<Atom> Atoms = makeAtoms(
      {{"first", 1000}, {"big", 9216, 16}, {"cold1", 24}, {"cold2", 5000}});
  Profile P;
  FunctionProfile First = fn("first", Phase::Startup, 1);
  First.StartupRanges = {{0, 1000}};
  FunctionProfile Big = fn("big", Phase::Startup, 2);
  Big.StartupRanges = {{0, 2048}, {7168, 9216}};
  P.Functions = {First, Big};
  ResolvedProfile RP = resolvePhases(P);
  LayoutPlan Plan = computeLayout(Atoms, RP, pages(4096));
  EXPECT_EQ(offsetOf(Plan, 0), 0u);
  uint64_t BigAt = offsetOf(Plan, 1);
  EXPECT_GE(BigAt, 1024u);
  EXPECT_LE(BigAt, 2048u);
  EXPECT_EQ(offsetOf(Plan, 2), 1000u); // the gap, filled with cold code
  EXPECT_TRUE(Plan.Run.HaveExecutedRanges);
  EXPECT_EQ(Plan.Run.PagesTouched, 2u); // pages 0 and 2; page 1 untouched
  EXPECT_EQ(Plan.Startup.ExecutedPagesTouched, 2u);
  // Each byte run (3048 + 2048 = 5096) on a page: the span bound is 2.
  EXPECT_EQ(Plan.Run.SpanBound, 2u);
}

TEST(LayoutEngine, ATailThatNeverRunsClosesAPageAndSpillsOntoAnUntouchedOne) {
  // t runs its first 100 bytes and never its 200-byte tail. Placed first,
  // the tail would fill page 0 and push a and b onto pages 1 and 2. It
  // closes page 0 instead: a fills the room before it, t's last executed
  // byte ends the page, its tail runs into page 1, which cold code fills
  // and nothing touches, and b starts page 2: 2 pages for 3.
  std::vector<Atom> Atoms = makeAtoms({{"t", 300},
                                       {"a", 150},
                                       {"b", 100},
                                       {"c56", 56},
                                       {"c200", 200},
                                       {"c201", 201},
                                       {"c202", 202},
                                       {"c100", 100}});
  Profile P;
  FunctionProfile T = fn("t", Phase::Startup, 1);
  T.StartupRanges = {{0, 100}};
  FunctionProfile A = fn("a", Phase::Startup, 2);
  A.StartupRanges = {{0, 150}};
  FunctionProfile B = fn("b", Phase::Startup, 3);
  B.StartupRanges = {{0, 100}};
  P.Functions = {T, A, B};
  ResolvedProfile RP = resolvePhases(P);
  LayoutPlan Plan = computeLayout(Atoms, RP, pages(256));
  std::vector<std::string> Where = placement(Plan, Atoms);
  ASSERT_GE(Where.size(), 4u);
  EXPECT_THAT(std::vector<std::string>(Where.begin(), Where.begin() + 4),
              ElementsAre("a@0", "t@156", "c56@456*", "b@512"));
  EXPECT_EQ(Plan.Run.PagesTouched, 2u);

  // Without cold code to spare for the skip, nothing is skipped: the
  // atoms follow each other (t last, where its tail costs nothing).
  std::vector<Atom> Few = makeAtoms({{"t", 300}, {"a", 150}, {"b", 100}});
  LayoutPlan Dense = computeLayout(Few, RP, pages(256));
  EXPECT_THAT(placement(Dense, Few), ElementsAre("a@0", "b@150", "t@250"));
}

TEST(LayoutEngine, StartupContinuesOnThePartialPageAfterThePlt) {
  // .text starts mid-page, behind a .plt that every run executes: 2000
  // bytes of startup code fit on that page's rest and cost no page of
  // their own; started on the next boundary they would cost one.
  std::vector<Atom> Atoms =
      makeAtoms({{"a", 1000, 16}, {"b", 1000, 16}, {"cold", 3000, 16}});
  for (Atom &A : Atoms)
    A.OriginalOffset += 0x1800;
  Profile P;
  for (const char *N : {"a", "b"}) {
    FunctionProfile F = fn(N, Phase::Startup, N[0] == 'a' ? 1 : 2);
    F.StartupRanges = {{0, 1000}};
    P.Functions.push_back(F);
  }
  ResolvedProfile RP = resolvePhases(P);
  LayoutConfig C = pages(4096);
  C.StartAddress = 0x1800;
  C.TouchedOutside = {{0x1000, 0x1800}};
  LayoutPlan Plan = computeLayout(Atoms, RP, C);
  EXPECT_EQ(offsetOf(Plan, 0), 0x1800u);
  EXPECT_EQ(offsetOf(Plan, 1), 0x1800u + 1008);
  EXPECT_EQ(Plan.Run.PagesTouched, 1u); // the .plt's page, shared
  EXPECT_EQ(Plan.Run.OutsidePages, 1u);
}

TEST(LayoutEngine, TheLastPageSharedWithCodeAfterTheRegionTakesHotCode) {
  // The region ends 0x400 bytes into a page whose rest holds .init: the
  // largest executed function that fits goes there, at no page's cost.
  std::vector<Atom> Atoms = makeAtoms(
      {{"s1", 3000, 16}, {"s2", 900, 16}, {"c1", 4000, 16}, {"c2", 1000, 16}});
  Profile P;
  for (const char *N : {"s1", "s2"}) {
    FunctionProfile F = fn(N, Phase::Startup, N[1] == '1' ? 1 : 2);
    F.StartupRanges = {{0, N[1] == '1' ? 3000u : 900u}};
    P.Functions.push_back(F);
  }
  ResolvedProfile RP = resolvePhases(P);
  LayoutConfig C = pages(4096);
  C.EndAddress = 0x2400;
  C.TouchedOutside = {{0x2400, 0x2417}};
  LayoutPlan Plan = computeLayout(Atoms, RP, C);
  // s2 on the shared page, packed against the region's end.
  EXPECT_EQ(offsetOf(Plan, 1), llvm::alignDown(0x2400 - 900, 16));
  EXPECT_EQ(offsetOf(Plan, 0), 0u);
  EXPECT_EQ(Plan.Run.PagesTouched, 2u); // page 0 and the shared page 2
}

TEST(LayoutEngine, TheEndPocketTakesStartupCodeInItsOrder) {
  // The pocket before .init (0x400 bytes) holds s2 and s3, which run
  // first, in the order they run; t is steady code, which the page .init
  // touches at startup would add to the steady pages: it stays out.
  std::vector<Atom> Atoms = makeAtoms({{"s1", 3000, 16},
                                       {"s3", 200, 16},
                                       {"s2", 600, 16},
                                       {"t", 100, 16},
                                       {"c1", 4000, 16},
                                       {"c2", 1000, 16}});
  Profile P;
  const char *Startup[] = {"s1", "s2", "s3"};
  for (unsigned I = 0; I < 3; ++I) {
    FunctionProfile F = fn(Startup[I], Phase::Startup, I + 1);
    F.StartupRanges = {{0, Atoms[I == 0 ? 0 : I == 1 ? 2 : 1].Size}};
    P.Functions.push_back(F);
  }
  FunctionProfile T = fn("t", Phase::Steady, 10, 1000);
  T.SteadyRanges = {{0, 100}};
  P.Functions.push_back(T);
  ResolvedProfile RP = resolvePhases(P);
  LayoutConfig C = pages(4096);
  C.EndAddress = 0x2400;
  C.TouchedOutside = {{0x2400, 0x2417}};
  LayoutPlan Plan = computeLayout(Atoms, RP, C);
  // s2, then s3 up to the end (each 16-aligned).
  uint64_t S3 = llvm::alignDown(0x2400 - 200, 16);
  EXPECT_EQ(offsetOf(Plan, 1), S3);
  EXPECT_EQ(offsetOf(Plan, 2), llvm::alignDown(S3 - 600, 16));
  EXPECT_LT(offsetOf(Plan, 3), 0x2000u); // t with the rest of the layout
}

TEST(LayoutEngine, AFixedRegionGivesUpPageAlignmentBeforeTheCompilersAlignment) {
  // 416 bytes of room: cold code on a page of its own (256) would end at
  // 456; right after startup, at its own 16-byte alignment, it ends at 408.
  // Its alignment is never lowered while packing finds the room.
  std::vector<Atom> Atoms = makeAtoms({{"c1", 200, 16}, {"s", 200, 16}});
  Profile P;
  P.Functions = {fn("s", Phase::Startup, 1)};
  ResolvedProfile RP = resolvePhases(P);
  FitOptions O;
  O.PageSize = 256;
  FittedLayout F =
      fitLayout(Atoms, {0, 0}, {LayoutRegion{".text", 0, 416}}, RP, O);
  EXPECT_THAT(placement(F.Plan, Atoms), ElementsAre("s@0", "c1@208"));
  EXPECT_THAT(F.Notes,
              ElementsAre("the cold phase is not page-aligned, to fit .text"));
}

TEST(LayoutEngine, ReportsUnmatchedProfileNames) {
  std::vector<Atom> Atoms = makeAtoms({{"a", 10}});
  Profile P;
  P.Functions = {fn("a", Phase::Startup, 1), fn("gone", Phase::Steady)};
  LayoutPlan Plan = computeLayout(Atoms, resolvePhases(P), pages(256));
  EXPECT_EQ(Plan.MatchedProfileFunctions, 1u);
  EXPECT_THAT(Plan.UnmatchedProfileNames, ElementsAre("gone"));
}

TEST(LayoutEngine, SameInputsSamePlan) {
  // A few hundred atoms of every phase with a dense call graph.
  std::vector<Atom> Atoms;
  Profile P;
  for (unsigned I = 0; I < 400; ++I) {
    std::string Name = "f" + std::to_string(I);
    Atom A;
    A.Symbols.push_back({Name, 0, 0});
    A.Size = 16 + (I * 37) % 700;
    A.Alignment = 16;
    A.OriginalOffset = I * 1024;
    Atoms.push_back(A);
    if (I % 4 != 3)
      P.Functions.push_back(
          fn(Atoms.back().Symbols[0].Name.c_str(), Phase(I % 4), I + 1, I));
    P.Functions.back().Name = Name;
  }
  for (unsigned I = 0; I < 400; ++I)
    P.Edges.push_back({P.intern("f" + std::to_string(I)),
                       P.intern("f" + std::to_string((I * 7) % 400)), I + 1});
  ResolvedProfile RP = resolvePhases(P);
  LayoutPlan A = computeLayout(Atoms, RP, pages(4096));
  LayoutPlan B = computeLayout(Atoms, RP, pages(4096));
  ASSERT_EQ(A.Placement.size(), Atoms.size());
  for (size_t I = 0; I < A.Placement.size(); ++I) {
    EXPECT_EQ(A.Placement[I].AtomIndex, B.Placement[I].AtomIndex);
    EXPECT_EQ(A.Placement[I].Offset, B.Placement[I].Offset);
  }
  // No two atoms overlap, and each keeps its alignment.
  for (size_t I = 0; I < A.Placement.size(); ++I) {
    const PlacedAtom &PA = A.Placement[I];
    EXPECT_EQ(PA.Offset % Atoms[PA.AtomIndex].Alignment, 0u);
    if (I + 1 < A.Placement.size())
      EXPECT_LE(PA.Offset + Atoms[PA.AtomIndex].Size,
                A.Placement[I + 1].Offset);
  }
}

} // namespace

//===- PageMapTest.cpp - The page map of pagelayout report ----------------===//
//
// Small binaries written as code models: which page holds what, which run
// phase touches it, and totals that agree with the layout reports'
// (measureLayout) for the same functions and profile.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/LayoutEngine.h"
#include "pagelayout/reorder/PageMap.h"
#include "gtest/gtest.h"

using namespace pagelayout;

namespace {

Atom function(const std::string &Name, uint64_t Address, uint64_t Size) {
  Atom A;
  A.Symbols.push_back({Name, 0, Size});
  A.Size = Size;
  A.OriginalOffset = Address;
  return A;
}

/// .plt at 0xf00 (runs anyway), .text from 0x1000: f (6 KB: runs 256 bytes
/// at startup, 256 more 5 KB in, in steady state) and g (cold).
LinkedBinary smallBinary() {
  LinkedBinary B;
  B.Path = "small";
  B.Regions.push_back({".text", 1, 0x1000, 0x1900});
  B.Functions.push_back(function("f", 0x1000, 0x1800));
  B.Functions.push_back(function("g", 0x2800, 0x100));
  static const uint8_t Plt[0x100] = {};
  B.OtherCode.push_back({".plt", 0xf00, llvm::ArrayRef<uint8_t>(Plt)});
  return B;
}

Profile smallProfile() {
  Profile P;
  FunctionProfile F;
  F.Name = "f";
  F.ExplicitPhase = Phase::Startup;
  F.FirstCallNs = 10;
  F.Calls = 1;
  F.StartupRanges = {{0, 0x100}};
  F.SteadyRanges = {{0x1400, 0x1500}};
  P.Functions.push_back(F);
  P.Markers.push_back({StartupEndMarker.str(), 100});
  return P;
}

PageMapOptions withProfile() {
  PageMapOptions O;
  O.Source = TouchSource::Profile;
  O.SourceName = "p.yaml";
  return O;
}

TEST(PageMap, PagesHoldTheirCodeAndWhatRanOnThem) {
  LinkedBinary B = smallBinary();
  Profile P = smallProfile();
  PageMap M = buildPageMap(B, &P, withProfile());
  ASSERT_EQ(M.Pages.size(), 3u);
  // Page 0: the PLT only, which every run executes.
  EXPECT_EQ(M.Pages[0].Address, 0x0u);
  EXPECT_EQ(M.Pages[0].CodeBytes, 0x100u);
  EXPECT_TRUE(M.Pages[0].RunsAnyway);
  EXPECT_FALSE(M.Pages[0].touchedIn(0));
  EXPECT_EQ(M.Pages[0].Sections, std::vector<std::string>{".plt"});
  // Page 1: the first 4 KB of f, startup ran 256 bytes of it.
  EXPECT_EQ(M.Pages[1].CodeBytes, 0x1000u);
  EXPECT_EQ(M.Pages[1].PhaseBytes[unsigned(Phase::Startup)], 0x1000u);
  EXPECT_EQ(M.Pages[1].ExecutedBytes[0], 0x100u);
  EXPECT_FALSE(M.Pages[1].touchedIn(2));
  // Page 2: the rest of f (its steady bytes) and the cold g.
  EXPECT_EQ(M.Pages[2].CodeBytes, 0x900u);
  EXPECT_EQ(M.Pages[2].PhaseBytes[unsigned(Phase::Startup)], 0x800u);
  EXPECT_EQ(M.Pages[2].PhaseBytes[unsigned(Phase::Cold)], 0x100u);
  EXPECT_FALSE(M.Pages[2].touchedIn(0));
  EXPECT_EQ(M.Pages[2].ExecutedBytes[2], 0x100u);
  ASSERT_EQ(M.Pages[2].Code.size(), 2u);
  EXPECT_EQ(M.Code[M.Pages[2].Code[1]].Name, "g");

  EXPECT_EQ(M.RunPhases[0].TouchedPages, 1u);
  EXPECT_EQ(M.RunPhases[0].NewPages, 1u);
  EXPECT_EQ(M.RunPhases[2].TouchedPages, 1u);
  EXPECT_EQ(M.RunPhases[2].NewPages, 1u);
  EXPECT_EQ(M.RunPhases[0].FunctionBound, 2u); // f is 6 KB
  EXPECT_EQ(M.RunPhases[0].InstructionBound, 1u);
  EXPECT_EQ(M.Run.TouchedPages, 3u); // both of f's pages and the PLT's
  EXPECT_EQ(M.Run.RunsAnywayPages, 1u);
  EXPECT_EQ(M.Phases[unsigned(Phase::Startup)].Functions, 1u);
  EXPECT_EQ(M.Phases[unsigned(Phase::Startup)].Pages, 2u);
  EXPECT_EQ(M.Phases[unsigned(Phase::Cold)].Pages, 1u);
  EXPECT_TRUE(M.HaveExecutedRanges);
  EXPECT_DOUBLE_EQ(M.startupPageEfficiency(), 1.0);
}

TEST(PageMap, TotalsAreTheLayoutReportsNumbers) {
  LinkedBinary B = smallBinary();
  Profile P = smallProfile();
  PageMap M = buildPageMap(B, &P, withProfile());
  ResolvedProfile RP = resolvePhases(P);
  std::vector<std::pair<uint64_t, uint64_t>> Plt = {{0xf00, 0x1000}};
  LayoutPlan Measured = measureLayout(B.Functions, RP, 4096, Plt);
  EXPECT_EQ(M.RunPhases[0].TouchedPages,
            Measured.Startup.ExecutedPagesTouched);
  EXPECT_EQ(M.RunPhases[0].SpanBound, Measured.Startup.SpanBound);
  EXPECT_EQ(M.RunPhases[0].FunctionBound, Measured.Startup.FunctionBound);
  EXPECT_EQ(M.RunPhases[0].InstructionBound,
            Measured.Startup.InstructionBound);
  EXPECT_EQ(M.Run.TouchedPages, Measured.Run.PagesTouched);
  EXPECT_EQ(M.Run.SpanBound, Measured.Run.SpanBound);
  EXPECT_EQ(M.Run.InstructionBound, Measured.Run.InstructionBound);
}

TEST(PageMap, AFunctionWithoutRangesCountsWhole) {
  LinkedBinary B = smallBinary();
  Profile P;
  FunctionProfile F;
  F.Name = "f";
  F.FirstCallNs = 10;
  F.Calls = 1;
  P.Functions.push_back(F);
  P.Markers.push_back({StartupEndMarker.str(), 100});
  PageMap M = buildPageMap(B, &P, withProfile());
  EXPECT_FALSE(M.HaveExecutedRanges);
  EXPECT_EQ(M.RunPhases[0].TouchedPages, 2u);
  EXPECT_TRUE(M.Pages[2].touchedIn(0));
  EXPECT_EQ(M.Pages[2].ExecutedBytes[0], 0x800u);
}

TEST(PageMap, WithoutAProfileThereAreNoPhases) {
  LinkedBinary B = smallBinary();
  PageMap M = buildPageMap(B, nullptr, {});
  EXPECT_EQ(M.Source, TouchSource::None);
  EXPECT_FALSE(M.havePhases());
  EXPECT_EQ(M.Pages.size(), 3u);
  EXPECT_EQ(M.Pages[2].UnphasedBytes, 0x900u);
  EXPECT_EQ(M.Run.TouchedPages, 0u);
}

TEST(PageMap, AModulesPhaseBitsGivePhasesButNothingTouched) {
  LinkedBinary B = smallBinary();
  B.Format = BinaryFormat::SMF;
  B.InputPhases = {{"f", Phase::Steady}, {"g", Phase::Startup}};
  PageMap M = buildPageMap(B, nullptr, {});
  EXPECT_EQ(M.Source, TouchSource::Phases);
  EXPECT_TRUE(M.havePhases());
  EXPECT_FALSE(M.haveTouched());
  EXPECT_EQ(M.Pages[2].PhaseBytes[unsigned(Phase::Startup)], 0x100u);
  EXPECT_EQ(M.Pages[2].PhaseBytes[unsigned(Phase::Steady)], 0x800u);
  EXPECT_EQ(M.RunPhases[0].TouchedPages, 0u);
}

TEST(PageMap, SmallerPagesSplitTheSameCode) {
  LinkedBinary B = smallBinary();
  Profile P = smallProfile();
  PageMapOptions O = withProfile();
  O.PageSize = 1024;
  PageMap M = buildPageMap(B, &P, O);
  // .plt on one page, f on six, g on its own.
  EXPECT_EQ(M.Pages.size(), 8u);
  EXPECT_EQ(M.RunPhases[0].TouchedPages, 1u);
  EXPECT_EQ(M.RunPhases[2].TouchedPages, 1u);
  EXPECT_EQ(M.Pages.back().Address, 0x2800u);
}

} // namespace

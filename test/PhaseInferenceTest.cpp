//===- PhaseInferenceTest.cpp - Explicit > rule > inference ---------------===//

#include "pagelayout/schema/PhaseInference.h"
#include "pagelayout/schema/NamePool.h"
#include "TestProfiles.h"
#include "gtest/gtest.h"

using namespace pagelayout;

namespace {

Phase phaseOf(const ResolvedProfile &RP, const char *Name) {
  return RP.Functions[RP.find(Name)].ResolvedPhase;
}

TEST(PhaseInference, ExplicitBeatsRuleBeatsInference) {
  Profile P = parseValid(R"(version: 1
functions:
  - {name: log_a, phase: steady, calls: 1, first_call_ns: 10}
  - {name: log_b, calls: 1, first_call_ns: 10}
  - {name: other, calls: 1, first_call_ns: 10}
rules:
  - {pattern: "log_*", phase: cold}
  - {pattern: "*", phase: steady}
)");
  ResolvedProfile RP = resolvePhases(P);
  EXPECT_EQ(phaseOf(RP, "log_a"), Phase::Steady);
  EXPECT_EQ(RP.Functions[0].Source, PhaseSource::Explicit);
  EXPECT_EQ(phaseOf(RP, "log_b"), Phase::Cold); // first matching rule wins
  EXPECT_EQ(RP.Functions[1].Source, PhaseSource::Rule);
  EXPECT_EQ(phaseOf(RP, "other"), Phase::Steady);
  // Ran during startup is a fact of the run, whatever the chosen phase.
  EXPECT_TRUE(RP.Functions[1].RanDuringStartup);
}

TEST(PhaseInference, MarkersOverrideWindows) {
  Profile P = parseValid(R"(version: 1
markers:
  - {name: startup_end, time_ns: 1000}
  - {name: first_frame, time_ns: 2000}
functions:
  - {name: a, calls: 1, first_call_ns: 999}
  - {name: b, calls: 1, first_call_ns: 1000}
  - {name: c, calls: 1, first_call_ns: 2000}
)");
  ResolvedProfile RP = resolvePhases(P);
  EXPECT_TRUE(RP.StartupEndFromMarker);
  EXPECT_EQ(phaseOf(RP, "a"), Phase::Startup);
  EXPECT_EQ(phaseOf(RP, "b"), Phase::FirstFrame);
  EXPECT_NE(phaseOf(RP, "c"), Phase::FirstFrame);
  EXPECT_DOUBLE_EQ(RP.Functions[0].Confidence, 0.95);
}

TEST(PhaseInference, WindowsAndRatesAreConfigurable) {
  Profile P = parseValid(R"(version: 1
metadata: {duration_ns: 10000000000}
functions:
  - {name: early, calls: 1, first_call_ns: 50000000}
  - {name: frame, calls: 1, first_call_ns: 300000000}
  - {name: hot, calls: 100000, first_call_ns: 600000000}
  - {name: warm, calls: 50, first_call_ns: 600000000}
  - {name: rare, calls: 2, first_call_ns: 600000000}
  - {name: never}
)");
  ResolvedProfile RP = resolvePhases(P);
  EXPECT_EQ(phaseOf(RP, "early"), Phase::Startup);
  EXPECT_EQ(RP.Functions[0].Source, PhaseSource::TimeWindow);
  EXPECT_DOUBLE_EQ(RP.Functions[0].Confidence, 0.7);
  EXPECT_EQ(phaseOf(RP, "frame"), Phase::FirstFrame);
  EXPECT_EQ(phaseOf(RP, "hot"), Phase::Steady);
  EXPECT_EQ(phaseOf(RP, "warm"), Phase::Steady);
  EXPECT_DOUBLE_EQ(RP.Functions[3].Confidence, 0.5);
  EXPECT_EQ(phaseOf(RP, "rare"), Phase::Cold);
  EXPECT_EQ(phaseOf(RP, "never"), Phase::Cold);
  EXPECT_EQ(RP.Functions[5].Source, PhaseSource::NeverCalled);

  // warm: 50 calls in the 9.9 s after startup, about 5 calls/s.
  InferenceConfig C;
  C.StartupWindowNs = 400'000'000;
  C.ColdCallsPerSec = 10;
  ResolvedProfile Tuned = resolvePhases(P, C);
  EXPECT_EQ(phaseOf(Tuned, "frame"), Phase::Startup);
  EXPECT_EQ(phaseOf(Tuned, "warm"), Phase::Cold);
  C.ColdCallsPerSec = 5;
  EXPECT_EQ(phaseOf(resolvePhases(P, C), "warm"), Phase::Steady);
  C.HotCallsPerSec = 1e9;
  EXPECT_EQ(phaseOf(resolvePhases(P, C), "hot"), Phase::Steady);
  EXPECT_DOUBLE_EQ(resolvePhases(P, C).Functions[2].Confidence, 0.5);
}

TEST(PhaseInference, LoopDriversAndBusyFunctionsAreNotCold) {
  Profile P = parseValid(R"(version: 1
metadata: {duration_ns: 10000000000}
markers: [{name: startup_end, time_ns: 10}, {name: first_frame, time_ns: 20}]
functions:
  - {name: driver, calls: 1, first_call_ns: 100}
  - {name: body, calls: 1000000, first_call_ns: 200}
  - {name: busy, calls: 1, first_call_ns: 300, self_ns: 5000000000}
  - {name: sampled, calls: 1, first_call_ns: 300, samples: 4}
edges:
  - {caller: driver, callee: body, count: 1000000}
)");
  ResolvedProfile RP = resolvePhases(P);
  EXPECT_EQ(phaseOf(RP, "driver"), Phase::Steady);
  EXPECT_EQ(phaseOf(RP, "body"), Phase::Steady);
  EXPECT_EQ(phaseOf(RP, "busy"), Phase::Steady);
  EXPECT_EQ(phaseOf(RP, "sampled"), Phase::Steady);
}

// A large profile takes the batched paths: names indexed 1,024 at a time,
// edge ends looked up by pooled address in chunks of 1,024 edges. Every
// answer must be the name lookup's: first of equal names, -1 for names
// that are no function, a caller's run of edges across a chunk boundary.
TEST(PhaseInference, LargeProfileResolvesEdgesAsNameLookups) {
  Profile P;
  P.Version = 1;
  for (unsigned I = 0; I < 3000; ++I) {
    FunctionProfile F;
    F.Name = "f" + std::to_string(I % 2900); // f0..f99 twice
    F.Calls = I;
    P.Functions.push_back(F);
  }
  // 100 edges per caller: caller 10's run spans edges 1000..1099, across
  // the first chunk's end. Callee "g..." names are not functions.
  for (unsigned I = 0; I < 120000; ++I)
    P.Edges.push_back(
        {P.intern("f" + std::to_string(I / 100)),
         P.intern((I % 7 ? "f" : "g") + std::to_string(I % 100 + 2000)),
         1});
  ResolvedProfile RP = resolvePhases(P);
  ASSERT_EQ(RP.EdgeEnds.size(), P.Edges.size());
  for (size_t I = 0; I < P.Edges.size(); ++I) {
    ASSERT_EQ(RP.EdgeEnds[I].first, RP.find(P.Edges[I].Caller)) << I;
    ASSERT_EQ(RP.EdgeEnds[I].second, RP.find(P.Edges[I].Callee)) << I;
  }
  EXPECT_EQ(RP.find("f5"), 5);        // not 2905: the first of equal names
  EXPECT_EQ(RP.find("f2899"), 2899);
  EXPECT_EQ(RP.EdgeEnds[1000].first, 10);
  EXPECT_EQ(RP.EdgeEnds[1023].first, 10);
  EXPECT_EQ(RP.EdgeEnds[1024].first, 10);
  EXPECT_EQ(RP.EdgeEnds[7].second, -1);   // g2007
  EXPECT_EQ(RP.EdgeEnds[8].second, 2008); // f2008
}

TEST(PhaseInference, FindAllAnswersAsFind) {
  Profile P = parseValid(R"(version: 1
functions:
  - {name: a, calls: 1}
  - {name: b, calls: 1}
  - {name: c, calls: 1}
)");
  ResolvedProfile RP = resolvePhases(P);
  std::vector<llvm::CachedHashStringRef> Names;
  for (const char *N : {"c", "x", "a", "", "b", "a"})
    Names.push_back(llvm::CachedHashStringRef(N));
  std::vector<int> Found(Names.size(), 42);
  RP.findAll(Names, Found);
  EXPECT_EQ(Found, (std::vector<int>{2, -1, 0, -1, 1, 0}));
  RP.findAll({}, {});
}

TEST(NamePool, BatchesAnswerAsSingleCalls) {
  NamePool Pool;
  std::vector<llvm::StringRef> Insert = {"x", "y", "x", "", "z", ""};
  std::vector<std::pair<llvm::StringRef, bool>> Inserted(Insert.size());
  Pool.insertAll(Insert, Inserted);
  EXPECT_TRUE(Inserted[0].second);
  EXPECT_TRUE(Inserted[1].second);
  EXPECT_FALSE(Inserted[2].second);
  EXPECT_EQ(Inserted[2].first.data(), Inserted[0].first.data());
  EXPECT_TRUE(Inserted[3].second); // "" the first time, not stored
  EXPECT_TRUE(Inserted[3].first.empty());
  EXPECT_FALSE(Inserted[5].second);
  EXPECT_EQ(Pool.size(), 3u);
  std::vector<llvm::CachedHashStringRef> Find;
  for (const char *N : {"z", "w", "x", ""})
    Find.push_back(llvm::CachedHashStringRef(N));
  std::vector<llvm::StringRef> Found(Find.size());
  Pool.findAll(Find, Found);
  EXPECT_EQ(Found[0].data(), Inserted[4].first.data());
  EXPECT_EQ(Found[1].data(), nullptr);
  EXPECT_EQ(Found[2].data(), Inserted[0].first.data());
  EXPECT_EQ(Found[3].data(), nullptr);
}

} // namespace

//===- ProfileMergeTest.cpp - Merging profiles of many runs ---------------===//

#include "pagelayout/schema/ProfileMerge.h"
#include "TestProfiles.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using namespace pagelayout;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

TEST(ProfileMerge, CountsAddTimesTakeExtremesOrdersBecomeTraces) {
  Profile A = parseValid(R"(version: 1
markers: [{name: startup_end, time_ns: 100}]
functions:
  - {name: f, calls: 2, first_call_ns: 30, last_call_ns: 40, samples: 1}
  - {name: g, calls: 1, first_call_ns: 10, startup_ranges: [[0, 4]]}
edges: [{caller: f, callee: g, count: 5}]
)");
  Profile B = parseValid(R"(version: 1
markers: [{name: startup_end, time_ns: 300}]
functions:
  - {name: g, calls: 4, first_call_ns: 50, startup_ranges: [[2, 8]]}
  - {name: f, calls: 3, first_call_ns: 20, last_call_ns: 90, samples: 2}
  - {name: h, calls: 1, first_call_ns: 60}
edges: [{caller: f, callee: g, count: 7}, {caller: g, callee: h, count: 1}]
)");
  Profile C =
      parseValid("version: 1\nmarkers: [{name: startup_end, time_ns: 200}]\n");
  Profile M;
  unsigned Conflicts = mergeProfiles({{"a", &A}, {"b", &B}, {"c", &C}}, M);
  EXPECT_EQ(Conflicts, 0u);
  EXPECT_EQ(M.Metadata.Runs, 3u);
  ASSERT_EQ(M.Functions.size(), 3u);
  EXPECT_EQ(M.Functions[0].Name, "f");
  EXPECT_EQ(M.Functions[0].Calls, 5u);
  EXPECT_EQ(M.Functions[0].FirstCallNs, 20u);
  EXPECT_EQ(M.Functions[0].LastCallNs, 90u);
  EXPECT_EQ(M.Functions[0].Samples, 3u);
  EXPECT_EQ(M.Functions[1].Calls, 5u);
  EXPECT_THAT(M.Functions[1].StartupRanges, ElementsAre(ByteRange{0, 8}));
  ASSERT_EQ(M.Edges.size(), 2u);
  EXPECT_EQ(M.Edges[0].Count, 12u);
  ASSERT_EQ(M.Markers.size(), 1u);
  EXPECT_EQ(M.Markers[0].TimeNs, 200u); // median of 100, 300, 200
  ASSERT_EQ(M.Traces.size(), 2u);
  EXPECT_THAT(M.Traces[0].Functions, ElementsAre("g", "f"));
  EXPECT_THAT(M.Traces[1].Functions, ElementsAre("f", "g", "h"));
}

TEST(ProfileMerge, ConflictsAreReportedAndFirstWins) {
  Profile A = parseValid("version: 1\nmetadata: {build_id: aa}\nfunctions: "
                         "[{name: f, phase: startup}]\n");
  Profile B = parseValid("version: 1\nmetadata: {build_id: bb}\nfunctions: "
                         "[{name: f, phase: cold}]\n");
  std::vector<std::string> Warnings;
  Profile M;
  unsigned Conflicts =
      mergeProfiles({{"a.yaml", &A}, {"b.yaml", &B}}, M,
                    [&](const llvm::Twine &W) { Warnings.push_back(W.str()); });
  EXPECT_EQ(Conflicts, 2u);
  EXPECT_EQ(M.Functions[0].ExplicitPhase, Phase::Startup);
  EXPECT_THAT(Warnings,
              ElementsAre(HasSubstr("different binaries"),
                          HasSubstr("'f' has phase startup in a.yaml but cold "
                                    "in b.yaml; keeping startup")));
}

TEST(ProfileMerge, SaturatesInsteadOfOverflowing) {
  Profile A = parseValid("version: 1\nfunctions: [{name: f, calls: "
                         "18446744073709551615}]\n");
  Profile B = parseValid("version: 1\nfunctions: [{name: f, calls: 1}]\n");
  Profile M;
  EXPECT_EQ(mergeProfiles({{"a", &A}, {"b", &B}}, M), 1u);
  EXPECT_EQ(M.Functions[0].Calls, UINT64_MAX);
}

// Per-phase ranges merge as unions, each phase on its own.
TEST(ProfileMerge, PhaseRangesAreUnitedPerPhase) {
  Profile A = parseValid(R"(version: 2
functions:
  - {name: f, startup_ranges: [[0, 4]], first_frame_ranges: [[10, 12]]}
)");
  Profile B = parseValid(R"(version: 2
functions:
  - {name: f, startup_ranges: [[4, 6]], first_frame_ranges: [[20, 22]],
     steady_ranges: [[30, 40]]}
  - {name: g, steady_ranges: [[0, 2]]}
)");
  Profile M;
  EXPECT_EQ(mergeProfiles({{"a", &A}, {"b", &B}}, M), 0u);
  ASSERT_EQ(M.Functions.size(), 2u);
  EXPECT_THAT(M.Functions[0].StartupRanges, ElementsAre(ByteRange{0, 6}));
  EXPECT_THAT(M.Functions[0].FirstFrameRanges,
              ElementsAre(ByteRange{10, 12}, ByteRange{20, 22}));
  EXPECT_THAT(M.Functions[0].SteadyRanges, ElementsAre(ByteRange{30, 40}));
  EXPECT_THAT(M.Functions[1].SteadyRanges, ElementsAre(ByteRange{0, 2}));
  EXPECT_EQ(M.neededVersion(), 2u);
}

// Block ids: each block in the earliest phase any run first ran it in,
// each phase in the order the runs first saw its blocks; a run of another
// build of the function (a different block_hash) keeps the first's ids.
TEST(ProfileMerge, BlockIdsTakeTheEarliestPhase) {
  Profile A = parseValid(R"(version: 3
functions:
  - {name: f, startup_blocks: [0, 2], steady_blocks: [5, 3], block_hash: 9}
  - {name: g, startup_blocks: [0], block_hash: 1}
)");
  Profile B = parseValid(R"(version: 3
functions:
  - {name: f, startup_blocks: [0, 3, 4], first_frame_blocks: [6, 2],
     steady_blocks: [7, 5], block_hash: 9}
  - {name: g, startup_blocks: [0, 1], block_hash: 2}
  - {name: h, steady_blocks: [1]}
)");
  Profile M;
  std::vector<std::string> Warnings;
  EXPECT_EQ(mergeProfiles({{"a.yaml", &A}, {"b.yaml", &B}}, M,
                          [&](const llvm::Twine &W) {
                            Warnings.push_back(W.str());
                          }),
            1u);
  ASSERT_EQ(M.Functions.size(), 3u);
  const FunctionProfile &F = M.Functions[0];
  EXPECT_THAT(F.StartupBlocks, ElementsAre(0u, 2u, 3u, 4u));
  EXPECT_THAT(F.FirstFrameBlocks, ElementsAre(6u));
  EXPECT_THAT(F.SteadyBlocks, ElementsAre(5u, 7u));
  EXPECT_EQ(F.BlockHash, 9u);
  EXPECT_THAT(M.Functions[1].StartupBlocks, ElementsAre(0u));
  EXPECT_EQ(M.Functions[1].BlockHash, 1u);
  EXPECT_THAT(M.Functions[2].SteadyBlocks, ElementsAre(1u));
  EXPECT_THAT(Warnings,
              ElementsAre("warning: merge conflict: 'g' has block_hash 0x1 in "
                          "a.yaml but 0x2 in b.yaml (a different build of "
                          "it); keeping the block ids of a.yaml"));
  EXPECT_EQ(M.neededVersion(), 3u);
}

} // namespace

//===- OrderFileTest.cpp - lld ordering files <-> profiles ----------------===//

#include "pagelayout/schema/OrderFile.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using namespace pagelayout;
using ::testing::ElementsAre;

namespace {

TEST(OrderFile, DetectsFormats) {
  EXPECT_EQ(detectProfileFormat("version: 1\n"), ProfileFormat::YAML);
  EXPECT_EQ(detectProfileFormat("# c\nfunctions: []\n"), ProfileFormat::YAML);
  EXPECT_EQ(detectProfileFormat("a b 1\nc d 2\n"), ProfileFormat::CallGraph);
  EXPECT_EQ(detectProfileFormat("main\n_Z3foov\n"), ProfileFormat::OrderFile);
  EXPECT_EQ(detectProfileFormat(""), ProfileFormat::YAML);
  EXPECT_EQ(detectProfileFormat(llvm::StringRef("\0\1", 2)),
            ProfileFormat::YAML);
}

TEST(OrderFile, SymbolOrderFileBecomesOneTrace) {
  llvm::Expected<Profile> P = parseSymbolOrderFile(
      "# hot first\nmain\n  init  # trailing comment\n\nloop\n", "o.txt",
      Phase::Startup, {});
  ASSERT_TRUE(bool(P));
  ASSERT_EQ(P->Traces.size(), 1u);
  EXPECT_THAT(P->Traces[0].Functions, ElementsAre("main", "init", "loop"));
  EXPECT_EQ(P->Functions[1].ExplicitPhase, Phase::Startup);
  EXPECT_EQ(P->Functions[1].Loc.Line, 3u);
}

TEST(OrderFile, CallGraphRoundTrips) {
  llvm::Expected<Profile> P =
      parseCallGraphFile("a b 10\nb c 5\na b 1\n", "cg.txt", {});
  ASSERT_TRUE(bool(P));
  ASSERT_EQ(P->Edges.size(), 2u); // repeated pairs add up
  EXPECT_EQ(P->Edges[0].Count, 11u);
  EXPECT_EQ(P->Functions[1].Name, "b");
  EXPECT_EQ(P->Functions[1].Calls, 11u);
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  writeCallGraphFile(*P, OS);
  EXPECT_EQ(Out, "a b 11\nb c 5\n");
}

TEST(OrderFile, BadCallGraphLinesNameTheLine) {
  llvm::Expected<Profile> P = parseCallGraphFile("a b 1\na b c d\n", "cg", {});
  ASSERT_FALSE(bool(P));
  EXPECT_EQ(llvm::toString(P.takeError()),
            "cg:2:1: error: expected 'caller callee weight', got 'a b c d'");
}

} // namespace

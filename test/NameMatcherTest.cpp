//===- NameMatcherTest.cpp - Profile names across compiler renamings ------===//

#include "pagelayout/reorder/NameMatcher.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using namespace pagelayout;
using ::testing::ElementsAre;

namespace {

std::vector<Atom> atomsNamed(std::initializer_list<const char *> Names) {
  std::vector<Atom> Atoms;
  for (const char *N : Names) {
    Atom A;
    A.Symbols.push_back({N, 0, 16});
    A.Size = 16;
    Atoms.push_back(A);
  }
  return Atoms;
}

Profile profileNamed(std::initializer_list<const char *> Names) {
  Profile P;
  for (const char *N : Names) {
    FunctionProfile F;
    F.Name = N;
    P.Functions.push_back(F);
  }
  return P;
}

TEST(NameMatcher, CanonicalNamesDropCompilerSuffixes) {
  EXPECT_EQ(canonicalFunctionName("foo.llvm.1234567"), "foo");
  EXPECT_EQ(canonicalFunctionName("foo.__uniq.987"), "foo");
  EXPECT_EQ(canonicalFunctionName("bar.constprop.0.isra.0"), "bar");
  EXPECT_EQ(canonicalFunctionName("baz.part.3"), "baz");
  EXPECT_EQ(canonicalFunctionName("qux.cold"), "qux");
  EXPECT_EQ(canonicalFunctionName("qux.cold.2"), "qux");
  EXPECT_EQ(canonicalFunctionName("name.with.dots"), "name.with.dots");
  EXPECT_EQ(canonicalFunctionName(".llvm.5"), ".llvm.5");
}

TEST(NameMatcher, ExactSuffixDemangledAmbiguousMissing) {
  std::vector<Atom> Atoms = atomsNamed(
      {"main", "helper.llvm.42", "_Z5parsei", "dup.part.0", "dup.isra.0"});
  Profile P = profileNamed({"main", "helper", "parse(int)", "dup", "gone"});
  P.Edges = {{"main", "helper", 3}};
  P.Traces = {{{"main", "helper"}, 1}};
  NameMatchResult R = matchProfileNames(P, Atoms);
  EXPECT_THAT(R.Kinds, ElementsAre(MatchKind::Exact, MatchKind::Suffix,
                                   MatchKind::Demangled, MatchKind::Ambiguous,
                                   MatchKind::Missing));
  EXPECT_EQ(R.Renamed.Functions[1].Name, "helper.llvm.42");
  EXPECT_EQ(R.Renamed.Functions[2].Name, "_Z5parsei");
  EXPECT_EQ(R.Renamed.Functions[3].Name, "dup"); // unmatched stays as is
  EXPECT_EQ(R.Renamed.Edges[0].Callee, "helper.llvm.42");
  EXPECT_THAT(R.Renamed.Traces[0].Functions,
              ElementsAre("main", "helper.llvm.42"));
  EXPECT_EQ(R.Counts[unsigned(MatchKind::Exact)], 1u);
}

TEST(NameMatcher, ExactNamesAreNotStolenByFuzzyMatches) {
  // "foo" is listed exactly; "foo.cold" in the binary must not be taken by
  // the profile's "foo.cold.1" guess... but a unique fuzzy name is fine.
  std::vector<Atom> Atoms = atomsNamed({"foo", "foo.cold"});
  Profile P = profileNamed({"foo", "foo.llvm.9"});
  NameMatchResult R = matchProfileNames(P, Atoms);
  EXPECT_EQ(R.Kinds[0], MatchKind::Exact);
  // "foo.llvm.9" strips to "foo", which both link names strip to.
  EXPECT_EQ(R.Kinds[1], MatchKind::Ambiguous);
}

} // namespace

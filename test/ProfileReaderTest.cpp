//===- ProfileReaderTest.cpp - YAML profile parsing and writing -----------===//

#include "pagelayout/schema/ProfileReader.h"
#include "pagelayout/schema/ProfileWriter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using namespace pagelayout;
using namespace llvm;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

const char *FullProfile = R"(version: 1
metadata:
  binary: ./app
  build_id: 0123abcd
  tool: recorder 1.0
  created: 2026-11-22T00:00:00Z
  duration_ns: 5000000000
  runs: 2
markers:
  - {name: startup_end, time_ns: 80000000}
  - {name: first_frame, time_ns: 200000000}
functions:
  - name: main
    phase: startup
    calls: 1
    first_call_ns: 100
    last_call_ns: 100
    samples: 3
    self_ns: 4000
    pinned: true
    startup_ranges: [[16, 32], [0, 8], [30, 40]]
  - name: "ns::Widget::draw(int) const"
    calls: 12
edges:
  - {caller: main, callee: "ns::Widget::draw(int) const", count: 12}
rules:
  - {pattern: "*_test", phase: cold}
traces:
  - [main, "ns::Widget::draw(int) const"]
  - {weight: 3, functions: [main]}
)";

std::string errorText(Error E) {
  std::string S;
  handleAllErrors(std::move(E), [&](const ErrorInfoBase &EI) {
    raw_string_ostream OS(S);
    EI.log(OS);
  });
  return S;
}

TEST(ProfileReader, ReadsEveryField) {
  Expected<Profile> P = parseProfile(FullProfile, "full.yaml");
  ASSERT_TRUE(bool(P)) << errorText(P.takeError());
  EXPECT_EQ(P->Version, 1u);
  EXPECT_EQ(P->Metadata.BinaryPath, "./app");
  EXPECT_EQ(P->Metadata.BuildId, "0123abcd");
  EXPECT_EQ(P->Metadata.DurationNs, 5000000000u);
  EXPECT_EQ(P->Metadata.Runs, 2u);
  ASSERT_EQ(P->Markers.size(), 2u);
  EXPECT_EQ(P->Markers[1].Name, "first_frame");
  ASSERT_EQ(P->Functions.size(), 2u);
  const FunctionProfile &Main = P->Functions[0];
  EXPECT_EQ(Main.ExplicitPhase, Phase::Startup);
  EXPECT_EQ(Main.Calls, 1u);
  EXPECT_EQ(Main.FirstCallNs, 100u);
  EXPECT_EQ(Main.Samples, 3u);
  EXPECT_EQ(Main.SelfNs, 4000u);
  EXPECT_TRUE(Main.Pinned);
  EXPECT_EQ(Main.Loc.Line, 13u);
  // Ranges come back sorted and merged.
  EXPECT_THAT(Main.StartupRanges,
              ElementsAre(ByteRange{0, 8}, ByteRange{16, 40}));
  EXPECT_EQ(P->Functions[1].Name, "ns::Widget::draw(int) const");
  EXPECT_FALSE(P->Functions[1].ExplicitPhase.has_value());
  ASSERT_EQ(P->Edges.size(), 1u);
  EXPECT_EQ(P->Edges[0].Count, 12u);
  ASSERT_EQ(P->Rules.size(), 1u);
  EXPECT_EQ(P->Rules[0].RulePhase, Phase::Cold);
  ASSERT_EQ(P->Traces.size(), 2u);
  EXPECT_EQ(P->Traces[1].Weight, 3u);
  EXPECT_THAT(P->Traces[0].Functions,
              ElementsAre("main", "ns::Widget::draw(int) const"));
}

TEST(ProfileReader, WriterRoundTripsByteForByte) {
  Expected<Profile> P = parseProfile(FullProfile, "full.yaml");
  ASSERT_TRUE(bool(P));
  std::string Once, Twice;
  raw_string_ostream O1(Once), O2(Twice);
  writeProfileYAML(*P, O1);
  Expected<Profile> Again = parseProfile(Once, "once.yaml");
  ASSERT_TRUE(bool(Again)) << errorText(Again.takeError());
  writeProfileYAML(*Again, O2);
  EXPECT_EQ(Once, Twice);
  EXPECT_EQ(Again->Functions[0].StartupRanges.size(), 2u);
  EXPECT_TRUE(Again->Functions[0].Pinned);
}

struct BadCase {
  const char *Text;
  const char *Expected;
  friend void PrintTo(const BadCase &C, std::ostream *OS) { *OS << C.Expected; }
};

class ProfileReaderErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ProfileReaderErrors, ReportsFileLineColumn) {
  Expected<Profile> P = parseProfile(GetParam().Text, "bad.yaml");
  ASSERT_FALSE(bool(P));
  EXPECT_THAT(errorText(P.takeError()), HasSubstr(GetParam().Expected));
}

INSTANTIATE_TEST_SUITE_P(
    AllMalformedInputs, ProfileReaderErrors,
    ::testing::Values(
        BadCase{"version: 1\nfunctions:\n  - {name: a, phase: hot}\n",
                "bad.yaml:3:22: error: unknown phase 'hot'"},
        BadCase{"version: 1\nfunctions:\n  - {name: a, calls: -1}\n",
                "bad.yaml:3:22: error: 'calls' must not be negative"},
        BadCase{"version: 1\nfunctions:\n  - {name: a, calls: "
                "18446744073709551616}\n",
                "overflows 64 bits"},
        BadCase{"version: 1\nfunctions:\n  - {name: a, calls: {x: 1}}\n",
                "'calls' must be an unsigned integer, not a mapping"},
        BadCase{"version: 1\nfunctions:\n  - {name: a}\n  - {name: a}\n",
                "bad.yaml:4:5: error: duplicate function 'a'"},
        BadCase{"", "bad.yaml: error: empty profile"},
        BadCase{"version: 99\n", "profile format version 99 is newer"},
        BadCase{"version: 1\nfunctions: {a: 1}\n",
                "'functions' must be a sequence, not a mapping"},
        BadCase{"version: [1\n", "malformed YAML"},
        BadCase{"version: 0\n", "'version' must be at least 1"},
        BadCase{"version: 1\nversion: 1\n", "duplicate key 'version'"},
        BadCase{"version: 1\nmarkers:\n  - {name: m}\n",
                "marker 'm' has no 'time_ns'"},
        BadCase{"version: 1\nrules:\n  - {pattern: 'a*'}\n",
                "rule 'a*' has no 'phase'"},
        BadCase{"version: 1\ntraces:\n  - 5\n",
                "a trace must be a list of function names"},
        BadCase{"version: 1\n---\nversion: 1\n",
                "bad.yaml:3:1: error: a second YAML document"},
        BadCase{"version: 1\nfunctions: [*f]\n",
                "bad.yaml:2:13: error: malformed YAML: alias '*f' names no "
                "earlier anchor"},
        BadCase{"version: 1\ntraces: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n",
                "nested deeper than 200 levels"},
        BadCase{"version: 1\nfunctions:\n  - {name: null}\n",
                "'name' must be a string, not nothing"}),
    [](const ::testing::TestParamInfo<BadCase> &Info) {
      return "Case" + std::to_string(Info.index);
    });

TEST(ProfileReader, YamlAnchorsQuotesAndNulls) {
  Expected<Profile> P = parseProfile(
      "---\nversion: 1\nmarkers: ~\nfunctions:\n"
      "  - {name: &n 'null', phase: startup}\n"
      "  - {name: \"say \\\"hi\\\"\", calls: 0x10}\n"
      "traces:\n  - [*n]\n",
      "ok.yaml");
  ASSERT_TRUE(bool(P)) << errorText(P.takeError());
  ASSERT_EQ(P->Functions.size(), 2u);
  EXPECT_EQ(P->Functions[0].Name, "null"); // quoted: a string
  EXPECT_EQ(P->Functions[1].Name, "say \"hi\"");
  EXPECT_EQ(P->Functions[1].Calls, 16u);
  EXPECT_TRUE(P->Markers.empty());
  ASSERT_EQ(P->Traces.size(), 1u);
  EXPECT_EQ(P->Traces[0].Functions, std::vector<std::string>{"null"});
  // The alias stands for the whole mapping: not a name, so an error.
  Expected<Profile> Bad = parseProfile(
      "version: 1\nfunctions:\n  - &f {name: a}\ntraces:\n  - [*f]\n",
      "alias.yaml");
  ASSERT_FALSE(bool(Bad));
  EXPECT_THAT(errorText(Bad.takeError()),
              HasSubstr("alias.yaml:3:8: error: 'trace entry' must be a "
                        "string, not a mapping"));
}

TEST(ProfileReader, BinaryInputIsRejectedWithOffset) {
  std::string Bin("version: 1\n\0\1\2", 14);
  Expected<Profile> P = parseProfile(Bin, "bin.yaml");
  ASSERT_FALSE(bool(P));
  EXPECT_THAT(errorText(P.takeError()),
              HasSubstr("bin.yaml:2:1: error: binary data at byte offset 11"));
}

TEST(ProfileReader, UnknownKeysWarnButParse) {
  std::vector<std::string> Warnings;
  Expected<Profile> P = parseProfile(
      "version: 1\nfunctions:\n  - {name: a, colour: red}\nextra: 1\n",
      "w.yaml", [&](const Twine &W) { Warnings.push_back(W.str()); });
  ASSERT_TRUE(bool(P));
  EXPECT_THAT(Warnings,
              ElementsAre(HasSubstr("w.yaml:4:1: warning: unknown key 'extra'"),
                          HasSubstr("w.yaml:3:15: warning: unknown key "
                                    "'colour'")));
}

// llvm::yaml keeps a block scalar's value in the document's own storage,
// which it frees when the stream moves past the document: the tree must hold
// a copy (under ASan the old code was a heap-use-after-free).
TEST(ProfileReader, BlockScalarNamesOutliveTheYamlParser) {
  std::string Text = "version: 1\nfunctions:\n";
  for (int I = 0; I < 64; ++I)
    Text += "  - name: |\n      literal_" + std::to_string(I) +
            "\n    calls: 1\n  - name: >-\n      folded_" + std::to_string(I) +
            "\n";
  Text += "traces:\n  - [literal_0, folded_63]\n";
  Expected<Profile> P = parseProfile(Text, "block.yaml");
  ASSERT_TRUE(bool(P)) << errorText(P.takeError());
  ASSERT_EQ(P->Functions.size(), 128u);
  // '|' keeps the final line break (YAML's clip chomping); '>-' strips it.
  EXPECT_EQ(P->Functions[0].Name, "literal_0\n");
  EXPECT_EQ(P->Functions[1].Name, "folded_0");
  EXPECT_EQ(P->Functions[126].Name, "literal_63\n");
  EXPECT_EQ(P->Functions[127].Name, "folded_63");
}

/// A profile with one list of \p Names names that \p Aliases traces repeat.
std::string aliasedTraces(unsigned Names, unsigned Aliases) {
  std::string Text = "version: 1\nfunctions: []\ntraces:\n  - &t [";
  for (unsigned I = 0; I < Names; ++I)
    Text += (I ? ", f" : "f") + std::to_string(I);
  Text += "]\n";
  for (unsigned I = 0; I < Aliases; ++I)
    Text += "  - *t\n";
  return Text;
}

// Aliases share one node in the tree but are copied again for every use in
// the model: a small file could stand for 10^8 names.
TEST(ProfileReader, AliasExpansionIsBounded) {
  // 1000 names x 3000 uses: about 3M entries from 20 KB, over the limit
  // (1M, or 64 per byte).
  std::string Bomb = aliasedTraces(1000, 3000);
  uint64_t Limit = std::max<uint64_t>(64 * Bomb.size(), 1'000'000);
  Expected<Profile> P = parseProfile(Bomb, "bomb.yaml");
  ASSERT_FALSE(bool(P));
  std::string Message = errorText(P.takeError());
  EXPECT_THAT(Message, HasSubstr("error: aliases expand this profile beyond " +
                                 std::to_string(Limit) +
                                 " entries (64 per byte of the file, at least "
                                 "1000000); write the entries out or drop the "
                                 "aliases"));
  // Each use costs the list's expansion (6,893 for these names), so the
  // alias that crosses the limit is about Limit / 6,893 lines down.
  EXPECT_THAT(Message, ::testing::StartsWith("bomb.yaml:"));
  EXPECT_THAT(Message, HasSubstr(":5: error"));

  // Nested aliases grow exponentially; they never reach the model.
  std::string Nested = "version: 1\nfunctions: []\nx0: &a0 [f, f, f, f]\n";
  for (int I = 1; I <= 20; ++I)
    Nested += "x" + std::to_string(I) + ": &a" + std::to_string(I) + " [*a" +
              std::to_string(I - 1) + ", *a" + std::to_string(I - 1) + "]\n";
  P = parseProfile(Nested, "nested.yaml");
  ASSERT_FALSE(bool(P));
  EXPECT_THAT(errorText(P.takeError()),
              HasSubstr("aliases expand this profile beyond 1000000"));

  // Sensible sharing stays well inside the limit.
  Expected<Profile> Fine = parseProfile(aliasedTraces(1000, 100), "ok.yaml");
  ASSERT_TRUE(bool(Fine)) << errorText(Fine.takeError());
  EXPECT_EQ(Fine->Traces.size(), 101u);
  EXPECT_EQ(Fine->Traces[100].Functions.size(), 1000u);
}

} // namespace

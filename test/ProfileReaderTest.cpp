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

// Names with control characters (found by the profile fuzzer: a carriage
// return) are written quoted and escaped, so the profile reads back.
TEST(ProfileReader, WriterQuotesControlCharacters) {
  Expected<Profile> P = parseProfile(
      "version: 1\nmarkers: [{name: \"m\\tx\", time_ns: 1}]\n"
      "functions:\n  - {name: \"pa\\rse\", calls: 2}\n"
      "edges: [{caller: \"pa\\rse\", callee: \"b\\x01\"}]\n"
      "traces: [[\"pa\\rse\", \"b\\x01\"]]\n",
      "cr.yaml");
  ASSERT_TRUE(bool(P)) << errorText(P.takeError());
  std::string Once;
  raw_string_ostream O1(Once);
  writeProfileYAML(*P, O1);
  Expected<Profile> Again = parseProfile(Once, "once.yaml");
  ASSERT_TRUE(bool(Again)) << errorText(Again.takeError()) << "\n" << Once;
  EXPECT_EQ(Again->Functions[0].Name, "pa\rse");
  EXPECT_EQ(Again->Markers[0].Name, "m\tx");
  EXPECT_EQ(Again->Edges[0].Callee, "b\x01");
  EXPECT_THAT(Again->Traces[0].Functions, ElementsAre("pa\rse", "b\x01"));
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
  EXPECT_THAT(P->Traces[0].Functions, ElementsAre("null"));
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

// The text check skips ASCII eight bytes at a time and validates the rest
// as UTF-8: a name past the first word keeps its bytes, and a bad byte
// after a valid multi-byte one is found at its own offset.
TEST(ProfileReader, Utf8AfterAsciiIsCheckedFromItsFirstByte) {
  Expected<Profile> P = parseProfile(
      "version: 1\nfunctions:\n  - {name: caf\xc3\xa9_\xe2\x82\xac}\n",
      "utf8.yaml");
  ASSERT_TRUE(bool(P)) << errorText(P.takeError());
  ASSERT_EQ(P->Functions.size(), 1u);
  EXPECT_EQ(P->Functions[0].Name, "caf\xc3\xa9_\xe2\x82\xac");
  // Offsets 0-32 ASCII, 33-34 a valid two-byte letter, 35 a lone
  // continuation byte.
  Expected<Profile> Bad = parseProfile(
      "version: 1\nfunctions:\n  - {name: \xc3\xa9\x80}\n", "bad.yaml");
  ASSERT_FALSE(bool(Bad));
  EXPECT_THAT(errorText(Bad.takeError()),
              HasSubstr("bad.yaml:3:14: error: binary data at byte offset 35"));
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

std::vector<std::string> warningsOf(const char *Text,
                                    Expected<Profile> *Out = nullptr) {
  std::vector<std::string> Warnings;
  Expected<Profile> P = parseProfile(
      Text, "w.yaml", [&](const Twine &W) { Warnings.push_back(W.str()); });
  EXPECT_TRUE(bool(P)) << (P ? "" : errorText(P.takeError()));
  if (Out)
    *Out = std::move(P);
  else if (!P)
    consumeError(P.takeError());
  return Warnings;
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

// YAML 1.2 integers: decimal (leading zeros are still decimal), 0x, 0o.
TEST(ProfileReader, NumbersAreDecimalHexOrOctalAsInYaml12) {
  Profile P = [] {
    Expected<Profile> R =
        parseProfile("version: 1\nfunctions:\n"
                     "  - {name: a, calls: 010}\n"
                     "  - {name: b, calls: 0o17}\n"
                     "  - {name: c, calls: 0x1F}\n"
                     "  - {name: d, calls: 0007}\n"
                     "  - {name: e, calls: +12}\n"
                     "  - {name: f, calls: 0xffffffffffffffff}\n",
                     "n.yaml");
    EXPECT_TRUE(bool(R)) << (R ? "" : errorText(R.takeError()));
    return R ? std::move(*R) : Profile();
  }();
  ASSERT_EQ(P.Functions.size(), 6u);
  EXPECT_EQ(P.Functions[0].Calls, 10u);
  EXPECT_EQ(P.Functions[1].Calls, 15u);
  EXPECT_EQ(P.Functions[2].Calls, 31u);
  EXPECT_EQ(P.Functions[3].Calls, 7u);
  EXPECT_EQ(P.Functions[4].Calls, 12u);
  EXPECT_EQ(P.Functions[5].Calls, UINT64_MAX);
}

TEST(ProfileReader, NumbersOutsideYaml12AreErrors) {
  struct {
    const char *Value;
    const char *Message;
  } Cases[] = {
      {"0b11", "n.yaml:2:30: error: 'calls' value 0b11 is binary, which YAML "
               "does not have; write it in decimal, 0x hex or 0o octal"},
      {"0o8", "'calls' must be an unsigned integer (decimal, 0x hex or 0o "
              "octal), got '0o8'"},
      {"0x", "got '0x'"},
      {"0xg1", "got '0xg1'"},
      {"0X10", "got '0X10'"},
      {"1_000", "got '1_000'"},
      {"12abc", "got '12abc'"},
      {"0x10000000000000000",
       "'calls' value 0x10000000000000000 overflows 64 bits"},
      {"0o2000000000000000000000", "overflows 64 bits"},
  };
  for (const auto &C : Cases) {
    std::string Text =
        std::string("version: 1\nfunctions: [{name: a, calls: ") + C.Value +
        "}]\n";
    Expected<Profile> P = parseProfile(Text, "n.yaml");
    ASSERT_FALSE(bool(P)) << C.Value;
    EXPECT_THAT(errorText(P.takeError()), HasSubstr(C.Message)) << C.Value;
  }
}

TEST(ProfileReader, UnknownKeysAtEveryLevelNameTheNearMiss) {
  std::vector<std::string> W =
      warningsOf("version: 1\n"
                 "metadata: {biniary: ./app}\n"
                 "markers:\n  - {name: startup_end, tiem_ns: 5, time_ns: 5}\n"
                 "functions:\n  - {name: a, Calls: 3, colour: red}\n"
                 "edges:\n  - {caller: a, callee: a, cuont: 2}\n"
                 "rules:\n  - {patern: 'x*', pattern: 'y*', phase: cold}\n"
                 "traces:\n  - {wieght: 2, functions: [a]}\n"
                 "edgse: []\n");
  EXPECT_THAT(
      W,
      ElementsAre(
          "w.yaml:13:1: warning: unknown key 'edgse' in the profile ignored; "
          "did you mean 'edges'?",
          "w.yaml:2:12: warning: unknown key 'biniary' in metadata ignored; "
          "did you mean 'binary'?",
          "w.yaml:4:25: warning: unknown key 'tiem_ns' in a marker ignored; "
          "did you mean 'time_ns'?",
          "w.yaml:6:15: warning: unknown key 'Calls' in a function entry "
          "ignored; did you mean 'calls'?",
          // Not close to any known key: no guess.
          "w.yaml:6:25: warning: unknown key 'colour' in a function entry "
          "ignored",
          "w.yaml:8:28: warning: unknown key 'cuont' in an edge ignored; did "
          "you mean 'count'?",
          "w.yaml:10:6: warning: unknown key 'patern' in a rule ignored; did "
          "you mean 'pattern'?",
          "w.yaml:12:6: warning: unknown key 'wieght' in a trace ignored; did "
          "you mean 'weight'?"));
}

// A misspelt 'functions' would otherwise give a valid, empty profile.
TEST(ProfileReader, UnknownTopLevelKeyWithoutFunctionsIsAnError) {
  Expected<Profile> P =
      parseProfile("version: 1\nfucntions:\n  - {name: a}\n", "t.yaml");
  ASSERT_FALSE(bool(P));
  EXPECT_EQ(errorText(P.takeError()),
            "t.yaml:2:1: error: unknown key 'fucntions' in a profile without "
            "'functions': did you mean 'functions'? (write 'functions: []' if "
            "the profile lists none)");
  P = parseProfile("version: 1\nrules: []\nextras: 1\n", "t.yaml");
  ASSERT_FALSE(bool(P));
  EXPECT_EQ(errorText(P.takeError()),
            "t.yaml:3:1: error: unknown key 'extras' in a profile without "
            "'functions': fix or remove it (write 'functions: []' if the "
            "profile lists none)");
  // An explicit empty list says the profile means it; the key only warns.
  std::vector<std::string> W =
      warningsOf("version: 1\nfunctions: []\nextras: 1\n");
  EXPECT_THAT(W, ElementsAre(HasSubstr("unknown key 'extras'")));
  // No unknown key, no functions: a valid (rules-only) profile.
  EXPECT_THAT(warningsOf("version: 1\nrules: [{pattern: 'a*', phase: cold}]\n"),
              ElementsAre());
}

TEST(ProfileReader, UnknownMarkerNamesWarn) {
  Expected<Profile> P = Profile();
  std::vector<std::string> W =
      warningsOf("version: 1\nfunctions: []\nmarkers:\n"
                 "  - {name: startup_ends, time_ns: 5}\n"
                 "  - {name: first_frame_end, time_ns: 6}\n"
                 "  - {name: assets_loaded, time_ns: 7}\n"
                 "  - {name: startup_end, time_ns: 8}\n"
                 "  - {name: first_frame, time_ns: 9}\n",
                 &P);
  EXPECT_THAT(
      W, ElementsAre("w.yaml:4:12: warning: marker 'startup_ends' is not one "
                     "the phase inference reads (startup_end, first_frame); "
                     "did you mean 'startup_end'?",
                     "w.yaml:5:12: warning: marker 'first_frame_end' is not "
                     "one the phase inference reads (startup_end, "
                     "first_frame); did you mean 'first_frame'?",
                     "w.yaml:6:12: warning: marker 'assets_loaded' is not one "
                     "the phase inference reads (startup_end, first_frame); "
                     "it is kept but does not affect the layout"));
  ASSERT_TRUE(bool(P));
  EXPECT_EQ(P->Markers.size(), 5u); // kept, as the warning says
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

// Version 2: per-phase executed ranges, read, normalised, validated with
// their location, and written back; the version written is the lowest that
// holds the content.
TEST(ProfileReader, Version2PhaseRanges) {
  const char *V2 = R"(version: 2
functions:
  - name: f
    startup_ranges: [[0, 4]]
    first_frame_ranges: [[8, 12], [4, 6], [10, 20]]
    steady_ranges: [[30, 31]]
)";
  Expected<Profile> P = parseProfile(V2, "v2.yaml");
  ASSERT_TRUE(bool(P)) << errorText(P.takeError());
  EXPECT_EQ(P->Version, 2u);
  const FunctionProfile &F = P->Functions[0];
  EXPECT_THAT(F.StartupRanges, ElementsAre(ByteRange{0, 4}));
  EXPECT_THAT(F.FirstFrameRanges,
              ElementsAre(ByteRange{4, 6}, ByteRange{8, 20}));
  EXPECT_THAT(F.SteadyRanges, ElementsAre(ByteRange{30, 31}));
  EXPECT_TRUE(F.wasExecuted());
  std::string Out;
  raw_string_ostream OS(Out);
  writeProfileYAML(*P, OS);
  EXPECT_EQ(Out, "version: 2\n"
                 "functions:\n"
                 "  - name: f\n"
                 "    startup_ranges: [[0, 4]]\n"
                 "    first_frame_ranges: [[4, 6], [8, 20]]\n"
                 "    steady_ranges: [[30, 31]]\n");

  // A steady range alone makes a function executed.
  Expected<Profile> S = parseProfile(
      "version: 2\nfunctions:\n  - {name: g, steady_ranges: [[0, 1]]}\n",
      "s.yaml");
  ASSERT_TRUE(bool(S)) << errorText(S.takeError());
  EXPECT_TRUE(S->Functions[0].wasExecuted());

  // Without a version-2 field, a version-2 profile is written as version 1
  // (byte-identical to what version-1 tools write).
  Expected<Profile> Plain = parseProfile(
      "version: 2\nfunctions:\n  - {name: g, startup_ranges: [[0, 2]]}\n",
      "plain.yaml");
  ASSERT_TRUE(bool(Plain));
  std::string PlainOut;
  raw_string_ostream POS(PlainOut);
  writeProfileYAML(*Plain, POS);
  EXPECT_EQ(PlainOut, "version: 1\nfunctions:\n  - name: g\n"
                      "    startup_ranges: [[0, 2]]\n");

  // Each new field is validated like startup_ranges, with its location.
  Expected<Profile> Bad = parseProfile(
      "version: 2\nfunctions:\n  - {name: g, steady_ranges: [[8, 4]]}\n",
      "bad.yaml");
  ASSERT_FALSE(bool(Bad));
  EXPECT_EQ(errorText(Bad.takeError()),
            "bad.yaml:3:31: error: steady range [8, 4] is empty or reversed; "
            "end must exceed begin");
  Expected<Profile> Shape = parseProfile(
      "version: 2\nfunctions:\n  - {name: g, first_frame_ranges: [[1]]}\n",
      "shape.yaml");
  ASSERT_FALSE(bool(Shape));
  EXPECT_THAT(errorText(Shape.takeError()),
              HasSubstr("shape.yaml:3:36: error: each first_frame range must "
                        "be [begin, end]"));
  Expected<Profile> NotList = parseProfile(
      "version: 2\nfunctions:\n  - {name: g, steady_ranges: 3}\n", "nl.yaml");
  ASSERT_FALSE(bool(NotList));
  EXPECT_THAT(errorText(NotList.takeError()), HasSubstr("nl.yaml:3:30: error: 'steady_ranges' must be a sequence"));

  // Version 4 is still in the future.
  Expected<Profile> Future = parseProfile("version: 4\n", "f.yaml");
  ASSERT_FALSE(bool(Future));
  EXPECT_THAT(errorText(Future.takeError()), HasSubstr("(up to 3)"));
}

// Version 3: block ids per phase and the block hash, read in order (not
// sorted: the order is the first-execution order), written back (the hash
// in hex), and the version written is 3 only when a function has them.
TEST(ProfileReader, Version3BlockIds) {
  const char *V3 = R"(version: 3
functions:
  - name: f
    startup_ranges: [[0, 4]]
    startup_blocks: [0, 3, 1]
    first_frame_blocks: [7]
    steady_blocks: [2, 0x5]
    block_hash: 0x00000000000000ff
  - name: g
    steady_blocks: [4294967295]
)";
  Expected<Profile> P = parseProfile(V3, "v3.yaml");
  ASSERT_TRUE(bool(P)) << errorText(P.takeError());
  EXPECT_EQ(P->Version, 3u);
  const FunctionProfile &F = P->Functions[0];
  EXPECT_THAT(F.StartupBlocks, ElementsAre(0u, 3u, 1u));
  EXPECT_THAT(F.FirstFrameBlocks, ElementsAre(7u));
  EXPECT_THAT(F.SteadyBlocks, ElementsAre(2u, 5u));
  EXPECT_EQ(F.BlockHash, 0xffu);
  EXPECT_TRUE(P->Functions[1].wasExecuted()); // blocks alone: it ran
  EXPECT_EQ(P->neededVersion(), 3u);
  std::string Out;
  raw_string_ostream OS(Out);
  writeProfileYAML(*P, OS);
  EXPECT_EQ(Out, "version: 3\n"
                 "functions:\n"
                 "  - name: f\n"
                 "    startup_ranges: [[0, 4]]\n"
                 "    startup_blocks: [0, 3, 1]\n"
                 "    first_frame_blocks: [7]\n"
                 "    steady_blocks: [2, 5]\n"
                 "    block_hash: 0x00000000000000ff\n"
                 "  - name: g\n"
                 "    steady_blocks: [4294967295]\n");
  Expected<Profile> Again = parseProfile(Out, "again.yaml");
  ASSERT_TRUE(bool(Again)) << errorText(Again.takeError());
  std::string Out2;
  raw_string_ostream OS2(Out2);
  writeProfileYAML(*Again, OS2);
  EXPECT_EQ(Out, Out2);

  // A hash alone needs version 3; without block fields the version stays.
  Expected<Profile> Hash = parseProfile(
      "version: 1\nfunctions:\n  - {name: g, block_hash: 7}\n", "h.yaml");
  ASSERT_TRUE(bool(Hash)) << errorText(Hash.takeError());
  EXPECT_EQ(Hash->neededVersion(), 3u);

  struct Case {
    const char *Text, *Error;
  } Cases[] = {
      {"version: 3\nfunctions:\n  - {name: g, steady_blocks: 3}\n",
       "e.yaml:3:30: error: 'steady_blocks' must be a sequence, not a scalar"},
      {"version: 3\nfunctions:\n  - {name: g, startup_blocks: [1, -2]}\n",
       "e.yaml:3:35: error: 'startup_blocks' must not be negative (got -2)"},
      {"version: 3\nfunctions:\n  - {name: g, startup_blocks: [4294967296]}\n",
       "e.yaml:3:32: error: block id 4294967296 in 'startup_blocks' does not "
       "fit 32 bits (SHT_LLVM_BB_ADDR_MAP ids are at most 4294967295)"},
      {"version: 3\nfunctions:\n  - {name: g, startup_blocks: [1, 2, 1]}\n",
       "e.yaml:3:38: error: block 1 is listed twice in 'startup_blocks' of 'g'"},
      {"version: 3\nfunctions:\n  - {name: g, startup_blocks: [1], "
       "steady_blocks: [0, 1]}\n",
       "e.yaml:3:55: error: block 1 of 'g' is in both 'startup_blocks' and "
       "'steady_blocks'; a block belongs to the phase in which it first ran"},
      {"version: 3\nfunctions:\n  - {name: g, block_hash: [1]}\n",
       "e.yaml:3:27: error: 'block_hash' must be an unsigned integer, not a "
       "sequence"},
  };
  for (const Case &C : Cases) {
    Expected<Profile> Bad = parseProfile(C.Text, "e.yaml");
    ASSERT_FALSE(bool(Bad)) << C.Text;
    EXPECT_EQ(errorText(Bad.takeError()), C.Error);
  }
}

// The hash is FNV-1a 64 over (id, size) as little-endian 32-bit words.
TEST(ProfileReader, BlockSizesHashIsFnv1a) {
  EXPECT_EQ(blockSizesHash({}), 0xcbf29ce484222325ULL);
  // Computed independently: FNV-1a 64 of bytes 00 00 00 00 07 00 00 00.
  uint64_t H = 0xcbf29ce484222325ULL;
  for (uint8_t B : {0, 0, 0, 0, 7, 0, 0, 0}) {
    H ^= B;
    H *= 0x100000001b3ULL;
  }
  EXPECT_EQ(blockSizesHash({{0, 7}}), H);
  EXPECT_NE(blockSizesHash({{0, 7}, {1, 3}}), blockSizesHash({{1, 3}, {0, 7}}));
  EXPECT_NE(blockSizesHash({{0, 7}}), blockSizesHash({{0, 8}}));
}

} // namespace

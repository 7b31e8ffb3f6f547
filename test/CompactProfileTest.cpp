//===- CompactProfileTest.cpp - The compact form, both ways ---------------===//

#include "pagelayout/schema/CompactProfile.h"
#include "pagelayout/schema/OrderFile.h"
#include "pagelayout/schema/ProfileReader.h"
#include "pagelayout/schema/ProfileWriter.h"
#include "llvm/Support/Endian.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using namespace pagelayout;
using namespace llvm;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

const char *EveryField = R"(version: 3
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
    first_frame_ranges: [[50, 60]]
    steady_ranges: [[70, 80]]
    startup_blocks: [0, 3, 1]
    first_frame_blocks: [4]
    steady_blocks: [2]
    block_hash: 0x5da0b176b65ac3a8
  - name: "ns::Widget::draw(int) const"
    calls: 12
  - name: "caf\u00e9 \"q\"\r"
    samples: 0
edges:
  - {caller: main, callee: "ns::Widget::draw(int) const", count: 12}
  - {caller: "ns::Widget::draw(int) const", callee: main, count: 0}
rules:
  - {pattern: "*_test", phase: cold}
  - {pattern: "render_*", phase: steady}
traces:
  - [main, "ns::Widget::draw(int) const", ""]
  - {weight: 3, functions: [main]}
  - {weight: 0, functions: []}
)";

std::string errorText(Error E) {
  std::string S;
  handleAllErrors(std::move(E), [&](const ErrorInfoBase &EI) {
    raw_string_ostream OS(S);
    EI.log(OS);
  });
  return S;
}

std::string yaml(const Profile &P) {
  std::string S;
  raw_string_ostream OS(S);
  writeProfileYAML(P, OS);
  return S;
}

std::string compactOf(const Profile &P) {
  std::string S;
  raw_string_ostream OS(S);
  Error E = writeCompactProfile(P, OS);
  EXPECT_FALSE(bool(E)) << errorText(std::move(E));
  return S;
}

Profile parsed(const char *Text) {
  Expected<Profile> P = parseProfile(Text, "p.yaml");
  EXPECT_TRUE(bool(P)) << (P ? "" : errorText(P.takeError()));
  return P ? std::move(*P) : Profile();
}

TEST(CompactProfile, RoundTripsThroughYamlByteForByte) {
  Profile P = parsed(EveryField);
  std::string Compact = compactOf(P);
  EXPECT_TRUE(looksLikeCompactProfile(Compact));
  EXPECT_EQ(detectProfileFormat(Compact), ProfileFormat::Compact);
  Expected<Profile> Back = parseCompactProfile(Compact, "p.prof");
  ASSERT_TRUE(bool(Back)) << errorText(Back.takeError());
  EXPECT_EQ(yaml(*Back), yaml(P));
  EXPECT_EQ(Back->Version, 3u);
  EXPECT_EQ(Back->Functions[2].Name, "caf\xc3\xa9 \"q\"\r");
  EXPECT_EQ(Back->Functions[2].Samples, 0u); // present, zero
  EXPECT_FALSE(Back->Functions[1].Samples.has_value());
  EXPECT_THAT(Back->Functions[0].StartupBlocks, ElementsAre(0, 3, 1));
  EXPECT_THAT(Back->Functions[0].StartupRanges,
              ElementsAre(ByteRange{0, 8}, ByteRange{16, 40}));
  // And back again: the same bytes (one profile, one compact form).
  Expected<Profile> Yaml = parseProfile(yaml(*Back), "again.yaml");
  ASSERT_TRUE(bool(Yaml)) << errorText(Yaml.takeError());
  EXPECT_EQ(compactOf(*Yaml), Compact);
  EXPECT_EQ(compactOf(*Back), Compact);
}

TEST(CompactProfile, EmptyProfileRoundTrips) {
  Profile P;
  std::string Compact = compactOf(P);
  Expected<Profile> Back = parseCompactProfile(Compact, "e.prof");
  ASSERT_TRUE(bool(Back)) << errorText(Back.takeError());
  EXPECT_EQ(yaml(*Back), "version: 1\n");
  EXPECT_EQ(Back->Metadata.Runs, 1u);
}

TEST(CompactProfile, WritesRangesInTheirCanonicalForm) {
  Profile P;
  FunctionProfile F;
  F.Name = "f";
  F.SteadyRanges = {{20, 30}, {0, 10}, {10, 12}};
  P.Functions.push_back(F);
  Expected<Profile> Back = parseCompactProfile(compactOf(P), "r.prof");
  ASSERT_TRUE(bool(Back)) << errorText(Back.takeError());
  EXPECT_THAT(Back->Functions[0].SteadyRanges,
              ElementsAre(ByteRange{0, 12}, ByteRange{20, 30}));
}

// Every prefix of a valid file is an error, never a crash or a profile.
TEST(CompactProfile, EveryTruncationIsAnError) {
  std::string Compact = compactOf(parsed(EveryField));
  for (size_t N = 0; N < Compact.size(); ++N) {
    Expected<Profile> P = parseCompactProfile(Compact.substr(0, N), "t.prof");
    ASSERT_FALSE(bool(P)) << N;
    std::string Msg = errorText(P.takeError());
    EXPECT_THAT(Msg, HasSubstr("t.prof: error: byte offset ")) << N;
    if (N >= 32)
      EXPECT_THAT(Msg, HasSubstr("it is truncated")) << N;
  }
}

/// A small profile's compact bytes, and where its sections are.
struct Damaged {
  std::string Bytes;
  explicit Damaged(const char *Yaml) : Bytes(compactOf(parsed(Yaml))) {}
  uint64_t entry(uint32_t Kind) const {
    uint32_t Count = support::endian::read32le(Bytes.data() + 24);
    for (uint32_t I = 0; I < Count; ++I)
      if (support::endian::read32le(Bytes.data() + 32 + 32 * I) == Kind)
        return 32 + 32 * I;
    ADD_FAILURE() << "no section " << Kind;
    return 0;
  }
  uint64_t section(uint32_t Kind) const {
    return support::endian::read64le(Bytes.data() + entry(Kind) + 8);
  }
  void put8(uint64_t At, uint8_t V) { Bytes[At] = char(V); }
  void put32(uint64_t At, uint32_t V) {
    support::endian::write32le(&Bytes[At], V);
  }
  void put64(uint64_t At, uint64_t V) {
    support::endian::write64le(&Bytes[At], V);
  }
  /// The index of \p Text in the string table.
  uint64_t stringIndex(StringRef Text) const;
  std::string error() const {
    Expected<Profile> P = parseCompactProfile(Bytes, "bad.prof");
    if (P)
      return "(read without error)";
    return errorText(P.takeError());
  }
};

const char *Small = R"(version: 3
markers: [{name: startup_end, time_ns: 5}]
functions:
  - {name: a, calls: 1, first_call_ns: 2, last_call_ns: 3,
     startup_ranges: [[0, 4], [8, 12]], startup_blocks: [1, 2]}
  - {name: b}
edges: [{caller: a, callee: b, count: 1}, {caller: b, callee: a, count: 1}]
rules: [{pattern: "x*", phase: cold}]
traces: [[a, b]]
)";

// Strings, in first-use order: "", startup_end, a, b, x*.
constexpr uint32_t StringsKind = 1, MetadataKind = 2, MarkersKind = 3,
                   FunctionsKind = 4, RangesKind = 5, BlocksKind = 6,
                   EdgesKind = 7, RulesKind = 8, TracesKind = 9,
                   TraceNamesKind = 10;

TEST(CompactProfileErrors, MirrorTheYamlReadersChecks) {
  struct Case {
    const char *What;
    std::function<void(Damaged &)> Damage;
    const char *Expected;
  };
  const Case Cases[] = {
      {"bad magic", [](Damaged &D) { D.put8(3, 'X'); },
       "bad.prof: error: byte offset 3: not a compact profile: bad magic"},
      {"compact version", [](Damaged &D) { D.put32(8, 2); },
       "byte offset 8: compact format version 2 is newer than this "
       "pagelayout reads (up to 1)"},
      {"compact version 0", [](Damaged &D) { D.put32(8, 0); },
       "byte offset 8: compact format version 0 is not one"},
      {"profile version", [](Damaged &D) { D.put32(12, 4); },
       "byte offset 12: profile format version 4 is newer than this "
       "pagelayout reads (up to 3); upgrade pagelayout"},
      {"profile version 0", [](Damaged &D) { D.put32(12, 0); },
       "byte offset 12: profile format version must be at least 1"},
      {"bytes after", [](Damaged &D) { D.Bytes += std::string(8, '\0'); },
       "byte offset 16: the header gives the file size as"},
      {"section count",
       [](Damaged &D) { D.put32(24, 1000); },
       "byte offset 24: the section count 1000 runs past the end of the file"},
      {"reserved header",
       [](Damaged &D) { D.put32(28, 1); },
       "byte offset 28: header field at byte 28 is 1; it is reserved"},
      {"section beyond the file",
       [](Damaged &D) {
         D.put64(D.entry(EdgesKind) + 16, 1u << 30);
       },
       "section 6 (edges) of 1073741824 bytes at"},
      {"count beyond the size",
       [](Damaged &D) { D.put64(D.entry(EdgesKind) + 24, 1u << 30); },
       "section 6 (edges) has 1073741824 entries of 16 bytes, which is not "
       "its size of 32 bytes"},
      {"misaligned section",
       [](Damaged &D) {
         D.put64(D.entry(RulesKind) + 8, D.section(RulesKind) + 4);
       },
       "not a multiple of 8"},
      {"overlapping sections",
       [](Damaged &D) {
         D.put64(D.entry(RulesKind) + 8, D.section(EdgesKind));
       },
       "section 7 (rules) starts at"},
      {"repeated section",
       [](Damaged &D) { D.put32(D.entry(RulesKind), EdgesKind); },
       "section 7 (edges) repeats section kind 7"},
      {"two metadata records",
       [](Damaged &D) { D.put64(D.entry(MetadataKind) + 24, 2); },
       "has 2 entries of 40 bytes"},
      {"string end past the bytes",
       [](Damaged &D) { D.put64(D.section(StringsKind) + 16, 1000); },
       "strings[1] ends at 1000, past the string bytes"},
      {"string table first offset",
       [](Damaged &D) { D.put64(D.section(StringsKind), 1); },
       "strings[0] starts at 1"},
      {"repeated string",
       [](Damaged &D) {
         // "a" and "b" are strings 2 and 3, one byte each: make b an a.
         uint64_t Bytes = D.section(StringsKind) + 8 * 6;
         D.Bytes[Bytes + 11 + 1] = 'a';
       },
       "strings[3] repeats strings[2]"},
      {"not UTF-8",
       [](Damaged &D) {
         uint64_t Bytes = D.section(StringsKind) + 8 * 6;
         D.put8(Bytes + 11, 0xe9);
       },
       "strings[2] is not UTF-8"},
      {"bad string index",
       [](Damaged &D) { D.put32(D.section(FunctionsKind), 77); },
       "functions[0].name is string 77, past the string table (5 strings)"},
      {"empty name",
       [](Damaged &D) { D.put32(D.section(FunctionsKind), 0); },
       "functions[0].name must not be empty"},
      {"duplicate function",
       [](Damaged &D) { D.put32(D.section(FunctionsKind) + 80, 2); },
       "duplicate function 'a' (functions[0] and [1]); merge the entries or "
       "use 'profile merge'"},
      {"phase out of range",
       [](Damaged &D) { D.put8(D.section(FunctionsKind) + 4, 7); },
       "functions[0].phase is 7; expected 0 to 3 (startup, first_frame, "
       "steady or cold) or 255 (none)"},
      {"unknown flag",
       [](Damaged &D) { D.put8(D.section(FunctionsKind) + 5, 0x43); },
       "functions[0].flags are 0x43; bits 6 and 7 are not defined"},
      {"value under an absent flag",
       [](Damaged &D) { D.put64(D.section(FunctionsKind) + 32, 9); },
       "functions[0].samples is 9 but its flag says it is absent"},
      {"last call before first",
       [](Damaged &D) { D.put64(D.section(FunctionsKind) + 24, 1); },
       "last_call_ns (1) is before first_call_ns (2) for 'a'"},
      {"range count past the pool",
       [](Damaged &D) { D.put32(D.section(FunctionsKind) + 56, 3); },
       "functions[0].startup_ranges has 3 ranges, past the end of the ranges "
       "section (2 of 2 left)"},
      {"ranges unused",
       [](Damaged &D) { D.put32(D.section(FunctionsKind) + 56, 1); },
       "the ranges section has 2 entries but the functions use 1 ranges"},
      {"empty range",
       [](Damaged &D) { D.put64(D.section(RangesKind) + 8, 0); },
       "ranges[0], startup range 0 of 'a', [0, 0] is empty or reversed"},
      {"unsorted ranges",
       [](Damaged &D) {
         D.put64(D.section(RangesKind) + 16, 2);
       },
       "ranges[1], startup range 1 of 'a', [2, 12] does not start after the "
       "one before it ends (4)"},
      {"block listed twice",
       [](Damaged &D) { D.put32(D.section(BlocksKind) + 4, 1); },
       "block 1 is listed twice in 'startup_blocks' of 'a'"},
      {"block in two phases",
       [](Damaged &D) {
         D.put32(D.section(FunctionsKind) + 56 + 12, 1);
         D.put32(D.section(FunctionsKind) + 56 + 20, 1);
         D.put32(D.section(BlocksKind) + 4, 1);
       },
       "block 1 of 'a' is in both 'startup_blocks' and 'steady_blocks'"},
      {"block count past the pool",
       [](Damaged &D) { D.put32(D.section(FunctionsKind) + 80 + 68, 1); },
       "functions[1].startup_blocks has 1 block ids, past the end of the "
       "blocks section (0 of 2 left)"},
      {"runs 0",
       [](Damaged &D) { D.put64(D.section(MetadataKind) + 24, 0); },
       "metadata.runs must be at least 1"},
      {"duplicate edge",
       [](Damaged &D) {
         D.put32(D.section(EdgesKind) + 16, 2);
         D.put32(D.section(EdgesKind) + 20, 3);
       },
       "duplicate edge a -> b (edges[1]); list each caller/callee pair once"},
      {"empty callee",
       [](Damaged &D) { D.put32(D.section(EdgesKind) + 4, 0); },
       "edges[0].callee must not be empty"},
      {"rule without a phase",
       [](Damaged &D) { D.put8(D.section(RulesKind) + 4, 255); },
       "rules[0].phase is 255; expected 0 to 3 (startup, first_frame, "
       "steady or cold)"},
      {"invalid glob",
       [](Damaged &D) {
         uint64_t Bytes = D.section(StringsKind) + 8 * 6;
         D.put8(Bytes + 13, '[');
       },
       "invalid glob '[*'"},
      {"trace past its names",
       [](Damaged &D) { D.put32(D.section(TracesKind) + 8, 3); },
       "traces[0] has 3 names, past the end of the trace names section"},
      {"trace name index",
       [](Damaged &D) { D.put32(D.section(TraceNamesKind), 5); },
       "trace names[0] (traces[0] entry 0) is string 5, past the string "
       "table"},
  };
  for (const Case &C : Cases) {
    Damaged D(Small);
    ASSERT_EQ(Damaged(Small).error(), "(read without error)");
    C.Damage(D);
    EXPECT_THAT(D.error(), HasSubstr(C.Expected)) << C.What;
  }
}

TEST(CompactProfileErrors, DuplicateMarker) {
  Damaged D("version: 1\nmarkers: [{name: startup_end, time_ns: 1}, "
            "{name: first_frame, time_ns: 2}]\n");
  D.put32(D.section(MarkersKind) + 16, 1);
  EXPECT_THAT(D.error(), HasSubstr("duplicate marker 'startup_end' "
                                   "(markers[0] and markers[1])"));
}

TEST(CompactProfileErrors, UnknownSectionsAndMarkersWarn) {
  Damaged D("version: 1\nmarkers: [{name: startup_ends, time_ns: 1}]\n");
  D.put32(D.entry(TraceNamesKind), 99);
  std::vector<std::string> Warnings;
  Expected<Profile> P = parseCompactProfile(
      D.Bytes, "w.prof", [&](const Twine &W) { Warnings.push_back(W.str()); });
  ASSERT_TRUE(bool(P)) << errorText(P.takeError());
  EXPECT_THAT(Warnings,
              ElementsAre("w.prof: warning: byte offset 320: unknown section "
                          "kind 99 ignored",
                          HasSubstr("w.prof: warning: byte offset ")));
  EXPECT_THAT(Warnings[1], HasSubstr("marker 'startup_ends' is not one the "
                                     "phase inference reads (startup_end, "
                                     "first_frame); did you mean "
                                     "'startup_end'?"));
}

uint64_t Damaged::stringIndex(StringRef Text) const {
  uint64_t Table = section(StringsKind);
  uint64_t N =
      support::endian::read64le(Bytes.data() + entry(StringsKind) + 24);
  uint64_t Begin = 0;
  for (uint64_t I = 0; I < N; ++I) {
    uint64_t End =
        support::endian::read64le(Bytes.data() + Table + 8 * (I + 1));
    if (Bytes.substr(Table + 8 * (N + 1) + Begin, End - Begin) == Text)
      return I;
    Begin = End;
  }
  ADD_FAILURE() << "no string " << Text.str();
  return 0;
}

// Edges rewritten in place: the writer lists them grouped by caller; a
// hand-made file need not.
struct DamagedEdges : Damaged {
  DamagedEdges()
      : Damaged(R"(version: 1
functions: [{name: a}, {name: b}, {name: c}]
edges:
  - {caller: a, callee: b}
  - {caller: a, callee: c}
  - {caller: b, callee: a}
  - {caller: b, callee: c}
  - {caller: c, callee: a}
)") {}
  void set(unsigned I, const char *Caller, const char *Callee) {
    put32(section(EdgesKind) + 16 * I, uint32_t(stringIndex(Caller)));
    put32(section(EdgesKind) + 16 * I + 4, uint32_t(stringIndex(Callee)));
  }
};

TEST(CompactProfileErrors, RepeatedEdgesInFileOrder) {
  {
    DamagedEdges D; // a repeat within a caller's run
    D.set(1, "a", "b");
    EXPECT_THAT(D.error(), HasSubstr("duplicate edge a -> b (edges[1])"));
  }
  {
    DamagedEdges D; // the caller's run again, after another caller's
    D.set(4, "a", "c");
    EXPECT_THAT(D.error(), HasSubstr("duplicate edge a -> c (edges[4])"));
  }
  {
    DamagedEdges D; // two repeats in one run: the first in file order
    D.set(2, "b", "c");
    D.set(3, "b", "c");
    D.set(4, "b", "c");
    EXPECT_THAT(D.error(), HasSubstr("duplicate edge b -> c (edges[3])"));
  }
  {
    DamagedEdges D; // a repeat before a bad record wins
    D.set(3, "b", "a");
    D.put32(D.section(EdgesKind) + 16 * 4, 99);
    EXPECT_THAT(D.error(), HasSubstr("duplicate edge b -> a (edges[3])"));
  }
  {
    DamagedEdges D; // a bad record before a repeat wins
    D.put32(D.section(EdgesKind) + 16 * 2, 99);
    D.set(3, "b", "c");
    D.set(4, "b", "c");
    EXPECT_THAT(D.error(), HasSubstr("edges[2].caller is string 99"));
  }
}

// Large enough for the batched and two-threaded paths: 2,000 functions
// (the string table spans two batches of 1,024) and 100,000 edges.
struct LargeProfile {
  Profile P;
  Damaged D{"version: 1\n"};
  LargeProfile() {
    P.Version = 3;
    for (unsigned I = 0; I < 2000; ++I) {
      FunctionProfile F;
      F.Name = "f" + std::to_string(I);
      F.Calls = I;
      P.Functions.push_back(F);
    }
    for (unsigned I = 0; I < 100000; ++I)
      P.Edges.push_back({P.intern("f" + std::to_string(I / 50)),
                         P.intern("f" + std::to_string(1000 + I % 50)), I});
    D.Bytes = compactOf(P);
  }
  uint64_t stringIndex(StringRef Text) const { return D.stringIndex(Text); }
};

TEST(CompactProfile, LargeProfileRoundTrips) {
  LargeProfile L;
  Expected<Profile> Back = parseCompactProfile(L.D.Bytes, "large.prof");
  ASSERT_TRUE(bool(Back)) << errorText(Back.takeError());
  EXPECT_EQ(yaml(*Back), yaml(L.P));
}

TEST(CompactProfileErrors, RepeatedStringInALaterBatch) {
  LargeProfile L;
  uint64_t First = L.stringIndex("f1234"), Second = L.stringIndex("f1235");
  ASSERT_GT(Second, 1024u);
  size_t At = L.D.Bytes.find("f1235", L.D.section(StringsKind));
  L.D.Bytes[At + 4] = '4';
  EXPECT_THAT(L.D.error(), HasSubstr("strings[" + std::to_string(Second) +
                                     "] repeats strings[" +
                                     std::to_string(First) + "]"));
}

TEST(CompactProfileErrors, FunctionsErrorBeforeEdgesError) {
  // Read on two threads, reported in section order.
  LargeProfile L;
  uint64_t Functions = L.D.section(FunctionsKind),
           Edges = L.D.section(EdgesKind);
  L.D.put32(Edges + 16 * 99999, 1u << 30);
  EXPECT_THAT(L.D.error(), HasSubstr("edges[99999].caller is string "
                                     "1073741824, past the string table"));
  L.D.put8(Functions + 80 * 5 + 4, 9);
  EXPECT_THAT(L.D.error(), HasSubstr("functions[5].phase is 9"));
}

} // namespace

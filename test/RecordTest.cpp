//===- RecordTest.cpp - Raw files and importers ---------------------------===//

#include "pagelayout/record/Importers.h"
#include "pagelayout/record/RawFormat.h"
#include "pagelayout/record/RawProfile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using namespace pagelayout;
using namespace llvm;
using ::testing::HasSubstr;

namespace {

/// Writes a raw file by hand, chunk by chunk, the way the runtime does.
class RawFileBuilder {
public:
  RawFileBuilder() {
    Data.append(raw::Magic, 8);
    put<uint32_t>(raw::Version), put<uint32_t>(42), put<uint32_t>(1);
    put<uint32_t>(raw::FlagFirstCall), put<uint64_t>(5000);
  }
  template <typename T> void put(T V) {
    Data.append(reinterpret_cast<const char *>(&V), sizeof(V));
  }
  void chunk(uint32_t Tag, uint32_t Count, const std::string &Body) {
    put<uint32_t>(Tag), put<uint32_t>(Count), put<uint64_t>(Body.size());
    Data += Body;
  }
  std::string write() {
    SmallString<128> Path;
    EXPECT_FALSE(sys::fs::createTemporaryFile("raw", "raw", Path));
    std::error_code EC;
    raw_fd_ostream OS(Path, EC);
    OS << Data;
    return std::string(Path);
  }
  std::string Data;
};

template <typename T> std::string bytes(T V) {
  return std::string(reinterpret_cast<const char *>(&V), sizeof(V));
}

TEST(RawProfile, ReadsChunksAndSkipsUnknownOnes) {
  RawFileBuilder B;
  std::string Module = bytes<uint64_t>(0x1000) + bytes<uint64_t>(0x2000) +
                       bytes<uint64_t>(0x3000) + bytes<uint16_t>(3) + "app";
  B.chunk(raw::TagModules, 1, Module);
  B.chunk(99, 7, "future!"); // a newer runtime's chunk
  std::string Marker =
      bytes<uint64_t>(1234) + bytes<uint16_t>(11) + "startup_end";
  B.chunk(raw::TagMarkers, 1, Marker);
  B.chunk(raw::TagFirstHits, 2,
          bytes<uint64_t>(0x2010) + bytes<uint64_t>(10) +
              bytes<uint64_t>(0x2020) + bytes<uint64_t>(20));
  Expected<RawProcess> P = readRawProcess(B.write());
  ASSERT_TRUE(bool(P)) << toString(P.takeError());
  EXPECT_EQ(P->Pid, 42u);
  EXPECT_EQ(P->DurationNs, 5000u);
  ASSERT_EQ(P->Modules.size(), 1u);
  EXPECT_EQ(P->Modules[0].Path, "app");
  EXPECT_EQ(P->Modules[0].Begin, 0x2000u);
  ASSERT_EQ(P->Markers.size(), 1u);
  EXPECT_EQ(P->Markers[0].Name, "startup_end");
  ASSERT_EQ(P->FirstHits.size(), 2u);
  EXPECT_EQ(P->FirstHits[1].TimeNs, 20u);
}

TEST(RawProfile, RejectsRecordsPastTheirChunk) {
  RawFileBuilder B;
  B.chunk(raw::TagFirstHits, 3, bytes<uint64_t>(1) + bytes<uint64_t>(2));
  Expected<RawProcess> P = readRawProcess(B.write());
  ASSERT_FALSE(bool(P));
  EXPECT_THAT(toString(P.takeError()),
              HasSubstr("record 1 runs past its chunk"));
}

TEST(Importers, PerfScriptSamplesAndEdges) {
  const char *Text = "app 1 [000] 1.000000: 1000 cpu-clock:u: \n"
                     "\t  10 leaf+0x1 (/bin/app)\n"
                     "\t  20 mid+0x2 (/bin/app)\n"
                     "\t  30 top+0x3 (/bin/app)\n"
                     "\n"
                     "app 1 [000] 1.000500: 1000 cpu-clock:u: \n"
                     "\t  10 leaf+0x1 (/bin/app)\n"
                     "\t  40 [unknown] (/bin/app)\n"
                     "\t  20 mid+0x2 (/bin/app)\n";
  Expected<Profile> P = importPerfScript(Text, "p.txt", "", {});
  ASSERT_TRUE(bool(P)) << toString(P.takeError());
  ASSERT_EQ(P->Functions.size(), 3u);
  EXPECT_EQ(P->Functions[0].Name, "leaf");
  EXPECT_EQ(P->Functions[0].Samples, 2u);
  EXPECT_EQ(P->Functions[0].SelfNs, 2000u);
  EXPECT_FALSE(P->Functions[0].FirstCallNs.has_value());
  EXPECT_EQ(P->Metadata.DurationNs, 500000u);
  ASSERT_EQ(P->Edges.size(), 2u);
  EXPECT_EQ(P->Edges[0].Caller, "mid");
  EXPECT_EQ(P->Edges[0].Callee, "leaf");
  EXPECT_EQ(P->Edges[0].Count, 2u); // [unknown] frames are skipped
  EXPECT_TRUE(looksLikePerfScript(Text));
  EXPECT_FALSE(looksLikePerfScript("version: 1\n"));
}

} // namespace

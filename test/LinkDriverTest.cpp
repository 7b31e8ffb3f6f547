//===- LinkDriverTest.cpp - ld.pagelayout's map, markers and options ------===//

#include "DriverOptions.h"
#include "LinkMap.h"
#include "MarkerObject.h"
#include "llvm/Object/ELFObjectFile.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using namespace pagelayout;
using namespace llvm;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

// The shape of lld 22's -Map output.
const char *MapText =
    "             VMA              LMA     Size Align Out     In      Symbol\n"
    "             2a0              2a0       1c     1 .interp\n"
    "             2a0              2a0       1c     1         "
    "<internal>:(.interp)\n"
    "            19e0             19e0       90    16 .text\n"
    "            19e0             19e0       22    16         crt1.o:(.text)\n"
    "            19e0             19e0       22     1                 _start\n"
    "            1a02             1a02        0     1         crti.o:(.text)\n"
    "            1a10             1a10       40    16         a.o:(.text)\n"
    "            1a10             1a10        0     1                 f\n"
    "            1a20             1a20        0     1                 g\n"
    "            1a50             1a50       20    16         a.o:(.text.hot)\n"
    "            1a50             1a50       20     1                 hot\n"
    "            1a50             1a50       20     1                 "
    "hot_alias\n"
    "            1a70             1a70        5     4 .init\n"
    "            1a70             1a70        5     4         crti.o:(.init)\n";

TEST(LinkMap, ReadsTextInputSectionsAndTheirSymbols) {
  Expected<LinkMap> M = parseLinkMap(MapText, "test.map");
  ASSERT_TRUE(bool(M)) << toString(M.takeError());
  EXPECT_EQ(M->TextAddress, 0x19e0u);
  ASSERT_EQ(M->Atoms.size(), 3u); // the empty crti.o section is skipped
  EXPECT_EQ(M->Atoms[1].Origin, "a.o:(.text)");
  EXPECT_EQ(M->Atoms[1].OriginalOffset, 0x1a10u);
  EXPECT_EQ(M->Atoms[1].Size, 0x40u);
  EXPECT_EQ(M->Atoms[1].Alignment, 16u);
  ASSERT_EQ(M->Atoms[1].Symbols.size(), 2u);
  EXPECT_EQ(M->Atoms[1].Symbols[1].Offset, 0x10u);
  // Two functions at different offsets: one multi-function section; the
  // aliases of .text.hot share an offset and do not count.
  EXPECT_THAT(M->MultiFunctionSections, ElementsAre(1u));
}

TEST(LinkMap, RejectsAMapWithoutText) {
  Expected<LinkMap> M = parseLinkMap("             VMA              LMA     "
                                     "Size Align Out     In      Symbol\n",
                                     "empty.map");
  ASSERT_FALSE(bool(M));
  EXPECT_THAT(toString(M.takeError()), HasSubstr("no .text output section"));
}

TEST(MarkerObject, IsAValidRelocatableObjectWithAlignedEmptySections) {
  std::string Obj =
      buildMarkerObject({{"startup"}, {"steady"}}, ELF::EM_X86_64, 16384);
  Expected<std::unique_ptr<object::ObjectFile>> O =
      object::ObjectFile::createObjectFile(MemoryBufferRef(Obj, "markers.o"));
  ASSERT_TRUE(bool(O)) << toString(O.takeError());
  auto *E = cast<object::ELFObjectFileBase>(O->get());
  EXPECT_EQ(E->getEMachine(), ELF::EM_X86_64);
  std::vector<std::string> Sections;
  for (const object::SectionRef &S : E->sections()) {
    StringRef Name = cantFail(S.getName());
    if (!Name.starts_with(".text"))
      continue;
    Sections.push_back(Name.str());
    EXPECT_EQ(S.getSize(), 0u);
    EXPECT_EQ(S.getAlignment().value(), 16384u);
    EXPECT_TRUE(object::ELFSectionRef(S).getFlags() & ELF::SHF_GNU_RETAIN);
  }
  EXPECT_THAT(Sections, ElementsAre(".text.pagelayout.startup",
                                    ".text.pagelayout.steady"));
  std::vector<std::string> Symbols;
  for (const object::SymbolRef &S : E->symbols())
    Symbols.push_back(cantFail(S.getName()).str());
  EXPECT_THAT(Symbols,
              ElementsAre("__pagelayout_startup", "__pagelayout_steady"));
}

TEST(DriverOptions, SplitsLayoutOptionsFromLldOnes) {
  BumpPtrAllocator Alloc;
  StringSaver Saver(Alloc);
  std::vector<const char *> Argv = {"a.o",
                                    "--layout-profile=p.yaml",
                                    "-o",
                                    "out",
                                    "-layout-page-size",
                                    "16384",
                                    "--layout-strict",
                                    "--layout-phase-align=none",
                                    "--gc-sections"};
  Expected<DriverOptions> O = parseDriverOptions(Argv, Saver);
  ASSERT_TRUE(bool(O)) << toString(O.takeError());
  EXPECT_THAT(O->ProfilePaths, ElementsAre("p.yaml"));
  EXPECT_EQ(O->PageSize, 16384u);
  EXPECT_TRUE(O->Strict);
  EXPECT_FALSE(O->PhaseAlign);
  std::vector<std::string> Rest(O->LldArgs.begin(), O->LldArgs.end());
  EXPECT_THAT(Rest, ElementsAre("a.o", "-o", "out", "--gc-sections"));
  EXPECT_EQ(outputPath(O->LldArgs), "out");
}

TEST(DriverOptions, OutputPathSpellings) {
  EXPECT_EQ(outputPath({"a.o"}), "a.out");
  EXPECT_EQ(outputPath({"-oapp"}), "app");
  EXPECT_EQ(outputPath({"--output=x", "-o", "y"}), "y");
  EXPECT_EQ(outputPath({"-omagic", "-o", "z"}), "z");
  EXPECT_TRUE(isRelocatableLink({"-r", "a.o"}));
  EXPECT_TRUE(isInformationalRun({"--version"}));
  // -v with inputs prints the version and links.
  EXPECT_TRUE(isInformationalRun({"-v"}));
  EXPECT_FALSE(isInformationalRun({"-v", "a.o"}));
}

TEST(DriverOptions, ProfilesAccumulateAndFatalWarningsAreSeen) {
  BumpPtrAllocator Alloc;
  StringSaver Saver(Alloc);
  std::vector<const char *> Argv = {"--layout-profile=a.yaml",
                                    "--fatal-warnings", "--layout-profile",
                                    "b.yaml", "a.o"};
  Expected<DriverOptions> O = parseDriverOptions(Argv, Saver);
  ASSERT_TRUE(bool(O)) << toString(O.takeError());
  EXPECT_THAT(O->ProfilePaths, ElementsAre("a.yaml", "b.yaml"));
  EXPECT_TRUE(O->FatalWarnings);
  // lld sees --fatal-warnings too.
  std::vector<std::string> Rest(O->LldArgs.begin(), O->LldArgs.end());
  EXPECT_THAT(Rest, ElementsAre("--fatal-warnings", "a.o"));
  std::vector<const char *> Off = {"--fatal-warnings", "-no-fatal-warnings"};
  Expected<DriverOptions> O2 = parseDriverOptions(Off, Saver);
  ASSERT_TRUE(bool(O2)) << toString(O2.takeError());
  EXPECT_FALSE(O2->FatalWarnings);
}

// lld's --threads is seen in each spelling (and left on lld's command
// line), so ld.pagelayout can size LLVM's thread pool as lld would before
// its own parallel work makes the pool.
TEST(DriverOptions, ThreadsInEachSpelling) {
  BumpPtrAllocator Alloc;
  StringSaver Saver(Alloc);
  auto Threads = [&](std::vector<const char *> Argv) {
    Expected<DriverOptions> O = parseDriverOptions(Argv, Saver);
    EXPECT_TRUE(bool(O));
    if (!O) {
      consumeError(O.takeError());
      return std::pair<unsigned, bool>(~0u, false);
    }
    EXPECT_EQ(O->LldArgs.size(), Argv.size());
    return std::pair(O->ThreadCount, O->threads());
  };
  EXPECT_EQ(Threads({"a.o"}), std::pair(0u, true));
  EXPECT_EQ(Threads({"--threads=4", "a.o"}), std::pair(4u, true));
  EXPECT_EQ(Threads({"-threads", "3"}), std::pair(3u, true));
  EXPECT_EQ(Threads({"--threads", "1", "a.o"}), std::pair(1u, false));
  // The last one counts, as in lld.
  EXPECT_EQ(Threads({"--threads=1", "-threads=2"}), std::pair(2u, true));
  // Not a positive number: lld reports it; the pool keeps its default.
  EXPECT_EQ(Threads({"--threads=many"}), std::pair(0u, true));
  // No value, or 0: lld rejects the link; the pool keeps its default.
  EXPECT_EQ(Threads({"a.o", "--threads"}), std::pair(0u, true));
  EXPECT_EQ(Threads({"--threads=0"}), std::pair(0u, true));
  // Another option that starts alike is not --threads.
  EXPECT_EQ(Threads({"--threadsx=2"}), std::pair(0u, true));
}

} // namespace

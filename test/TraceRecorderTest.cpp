//===- TraceRecorderTest.cpp - Block finding and trace profiles -----------===//

#include "pagelayout/record/TraceRecorder.h"
#include "pagelayout/record/BlockFinder.h"
#include "../utils/recorder/lib/LoadedLibraries.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <sys/auxv.h>
#include <unistd.h>

using namespace pagelayout;
using namespace llvm;
using ::testing::ElementsAre;

namespace {

BlockFinder finder() {
  Expected<BlockFinder> F = BlockFinder::create();
  EXPECT_TRUE(bool(F)) << (F ? "" : toString(F.takeError()));
  return std::move(*F);
}

// Leaders: the entry, a branch target, the instructions after a branch, a
// call and a return; an int3 is left out; decoding stops at junk.
TEST(BlockFinder, LeadersTrapsAndUndecodedBytes) {
  const uint8_t Code[] = {
      0x31, 0xc0,                   // 0: xor %eax, %eax
      0x85, 0xff,                   // 2: test %edi, %edi
      0x74, 0x05,                   // 4: je 0xb
      0xb8, 0x01, 0x00, 0x00, 0x00, // 6: mov $1, %eax
      0xe8, 0x00, 0x00, 0x00, 0x00, // b: call 0x10
      0xc3,                         // 10: ret
      0xcc,                         // 11: int3
      0x90,                         // 12: nop
      0xff, 0xff,                   // 13: not an instruction
  };
  FunctionBlocks B = finder().find(Code, 0x401000);
  EXPECT_THAT(B.Blocks,
              ElementsAre(TraceBlock{0x0, 0x6}, TraceBlock{0x6, 0xb},
                          TraceBlock{0xb, 0x10}, TraceBlock{0x10, 0x11},
                          TraceBlock{0x12, 0x13}));
  EXPECT_EQ(B.TrapBytes, 1u);
  EXPECT_EQ(B.UndecodedBytes, 2u);
  EXPECT_EQ(B.OffBoundaryTargets, 0u);
  EXPECT_FALSE(B.PerInstruction);
}

// A jump into the middle of an instruction gets no breakpoint.
TEST(BlockFinder, TargetOffAnInstructionStartIsIgnored) {
  const uint8_t Code[] = {
      0xeb, 0x01, // 0: jmp 3 (inside the next instruction)
      0xb0, 0x90, // 2: mov $0x90, %al
      0xc3,       // 4: ret
  };
  FunctionBlocks B = finder().find(Code, 0x1000);
  EXPECT_THAT(B.Blocks, ElementsAre(TraceBlock{0, 2}, TraceBlock{2, 5}));
  EXPECT_EQ(B.OffBoundaryTargets, 1u);
}

// An indirect jump (a jump table) may enter any instruction: every
// instruction is a block.
TEST(BlockFinder, IndirectJumpMeansPerInstruction) {
  const uint8_t Code[] = {
      0x31, 0xc0, // 0: xor %eax, %eax
      0x90,       // 2: nop
      0xff, 0xe0, // 3: jmp *%rax
  };
  FunctionBlocks B = finder().find(Code, 0x1000);
  EXPECT_TRUE(B.PerInstruction);
  EXPECT_THAT(B.Blocks, ElementsAre(TraceBlock{0, 2}, TraceBlock{2, 3},
                                    TraceBlock{3, 5}));
}

// Alignment nops after a return are padding: the code after them (a
// landing pad, entered only by the unwinder) starts a block of its own.
TEST(BlockFinder, CodeAfterPaddingIsALeader) {
  const uint8_t Code[] = {
      0xc3,                   // 0: ret
      0x90,                   // 1: nop
      0x0f, 0x1f, 0x40, 0x00, // 2: nopl 0(%rax)
      0x31, 0xc0,             // 6: xor %eax, %eax (a landing pad)
      0xc3,                   // 8: ret
  };
  FunctionBlocks B = finder().find(Code, 0x1000);
  EXPECT_THAT(B.Blocks, ElementsAre(TraceBlock{0, 1}, TraceBlock{1, 2},
                                    TraceBlock{2, 6}, TraceBlock{6, 9}));
}

TraceImage twoFunctions() {
  TraceImage Image;
  Image.Path = "app";
  Image.BuildId = "ab12";
  TracedFunction F;
  F.Name = "f";
  F.Address = 0x1000;
  F.Size = 0x20;
  F.Blocks.Blocks = {{0, 8}, {8, 0x10}, {0x10, 0x20}};
  Image.Functions.push_back(F);
  F.Name = "g";
  F.Address = 0x1020;
  F.Size = 0x10;
  F.Blocks.Blocks = {{0, 4}, {4, 0x10}};
  Image.Functions.push_back(F);
  return Image;
}

// Functions in first-execution order, each block's bytes in the phase in
// which it first ran (markers end the phases), touching ranges merged.
TEST(TraceProfile, PhasesFromMarkersOrderFromFirstHits) {
  TraceImage Image = twoFunctions(); // blocks: f 0-2, g 3-4
  TracedProcess Proc;
  Proc.Hits = {{3, 10}, {0, 20}, {1, 30}, {4, 150}, {2, 250}};
  Proc.Markers = {{"startup_end", 100}, {"first_frame", 200}};
  Proc.DurationNs = 300;
  Profile P = buildTraceProfile(Image, Proc, InferenceConfig());
  ASSERT_EQ(P.Functions.size(), 2u);
  EXPECT_EQ(P.Functions[0].Name, "g");
  EXPECT_EQ(P.Functions[0].FirstCallNs, 10u);
  EXPECT_THAT(P.Functions[0].StartupRanges, ElementsAre(ByteRange{0, 4}));
  EXPECT_THAT(P.Functions[0].FirstFrameRanges, ElementsAre(ByteRange{4, 0x10}));
  EXPECT_TRUE(P.Functions[0].SteadyRanges.empty());
  EXPECT_EQ(P.Functions[1].Name, "f");
  EXPECT_THAT(P.Functions[1].StartupRanges, ElementsAre(ByteRange{0, 0x10}));
  EXPECT_THAT(P.Functions[1].SteadyRanges, ElementsAre(ByteRange{0x10, 0x20}));
  EXPECT_EQ(P.Functions[1].Calls, 0u); // unknown to a one-shot trace
  ASSERT_EQ(P.Traces.size(), 1u);
  EXPECT_THAT(P.Traces[0].Functions, ElementsAre("g", "f"));
  EXPECT_EQ(P.Metadata.BuildId, "ab12");
  EXPECT_EQ(P.Metadata.DurationNs, 300u);
  EXPECT_EQ(P.neededVersion(), 2u);
}

// Without markers the inference's time windows end the phases.
TEST(TraceProfile, TimeWindowsWithoutMarkers) {
  TraceImage Image = twoFunctions();
  TracedProcess Proc;
  Proc.Hits = {{0, 10}, {1, 60}, {2, 90}};
  InferenceConfig Windows;
  Windows.StartupWindowNs = 50;
  Windows.FirstFrameWindowNs = 80;
  Profile P = buildTraceProfile(Image, Proc, Windows);
  ASSERT_EQ(P.Functions.size(), 1u);
  EXPECT_THAT(P.Functions[0].StartupRanges, ElementsAre(ByteRange{0, 8}));
  EXPECT_THAT(P.Functions[0].FirstFrameRanges, ElementsAre(ByteRange{8, 0x10}));
  EXPECT_THAT(P.Functions[0].SteadyRanges, ElementsAre(ByteRange{0x10, 0x20}));
}

TEST(TraceRecorder, RefusalNamesTheReasonAndTheOtherModes) {
  EXPECT_EQ(toString(ptraceRefused("./app", EPERM, 3)),
            "cannot trace './app': Operation not permitted; Yama's "
            "kernel.yama.ptrace_scope is 3 (no process may trace). Record "
            "with --mode=perf (sampling) or build the program for an "
            "instrumented mode (--print-flags=first-call)");
  EXPECT_THAT(toString(ptraceRefused("./app", EPERM, -1)),
              ::testing::HasSubstr("a seccomp filter or a container"));
}

// With the address map's block starts, an indirect jump does not make the
// function per instruction: the map's starts (and the padding after its
// blocks) are the leaders, with the decoder's (after a call, a branch).
TEST(BlockFinder, MapStartsReplacePerInstruction) {
  const uint8_t Code[] = {
      0x31, 0xc0,                   // 0: xor %eax, %eax
      0x90,                         // 2: nop
      0xff, 0xe0,                   // 3: jmp *%rax
      0x31, 0xc0,                   // 5: xor %eax, %eax (a case)
      0xe8, 0x00, 0x00, 0x00, 0x00, // 7: call
      0x5d,                         // c: pop %rbp
      0xc3,                         // d: ret
  };
  const uint64_t Starts[] = {0, 5, 5, 14};
  FunctionBlocks B = finder().find(Code, 0x1000, Starts);
  EXPECT_TRUE(B.PerInstruction);
  EXPECT_EQ(B.MapStartsOffBoundary, 0u);
  EXPECT_THAT(B.Blocks, ElementsAre(TraceBlock{0, 5}, TraceBlock{5, 0xc},
                                    TraceBlock{0xc, 0xe}));
  // A map start inside an instruction: the map does not fit this code.
  const uint64_t Off[] = {0, 6};
  EXPECT_EQ(finder().find(Code, 0x1000, Off).MapStartsOffBoundary, 1u);
}

// Block ids per phase in first-execution order, a map block split at a
// call counted once (when its first part ran), padding without an id, and
// the ids of a basic-block section listed under the function it belongs
// to, with the map's hash.
TEST(TraceProfile, BlockIdsPerPhase) {
  TraceImage Image = twoFunctions(); // traced blocks: f 0-2, g 3-4
  Image.Functions[0].BlockIds = {4, 4, NoBlockId};
  Image.Functions[0].BlockHash = 77;
  Image.Functions[1].BlockIds = {9, 8};
  Image.Functions[1].IdOwner = 0; // g is a section of f's
  TracedProcess Proc;
  Proc.Hits = {{0, 10}, {2, 20}, {1, 30}, {4, 150}, {3, 250}};
  Proc.Markers = {{"startup_end", 100}, {"first_frame", 200}};
  Profile P = buildTraceProfile(Image, Proc, InferenceConfig());
  ASSERT_EQ(P.Functions.size(), 2u);
  const FunctionProfile &F = P.Functions[0];
  EXPECT_EQ(F.Name, "f");
  EXPECT_THAT(F.StartupBlocks, ElementsAre(4u));
  EXPECT_THAT(F.FirstFrameBlocks, ElementsAre(8u));
  EXPECT_THAT(F.SteadyBlocks, ElementsAre(9u));
  EXPECT_EQ(F.BlockHash, 77u);
  EXPECT_THAT(F.StartupRanges, ElementsAre(ByteRange{0, 0x20}));
  const FunctionProfile &G = P.Functions[1];
  EXPECT_TRUE(G.StartupBlocks.empty() && G.FirstFrameBlocks.empty() &&
              G.SteadyBlocks.empty());
  EXPECT_FALSE(G.BlockHash);
  EXPECT_THAT(G.FirstFrameRanges, ElementsAre(ByteRange{4, 0x10}));
  EXPECT_EQ(P.neededVersion(), 3u);
}

// Two functions of one name (static functions of different files) share
// one entry: a profile's names are unique. The ids are the first's.
TEST(TraceProfile, FunctionsOfOneNameShareAnEntry) {
  TraceImage Image = twoFunctions(); // traced blocks: f 0-2, g 3-4
  Image.Functions[1].Name = "f";
  Image.Functions[0].BlockIds = {0, 1, 2};
  Image.Functions[1].BlockIds = {0, 1};
  Image.Functions[1].IdOwner = 1;
  TracedProcess Proc;
  Proc.Hits = {{3, 10}, {0, 20}, {4, 30}};
  Profile P = buildTraceProfile(Image, Proc, InferenceConfig());
  ASSERT_EQ(P.Functions.size(), 1u);
  EXPECT_EQ(P.Functions[0].FirstCallNs, 10u);
  EXPECT_THAT(P.Functions[0].StartupRanges, ElementsAre(ByteRange{0, 0x10}));
  EXPECT_THAT(P.Functions[0].StartupBlocks, ElementsAre(0u, 1u));
  ASSERT_EQ(P.Traces.size(), 1u);
  EXPECT_THAT(P.Traces[0].Functions, ElementsAre("f"));
}

// With libraries: each module's functions, in one first-execution order;
// a library's function named like one of an earlier module's is
// FILE:NAME, so no two entries share a name.
TEST(TraceProfile, LibraryFunctionsAreQualifiedOnAClash) {
  TraceImage Program = twoFunctions(); // f, g
  TraceImage Lib = twoFunctions();
  Lib.Path = "/usr/lib/libx.so.1";
  Lib.Functions[1].Name = "h"; // f (clashes), h
  const TraceImage *Modules[] = {&Program, &Lib};
  TracedProcess Proc;
  Proc.Hits = {{0, 10, 1}, {3, 20, 0}, {3, 30, 1}, {0, 40, 0}};
  Profile P = buildTraceProfile(Modules, Proc, InferenceConfig());
  ASSERT_EQ(P.Traces.size(), 1u);
  EXPECT_THAT(P.Traces[0].Functions, ElementsAre("libx.so.1:f", "g", "h", "f"));
  EXPECT_EQ(P.Metadata.BinaryPath, "app");
  EXPECT_EQ(P.Metadata.BuildId, "ab12");
}

// What --libs reads of a live process, on this test itself: its own
// executable and the loader are mapped with code, and glibc's loader has
// _dl_debug_state.
TEST(LoadedLibraries, MapsAuxvAndTheLoaderHook) {
  std::optional<uint64_t> Base = auxvValue(getpid(), AT_BASE);
  ASSERT_TRUE(Base && *Base);
  EXPECT_EQ(auxvValue(getpid(), AT_ENTRY), getauxval(AT_ENTRY));
  std::vector<MappedFile> Files = mappedCodeFiles(getpid());
  const MappedFile *Loader = nullptr;
  for (const MappedFile &F : Files)
    if (F.Start == *Base)
      Loader = &F;
  ASSERT_NE(Loader, nullptr);
  Expected<uint64_t> Hook = loaderHookOffset(Loader->Path);
  ASSERT_TRUE(bool(Hook)) << toString(Hook.takeError());
  EXPECT_GT(*Hook, 0u);
  Expected<uint64_t> NotALoader = loaderHookOffset("/proc/self/exe");
  ASSERT_FALSE(bool(NotALoader));
  EXPECT_THAT(toString(NotALoader.takeError()),
              ::testing::HasSubstr("has no _dl_debug_state"));
}

} // namespace

//===- RewriteFuzzer.cpp - Fuzz the whole post-link rewrite path ----------===//
//
// The path `pagelayout reorder` takes, in memory: readLinkedBinary ->
// checkMoveSafety -> movableUnits -> a profile -> rewriteBinary -> read
// the output image back -> verifyRewrite and verifyRewriteByDecoding (reorder/lib/BinaryRewriter.cpp,
// RewriteVerifier.cpp; tools/pagelayout/ReorderCommand.cpp's verifyOutput
// is the model).
//
// An input is one mode byte followed by the ELF image. The profile is made
// from the binary's own functions, so every input has a plan that moves
// code; the mode byte picks how:
//   bits 0-1: 0 every other function startup, the rest cold;
//             1 every function startup, first called in reverse order;
//             2 call counts and call edges, steady or cold by call rate;
//             3 a phase per function from a hash of its index and bits 3-7;
//   bit 2:    16 KB pages instead of 4 KB (other fit fallbacks).
// Mutations of the image are ELF-aware (ElfMutator.h).
//
// A rejected input, a rewrite that refuses, and a verification that fails
// are all fine: nothing would be written. Crashes, sanitizer reports and
// hangs are findings, and so is an output the verifier passes that is
// wrong (for the full check to find).
//
//===----------------------------------------------------------------------===//

#include "ElfMutator.h"
#include "pagelayout/reorder/BinaryRewriter.h"
#include "pagelayout/reorder/ReorderPipeline.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/MoveSafety.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/reorder/RewriteVerifier.h"
#include <cstdio>
#include <cstdlib>

using namespace llvm;
using namespace pagelayout;

/// A profile of \p Units' named functions, as the mode byte says.
static Profile makeProfile(const std::vector<Atom> &Units, uint8_t Mode) {
  std::vector<const std::string *> Names;
  for (const Atom &A : Units)
    if (!A.Symbols.empty())
      Names.push_back(&A.Symbols.front().Name);
  Profile P;
  size_t N = Names.size();
  uint64_t Salt = Mode >> 3;
  for (size_t I = 0; I < N; ++I) {
    FunctionProfile F;
    F.Name = *Names[I];
    switch (Mode & 3) {
    case 0:
      F.ExplicitPhase = I % 2 ? Phase::Cold : Phase::Startup;
      break;
    case 1:
      F.FirstCallNs = (N - I) * 10;
      F.Calls = 1;
      break;
    case 2:
      // After the first frame, so the call rate decides: steady above
      // 100 calls/s, cold below 1, edges for cdsort between neighbours.
      F.FirstCallNs = 600'000'000 + (N - I) * 1000;
      F.Calls = (I * 7919 + Salt * 31) % 400;
      if (I + 1 < N && I % 3)
        P.Edges.push_back({*Names[I], *Names[I + 1], F.Calls + 1});
      break;
    default:
      F.ExplicitPhase = static_cast<Phase>(
          ((I + 1) * 2654435761u + Salt * 40503u) >> 7 & (NumPhases - 1));
      break;
    }
    P.Functions.push_back(std::move(F));
  }
  if ((Mode & 3) == 1) {
    P.Markers.push_back({std::string(StartupEndMarker), (N + 1) * 10});
    Trace T;
    for (size_t I = N; I > 0; --I)
      T.Functions.push_back(*Names[I - 1]);
    P.Traces.push_back(std::move(T));
  }
  if ((Mode & 3) == 2)
    P.Metadata.DurationNs = 1'200'000'000;
  return P;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size < 1)
    return 0;
  uint8_t Mode = Data[0];
  Expected<LinkedBinary> In = readLinkedBinary(MemoryBuffer::getMemBufferCopy(
      StringRef(reinterpret_cast<const char *>(Data + 1), Size - 1),
      "fuzz.elf"));
  if (!In) {
    consumeError(In.takeError());
    return 0;
  }
  Expected<MoveSafety> Proof = checkMoveSafety(*In);
  if (!Proof) {
    consumeError(Proof.takeError());
    return 0;
  }
  std::vector<Atom> Units = movableUnits(*In, *Proof);
  Profile P = makeProfile(Units, Mode);
  NameMatchResult Names = matchProfileNames(P, Units);
  ResolvedProfile RP = resolvePhases(Names.Renamed);
  FittedLayout Layout = planRewrite(*In, Units, RP, Mode & 4 ? 16384 : 4096);
  Expected<RewriteResult> R = rewriteBinary(*In, *Proof, Units, Layout.Plan);
  if (!R) {
    consumeError(R.takeError());
    return 0;
  }
  Expected<LinkedBinary> Out = readLinkedBinary(MemoryBuffer::getMemBuffer(
      R->Image, "fuzz.out", /*RequiresNullTerminator=*/false));
  if (!Out) {
    consumeError(Out.takeError());
    return 0;
  }
  // The fast check shares the rewriter's bookkeeping; the full one
  // (--verify=full) shares nothing. An output the fast check passes and
  // the full one fails is a finding: a wrong binary that would have been
  // written with the default --verify, or a full check that is wrong.
  Expected<VerifySummary> Checked =
      verifyRewrite(*In, *Proof, Units, Layout.Plan, *Out);
  if (!Checked) {
    consumeError(Checked.takeError());
    return 0;
  }
  Expected<VerifySummary> Full = verifyRewriteByDecoding(*In, *Out);
  if (!Full) {
    fprintf(stderr, "the fast verification passed, the full one failed: %s\n",
            toString(Full.takeError()).c_str());
    abort();
  }
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *Data, size_t Size,
                                          size_t MaxSize, unsigned Seed) {
  return fuzz::mutateElf(Data, Size, MaxSize, Seed, /*Skip=*/1);
}

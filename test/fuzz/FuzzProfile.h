//===- FuzzProfile.h - A profile made from a binary's own functions -*- C++
//-*-===//
//
// The rewrite fuzzers (ELF and SMF) lay code out by a profile of the
// input's own functions, so every input has a plan that moves code; the
// mode byte picks how:
//   bits 0-1: 0 every other function startup, the rest cold;
//             1 every function startup, first called in reverse order;
//             2 call counts and call edges, steady or cold by call rate;
//             3 a phase per function from a hash of its index and bits 3-7.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_TEST_FUZZ_FUZZPROFILE_H
#define PAGELAYOUT_TEST_FUZZ_FUZZPROFILE_H

#include "pagelayout/reorder/Atom.h"
#include "pagelayout/reorder/BinaryRewriter.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/MoveSafety.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/reorder/ReorderPipeline.h"
#include "pagelayout/reorder/RewriteVerifier.h"
#include "pagelayout/schema/Profile.h"
#include <cstdio>
#include <cstdlib>

namespace pagelayout {

/// A profile of \p Units' named functions, as the mode byte says.
inline Profile makeProfile(const std::vector<Atom> &Units, uint8_t Mode) {
  std::vector<const std::string *> Names;
  std::vector<uint64_t> Sizes;
  for (const Atom &A : Units)
    if (!A.Symbols.empty()) {
      Names.push_back(&A.Symbols.front().Name);
      Sizes.push_back(A.Symbols.front().Size ? A.Symbols.front().Size
                                             : A.Size);
    }
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
      // Every other salt, executed ranges as a trace records them: the
      // packer places by executed bytes (heads, holes, tails).
      if (Salt & 1 && Sizes[I] > 1) {
        uint64_t S = Sizes[I], Head = 1 + (I * 37 + Salt) % S;
        F.StartupRanges.push_back({0, Head});
        uint64_t Tail = (I * 101 + Salt * 7) % S;
        if (Tail > Head + 1)
          F.StartupRanges.push_back({Tail - 1, std::min(S, Tail + 40)});
      }
      break;
    case 2:
      // After the first frame, so the call rate decides: steady above
      // 100 calls/s, cold below 1, edges for cdsort between neighbours.
      F.FirstCallNs = 600'000'000 + (N - I) * 1000;
      F.Calls = (I * 7919 + Salt * 31) % 400;
      if (I + 1 < N && I % 3)
        P.Edges.push_back(
            {P.intern(*Names[I]), P.intern(*Names[I + 1]), F.Calls + 1});
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
      T.Functions.push_back(P.intern(*Names[I - 1]));
    P.Traces.push_back(std::move(T));
  }
  if ((Mode & 3) == 2)
    P.Metadata.DurationNs = 1'200'000'000;
  return P;
}

/// The rest of `pagelayout reorder`'s path on \p In, as both rewrite
/// targets run it: prove, a profile by \p Mode, plan, rewrite, read the
/// image back (with the input's regions), verify fast and then fully. An
/// output the fast check passes and the full one fails is a finding (a
/// wrong binary the default --verify would have written, or a wrong full
/// check): abort. So is an output that does not read back, when
/// \p OutputMustRead.
inline void rewriteAndVerify(const LinkedBinary &In, uint8_t Mode,
                             uint64_t PageSize, bool OutputMustRead) {
  using namespace llvm;
  Expected<MoveSafety> Proof = checkMoveSafety(In);
  if (!Proof) {
    consumeError(Proof.takeError());
    return;
  }
  std::vector<Atom> Units = movableUnits(In, *Proof);
  Profile P = makeProfile(Units, Mode);
  NameMatchResult Names = matchProfileNames(P, Units);
  ResolvedProfile RP = resolvePhases(Names.Renamed);
  FittedLayout Layout = planRewrite(In, Units, RP, PageSize);
  Expected<RewriteResult> R = rewriteBinary(In, *Proof, Units, Layout.Plan);
  if (!R) {
    consumeError(R.takeError());
    return;
  }
  LinkedReadOptions Read;
  Read.SmfCodeEnd = In.TextAddress + In.TextBytes.size();
  Expected<LinkedBinary> Out = readBinary(
      MemoryBuffer::getMemBuffer(R->Image, "fuzz.out",
                                 /*RequiresNullTerminator=*/false),
      Read);
  if (!Out) {
    std::string Why = toString(Out.takeError());
    if (!OutputMustRead)
      return;
    fprintf(stderr, "the rewritten image does not read back: %s\n",
            Why.c_str());
    abort();
  }
  Expected<VerifySummary> Checked =
      verifyRewrite(In, *Proof, Units, Layout.Plan, *Out);
  if (!Checked) {
    consumeError(Checked.takeError());
    return;
  }
  Expected<VerifySummary> Full = verifyRewriteByDecoding(In, *Out);
  if (!Full) {
    fprintf(stderr, "the fast verification passed, the full one failed: %s\n",
            toString(Full.takeError()).c_str());
    abort();
  }
}

} // namespace pagelayout

#endif

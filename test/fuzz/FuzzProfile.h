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
#include "pagelayout/schema/Profile.h"

namespace pagelayout {

/// A profile of \p Units' named functions, as the mode byte says.
inline Profile makeProfile(const std::vector<Atom> &Units, uint8_t Mode) {
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

} // namespace pagelayout

#endif

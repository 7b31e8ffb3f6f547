//===- AtomClassifier.cpp - Join atoms with the profile -------------------===//

#include "AtomClassifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Parallel.h"

using namespace llvm;

namespace pagelayout {

// What of function F (at Offset in its atom, Size bytes) ran: its ranges
// of every phase, clipped to its size (a stale profile may overrun), or
// all of it when it ran and the profile has no ranges for it.
static void addHotRanges(AtomProfile &AP, const FunctionProfile &F,
                         uint64_t Offset, uint64_t Size, bool &HaveRanges) {
  bool Any = false;
  for (const std::vector<ByteRange> *Rs :
       {&F.StartupRanges, &F.FirstFrameRanges, &F.SteadyRanges})
    for (const ByteRange &R : *Rs) {
      Any = true;
      if (R.Begin < Size && R.Begin < R.End)
        AP.HotRanges.push_back(
            {Offset + R.Begin, Offset + std::min(R.End, Size)});
    }
  HaveRanges |= Any;
  if (!Any && F.wasExecuted() && Size)
    AP.HotRanges.push_back({Offset, Offset + Size});
}

AtomClassification classifyAtoms(const std::vector<Atom> &Atoms,
                                 const ResolvedProfile &RP) {
  const Profile &P = *RP.Source;
  AtomClassification C;
  C.Atoms.resize(Atoms.size());
  C.AtomOfFunction.assign(P.Functions.size(), -1);
  C.OffsetInAtom.assign(P.Functions.size(), 0);
  C.FunctionSize.assign(P.Functions.size(), 0);

  // The name lookups, each symbol's in its own slot: in parallel for a
  // large program (a million lookups are most of the classification).
  std::vector<size_t> FirstSymbol(Atoms.size() + 1, 0);
  for (unsigned A = 0; A < Atoms.size(); ++A)
    FirstSymbol[A + 1] = FirstSymbol[A] + Atoms[A].Symbols.size();
  // Names are looked up a batch of atoms at a time (findAll overlaps a
  // batch's cache misses; 1,024 atoms' buckets stay in the cache until
  // their lookups come).
  std::vector<int> Found(FirstSymbol.back(), -1);
  constexpr size_t AtomsPerBatch = 1024;
  size_t Batches = (Atoms.size() + AtomsPerBatch - 1) / AtomsPerBatch;
  auto Lookup = [&](size_t Batch) {
    size_t Begin = Batch * AtomsPerBatch,
           End = std::min(Atoms.size(), Begin + AtomsPerBatch);
    SmallVector<CachedHashStringRef, 0> Names;
    Names.reserve(FirstSymbol[End] - FirstSymbol[Begin]);
    for (size_t A = Begin; A < End; ++A)
      for (const AtomSymbol &S : Atoms[A].Symbols)
        Names.push_back(CachedHashStringRef(S.Name));
    RP.findAll(Names, MutableArrayRef<int>(Found).slice(FirstSymbol[Begin],
                                                        Names.size()));
  };
  if (Atoms.size() < 100000)
    for (size_t B = 0; B < Batches; ++B)
      Lookup(B);
  else
    llvm::parallelFor(0, Batches, Lookup);

  // Which atom holds each profiled function: the first to define its name
  // (local symbols of the same name in different files: the rest stay
  // unprofiled). In atom order; a symbol that lost keeps no function.
  for (unsigned A = 0; A < Atoms.size(); ++A)
    for (size_t K = 0; K < Atoms[A].Symbols.size(); ++K) {
      int &FI = Found[FirstSymbol[A] + K];
      if (FI < 0)
        continue;
      if (C.AtomOfFunction[FI] >= 0) {
        FI = -1;
        continue;
      }
      const AtomSymbol &S = Atoms[A].Symbols[K];
      C.AtomOfFunction[FI] = int(A);
      C.OffsetInAtom[FI] = S.Offset;
      C.FunctionSize[FI] =
          S.Size ? S.Size
                 : (Atoms[A].Size > S.Offset ? Atoms[A].Size - S.Offset : 0);
    }
  // Each atom from the functions it holds: atoms are independent, so a
  // large program joins them in parallel (the profile's records are most
  // of the memory traffic).
  std::vector<uint8_t> AtomHasRanges(Atoms.size(), 0);
  auto Join = [&](size_t A) {
    AtomProfile &AP = C.Atoms[A];
    AP.Pinned = Atoms[A].Pinned;
    bool HasRanges = false;
    for (size_t K = 0; K < Atoms[A].Symbols.size(); ++K) {
      int FI = Found[FirstSymbol[A] + K];
      if (FI < 0)
        continue;
      const FunctionProfile &F = P.Functions[FI];
      const ResolvedFunction &R = RP.Functions[FI];
      AP.AtomPhase = AP.Profiled ? std::min(AP.AtomPhase, R.ResolvedPhase)
                                 : R.ResolvedPhase;
      AP.Profiled = true;
      AP.Pinned |= F.Pinned;
      AP.RanDuringStartup |= R.RanDuringStartup;
      AP.FirstCallNs =
          std::min(AP.FirstCallNs, F.FirstCallNs.value_or(UINT64_MAX));
      uint64_t Count = F.Calls ? F.Calls : F.Samples.value_or(0);
      AP.Count = AP.Count + Count < AP.Count ? UINT64_MAX : AP.Count + Count;
      addHotRanges(AP, F, Atoms[A].Symbols[K].Offset, C.FunctionSize[FI],
                   HasRanges);
    }
    normalizeRanges(AP.HotRanges);
    AtomHasRanges[A] = HasRanges;
  };
  if (Atoms.size() < 100000)
    for (size_t A = 0; A < Atoms.size(); ++A)
      Join(A);
  else
    llvm::parallelFor(0, Atoms.size(), Join);
  C.HaveRanges = llvm::is_contained(AtomHasRanges, 1);
  // Atoms the profile does not list take their phase from the rules.
  if (!RP.Rules.empty())
    for (unsigned A = 0; A < Atoms.size(); ++A) {
      if (C.Atoms[A].Profiled)
        continue;
      for (const AtomSymbol &S : Atoms[A].Symbols)
        if (std::optional<Phase> Ph = RP.ruleFor(S.Name)) {
          C.Atoms[A].AtomPhase = *Ph;
          C.Atoms[A].Profiled = true;
          break;
        }
    }
  for (unsigned FI = 0; FI < P.Functions.size(); ++FI) {
    if (C.AtomOfFunction[FI] >= 0)
      ++C.Matched;
    else
      C.Unmatched.push_back(P.Functions[FI].Name);
  }
  return C;
}

} // namespace pagelayout

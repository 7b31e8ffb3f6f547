//===- TraceProfile.cpp - A traced run's first executions to a profile ----===//
//
// The tracer knows, for every block that ran, when it first ran, and
// nothing else: each breakpoint is removed at its first hit. That is
// exactly what a layout for few touched pages needs: the first-execution
// order of functions (a function first runs when its first block does),
// and which bytes each phase touches first. A block belongs to the phase
// in which it first ran, so the three range lists of one recording are
// disjoint: a block run in startup and again later is a startup block.
//
// With the binary's address map (SHT_LLVM_BB_ADDR_MAP), each function
// also lists the ids of its map blocks per phase, in first-execution order:
// a map block first ran when the first of its traced blocks did. Block ids
// go to the function whose map they are of (a basic-block section's blocks
// to their function), with the map's hash.
//
// Names are the profile's keys, and a program can have several functions
// of one name (static functions of different files): they share one entry,
// their ranges united and the earliest first call kept, as the linker can
// only order them together anyway. Block ids are those of the first of
// them that ran (another function's ids would mean other blocks).
//
// Phase ends come from one place, the phase inference's timeline
// (resolvePhases): the markers when the process has them, else its time
// windows. Call counts are not known (a one-shot breakpoint sees one call)
// and are left out, which the inference reads as "ran, count unknown".
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/TraceRecorder.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

using namespace llvm;

namespace pagelayout {

Profile buildTraceProfile(const TraceImage &Image, const TracedProcess &Proc,
                          const InferenceConfig &Inference) {
  Profile P;
  P.Markers = Proc.Markers;
  P.Metadata.DurationNs = Proc.DurationNs;
  ResolvedProfile Timeline = resolvePhases(P, Inference);
  std::vector<TraceImage::BlockRef> Blocks = Image.allBlocks();
  // Function index -> position in P.Functions, in first-execution order;
  // functions of one name share the position.
  std::vector<int> Position(Image.Functions.size(), -1);
  StringMap<int> PositionOf;
  // The function whose block ids each entry lists.
  std::vector<uint32_t> IdsFrom;
  auto Entry = [&](uint32_t Index) -> FunctionProfile & {
    if (Position[Index] < 0) {
      auto [It, New] = PositionOf.try_emplace(Image.Functions[Index].Name,
                                              P.Functions.size());
      Position[Index] = It->second;
      if (New) {
        FunctionProfile F;
        F.Name = Image.Functions[Index].Name;
        F.BlockHash = Image.Functions[Index].BlockHash;
        P.Functions.push_back(std::move(F));
        IdsFrom.push_back(Index);
      }
    }
    return P.Functions[Position[Index]];
  };
  // Map blocks already listed, per owning function.
  DenseSet<std::pair<uint32_t, uint32_t>> SeenIds;
  for (const TraceHit &H : Proc.Hits) {
    if (H.Block >= Blocks.size())
      continue;
    const TraceImage::BlockRef &Ref = Blocks[H.Block];
    const TracedFunction &TF = Image.Functions[Ref.Function];
    FunctionProfile &F = Entry(Ref.Function);
    // (Hits come in time order: the first one sets it.)
    if (!F.FirstCallNs)
      F.FirstCallNs = H.TimeNs;
    const TraceBlock &B = TF.Blocks.Blocks[Ref.Block];
    unsigned Ph = H.TimeNs < Timeline.StartupEndNs      ? 0
                  : H.TimeNs < Timeline.FirstFrameEndNs ? 1
                                                        : 2;
    std::vector<ByteRange> *Ranges[] = {&F.StartupRanges, &F.FirstFrameRanges,
                                        &F.SteadyRanges};
    Ranges[Ph]->push_back({B.Begin, B.End});
    if (Ref.Block >= TF.BlockIds.size() ||
        TF.BlockIds[Ref.Block] == NoBlockId ||
        !SeenIds.insert({TF.IdOwner, TF.BlockIds[Ref.Block]}).second)
      continue;
    FunctionProfile &Owner = Entry(TF.IdOwner);
    if (IdsFrom[Position[TF.IdOwner]] != TF.IdOwner)
      continue; // a function of the same name listed the entry's ids
    std::vector<uint32_t> *Ids[] = {&Owner.StartupBlocks,
                                    &Owner.FirstFrameBlocks,
                                    &Owner.SteadyBlocks};
    Ids[Ph]->push_back(TF.BlockIds[Ref.Block]);
  }
  Trace T;
  for (FunctionProfile &F : P.Functions) {
    normalizeRanges(F.StartupRanges);
    normalizeRanges(F.FirstFrameRanges);
    normalizeRanges(F.SteadyRanges);
    T.Functions.push_back(F.Name);
  }
  if (!T.Functions.empty())
    P.Traces.push_back(std::move(T));
  P.Metadata.BinaryPath = Image.Path;
  // The traced binary is the one the profile lays out: its build-id lets
  // the fit checks tell a stale profile.
  P.Metadata.BuildId = Image.BuildId;
  P.Metadata.Tool = "pagelayout record --mode=trace";
  return P;
}

} // namespace pagelayout

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
// With --libs, the process's libraries are modules of their own: their
// functions keep their names unless an earlier module (the program, an
// earlier library) has one of that name, then they are FILE:NAME.
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
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"
#include <tuple>

using namespace llvm;

namespace pagelayout {

Profile buildTraceProfile(const TraceImage &Image, const TracedProcess &Proc,
                          const InferenceConfig &Inference) {
  const TraceImage *Modules[] = {&Image};
  return buildTraceProfile(Modules, Proc, Inference);
}

namespace {

/// Each function's profile name, per module: a library's function is
/// qualified by the library's file name when an earlier module (the
/// program, an earlier library) has a function of that name.
std::vector<std::vector<std::string>>
profileNames(ArrayRef<const TraceImage *> Modules) {
  std::vector<std::vector<std::string>> Names(Modules.size());
  StringSet<> Earlier;
  for (size_t M = 0; M < Modules.size(); ++M) {
    StringRef File = sys::path::filename(Modules[M]->Path);
    for (const TracedFunction &F : Modules[M]->Functions)
      Names[M].push_back(M && Earlier.contains(F.Name)
                             ? (File + ":" + F.Name).str()
                             : F.Name);
    for (const TracedFunction &F : Modules[M]->Functions)
      Earlier.insert(F.Name);
  }
  return Names;
}

} // namespace

Profile buildTraceProfile(ArrayRef<const TraceImage *> Modules,
                          const TracedProcess &Proc,
                          const InferenceConfig &Inference) {
  Profile P;
  P.Markers = Proc.Markers;
  P.Metadata.DurationNs = Proc.DurationNs;
  ResolvedProfile Timeline = resolvePhases(P, Inference);
  std::vector<std::vector<TraceImage::BlockRef>> Blocks;
  for (const TraceImage *Image : Modules)
    Blocks.push_back(Image->allBlocks());
  std::vector<std::vector<std::string>> Names = profileNames(Modules);
  // (module, function) -> position in P.Functions, in first-execution
  // order; functions of one name share the position.
  std::vector<std::vector<int>> Position;
  for (const TraceImage *Image : Modules)
    Position.emplace_back(Image->Functions.size(), -1);
  StringMap<int> PositionOf;
  // The (module, function) whose block ids each entry lists.
  std::vector<std::pair<uint32_t, uint32_t>> IdsFrom;
  auto Entry = [&](uint32_t Mod, uint32_t Index) -> FunctionProfile & {
    if (Position[Mod][Index] < 0) {
      auto [It, New] =
          PositionOf.try_emplace(Names[Mod][Index], P.Functions.size());
      Position[Mod][Index] = It->second;
      if (New) {
        FunctionProfile F;
        F.Name = Names[Mod][Index];
        F.BlockHash = Modules[Mod]->Functions[Index].BlockHash;
        P.Functions.push_back(std::move(F));
        IdsFrom.push_back({Mod, Index});
      }
    }
    return P.Functions[Position[Mod][Index]];
  };
  // Map blocks already listed, per owning (module, function).
  DenseSet<std::tuple<uint32_t, uint32_t, uint32_t>> SeenIds;
  for (const TraceHit &H : Proc.Hits) {
    if (H.Module >= Modules.size() || H.Block >= Blocks[H.Module].size())
      continue;
    const TraceImage::BlockRef &Ref = Blocks[H.Module][H.Block];
    const TracedFunction &TF = Modules[H.Module]->Functions[Ref.Function];
    FunctionProfile &F = Entry(H.Module, Ref.Function);
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
        !SeenIds.insert({H.Module, TF.IdOwner, TF.BlockIds[Ref.Block]})
             .second)
      continue;
    FunctionProfile &Owner = Entry(H.Module, TF.IdOwner);
    if (IdsFrom[Position[H.Module][TF.IdOwner]] !=
        std::pair(H.Module, TF.IdOwner))
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
    T.Functions.push_back(P.intern(F.Name));
  }
  if (!T.Functions.empty())
    P.Traces.push_back(std::move(T));
  P.Metadata.BinaryPath = Modules.front()->Path;
  // The traced binary is the one the profile lays out: its build-id lets
  // the fit checks tell a stale profile.
  P.Metadata.BuildId = Modules.front()->BuildId;
  P.Metadata.Tool = "pagelayout record --mode=trace";
  return P;
}

} // namespace pagelayout

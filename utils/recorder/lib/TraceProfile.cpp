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
// Phase ends come from one place, the phase inference's timeline
// (resolvePhases): the markers when the process has them, else its time
// windows. Call counts are not known (a one-shot breakpoint sees one call)
// and are left out, which the inference reads as "ran, count unknown".
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/TraceRecorder.h"
#include "llvm/ADT/STLExtras.h"

using namespace llvm;

namespace pagelayout {

Profile buildTraceProfile(const TraceImage &Image, const TracedProcess &Proc,
                          const InferenceConfig &Inference) {
  Profile P;
  P.Markers = Proc.Markers;
  P.Metadata.DurationNs = Proc.DurationNs;
  ResolvedProfile Timeline = resolvePhases(P, Inference);
  std::vector<TraceImage::BlockRef> Blocks = Image.allBlocks();
  // Function index -> position in P.Functions, in first-execution order.
  std::vector<int> Position(Image.Functions.size(), -1);
  for (const TraceHit &H : Proc.Hits) {
    if (H.Block >= Blocks.size())
      continue;
    const TraceImage::BlockRef &Ref = Blocks[H.Block];
    const TracedFunction &TF = Image.Functions[Ref.Function];
    if (Position[Ref.Function] < 0) {
      Position[Ref.Function] = P.Functions.size();
      FunctionProfile F;
      F.Name = TF.Name;
      F.FirstCallNs = H.TimeNs;
      P.Functions.push_back(std::move(F));
    }
    FunctionProfile &F = P.Functions[Position[Ref.Function]];
    const TraceBlock &B = TF.Blocks.Blocks[Ref.Block];
    std::vector<ByteRange> &Ranges =
        H.TimeNs < Timeline.StartupEndNs      ? F.StartupRanges
        : H.TimeNs < Timeline.FirstFrameEndNs ? F.FirstFrameRanges
                                              : F.SteadyRanges;
    Ranges.push_back({B.Begin, B.End});
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

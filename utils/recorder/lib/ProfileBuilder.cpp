//===- ProfileBuilder.cpp - Raw process records to a layout profile -------===//
//
// Return addresses point just past a call instruction, which may be the
// last byte of a function (a noreturn call); they are symbolised at
// address - 1, which always lies inside the call. Function addresses from
// -finstrument-functions are exact and symbolised as they are.
//
// Block coverage: the pc-table lists each instrumented block's start. A
// block that first ran before startup ended contributes [its start, the
// next block's start or the function's end) to the function's
// startup_ranges, relative to the function start.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/ProfileBuilder.h"
#include "pagelayout/record/RawFormat.h"
#include "pagelayout/schema/OrderedMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

using namespace llvm;

namespace pagelayout {
namespace {

class Builder {
public:
  Builder(const RawProcess &Raw, Symbolizer &Symbols,
          const InferenceConfig &Inference, const WarningHandler &Warn)
      : Raw(Raw), Symbols(Symbols), Inference(Inference), Warn(Warn) {}

  Profile build();

private:
  FunctionProfile &function(const std::string &Name) {
    auto [It, Inserted] = Functions.try_emplace(Name, FunctionProfile());
    if (Inserted)
      It->second.Name = Name;
    return It->second;
  }
  std::optional<SymbolizedFunction> symbolize(uint64_t Address) {
    std::optional<SymbolizedFunction> F = Symbols.lookup(Raw, Address);
    // Libraries' internal functions (libc's start_thread calling a thread
    // function) are expectedly unnamed; the program's own should not be.
    if (!F && inMainProgram(Address))
      ++Unnamed;
    return F;
  }
  bool inMainProgram(uint64_t Address) const {
    for (const RawModule &M : Raw.Modules)
      if (M.Path == Raw.Modules.front().Path && Address >= M.Begin &&
          Address < M.End)
        return true;
    return false;
  }
  void addMarkers(Profile &P);
  void addFirstHits(uint64_t StartupEnd);
  void addBlockRange(const SymbolizedFunction &F, uint64_t Pc);
  void addCounts();
  void addEdges();

  const RawProcess &Raw;
  Symbolizer &Symbols;
  const InferenceConfig &Inference;
  const WarningHandler &Warn;
  OrderedMap<std::string, FunctionProfile> Functions;
  EdgeCountMap Edges;
  std::vector<uint64_t> BlockStarts; // sorted pc-table entries
  uint64_t Unnamed = 0;
};

void Builder::addMarkers(Profile &P) {
  for (const RawMarker &M : Raw.Markers)
    if (!P.findMarker(M.Name)) // a marker set twice keeps its first time
      P.Markers.push_back({M.Name, M.TimeNs});
}

void Builder::addBlockRange(const SymbolizedFunction &F, uint64_t Pc) {
  auto It = llvm::upper_bound(BlockStarts, Pc);
  if (It == BlockStarts.begin())
    return;
  uint64_t Begin = *std::prev(It);
  uint64_t FunctionEnd = F.RuntimeStart + F.Size;
  uint64_t End =
      It == BlockStarts.end() ? FunctionEnd : std::min(*It, FunctionEnd);
  if (Begin < F.RuntimeStart || Begin >= End)
    return;
  function(F.Name).StartupRanges.push_back(
      {Begin - F.RuntimeStart, End - F.RuntimeStart});
}

void Builder::addFirstHits(uint64_t StartupEnd) {
  std::vector<RawFirstHit> Hits = Raw.FirstHits;
  llvm::stable_sort(Hits, [](const RawFirstHit &A, const RawFirstHit &B) {
    return A.TimeNs < B.TimeNs;
  });
  bool Blocks = Raw.Flags & raw::FlagBlocks;
  for (const RawFirstHit &H : Hits) {
    std::optional<SymbolizedFunction> F = symbolize(H.Pc - 1);
    if (!F)
      continue;
    FunctionProfile &FP = function(F->Name);
    if (!FP.FirstCallNs || H.TimeNs < *FP.FirstCallNs)
      FP.FirstCallNs = H.TimeNs;
    if (Blocks && H.TimeNs < StartupEnd)
      addBlockRange(*F, H.Pc - 1);
  }
}

void Builder::addCounts() {
  for (const RawFunctionCount &C : Raw.Functions) {
    std::optional<SymbolizedFunction> F = symbolize(C.Function);
    if (!F)
      continue;
    FunctionProfile &FP = function(F->Name);
    FP.Calls = FP.Calls + C.Calls < FP.Calls ? UINT64_MAX : FP.Calls + C.Calls;
    FP.FirstCallNs = std::min(FP.FirstCallNs.value_or(UINT64_MAX), C.FirstNs);
    FP.LastCallNs = std::max(FP.LastCallNs.value_or(0), C.LastNs);
  }
}

void Builder::addEdges() {
  for (const RawEdge &E : Raw.Edges) {
    std::optional<SymbolizedFunction> Caller = symbolize(E.Site - 1);
    std::optional<SymbolizedFunction> Callee = symbolize(E.Callee);
    if (!Caller || !Callee)
      continue;
    uint64_t &Count = Edges[{Caller->Name, Callee->Name}];
    Count = Count + E.Calls < Count ? UINT64_MAX : Count + E.Calls;
  }
}

Profile Builder::build() {
  Profile P;
  addMarkers(P);
  const Marker *SE = P.findMarker(StartupEndMarker);
  uint64_t StartupEnd = SE ? SE->TimeNs : Inference.StartupWindowNs;
  for (const RawPcEntry &E : Raw.PcTable)
    BlockStarts.push_back(E.Pc);
  llvm::sort(BlockStarts);
  addFirstHits(StartupEnd);
  addCounts();
  addEdges();
  for (auto &[Name, F] : Functions) {
    normalizeRanges(F.StartupRanges);
    P.Functions.push_back(std::move(F));
  }
  // Counts come out of hash tables whose order follows the (randomised)
  // load addresses: list functions by first call, then name, and edges by
  // their ends' positions, so the same run always reads the same.
  llvm::stable_sort(P.Functions,
                    [](const FunctionProfile &A, const FunctionProfile &B) {
                      uint64_t TA = A.FirstCallNs.value_or(UINT64_MAX);
                      uint64_t TB = B.FirstCallNs.value_or(UINT64_MAX);
                      return TA != TB ? TA < TB : A.Name < B.Name;
                    });
  StringMap<unsigned> Position;
  for (unsigned I = 0; I < P.Functions.size(); ++I)
    Position[P.Functions[I].Name] = I;
  for (auto &[Key, Count] : Edges)
    P.Edges.push_back({P.intern(Key.first), P.intern(Key.second), Count});
  llvm::stable_sort(P.Edges, [&](const CallEdge &A, const CallEdge &B) {
    return std::make_pair(Position[A.Caller], Position[A.Callee]) <
           std::make_pair(Position[B.Caller], Position[B.Callee]);
  });
  // No build_id: an instrumented build is never the binary the profile is
  // laid out on (the release build is), so its build-id would only make
  // every fit check warn. Sampled recordings (--mode=perf) keep theirs.
  if (!Raw.Modules.empty())
    P.Metadata.BinaryPath = Raw.Modules.front().Path;
  P.Metadata.DurationNs = Raw.DurationNs;
  P.Metadata.Tool = "pagelayout record";
  if (Unnamed && Warn)
    Warn("warning: " + Raw.FileName + ": " + Twine(Unnamed) +
         " recorded address(es) in the program are in no known function "
         "(record an unstripped binary)");
  if ((Raw.Flags & raw::FlagTruncated) && Warn)
    Warn("warning: " + Raw.FileName +
         ": the recorder's buffers filled up; the profile is partial");
  return P;
}

} // namespace

Profile buildProfile(const RawProcess &Raw, Symbolizer &Symbols,
                     const InferenceConfig &Inference,
                     const WarningHandler &Warn) {
  return Builder(Raw, Symbols, Inference, Warn).build();
}

} // namespace pagelayout

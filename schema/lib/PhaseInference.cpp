//===- PhaseInference.cpp - Decide each function's phase ------------------===//
//
// Inference reads the timeline first: a function whose first call comes
// before 'startup_end' (or, lacking the marker, inside the startup window)
// belongs to startup, before 'first_frame' to first_frame. Everything first
// called later is judged by its activity over the rest of the run: hot ->
// steady, rare -> cold, in between -> steady with low confidence (it runs in
// the steady state, just not often). Activity is the larger of the calls it
// receives and the calls it makes (a loop driver is called once but calls
// its body millions of times), and a function that spends at least 1% of
// the steady time running, or was sampled, is never cold. Functions listed
// with no execution at all are cold.
//
// Confidence constants are deliberately coarse; they rank how the decision
// was made, not a probability:
//
//===----------------------------------------------------------------------===//

#include "pagelayout/schema/PhaseInference.h"
#include "pagelayout/schema/PrefetchBucket.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/Parallel.h"

using namespace llvm;

namespace pagelayout {

// A marker is written by the program itself at the moment it means.
constexpr double MarkerConfidence = 0.95;
// A fixed window is only a guess about where startup ends.
constexpr double WindowConfidence = 0.7;
// Clearly above the hot threshold or clearly below the cold one.
constexpr double RateConfidence = 0.85;
// Between the thresholds: runs after startup, but not often.
constexpr double WarmConfidence = 0.5;
// Executed, yet no times or duration to judge by.
constexpr double NoTimingConfidence = 0.3;
// Ran after startup, but a first-call recording does not count calls.
constexpr double NoCountConfidence = 0.4;

StringRef phaseSourceName(PhaseSource S) {
  switch (S) {
  case PhaseSource::Explicit:
    return "explicit";
  case PhaseSource::Rule:
    return "rule";
  case PhaseSource::Marker:
    return "marker";
  case PhaseSource::TimeWindow:
    return "time-window";
  case PhaseSource::CallRate:
    return "call-rate";
  case PhaseSource::NeverCalled:
    return "never-called";
  case PhaseSource::NoTiming:
    return "no-timing";
  case PhaseSource::NoCount:
    return "no-count";
  }
  return "unknown";
}

std::optional<Phase> ResolvedProfile::ruleFor(StringRef Name) const {
  for (const auto &[Glob, P] : Rules)
    if (Glob.match(Name))
      return P;
  return std::nullopt;
}

int ResolvedProfile::find(StringRef Name) const {
  auto It = IndexByName.find(CachedHashStringRef(Name));
  return It == IndexByName.end() ? -1 : int(It->second);
}

void ResolvedProfile::findAll(ArrayRef<CachedHashStringRef> Names,
                              MutableArrayRef<int> Indices) const {
  assert(Names.size() == Indices.size());
  prefetchLookups(IndexByName, Names);
  for (size_t I = 0; I < Names.size(); ++I) {
    auto It = IndexByName.find(Names[I]);
    Indices[I] = It == IndexByName.end() ? -1 : int(It->second);
  }
}

namespace {

struct Timeline {
  uint64_t StartupEnd;
  uint64_t FirstFrameEnd;
  bool StartupMarker;
  bool FirstFrameMarker;
  /// Seconds of the run after startup, used for call rates (0 = unknown).
  double SteadySeconds;
};

Timeline buildTimeline(const Profile &P, const InferenceConfig &C) {
  Timeline T;
  const Marker *SE = P.findMarker(StartupEndMarker);
  const Marker *FF = P.findMarker(FirstFrameMarker);
  T.StartupMarker = SE != nullptr;
  T.FirstFrameMarker = FF != nullptr;
  T.StartupEnd = SE ? SE->TimeNs : C.StartupWindowNs;
  // A program that marks the end of its startup but no first frame has no
  // first-frame phase (a command-line tool, a server); the window applies
  // only when the profile has no startup marker either.
  if (FF)
    T.FirstFrameEnd = FF->TimeNs;
  else if (SE)
    T.FirstFrameEnd = T.StartupEnd;
  else
    T.FirstFrameEnd = C.FirstFrameWindowNs;
  T.FirstFrameEnd = std::max(T.FirstFrameEnd, T.StartupEnd);
  uint64_t Latest = P.latestTimeNs();
  uint64_t Span = Latest > T.StartupEnd ? Latest - T.StartupEnd : Latest;
  T.SteadySeconds = double(Span) / 1e9;
  return T;
}

std::optional<Phase>
matchRule(const std::vector<std::optional<GlobPattern>> &Globs,
          const Profile &P, StringRef Name) {
  for (size_t I = 0; I < Globs.size(); ++I)
    if (Globs[I] && Globs[I]->match(Name))
      return P.Rules[I].RulePhase;
  return std::nullopt;
}

// A function running at least this share of the steady time is busy.
constexpr double BusyTimeShare = 0.01;

ResolvedFunction inferFromTimeline(const FunctionProfile &F, uint64_t CallsMade,
                                   bool OnCallGraph, const Timeline &T,
                                   const InferenceConfig &C) {
  // A function on a recorded call edge ran, even when sampling never
  // caught it as the leaf.
  if (!F.wasExecuted() && !OnCallGraph)
    return {Phase::Cold, PhaseSource::NeverCalled, 1.0, false};
  if (F.FirstCallNs) {
    if (*F.FirstCallNs < T.StartupEnd)
      return {Phase::Startup,
              T.StartupMarker ? PhaseSource::Marker : PhaseSource::TimeWindow,
              T.StartupMarker ? MarkerConfidence : WindowConfidence, true};
    if (*F.FirstCallNs < T.FirstFrameEnd)
      return {Phase::FirstFrame,
              T.FirstFrameMarker ? PhaseSource::Marker
                                 : PhaseSource::TimeWindow,
              T.FirstFrameMarker ? MarkerConfidence : WindowConfidence, false};
  }
  if (T.SteadySeconds <= 0 || (!F.FirstCallNs && F.Calls == 0))
    return {Phase::Steady, PhaseSource::NoTiming, NoTimingConfidence,
            !F.StartupRanges.empty()};
  // A first-call recording knows *that* it ran, not how often: unknown is
  // not rare, so it stays with the steady state.
  if (F.Calls == 0 && CallsMade == 0 && !F.Samples && !F.SelfNs)
    return {Phase::Steady, PhaseSource::NoCount, NoCountConfidence, false};
  double Rate = double(std::max(F.Calls, CallsMade)) / T.SteadySeconds;
  if (Rate >= C.HotCallsPerSec)
    return {Phase::Steady, PhaseSource::CallRate, RateConfidence, false};
  bool Busy = F.Samples.value_or(0) > 0 || double(F.SelfNs.value_or(0)) / 1e9 >=
                                               BusyTimeShare * T.SteadySeconds;
  if (Rate < C.ColdCallsPerSec && !Busy)
    return {Phase::Cold, PhaseSource::CallRate, RateConfidence, false};
  return {Phase::Steady, PhaseSource::CallRate, WarmConfidence, false};
}

} // namespace

ResolvedProfile resolvePhases(const Profile &P, const InferenceConfig &C) {
  ResolvedProfile RP;
  RP.Source = &P;
  Timeline T = buildTimeline(P, C);
  RP.StartupEndNs = T.StartupEnd;
  RP.FirstFrameEndNs = T.FirstFrameEnd;
  RP.StartupEndFromMarker = T.StartupMarker;
  RP.FirstFrameFromMarker = T.FirstFrameMarker;

  // Rules were validated by the reader; one that still fails to compile
  // (a hand-built Profile) simply never matches.
  std::vector<std::optional<GlobPattern>> Globs;
  for (const PhaseRule &Rule : P.Rules) {
    Expected<GlobPattern> G = GlobPattern::create(Rule.Pattern);
    if (G) {
      RP.Rules.push_back({*G, Rule.RulePhase});
      Globs.push_back(std::move(*G));
    } else {
      consumeError(G.takeError()), Globs.push_back(std::nullopt);
    }
  }

  RP.Functions.reserve(P.Functions.size());
  // Name lookups dominate for large call graphs; each edge writes only its
  // own slot, so the parallel loop is deterministic.
  // Below ~100,000 edges, starting the thread pool costs more than the
  // lookups (lua's 666 edges: 0.2 ms against a few microseconds).
  // Edges come grouped by caller (the writers sort them), so a chunk
  // looks a caller up once per run of its edges.
  // Edge names come from the profile's pool (readers intern them): where a
  // function's name is in the pool too, the name's address finds it, a
  // lookup without hashing or comparing text. Any other name (a literal, a
  // name from elsewhere) is looked up by its text, with the same answer.
  // One pass hashes each name once, for the index and the pool.
  DenseMap<const char *, int> ByAddress;
  bool IndexByAddress = P.Names && P.Edges.size() >= 100000;
  RP.Names = P.Names;
  RP.NameCopies = std::make_shared<BumpPtrAllocator>();
  RP.IndexByName.reserve(P.Functions.size());
  if (IndexByAddress)
    ByAddress.reserve(P.Functions.size());
  // The names are hashed first (in parallel for a large profile), then
  // indexed a batch at a time: the pool's lookups of a batch, then the
  // index's buckets fetched and filled, then the address index's, so that
  // each step's cache misses overlap.
  std::vector<uint32_t> Hashes(P.Functions.size());
  auto Hash = [&](size_t I) {
    Hashes[I] = CachedHashStringRef(P.Functions[I].Name).hash();
  };
  // (Below 100,000 names the thread pool costs more than the hashing.)
  if (P.Functions.size() < 100000)
    for (size_t I = 0; I < P.Functions.size(); ++I)
      Hash(I);
  else
    parallelFor(0, P.Functions.size(), Hash);
  // 1,024 keys' buckets (64 KB of cache lines) stay in the cache until
  // their lookups come.
  constexpr size_t NamesPerBatch = 1024;
  SmallVector<CachedHashStringRef, 0> Batch;
  SmallVector<StringRef, 0> Pooled(NamesPerBatch);
  SmallVector<unsigned, 0> NewlyPooled;
  for (size_t Begin = 0; Begin < Hashes.size(); Begin += NamesPerBatch) {
    Batch.clear();
    for (size_t I = Begin; I < std::min(Hashes.size(), Begin + NamesPerBatch);
         ++I)
      Batch.push_back(CachedHashStringRef(P.Functions[I].Name, Hashes[I]));
    MutableArrayRef<StringRef> BatchPooled =
        MutableArrayRef(Pooled).take_front(Batch.size());
    if (P.Names)
      P.Names->findAll(Batch, BatchPooled);
    else
      llvm::fill(BatchPooled, StringRef());
    for (const CachedHashStringRef &Name : Batch)
      prefetchBucket(RP.IndexByName, Name.hash());
    NewlyPooled.clear();
    for (size_t K = 0; K < Batch.size(); ++K) {
      CachedHashStringRef Name = Batch[K];
      StringRef Key = BatchPooled[K].data()
                          ? BatchPooled[K]
                          : Name.val().copy(*RP.NameCopies);
      bool New =
          RP.IndexByName
              .try_emplace(CachedHashStringRef(Key, Name.hash()),
                           unsigned(Begin + K))
              .second;
      if (New && IndexByAddress && BatchPooled[K].data())
        NewlyPooled.push_back(unsigned(K));
    }
    for (unsigned K : NewlyPooled)
      prefetchBucketOf(ByAddress, BatchPooled[K].data());
    for (unsigned K : NewlyPooled)
      ByAddress.try_emplace(BatchPooled[K].data(), int(Begin + K));
  }
  auto FindEnd = [&](StringRef Name) {
    if (!ByAddress.empty())
      if (auto It = ByAddress.find(Name.data()); It != ByAddress.end())
        return It->second;
    return RP.find(Name);
  };
  RP.EdgeEnds.resize(P.Edges.size());
  // A chunk's ends are fetched first, then looked up: the table is far
  // larger than the cache, a chunk's buckets are not.
  constexpr size_t EdgesPerChunk = 1024;
  size_t Chunks = (P.Edges.size() + EdgesPerChunk - 1) / EdgesPerChunk;
  auto Resolve = [&](size_t Chunk) {
    size_t Begin = Chunk * EdgesPerChunk,
           End = std::min(P.Edges.size(), Begin + EdgesPerChunk);
    if (!ByAddress.empty())
      for (size_t I = Begin; I < End; ++I) {
        const CallEdge &E = P.Edges[I];
        if (I == Begin || P.Edges[I - 1].Caller != E.Caller)
          prefetchBucketOf(ByAddress, E.Caller.data());
        prefetchBucketOf(ByAddress, E.Callee.data());
      }
    for (size_t I = Begin; I < End; ++I) {
      const CallEdge &E = P.Edges[I];
      int Caller = I > Begin && P.Edges[I - 1].Caller == E.Caller
                       ? RP.EdgeEnds[I - 1].first
                       : FindEnd(E.Caller);
      RP.EdgeEnds[I] = {Caller, FindEnd(E.Callee)};
    }
  };
  if (P.Edges.size() < 100000)
    for (size_t C = 0; C < Chunks; ++C)
      Resolve(C);
  else
    parallelFor(0, Chunks, Resolve);
  std::vector<uint64_t> CallsMade(P.Functions.size(), 0);
  std::vector<bool> OnCallGraph(P.Functions.size(), false);
  for (size_t I = 0; I < P.Edges.size(); ++I) {
    const CallEdge &E = P.Edges[I];
    auto [Caller, Callee] = RP.EdgeEnds[I];
    if (E.Count && Callee >= 0)
      OnCallGraph[Callee] = true;
    if (E.Count && Caller >= 0)
      OnCallGraph[Caller] = true;
    if (Caller >= 0)
      CallsMade[Caller] = CallsMade[Caller] + E.Count < CallsMade[Caller]
                              ? UINT64_MAX
                              : CallsMade[Caller] + E.Count;
  }
  for (unsigned I = 0; I < P.Functions.size(); ++I) {
    const FunctionProfile &F = P.Functions[I];
    ResolvedFunction Inferred =
        inferFromTimeline(F, CallsMade[I], OnCallGraph[I], T, C);
    ResolvedFunction R = Inferred;
    if (F.ExplicitPhase) {
      R = {*F.ExplicitPhase, PhaseSource::Explicit, 1.0, false};
    } else if (std::optional<Phase> Ph = matchRule(Globs, P, F.Name)) {
      R = {*Ph, PhaseSource::Rule, 1.0, false};
    }
    // Whether it ran in startup is a fact of the recording, whatever phase
    // the user asked for; untimed functions declared startup count too.
    R.RanDuringStartup = Inferred.RanDuringStartup ||
                         (!F.FirstCallNs && R.ResolvedPhase == Phase::Startup);
    RP.Functions.push_back(R);
  }
  return RP;
}

} // namespace pagelayout

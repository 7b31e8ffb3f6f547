//===- ProfileMerge.cpp - Combine profiles from many runs -----------------===//
//
// Merging must not lose the one thing a single number cannot hold: the order
// in which each run first called its functions. Taking the minimum first-call
// time across runs gives a plausible combined order, but it interleaves runs
// that took different paths. So every input run also contributes its own
// first-call order as a trace; the layout engine orders startup from the
// traces (balanced partitioning when there are several), and falls back to
// the minimum first-call time only for functions no trace mentions.
//
// Timeline markers are per run; the merged marker is the lower median of the
// runs' times, which one unusually slow or fast run cannot drag around.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/schema/ProfileMerge.h"
#include "pagelayout/schema/OrderFile.h"
#include "pagelayout/schema/OrderedMap.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include <algorithm>

using namespace llvm;

namespace pagelayout {
namespace {

class Merger {
public:
  Merger(Profile &Out, const WarningHandler &Warn) : Out(Out), Warn(Warn) {}

  void add(const NamedProfile &In);
  void finish();
  unsigned conflicts() const { return Conflicts; }

private:
  uint64_t saturatingAdd(uint64_t A, uint64_t B, const Twine &What);
  void conflict(const Twine &Msg) {
    ++Conflicts;
    if (Warn)
      Warn("warning: merge conflict: " + Msg);
  }
  void addMetadata(const NamedProfile &In);
  void addFunction(const FunctionProfile &F, StringRef File);
  void addBlocks(FunctionProfile &O, const FunctionProfile &F, StringRef File);
  void addRules(const NamedProfile &In);

  Profile &Out;
  const WarningHandler &Warn;
  unsigned Conflicts = 0;
  bool First = true;
  std::string FirstFile;
  StringMap<unsigned> FunctionIndex;
  StringMap<std::string> PhaseOrigin;
  StringMap<std::string> BlockOrigin; ///< the input whose block_hash is kept
  /// Keyed by names interned in Out: no string is copied per edge.
  MapVector<std::pair<StringRef, StringRef>, uint64_t> EdgeCounts;
  OrderedMap<std::string, std::vector<uint64_t>> MarkerTimes;
  StringMap<std::pair<Phase, std::string>> RulePhases;
};

uint64_t Merger::saturatingAdd(uint64_t A, uint64_t B, const Twine &What) {
  uint64_t R;
  if (__builtin_add_overflow(A, B, &R)) {
    conflict("count of " + What + " overflows 64 bits; clamped");
    return UINT64_MAX;
  }
  return R;
}

void Merger::addMetadata(const NamedProfile &In) {
  const ProfileMetadata &M = In.P->Metadata;
  ProfileMetadata &O = Out.Metadata;
  if (First) {
    O = M;
    FirstFile = In.FileName;
    return;
  }
  if (!M.BuildId.empty() && !O.BuildId.empty() && M.BuildId != O.BuildId)
    conflict(In.FileName + " was recorded from build-id " + M.BuildId +
             " but " + FirstFile + " from " + O.BuildId +
             "; the profiles describe different binaries");
  if (O.BuildId.empty())
    O.BuildId = M.BuildId;
  if (O.BinaryPath.empty())
    O.BinaryPath = M.BinaryPath;
  if (M.DurationNs)
    O.DurationNs = std::max(O.DurationNs.value_or(0), *M.DurationNs);
  O.Runs = saturatingAdd(O.Runs, M.Runs, "runs");
}

void Merger::addFunction(const FunctionProfile &F, StringRef File) {
  auto [It, Inserted] = FunctionIndex.try_emplace(F.Name, Out.Functions.size());
  if (Inserted) {
    Out.Functions.push_back(F);
    if (F.ExplicitPhase)
      PhaseOrigin[F.Name] = File.str();
    if (F.BlockHash)
      BlockOrigin[F.Name] = File.str();
    return;
  }
  FunctionProfile &O = Out.Functions[It->second];
  O.Calls = saturatingAdd(O.Calls, F.Calls, "calls of '" + F.Name + "'");
  if (F.FirstCallNs)
    O.FirstCallNs =
        std::min(O.FirstCallNs.value_or(UINT64_MAX), *F.FirstCallNs);
  if (F.LastCallNs)
    O.LastCallNs = std::max(O.LastCallNs.value_or(0), *F.LastCallNs);
  if (F.Samples)
    O.Samples = saturatingAdd(O.Samples.value_or(0), *F.Samples,
                              "samples of '" + F.Name + "'");
  if (F.SelfNs)
    O.SelfNs = saturatingAdd(O.SelfNs.value_or(0), *F.SelfNs,
                             "self_ns of '" + F.Name + "'");
  O.Pinned |= F.Pinned;
  if (F.ExplicitPhase) {
    if (!O.ExplicitPhase) {
      O.ExplicitPhase = F.ExplicitPhase;
      PhaseOrigin[F.Name] = File.str();
    } else if (*O.ExplicitPhase != *F.ExplicitPhase) {
      conflict("'" + F.Name + "' has phase " + phaseName(*O.ExplicitPhase) +
               " in " + PhaseOrigin[F.Name] + " but " +
               phaseName(*F.ExplicitPhase) + " in " + File + "; keeping " +
               phaseName(*O.ExplicitPhase));
    }
  }
  // Union of the executed ranges, per phase, kept sorted and disjoint.
  for (auto [Into, From] : {std::pair(&O.StartupRanges, &F.StartupRanges),
                            std::pair(&O.FirstFrameRanges, &F.FirstFrameRanges),
                            std::pair(&O.SteadyRanges, &F.SteadyRanges)}) {
    append_range(*Into, *From);
    normalizeRanges(*Into);
  }
  addBlocks(O, F, File);
}

// Block ids mean something only for the build whose address map they come
// from: with different block hashes the first input's ids are kept and the
// others' dropped. Otherwise each block goes to the earliest phase any run
// first ran it in (clusters are per phase, a block is in one), each
// phase's list in the order the runs first saw its blocks.
void Merger::addBlocks(FunctionProfile &O, const FunctionProfile &F,
                       StringRef File) {
  if (!F.needsVersion3())
    return;
  if (O.BlockHash && F.BlockHash && *O.BlockHash != *F.BlockHash) {
    conflict("'" + F.Name + "' has block_hash 0x" +
             utohexstr(*O.BlockHash, /*LowerCase=*/true) + " in " +
             BlockOrigin.lookup(F.Name) + " but 0x" +
             utohexstr(*F.BlockHash, /*LowerCase=*/true) + " in " + File +
             " (a different build of it); keeping the block ids of " +
             BlockOrigin.lookup(F.Name));
    return;
  }
  if (!O.BlockHash && F.BlockHash) {
    O.BlockHash = F.BlockHash;
    BlockOrigin[F.Name] = File.str();
  }
  std::vector<uint32_t> *Lists[] = {&O.StartupBlocks, &O.FirstFrameBlocks,
                                    &O.SteadyBlocks};
  const std::vector<uint32_t> *From[] = {&F.StartupBlocks, &F.FirstFrameBlocks,
                                         &F.SteadyBlocks};
  DenseMap<uint32_t, unsigned> PhaseOf;
  for (unsigned Ph = 0; Ph < 3; ++Ph)
    for (uint32_t Id : *Lists[Ph])
      PhaseOf.try_emplace(Id, Ph);
  for (unsigned Ph = 0; Ph < 3; ++Ph)
    for (uint32_t Id : *From[Ph]) {
      auto [It, New] = PhaseOf.try_emplace(Id, Ph);
      if (!New && It->second <= Ph)
        continue;
      if (!New)
        erase(*Lists[It->second], Id);
      It->second = Ph;
      Lists[Ph]->push_back(Id);
    }
}

void Merger::addRules(const NamedProfile &In) {
  for (const PhaseRule &R : In.P->Rules) {
    auto [It, Inserted] =
        RulePhases.try_emplace(R.Pattern, R.RulePhase, In.FileName);
    if (Inserted) {
      Out.Rules.push_back(R);
      continue;
    }
    if (It->second.first != R.RulePhase)
      conflict("rule '" + R.Pattern + "' maps to " +
               phaseName(It->second.first) + " in " + It->second.second +
               " but " + phaseName(R.RulePhase) + " in " + In.FileName +
               "; keeping " + phaseName(It->second.first));
  }
}

void Merger::add(const NamedProfile &In) {
  const Profile &P = *In.P;
  addMetadata(In);
  for (const FunctionProfile &F : P.Functions)
    addFunction(F, In.FileName);
  // The inputs' names live in the inputs' pools, which go when the
  // inputs do (one at a time, streamed): everything kept is interned in
  // Out's.
  NamePool &Names = Out.namePool();
  for (const CallEdge &E : P.Edges) {
    uint64_t &C = EdgeCounts[{Names.intern(E.Caller), Names.intern(E.Callee)}];
    C = saturatingAdd(C, E.Count, "edge " + E.Caller + " -> " + E.Callee);
  }
  for (const Marker &M : P.Markers)
    MarkerTimes[M.Name].push_back(M.TimeNs);
  addRules(In);
  auto AddTrace = [&](ArrayRef<StringRef> Functions, uint64_t Weight) {
    Trace T;
    T.Weight = Weight;
    T.Functions.reserve(Functions.size());
    for (StringRef Name : Functions)
      T.Functions.push_back(Names.intern(Name));
    Out.Traces.push_back(std::move(T));
  };
  if (!P.Traces.empty()) {
    for (const Trace &T : P.Traces)
      AddTrace(T.Functions, T.Weight);
  } else if (std::vector<StringRef> Order = firstCallOrder(P); !Order.empty()) {
    AddTrace(Order, 1);
  }
  First = false;
}

void Merger::finish() {
  for (auto &[Key, Count] : EdgeCounts)
    Out.Edges.push_back({Key.first, Key.second, Count});
  for (auto &[Name, Times] : MarkerTimes) {
    llvm::sort(Times);
    Out.Markers.push_back({Name, Times[(Times.size() - 1) / 2]});
  }
}

} // namespace

std::vector<StringRef> firstCallOrder(const Profile &P) {
  std::vector<unsigned> Timed;
  for (unsigned I = 0; I < P.Functions.size(); ++I)
    if (P.Functions[I].FirstCallNs)
      Timed.push_back(I);
  llvm::stable_sort(Timed, [&](unsigned A, unsigned B) {
    return *P.Functions[A].FirstCallNs < *P.Functions[B].FirstCallNs;
  });
  std::vector<StringRef> Names;
  Names.reserve(Timed.size());
  for (unsigned I : Timed)
    Names.push_back(P.Functions[I].Name);
  return Names;
}

struct ProfileMerger::State {
  explicit State(const WarningHandler &Warn) : Warn(Warn), M(Out, this->Warn) {}
  WarningHandler Warn;
  Profile Out;
  Merger M;
  size_t Inputs = 0;
  bool FirstHadTraces = false;
};

ProfileMerger::ProfileMerger(const WarningHandler &Warn)
    : S(std::make_unique<State>(Warn)) {}
ProfileMerger::~ProfileMerger() = default;

void ProfileMerger::add(const NamedProfile &In) {
  if (S->Inputs++ == 0)
    S->FirstHadTraces = !In.P->Traces.empty();
  S->M.add(In);
}

unsigned ProfileMerger::finish(Profile &Out) {
  S->M.finish();
  // A single input that had no traces gains none: nothing to combine.
  if (S->Inputs == 1 && !S->FirstHadTraces)
    S->Out.Traces.clear();
  Out = std::move(S->Out);
  return S->M.conflicts();
}

unsigned mergeProfiles(ArrayRef<NamedProfile> Inputs, Profile &Out,
                       const WarningHandler &Warn) {
  ProfileMerger M(Warn);
  for (const NamedProfile &In : Inputs)
    M.add(In);
  return M.finish(Out);
}

Expected<Profile> readMergedProfiles(ArrayRef<std::string> Paths,
                                     const WarningHandler &Warn) {
  if (Paths.size() == 1)
    return readAnyProfileFile(Paths.front(), std::nullopt, Warn);
  // One input in memory at a time.
  ProfileMerger M(Warn);
  for (const std::string &Path : Paths) {
    Expected<Profile> P = readAnyProfileFile(Path, std::nullopt, Warn);
    if (!P)
      return P.takeError();
    M.add({Path, &*P});
  }
  Profile Merged;
  M.finish(Merged);
  return Merged;
}

} // namespace pagelayout

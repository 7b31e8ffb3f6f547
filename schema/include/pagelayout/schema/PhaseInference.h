//===- PhaseInference.h - Decide each function's phase ----------*- C++ -*-===//
//
// Resolution order: an explicit 'phase' wins, then the first matching rule,
// then inference from the recorded timeline and call rates. Every decision
// records where it came from and how sure it is, so plans can explain it.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_SCHEMA_PHASEINFERENCE_H
#define PAGELAYOUT_SCHEMA_PHASEINFERENCE_H

#include "pagelayout/schema/Profile.h"
#include "llvm/ADT/CachedHashString.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Allocator.h"
#include "llvm/Support/GlobPattern.h"
#include <memory>
#include <vector>

namespace pagelayout {

/// Tuning knobs of the inference. Defaults follow common app start-up
/// budgets: a process is "starting" for its first 100 ms and shows its first
/// frame within 500 ms.
struct InferenceConfig {
  /// Startup ends here when the profile has no 'startup_end' marker.
  uint64_t StartupWindowNs = 100'000'000;
  /// First frame ends here when the profile has no 'first_frame' marker.
  uint64_t FirstFrameWindowNs = 500'000'000;
  /// At or above this call rate after startup a function is steady (hot).
  double HotCallsPerSec = 100.0;
  /// Below this call rate after startup a function is cold.
  double ColdCallsPerSec = 1.0;
};

enum class PhaseSource : uint8_t {
  Explicit,    ///< 'phase:' in the profile.
  Rule,        ///< A glob rule matched.
  Marker,      ///< First call before a timeline marker.
  TimeWindow,  ///< First call inside a default time window.
  CallRate,    ///< Calls per second after startup.
  NeverCalled, ///< Listed but never executed.
  NoTiming,    ///< Executed, but the profile has no times to judge by.
  NoCount,     ///< First called after startup; how often is not recorded.
};
llvm::StringRef phaseSourceName(PhaseSource S);

struct ResolvedFunction {
  Phase ResolvedPhase = Phase::Cold;
  PhaseSource Source = PhaseSource::NeverCalled;
  /// 0..1: how much to trust the phase (1 for explicit and rule phases).
  double Confidence = 1.0;
  /// True when the function ran before startup ended (for page metrics).
  bool RanDuringStartup = false;
};

struct ResolvedProfile {
  const Profile *Source = nullptr;
  /// Parallel to Source->Functions.
  std::vector<ResolvedFunction> Functions;
  /// Function index by name, the first of equal names. The keys are the
  /// profile's pooled names where it has them (Names, kept alive here)
  /// and copies in NameCopies otherwise: nothing the profile does later
  /// moves them. Each key carries its hash: a probe meeting another name
  /// compares hashes before bytes.
  llvm::DenseMap<llvm::CachedHashStringRef, unsigned> IndexByName;
  std::shared_ptr<NamePool> Names;
  std::shared_ptr<llvm::BumpPtrAllocator> NameCopies;
  /// Parallel to Source->Edges: (caller, callee) function indices, -1 for
  /// a name the function list does not have. Resolved once, used by every
  /// consumer of the call graph.
  std::vector<std::pair<int, int>> EdgeEnds;
  uint64_t StartupEndNs = 0;
  uint64_t FirstFrameEndNs = 0;
  bool StartupEndFromMarker = false;
  bool FirstFrameFromMarker = false;

  /// Index into Source->Functions, or -1 when the name is not profiled.
  int find(llvm::StringRef Name) const;
  /// find() of each of \p Names into \p Indices (as many), the cache
  /// misses of a batch overlapped: for large lookups, a few thousand
  /// names at a time.
  void findAll(llvm::ArrayRef<llvm::CachedHashStringRef> Names,
               llvm::MutableArrayRef<int> Indices) const;

  /// The phase of the first rule matching \p Name: rules also place
  /// functions the profile does not list (a hand-written layout config).
  std::optional<Phase> ruleFor(llvm::StringRef Name) const;
  std::vector<std::pair<llvm::GlobPattern, Phase>> Rules;
};

/// Resolves every function's phase. \p P must outlive the result.
ResolvedProfile resolvePhases(const Profile &P,
                              const InferenceConfig &Config = {});

} // namespace pagelayout

#endif

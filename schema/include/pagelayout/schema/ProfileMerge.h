//===- ProfileMerge.h - Combine profiles from many runs ---------*- C++ -*-===//

#ifndef PAGELAYOUT_SCHEMA_PROFILEMERGE_H
#define PAGELAYOUT_SCHEMA_PROFILEMERGE_H

#include "pagelayout/schema/Diagnostic.h"
#include "pagelayout/schema/Profile.h"
#include <memory>

namespace pagelayout {

struct NamedProfile {
  std::string FileName;
  const Profile *P;
};

/// Merges profiles of many runs, processes or machines into one.
/// Counts add (saturating), first calls take the earliest and last calls the
/// latest time, each run's first-call order is kept as a trace, markers take
/// the median. Conflicts (explicit phases or rules that disagree, different
/// binaries) are reported through \p Warn; the earliest input wins.
/// Returns the number of conflicts reported.
unsigned mergeProfiles(llvm::ArrayRef<NamedProfile> Inputs, Profile &Out,
                       const WarningHandler &Warn = {});

/// mergeProfiles one input at a time, so that a merge of many runs holds
/// the merged profile and one input, not every input: read a profile, add
/// it, drop it. The result is mergeProfiles' for the same inputs in the
/// same order. Nothing of an input is referenced after add() returns.
class ProfileMerger {
public:
  explicit ProfileMerger(const WarningHandler &Warn = {});
  ~ProfileMerger();
  void add(const NamedProfile &In);
  /// The merged profile; the merger is spent. Returns the conflict count.
  unsigned finish(Profile &Out);

private:
  struct State;
  std::unique_ptr<State> S;
};

/// Reads every profile of \p Paths (any format, as readAnyProfileFile) and,
/// when there are several, merges them as mergeProfiles does: how a
/// command given `--profile A --profile B` reads its profile. Reading and
/// merge warnings go to \p Warn; the first unreadable profile is the error.
llvm::Expected<Profile> readMergedProfiles(llvm::ArrayRef<std::string> Paths,
                                           const WarningHandler &Warn = {});

/// The order in which \p P's functions were first called (by first_call_ns,
/// ties by listing order); empty when the profile has no times. The names
/// are \p P's functions' own: valid while those are unchanged.
std::vector<llvm::StringRef> firstCallOrder(const Profile &P);

} // namespace pagelayout

#endif

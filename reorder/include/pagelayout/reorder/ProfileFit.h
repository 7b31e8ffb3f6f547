//===- ProfileFit.h - Does a profile describe this binary? ------*- C++ -*-===//
//
// A profile recorded from one program and applied to another (or to a build
// whose functions were renamed since) still "works": the few names that
// match are laid out and everything else falls to cold. The result is a
// layout no better than the input's, and nothing said why. Before a layout
// is computed, `reorder`, `plan` and `ld.pagelayout` therefore ask two
// questions of the profile and the code it is applied to:
//
//   1. the build-id: when the profile recorded one (metadata.build_id) and
//      the binary has one, they must be equal -- else the profile was taken
//      from another build;
//   2. the names: at least half of the functions the profile saw run must
//      match (NameMatcher.cpp). Functions the profile only lists (cold,
//      never called) do not count: a profile may name much that never ran.
//
// A failed check is a warning naming a few missing functions and, for each,
// the closest name the binary does have: a renamed function, or a C++ name
// written without the ABI tag the compiler added ("geo::Poly::name() const"
// for "geo::Poly::name[abi:cxx11]() const"). With --strict or
// --fatal-warnings it is an error and nothing is written.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_PROFILEFIT_H
#define PAGELAYOUT_REORDER_PROFILEFIT_H

#include "pagelayout/reorder/Atom.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/Support/MemoryBufferRef.h"
#include <string>
#include <vector>

namespace pagelayout {

/// What the profile is applied to.
struct FitTarget {
  /// Names the code in messages: "app", "the link", "the inputs".
  std::string Name;
  /// The binary's GNU build-id in hex; empty when it has none, or when it
  /// cannot be compared (a link's output does not exist yet).
  std::string BuildId;
};

struct ProfileFit {
  /// Profile functions that ran and how many of them matched. A function
  /// ran when it has calls, samples, a first call or startup ranges, a
  /// trace or a counted call edge names it, or the profile gives it a phase
  /// other than cold (a hand-written profile says what runs that way).
  unsigned Ran = 0;
  unsigned RanMatched = 0;
  /// One complete sentence per failed check, without location or severity;
  /// empty when the profile fits.
  std::vector<std::string> Problems;
  bool fits() const { return Problems.empty(); }
};

/// Below this share of its functions that ran matched, a profile does not
/// fit: a stale profile typically keeps most names, one from another
/// program keeps almost none.
constexpr double MinRanMatchedShare = 0.5;
/// Missing functions named in the message, each with its closest name.
constexpr unsigned MaxNamedMissing = 3;

/// Checks \p P against the code of \p Atoms. \p Kinds says how each of the
/// first Kinds.size() functions of \p P matched (matchProfileNames); later
/// functions (added by the tool, not the user) are not checked.
ProfileFit checkProfileFit(const Profile &P, llvm::ArrayRef<MatchKind> Kinds,
                           const std::vector<Atom> &Atoms,
                           const FitTarget &Target);

/// Reports \p Fit's problems as "<Where>: warning: ..." through \p Warn, or,
/// when \p AsError (--strict, --fatal-warnings), returns them as errors
/// located at \p Where; the caller then writes nothing.
llvm::Error reportProfileFit(const ProfileFit &Fit, llvm::StringRef Where,
                             bool AsError, const WarningHandler &Warn);

/// The GNU build-id of an ELF file, lowercase hex; "" when it has none or
/// is not ELF.
std::string readBuildId(llvm::MemoryBufferRef Buffer);
std::string readBuildId(llvm::StringRef Path);

} // namespace pagelayout

#endif

//===- NameMatcher.h - Match profile names to link names --------*- C++ -*-===//
//
// A profile recorded from one build must keep working on the next, whose
// symbol names the compiler may have decorated differently: ThinLTO
// promotes locals to "name.llvm.<hash>", -funique-internal-linkage-names
// adds ".__uniq.<n>", GCC clones functions as "name.part.0", ".isra.0",
// ".constprop.0", ".cold"; and people write C++ profiles demangled. The
// matcher maps each profile name to the one link name it denotes, and
// refuses when that is ambiguous.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_NAMEMATCHER_H
#define PAGELAYOUT_REORDER_NAMEMATCHER_H

#include "pagelayout/reorder/Atom.h"
#include "pagelayout/schema/Profile.h"
#include "llvm/ADT/StringRef.h"
#include <array>
#include <string>

namespace pagelayout {

enum class MatchKind : uint8_t {
  Exact,     ///< The profile name is a link name.
  Suffix,    ///< Equal after stripping compiler-added suffixes.
  Demangled, ///< The profile names the demangled form.
  Ambiguous, ///< Several link names fit; not matched.
  Missing,   ///< No link name fits.
};
constexpr unsigned NumMatchKinds = 5;
llvm::StringRef matchKindName(MatchKind K);

/// The name with every trailing compiler-added suffix removed
/// ("foo.llvm.123" -> "foo", "bar.constprop.0.isra.0" -> "bar").
std::string canonicalFunctionName(llvm::StringRef Name);

struct NameMatchResult {
  /// The profile with function, edge and trace names replaced by the link
  /// names they matched (unmatched names are kept as they were).
  Profile Renamed;
  /// Per profile function: how it matched.
  std::vector<MatchKind> Kinds;
  std::array<unsigned, NumMatchKinds> Counts{};
};

/// (kind, count) pairs for plans and reports, in MatchKind order.
std::vector<std::pair<std::string, unsigned>>
summarizeMatches(const NameMatchResult &R);

/// Matches \p P's names against the symbols of \p Atoms.
NameMatchResult matchProfileNames(const Profile &P,
                                  const std::vector<Atom> &Atoms);

} // namespace pagelayout

#endif

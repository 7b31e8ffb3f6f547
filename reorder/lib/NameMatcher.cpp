//===- NameMatcher.cpp - Match profile names to link names ----------------===//
//
// Matching runs in three tiers, stopping at the first that decides:
//   1. exact: the profile name is a link name;
//   2. suffix: both sides stripped of compiler suffixes are equal, and only
//      one link name strips to that (else: ambiguous, left unmatched);
//   3. demangled: the profile name equals a link name's demangled form
//      (with or without its suffixes), again only when unique.
// A link name already claimed exactly is never handed to a fuzzy match, so
// "foo" in the profile and "foo" plus "foo.cold" in the binary map foo to
// foo and leave the cold part cold.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/NameMatcher.h"
#include "llvm/ADT/CachedHashString.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Demangle/Demangle.h"
#include <optional>

using namespace llvm;

namespace pagelayout {

StringRef matchKindName(MatchKind K) {
  switch (K) {
  case MatchKind::Exact:
    return "exact";
  case MatchKind::Suffix:
    return "suffix";
  case MatchKind::Demangled:
    return "demangled";
  case MatchKind::Ambiguous:
    return "ambiguous";
  case MatchKind::Missing:
    return "missing";
  }
  return "missing";
}

namespace {

/// Suffixes that take a numeric (or hash) argument: ".llvm.123".
constexpr StringLiteral NumberedSuffixes[] = {
    ".llvm.",      ".__uniq.",   ".part.", ".isra.",
    ".constprop.", ".lto_priv.", ".cold.", ".clone."};

bool isNumber(StringRef S) {
  return !S.empty() && all_of(S, [](char C) { return isDigit(C); });
}

/// Strips one trailing suffix; returns false when there is none.
bool stripOneSuffix(StringRef &Name) {
  if (Name.ends_with(".cold")) {
    Name = Name.drop_back(5);
    return true;
  }
  for (StringRef Suffix : NumberedSuffixes) {
    size_t Pos = Name.rfind(Suffix);
    if (Pos == StringRef::npos || Pos == 0)
      continue;
    if (isNumber(Name.substr(Pos + Suffix.size()))) {
      Name = Name.take_front(Pos);
      return true;
    }
  }
  return false;
}

/// Link names by a derived key; a key shared by two names is ambiguous.
class NameIndex {
public:
  void add(StringRef Key, StringRef LinkName) {
    auto [It, Inserted] = Map.try_emplace(Key, LinkName.str());
    if (!Inserted && It->second != LinkName)
      Ambiguous.insert(Key);
  }
  /// The link name, "" when unknown; sets IsAmbiguous when ambiguous.
  std::string find(StringRef Key, bool &IsAmbiguous) const {
    if (Ambiguous.contains(Key)) {
      IsAmbiguous = true;
      return "";
    }
    auto It = Map.find(Key);
    return It == Map.end() ? "" : It->second;
  }

private:
  StringMap<std::string> Map;
  StringSet<> Ambiguous;
};

/// The fuzzy indexes over every link name, each built on first use: most
/// profiles match exactly, and demangling every link name is costly.
class FuzzyIndexes {
public:
  explicit FuzzyIndexes(const std::vector<Atom> &Atoms) : Atoms(Atoms) {}

  const NameIndex &bySuffix() {
    if (!BySuffix) {
      BySuffix.emplace();
      forEachLinkName([&](StringRef Name) {
        BySuffix->add(canonicalFunctionName(Name), Name);
      });
    }
    return *BySuffix;
  }

  const NameIndex &byDemangled() {
    if (!ByDemangled) {
      ByDemangled.emplace();
      forEachLinkName([&](StringRef Name) {
        std::string Demangled = demangle(Name);
        if (Demangled == Name)
          return;
        ByDemangled->add(Demangled, Name);
        ByDemangled->add(demangle(canonicalFunctionName(Name)), Name);
      });
    }
    return *ByDemangled;
  }

private:
  template <typename Fn> void forEachLinkName(Fn Each) const {
    for (const Atom &A : Atoms)
      for (const AtomSymbol &S : A.Symbols)
        Each(S.Name);
  }

  const std::vector<Atom> &Atoms;
  std::optional<NameIndex> BySuffix, ByDemangled;
};

} // namespace

std::string canonicalFunctionName(StringRef Name) {
  while (stripOneSuffix(Name)) {
  }
  return Name.str();
}

std::vector<std::pair<std::string, unsigned>>
summarizeMatches(const NameMatchResult &R) {
  std::vector<std::pair<std::string, unsigned>> Out;
  for (unsigned K = 0; K < NumMatchKinds; ++K)
    Out.push_back({matchKindName(MatchKind(K)).str(), R.Counts[K]});
  return Out;
}

NameMatchResult matchProfileNames(const Profile &P,
                                  const std::vector<Atom> &Atoms) {
  // The link's names, borrowed from the atoms (no copy of each).
  DenseSet<CachedHashStringRef> LinkNames;
  LinkNames.reserve(Atoms.size());
  for (const Atom &A : Atoms)
    for (const AtomSymbol &S : A.Symbols)
      LinkNames.insert(CachedHashStringRef(S.Name));
  FuzzyIndexes Fuzzy(Atoms);

  NameMatchResult R;
  R.Renamed = P;
  StringMap<std::string> Rename;
  StringSet<> Claimed;
  for (const FunctionProfile &F : P.Functions)
    if (LinkNames.contains(CachedHashStringRef(F.Name)))
      Claimed.insert(F.Name);

  for (FunctionProfile &F : R.Renamed.Functions) {
    MatchKind Kind = MatchKind::Missing;
    std::string Target;
    bool Ambiguous = false;
    if (LinkNames.contains(CachedHashStringRef(F.Name))) {
      Kind = MatchKind::Exact;
    } else if (!(Target = Fuzzy.bySuffix().find(canonicalFunctionName(F.Name),
                                                Ambiguous))
                    .empty()) {
      Kind = MatchKind::Suffix;
    } else if (!(Target = Fuzzy.byDemangled().find(F.Name, Ambiguous))
                    .empty()) {
      Kind = MatchKind::Demangled;
    } else if (Ambiguous) {
      Kind = MatchKind::Ambiguous;
    }
    // A fuzzy match must not steal a name the profile lists exactly.
    if ((Kind == MatchKind::Suffix || Kind == MatchKind::Demangled) &&
        !Claimed.insert(Target).second)
      Kind = MatchKind::Ambiguous;
    if (Kind == MatchKind::Suffix || Kind == MatchKind::Demangled) {
      Rename[F.Name] = Target;
      F.Name = Target;
    }
    R.Kinds.push_back(Kind);
    ++R.Counts[unsigned(Kind)];
  }
  // The new names are the link's: interned, so they live with Renamed.
  auto Apply = [&](StringRef &Name) {
    auto It = Rename.find(Name);
    if (It != Rename.end())
      Name = R.Renamed.intern(It->second);
  };
  for (CallEdge &E : R.Renamed.Edges) {
    Apply(E.Caller);
    Apply(E.Callee);
  }
  for (Trace &T : R.Renamed.Traces)
    for (StringRef &N : T.Functions)
      Apply(N);
  return R;
}

} // namespace pagelayout

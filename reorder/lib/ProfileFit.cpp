//===- ProfileFit.cpp - Does a profile describe this binary? --------------===//
//
// The closest-name search runs only when a check failed, for at most
// MaxNamedMissing names, so it may demangle every link name once. Each link
// name is reduced to a comparable form (compiler suffixes stripped,
// demangled, ABI tags dropped) and its unqualified base name; a missing
// name is compared in three tiers, the first that finds anything deciding:
//   1. the same comparable form: the profile wrote the name without an ABI
//      tag, or with another clone suffix;
//   2. the same base name: a changed signature or enclosing class, ranked
//      by the edit distance of the whole forms;
//   3. base names within a small edit distance ("parse_v1", "parse_v2"),
//      else one base name extending the other ("draw", "drawing"): a
//      renamed function.
// Ties go to the earlier link name, so the suggestion is deterministic.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/ProfileFit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/Object/BuildID.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/MemoryBuffer.h"
#include <optional>
#include <tuple>

using namespace llvm;

namespace pagelayout {
namespace {

/// "f[abi:cxx11](int)" -> "f(int)".
std::string dropAbiTags(StringRef S) {
  std::string Out;
  for (;;) {
    size_t Begin = S.find("[abi:");
    size_t End = Begin == StringRef::npos ? Begin : S.find(']', Begin);
    if (End == StringRef::npos)
      break;
    Out += S.take_front(Begin);
    S = S.drop_front(End + 1);
  }
  Out += S;
  return Out;
}

/// The form two spellings of one function share: suffixes stripped,
/// demangled, ABI tags dropped.
std::string comparableName(StringRef Name) {
  return dropAbiTags(demangle(canonicalFunctionName(Name)));
}

/// The unqualified function name of a demangled one: "geo::Poly::name()
/// const" -> "name", "int ns::f<int>(int)" -> "f". A heuristic for
/// suggestions only (operator names come out short).
StringRef baseName(StringRef D) {
  size_t Start = 0, End = D.size();
  int Depth = 0;
  for (size_t I = 0; I < D.size(); ++I) {
    char C = D[I];
    if (C == '(' && Depth == 0 && I > Start) {
      End = I; // the parameter list
      break;
    }
    if (C == '<' || C == '(')
      ++Depth;
    else if ((C == '>' || C == ')') && Depth > 0)
      --Depth;
    else if (Depth == 0 && C == ':' && I + 1 < D.size() && D[I + 1] == ':')
      Start = ++I + 1;
    else if (Depth == 0 && C == ' ')
      Start = I + 1; // a return type ends here
  }
  StringRef B = D.slice(Start, End);
  size_t Lt = B.find('<');
  if (Lt != StringRef::npos && Lt > 0)
    B = B.take_front(Lt);
  return B.empty() ? D : B;
}

constexpr size_t MinPrefix = 4;

/// Every link name with its comparable and base forms, built once.
class NameSuggester {
public:
  explicit NameSuggester(const std::vector<Atom> &Atoms) {
    StringSet<> Seen;
    for (const Atom &A : Atoms)
      for (const AtomSymbol &S : A.Symbols)
        if (Seen.insert(S.Name).second) {
          Entry E{S.Name, comparableName(S.Name), ""};
          E.Base = baseName(E.Comparable).str();
          Names.push_back(std::move(E));
        }
  }

  /// The link name closest to \p Name, or "".
  std::string closest(StringRef Name) const {
    std::string C = comparableName(Name);
    std::string B = baseName(C).str();
    // A third of the base name, at least one edit: "parse_v1" finds
    // "parse_v2", "draw" does not find "drop".
    unsigned MaxDistance = std::max<unsigned>(1, B.size() / 3);
    // (tier, distance, index): lower is closer.
    std::optional<std::tuple<unsigned, unsigned, size_t>> Best;
    auto Offer = [&](unsigned Tier, unsigned Distance, size_t I) {
      auto T = std::make_tuple(Tier, Distance, I);
      if (!Best || T < *Best)
        Best = T;
    };
    for (size_t I = 0; I < Names.size(); ++I) {
      const Entry &E = Names[I];
      if (E.Comparable == C) {
        Offer(0, 0, I);
      } else if (E.Base == B) {
        Offer(1, StringRef(E.Comparable).edit_distance(C), I);
      } else if (!Best || std::get<0>(*Best) >= 2) {
        size_t Longer = std::max(E.Base.size(), B.size());
        size_t Shorter = std::min(E.Base.size(), B.size());
        if (Longer - Shorter <= MaxDistance) {
          unsigned D = StringRef(E.Base).edit_distance(
              B, /*AllowReplacements=*/true, MaxDistance);
          if (D <= MaxDistance) {
            Offer(2, D, I);
            continue;
          }
        }
        // A prefix of at least MinPrefix characters: shorter ones ("get",
        // "run") begin too many names to mean anything.
        StringRef Short = E.Base.size() < B.size() ? E.Base : B;
        StringRef Long = E.Base.size() < B.size() ? B : E.Base;
        if (Short.size() >= MinPrefix && Long.starts_with(Short))
          Offer(3, Longer - Shorter, I);
      }
    }
    return Best ? Names[std::get<2>(*Best)].Link : "";
  }

private:
  struct Entry {
    std::string Link, Comparable, Base;
  };
  std::vector<Entry> Names;
};

/// "_ZNK3geo4Poly4nameB5cxx11Ev (geo::Poly::name[abi:cxx11]() const)" for
/// a mangled name, the name itself otherwise.
std::string describeLinkName(StringRef Link) {
  std::string D = demangle(Link);
  if (D == Link)
    return Link.str();
  return D + " (" + Link.str() + ")";
}

std::string namesProblem(const Profile &P, ArrayRef<MatchKind> Kinds,
                         const std::vector<unsigned> &Missing,
                         const ProfileFit &Fit, const std::vector<Atom> &Atoms,
                         const FitTarget &Target) {
  std::string Msg;
  raw_string_ostream OS(Msg);
  OS << "only " << Fit.RanMatched << " of " << Fit.Ran
     << " functions that ran in the profile are in " << Target.Name
     << ": the profile was recorded from another binary, or is stale "
        "(functions renamed since); re-record it from this build";
  NameSuggester Suggest(Atoms);
  size_t Shown = std::min<size_t>(Missing.size(), MaxNamedMissing);
  for (size_t I = 0; I < Shown; ++I) {
    const FunctionProfile &F = P.Functions[Missing[I]];
    OS << "\n  not in " << Target.Name << ": " << F.Name;
    if (Kinds[Missing[I]] == MatchKind::Ambiguous) {
      OS << " (ambiguous: several of its names fit)";
      continue;
    }
    std::string Near = Suggest.closest(F.Name);
    if (Near.empty())
      OS << " (nothing close)";
    else
      OS << "; closest: " << describeLinkName(Near);
  }
  if (Missing.size() > Shown)
    OS << "\n  and " << Missing.size() - Shown << " more";
  return Msg;
}

} // namespace

ProfileFit checkProfileFit(const Profile &P, ArrayRef<MatchKind> Kinds,
                           const std::vector<Atom> &Atoms,
                           const FitTarget &Target) {
  ProfileFit Fit;
  const std::string &Recorded = P.Metadata.BuildId;
  if (!Recorded.empty() && !Target.BuildId.empty() &&
      !StringRef(Recorded).equals_insensitive(Target.BuildId))
    Fit.Problems.push_back("profile was recorded from build-id " + Recorded +
                           ", " + Target.Name + " has " + Target.BuildId +
                           "; re-record the profile from this build (linking "
                           "with --emit-relocs changes the build-id too), "
                           "or delete build_id from its metadata to use it "
                           "anyway");

  // It ran by the recording, or a hand-written profile says it runs; the
  // rest may still be named by a trace or a counted edge. Only those few
  // are looked up there (a recorded profile may have a million edges).
  size_t N = std::min(Kinds.size(), P.Functions.size());
  std::vector<bool> Ran(N);
  StringMap<unsigned> Undecided;
  for (unsigned I = 0; I < N; ++I) {
    const FunctionProfile &F = P.Functions[I];
    Ran[I] =
        F.wasExecuted() || (F.ExplicitPhase && *F.ExplicitPhase != Phase::Cold);
    if (!Ran[I])
      Undecided.try_emplace(F.Name, I);
  }
  auto Mention = [&](StringRef Name) {
    auto It = Undecided.find(Name);
    if (It != Undecided.end())
      Ran[It->second] = true;
  };
  if (!Undecided.empty()) {
    for (const Trace &T : P.Traces)
      for (StringRef Name : T.Functions)
        Mention(Name);
    for (const CallEdge &E : P.Edges)
      if (E.Count) {
        Mention(E.Caller);
        Mention(E.Callee);
      }
  }
  std::vector<unsigned> Missing;
  for (unsigned I = 0; I < N; ++I) {
    if (!Ran[I])
      continue;
    ++Fit.Ran;
    MatchKind K = Kinds[I];
    if (K == MatchKind::Exact || K == MatchKind::Suffix ||
        K == MatchKind::Demangled)
      ++Fit.RanMatched;
    else
      Missing.push_back(I);
  }
  if (Fit.Ran && Fit.RanMatched < MinRanMatchedShare * Fit.Ran)
    Fit.Problems.push_back(namesProblem(P, Kinds, Missing, Fit, Atoms, Target));
  return Fit;
}

Error reportProfileFit(const ProfileFit &Fit, StringRef Where, bool AsError,
                       const WarningHandler &Warn) {
  Error Errors = Error::success();
  for (const std::string &Problem : Fit.Problems) {
    if (AsError)
      Errors = joinErrors(std::move(Errors),
                          makeLocatedError(Where, SourceLoc(), Problem));
    else if (Warn)
      Warn(Where + ": warning: " + Problem);
  }
  return Errors;
}

std::string readBuildId(MemoryBufferRef Buffer) {
  Expected<std::unique_ptr<object::ObjectFile>> Obj =
      object::ObjectFile::createObjectFile(Buffer);
  if (!Obj) {
    consumeError(Obj.takeError());
    return "";
  }
  return toHex(object::getBuildID(Obj->get()), /*LowerCase=*/true);
}

std::string readBuildId(StringRef Path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf = MemoryBuffer::getFile(
      Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!Buf)
    return "";
  return readBuildId((*Buf)->getMemBufferRef());
}

} // namespace pagelayout

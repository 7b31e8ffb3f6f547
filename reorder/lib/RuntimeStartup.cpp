//===- RuntimeStartup.cpp - Code that runs first in every process ---------===//

#include "pagelayout/reorder/RuntimeStartup.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace llvm;

namespace pagelayout {

// crtbegin's helpers: every start and exit runs them.
static constexpr const char *CrtHelpers[] = {
    "deregister_tm_clones", "register_tm_clones", "__do_global_dtors_aux",
    "frame_dummy"};

bool isCrtHelperName(StringRef Name) { return is_contained(CrtHelpers, Name); }

bool isRuntimeStartupName(StringRef Name) {
  return Name == "_start" || isCrtHelperName(Name);
}

unsigned addRuntimeStartup(Profile &P, const std::vector<Atom> &Atoms,
                           std::optional<uint64_t> Entry,
                           bool WithCrtHelpers) {
  // _start is alone in its section. crtbegin's helpers share one with
  // exit-time code; packed by executed bytes they are small enough to be
  // worth their page at startup.
  std::vector<std::string> Names = {"_start"};
  if (WithCrtHelpers)
    for (const char *N : CrtHelpers)
      Names.push_back(N);
  // Which of these few names the atoms define: compared directly, not
  // through a set of every symbol of the link.
  size_t Fixed = Names.size();
  std::vector<bool> Linked(Fixed);
  for (const Atom &A : Atoms) {
    bool HoldsEntry = Entry && *Entry >= A.OriginalOffset &&
                      *Entry - A.OriginalOffset < A.Size;
    for (const AtomSymbol &S : A.Symbols) {
      for (size_t I = 0; I < Fixed; ++I)
        if (!Linked[I] && S.Name == Names[I])
          Linked[I] = true;
      if (HoldsEntry && A.OriginalOffset + S.Offset == *Entry) {
        Names.push_back(S.Name);
        Linked.push_back(true);
      }
    }
  }
  StringSet<> Listed;
  for (const FunctionProfile &F : P.Functions)
    Listed.insert(F.Name);
  unsigned Added = 0;
  for (size_t I = 0; I < Names.size(); ++I)
    if (const std::string &Name = Names[I];
        Linked[I] && Listed.insert(Name).second) {
      FunctionProfile F;
      F.Name = Name;
      F.ExplicitPhase = Phase::Startup;
      P.Functions.push_back(F);
      ++Added;
    }
  return Added;
}

} // namespace pagelayout

//===- RuntimeStartup.cpp - Code that runs first in every process ---------===//

#include "pagelayout/reorder/RuntimeStartup.h"
#include "llvm/ADT/StringSet.h"

using namespace llvm;

namespace pagelayout {

unsigned addRuntimeStartup(Profile &P, const std::vector<Atom> &Atoms,
                           std::optional<uint64_t> Entry,
                           bool WithCrtHelpers) {
  // _start is alone in its section. crtbegin's helpers share one with
  // exit-time code; packed by executed bytes they are small enough to be
  // worth their page at startup.
  std::vector<std::string> Names = {"_start"};
  if (WithCrtHelpers)
    for (const char *N : {"deregister_tm_clones", "register_tm_clones",
                          "__do_global_dtors_aux", "frame_dummy"})
      Names.push_back(N);
  StringSet<> Linked;
  for (const Atom &A : Atoms) {
    bool HoldsEntry = Entry && *Entry >= A.OriginalOffset &&
                      *Entry - A.OriginalOffset < A.Size;
    for (const AtomSymbol &S : A.Symbols) {
      Linked.insert(S.Name);
      if (HoldsEntry && A.OriginalOffset + S.Offset == *Entry)
        Names.push_back(S.Name);
    }
  }
  StringSet<> Listed;
  for (const FunctionProfile &F : P.Functions)
    Listed.insert(F.Name);
  unsigned Added = 0;
  for (const std::string &Name : Names)
    if (Linked.contains(Name) && Listed.insert(Name).second) {
      FunctionProfile F;
      F.Name = Name;
      F.ExplicitPhase = Phase::Startup;
      P.Functions.push_back(F);
      ++Added;
    }
  return Added;
}

} // namespace pagelayout

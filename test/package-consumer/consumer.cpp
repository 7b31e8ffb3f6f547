// Plans two atoms with the installed libraries and prints the order.
#include "pagelayout/reorder/LayoutEngine.h"
#include "pagelayout/schema/ProfileReader.h"
#include <cstdio>

int main() {
  llvm::Expected<pagelayout::Profile> P = pagelayout::parseProfile(
      "version: 1\nfunctions:\n  - {name: hot, phase: startup}\n", "p.yaml");
  if (!P)
    return 1;
  std::vector<pagelayout::Atom> Atoms(2);
  Atoms[0].Symbols.push_back({"cold", 0, 64});
  Atoms[0].Size = 64;
  Atoms[1].Symbols.push_back({"hot", 0, 32});
  Atoms[1].Size = 32;
  Atoms[1].OriginalOffset = 64;
  pagelayout::LayoutPlan Plan =
      pagelayout::computeLayout(Atoms, pagelayout::resolvePhases(*P));
  for (const pagelayout::PlacedAtom &A : Plan.Placement)
    std::printf("%s@%llu\n", Atoms[A.AtomIndex].displayName().c_str(),
                (unsigned long long)A.Offset);
  return 0;
}

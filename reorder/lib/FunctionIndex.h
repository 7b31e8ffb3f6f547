//===- FunctionIndex.h - The function containing an address -----*- C++ -*-===//
//
// Function symbols may nest (one function's range inside another's): the
// nearest function starting at or before an address need not contain it
// while an earlier, enclosing one does, so the search goes back while an
// earlier function could still reach that far.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_FUNCTIONINDEX_H
#define PAGELAYOUT_REORDER_FUNCTIONINDEX_H

#include "pagelayout/reorder/Atom.h"
#include "llvm/ADT/STLExtras.h"
#include <vector>

namespace pagelayout {

class FunctionIndex {
public:
  /// \p Fns sorted by OriginalOffset (their address).
  explicit FunctionIndex(const std::vector<Atom> &Fns) : Fns(Fns) {
    uint64_t Furthest = 0;
    for (const Atom &F : Fns) {
      Furthest = std::max(Furthest, F.OriginalOffset + F.Size);
      FurthestEnd.push_back(Furthest);
    }
  }
  /// The innermost function containing \p Addr, or -1.
  int at(uint64_t Addr) const {
    auto It = llvm::upper_bound(Fns, Addr, [](uint64_t A, const Atom &F) {
      return A < F.OriginalOffset;
    });
    for (size_t I = It - Fns.begin(); I-- > 0 && FurthestEnd[I] > Addr;)
      if (Addr - Fns[I].OriginalOffset < Fns[I].Size)
        return int(I);
    return -1;
  }
  /// The function starting at \p Addr (the first such, if several), or -1.
  int startingAt(uint64_t Addr) const {
    auto It = llvm::lower_bound(Fns, Addr, [](const Atom &F, uint64_t A) {
      return F.OriginalOffset < A;
    });
    return It != Fns.end() && It->OriginalOffset == Addr ? int(It - Fns.begin())
                                                        : -1;
  }

private:
  const std::vector<Atom> &Fns;
  std::vector<uint64_t> FurthestEnd; ///< max end of Fns[0..i]
};

} // namespace pagelayout

#endif

//===- AddressMap.h - Where moved code went ---------------------*- C++ -*-===//
//
// The rewriter fixes references through it and the verifier recomputes
// what each field must hold through it: one lookup, old address -> new.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_ADDRESSMAP_H
#define PAGELAYOUT_REORDER_ADDRESSMAP_H

#include "llvm/ADT/STLExtras.h"
#include <cstdint>
#include <vector>

namespace pagelayout {

/// Old address -> new address for moved code; addresses outside every
/// moved range map to themselves. Add the ranges, then finish().
class AddressMap {
public:
  void add(uint64_t Begin, uint64_t End, int64_t Delta) {
    if (Delta)
      Ranges.push_back({Begin, End, Delta});
  }
  void finish() { llvm::sort(Ranges); }
  uint64_t operator()(uint64_t Addr) const {
    auto It = llvm::upper_bound(
        Ranges, Addr, [](uint64_t A, const Range &R) { return A < R.Begin; });
    if (It == Ranges.begin())
      return Addr;
    --It;
    return Addr < It->End ? uint64_t(int64_t(Addr) + It->Delta) : Addr;
  }
  bool moves(uint64_t Addr) const { return (*this)(Addr) != Addr; }

private:
  struct Range {
    uint64_t Begin, End;
    int64_t Delta;
    bool operator<(const Range &O) const { return Begin < O.Begin; }
  };
  std::vector<Range> Ranges;
};

} // namespace pagelayout

#endif

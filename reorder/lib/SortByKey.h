//===- SortByKey.h - Stable sorts of atom indices by a key ------*- C++ -*-===//
//
// The engine sorts lists of atom indices by a field of each atom (its
// size, address, first call, density). A comparator that reads two atoms'
// records, far apart in a million-atom vector, spends the sort in cache
// misses; copying each key next to its index once makes it a sort of a
// small contiguous array. The order is the comparator's, ties in input
// order, exactly as llvm::stable_sort with the reading comparator gives.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_SORTBYKEY_H
#define PAGELAYOUT_REORDER_SORTBYKEY_H

#include "llvm/ADT/STLExtras.h"
#include <utility>
#include <vector>

namespace pagelayout {

/// Stable-sorts \p Items by KeyOf(item) under \p Less.
template <typename KeyFn, typename LessFn>
void stableSortByKey(std::vector<unsigned> &Items, KeyFn KeyOf, LessFn Less) {
  using KeyT = decltype(KeyOf(0u));
  std::vector<std::pair<KeyT, unsigned>> Keyed;
  Keyed.reserve(Items.size());
  for (unsigned I : Items)
    Keyed.push_back({KeyOf(I), I});
  llvm::stable_sort(Keyed, [&](const std::pair<KeyT, unsigned> &A,
                               const std::pair<KeyT, unsigned> &B) {
    return Less(A.first, B.first);
  });
  for (size_t I = 0; I < Keyed.size(); ++I)
    Items[I] = Keyed[I].second;
}

/// Ascending by an integer key.
template <typename KeyFn>
void stableSortByKey(std::vector<unsigned> &Items, KeyFn KeyOf) {
  stableSortByKey(Items, KeyOf,
                  [](const auto &A, const auto &B) { return A < B; });
}

} // namespace pagelayout

#endif

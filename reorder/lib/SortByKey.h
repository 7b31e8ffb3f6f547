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
#include <cstdint>
#include <type_traits>
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

/// Sorts (key, index) pairs by key, stably: a least-significant-digit
/// radix sort, a byte per pass, skipping the bytes every key shares (the
/// high bytes of sizes and addresses), so a sort of sizes below 64 KB
/// takes two linear passes where a comparison sort takes a dozen
/// mispredicted branches per element.
inline void radixSortPairs(std::vector<std::pair<uint64_t, unsigned>> &Keyed) {
  // Below this, a comparison sort is as fast and needs no second buffer.
  constexpr size_t MinRadixItems = 256;
  if (Keyed.size() < MinRadixItems) {
    llvm::stable_sort(Keyed, [](const auto &A, const auto &B) {
      return A.first < B.first;
    });
    return;
  }
  uint64_t Or = 0, And = ~uint64_t(0);
  for (const auto &E : Keyed)
    Or |= E.first, And &= E.first;
  if (Or == And)
    return; // every key equal: input order is the order
  std::vector<std::pair<uint64_t, unsigned>> Other(Keyed.size());
  for (unsigned Shift = 0; Shift < 64; Shift += 8) {
    if (((Or ^ And) >> Shift & 0xff) == 0)
      continue; // every key has this byte
    size_t Start[257] = {};
    for (const auto &E : Keyed)
      ++Start[(E.first >> Shift & 0xff) + 1];
    for (unsigned D = 0; D < 256; ++D)
      Start[D + 1] += Start[D];
    for (const auto &E : Keyed)
      Other[Start[E.first >> Shift & 0xff]++] = E;
    Keyed.swap(Other);
  }
}

/// Ascending by KeyOf (compared by <), ties in input order: by radix when
/// the key is an unsigned integer, else by the comparator form.
template <typename KeyFn>
void stableSortByKey(std::vector<unsigned> &Items, KeyFn KeyOf) {
  using KeyT = decltype(KeyOf(0u));
  if constexpr (std::is_integral_v<KeyT> && std::is_unsigned_v<KeyT> &&
                sizeof(KeyT) <= sizeof(uint64_t)) {
    std::vector<std::pair<uint64_t, unsigned>> Keyed;
    Keyed.reserve(Items.size());
    for (unsigned I : Items)
      Keyed.push_back({uint64_t(KeyOf(I)), I});
    radixSortPairs(Keyed);
    for (size_t I = 0; I < Keyed.size(); ++I)
      Items[I] = Keyed[I].second;
  } else {
    stableSortByKey(Items, KeyOf,
                    [](const auto &A, const auto &B) { return A < B; });
  }
}

} // namespace pagelayout

#endif

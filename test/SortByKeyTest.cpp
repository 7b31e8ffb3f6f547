//===- SortByKeyTest.cpp - The radix sort gives the comparison sort's order ===//
//
// stableSortByKey with an unsigned key sorts by radix; its order must be
// exactly llvm::stable_sort's with the key compared by <: ascending, ties
// in input order. A few exact cases, then random lists against that, and
// the cold phase's sorts against the comparison sorts they replace.
//
//===----------------------------------------------------------------------===//

#include "../reorder/lib/PagePacker.h"
#include "../reorder/lib/SortByKey.h"
#include "gtest/gtest.h"
#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

using namespace pagelayout;

namespace {

std::vector<unsigned> byComparison(std::vector<unsigned> Items,
                                   const std::vector<uint64_t> &Key) {
  llvm::stable_sort(Items,
                    [&](unsigned A, unsigned B) { return Key[A] < Key[B]; });
  return Items;
}

std::vector<unsigned> byRadix(std::vector<unsigned> Items,
                              const std::vector<uint64_t> &Key) {
  stableSortByKey(Items, [&](unsigned A) { return Key[A]; });
  return Items;
}

TEST(SortByKey, TiesKeepInputOrderAcrossThePasses) {
  // 300 items (the radix path), keys of three bytes that differ in the
  // low and the high byte only (the middle byte pass is skipped).
  std::vector<uint64_t> Key(300);
  std::vector<unsigned> Items;
  for (unsigned I = 0; I < Key.size(); ++I) {
    Key[I] = (uint64_t(I % 3) << 16) | (I % 2);
    Items.push_back(Key.size() - 1 - I); // input order: descending index
  }
  std::vector<unsigned> Sorted = byRadix(Items, Key);
  EXPECT_EQ(Sorted, byComparison(Items, Key));
  // First the key 0 (I % 3 == 0, even), in input order: 294, 288, ...
  EXPECT_EQ(Sorted[0], 294u);
  EXPECT_EQ(Sorted[1], 288u);
}

TEST(SortByKey, ComplementSortsLargestFirst) {
  std::vector<uint64_t> Size = {5, 9, 5, 1, 9};
  std::vector<unsigned> Items = {0, 1, 2, 3, 4};
  stableSortByKey(Items, [&](unsigned A) { return ~Size[A]; });
  EXPECT_EQ(Items, (std::vector<unsigned>{1, 4, 0, 2, 3}));
}

TEST(SortByKey, RandomListsMatchTheComparisonSort) {
  std::mt19937_64 Rng(42);
  for (unsigned Round = 0; Round < 200; ++Round) {
    size_t N = Rng() % 3000;
    // Keys of a few bits (many ties), of 20 bits, of all 64, and
    // addresses: a constant high part.
    unsigned Shape = Round % 4;
    std::vector<uint64_t> Key(N);
    for (uint64_t &K : Key) {
      uint64_t R = Rng();
      K = Shape == 0   ? R % 7
          : Shape == 1 ? R % (1 << 20)
          : Shape == 2 ? R
                       : 0x400000 + R % 0x100000;
    }
    std::vector<unsigned> Items(N);
    for (unsigned I = 0; I < N; ++I)
      Items[I] = unsigned(Rng() % N); // repeats allowed: items, not a set
    ASSERT_EQ(byRadix(Items, Key), byComparison(Items, Key))
        << "round " << Round << ", " << N << " items";
  }
}

// sortColdBySize: largest first (ties in cold order) and the fillers by
// (size, atom), as the comparison sorts gave them, for a 4 KB page (the
// radix path of one key of both) and a page past 4 GB (by comparison).
TEST(SortByKey, ColdBySizeAsTheComparisonSorts) {
  std::mt19937_64 Rng(7);
  std::vector<Atom> Atoms(2000);
  for (Atom &A : Atoms)
    A.Size = Rng() % 3 ? Rng() % 6000 : Rng() % 64; // ties among small ones
  PhaseOrders Orders;
  for (unsigned A = 0; A < Atoms.size(); ++A)
    Orders[unsigned(Phase::Cold)].push_back(A);
  std::shuffle(Orders[unsigned(Phase::Cold)].begin(),
               Orders[unsigned(Phase::Cold)].end(), Rng);
  const std::vector<unsigned> &Cold = Orders[unsigned(Phase::Cold)];
  for (uint64_t Page : {uint64_t(4096), uint64_t(1) << 33}) {
    ColdBySize R = sortColdBySize(Atoms, Orders, Page);
    std::vector<unsigned> Largest = Cold;
    llvm::stable_sort(Largest, [&](unsigned X, unsigned Y) {
      return Atoms[X].Size > Atoms[Y].Size;
    });
    std::vector<std::pair<uint64_t, unsigned>> Fillers;
    for (unsigned A : Cold)
      if (Atoms[A].Size && Atoms[A].Size < Page)
        Fillers.push_back({Atoms[A].Size, A});
    llvm::sort(Fillers);
    EXPECT_EQ(R.Largest, Largest) << "page " << Page;
    EXPECT_EQ(R.Fillers, Fillers) << "page " << Page;
  }
}

} // namespace

//===- FirstFitGaps.h - The first free gap that holds an atom ---*- C++ -*-===//
//
// Cold code fills the gaps a packing by executed bytes leaves, and a
// rewrite that must fit its region places atoms around pinned code: both
// put each atom in the first gap, in address order, that holds it once
// aligned. Scanning the gaps for every atom costs atoms x gaps (tens of
// milliseconds for a program of a few thousand functions); a segment tree
// over the gaps' room finds the first gap with room enough in O(log gaps).
// Room depends on the alignment (a gap of 20 bytes starting at 8 holds 12
// bytes aligned to 16), so there is one tree per alignment in use, each
// updated as a gap shrinks. The answer is the linear scan's.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_FIRSTFITGAPS_H
#define PAGELAYOUT_REORDER_FIRSTFITGAPS_H

#include "llvm/Support/MathExtras.h"
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace pagelayout {

class FirstFitGaps {
public:
  /// \p Gaps: free [begin, end) ranges in address order.
  explicit FirstFitGaps(std::vector<std::pair<uint64_t, uint64_t>> Gaps)
      : Gaps(std::move(Gaps)) {
    while (Leaves < this->Gaps.size())
      Leaves *= 2;
  }

  /// The offset in the first gap that holds \p Size bytes aligned to
  /// \p Align (a power of two), taken: the gap then begins after them, the
  /// alignment padding before them lost. None when no gap holds them.
  std::optional<uint64_t> take(uint64_t Size, uint64_t Align) {
    const std::vector<uint64_t> &Room = roomTree(llvm::Log2_64(Align));
    uint64_t Need = llvm::SaturatingAdd(Size, uint64_t(1));
    if (Gaps.empty() || Room[1] < Need)
      return std::nullopt;
    size_t N = 1;
    while (N < Leaves)
      N = Room[2 * N] >= Need ? 2 * N : 2 * N + 1;
    size_t I = N - Leaves;
    uint64_t Off = llvm::alignTo(Gaps[I].first, Align);
    Gaps[I].first = Off + Size;
    for (auto &[Shift, Tree] : Trees)
      setRoom(Tree, I, room(I, Shift));
    return Off;
  }

private:
  /// What gap I holds at alignment 1 << Shift, plus one (0: not even an
  /// empty atom fits, its start aligned past its end).
  uint64_t room(size_t I, unsigned Shift) const {
    uint64_t Off = llvm::alignTo(Gaps[I].first, uint64_t(1) << Shift);
    // alignTo wraps to 0 past the top of the address space: no room then.
    if (Off < Gaps[I].first || Off > Gaps[I].second)
      return 0;
    return llvm::SaturatingAdd(Gaps[I].second - Off, uint64_t(1));
  }
  /// A segment tree of room at one alignment: leaf Leaves + I is gap I's,
  /// an inner node holds its children's largest. Built on first use.
  const std::vector<uint64_t> &roomTree(unsigned Shift) {
    for (auto &[S, Tree] : Trees)
      if (S == Shift)
        return Tree;
    std::vector<uint64_t> Tree(2 * Leaves, 0);
    for (size_t I = 0; I < Gaps.size(); ++I)
      Tree[Leaves + I] = room(I, Shift);
    for (size_t N = Leaves - 1; N >= 1; --N)
      Tree[N] = std::max(Tree[2 * N], Tree[2 * N + 1]);
    Trees.emplace_back(Shift, std::move(Tree));
    return Trees.back().second;
  }
  void setRoom(std::vector<uint64_t> &Tree, size_t I, uint64_t R) {
    size_t N = Leaves + I;
    Tree[N] = R;
    for (N /= 2; N >= 1; N /= 2)
      Tree[N] = std::max(Tree[2 * N], Tree[2 * N + 1]);
  }

  std::vector<std::pair<uint64_t, uint64_t>> Gaps;
  size_t Leaves = 1;
  /// One tree per alignment atoms asked for (a handful: 1 to 64 bytes).
  std::vector<std::pair<unsigned, std::vector<uint64_t>>> Trees;
};

} // namespace pagelayout

#endif

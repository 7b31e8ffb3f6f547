//===- FirstFitGapsTest.cpp - The segment trees give the linear scan's gap ===//
//
// FirstFitGaps must answer exactly as scanning the gaps in address order
// does: the first gap where the atom, its start aligned, ends by the gap's
// end; taking it moves the gap's begin past the atom. A few exact cases,
// then many random gap lists and atom sequences against that scan.
//
//===----------------------------------------------------------------------===//

#include "../reorder/lib/FirstFitGaps.h"
#include "llvm/Support/MathExtras.h"
#include "gtest/gtest.h"
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

using namespace pagelayout;

namespace {

using GapList = std::vector<std::pair<uint64_t, uint64_t>>;

/// The specification: the first gap in address order that holds Size
/// bytes at alignment Align.
class LinearScanGaps {
public:
  explicit LinearScanGaps(GapList Gaps) : Gaps(std::move(Gaps)) {}
  std::optional<uint64_t> take(uint64_t Size, uint64_t Align) {
    for (auto &[Begin, End] : Gaps) {
      uint64_t Off = llvm::alignTo(Begin, Align);
      if (Off <= End && Size <= End - Off) {
        Begin = Off + Size;
        return Off;
      }
    }
    return std::nullopt;
  }

private:
  GapList Gaps;
};

/// Knuth's MMIX LCG: the same sequence on every machine and every run.
class Lcg {
public:
  explicit Lcg(uint64_t Seed) : State(Seed) {}
  uint64_t next() {
    State = State * 6364136223846793005ULL + 1442695040888963407ULL;
    return State >> 33; // the low bits of an LCG are weak
  }
  /// Uniform enough in [0, N).
  uint64_t below(uint64_t N) { return N ? next() % N : 0; }

private:
  uint64_t State;
};

TEST(FirstFitGapsTest, EmptyGapList) {
  FirstFitGaps F({});
  EXPECT_EQ(F.take(0, 1), std::nullopt);
  EXPECT_EQ(F.take(8, 16), std::nullopt);
  EXPECT_EQ(F.take(1, 4096), std::nullopt);
}

TEST(FirstFitGapsTest, ZeroSizeAtom) {
  // An empty gap holds an empty atom at its begin, unless aligning the
  // start moves it past the end.
  FirstFitGaps F({{10, 10}, {20, 40}});
  EXPECT_EQ(F.take(0, 4), 20u); // alignTo(10, 4) = 12 > 10
  EXPECT_EQ(F.take(0, 1), 10u);
  EXPECT_EQ(F.take(0, 2), 10u); // 10 is 2-aligned; taking nothing keeps it
  EXPECT_EQ(F.take(0, 32), 32u);
  // The gap now begins at 32: a byte at alignment 1 goes there.
  EXPECT_EQ(F.take(1, 1), 32u);
  EXPECT_EQ(F.take(0, 64), std::nullopt);
}

TEST(FirstFitGapsTest, AlignmentPushesToALaterGap) {
  FirstFitGaps F({{1, 20}, {64, 100}});
  // In the first gap the aligned start is 16, and 16 + 16 > 20.
  EXPECT_EQ(F.take(16, 16), 64u);
  // The first gap was not touched: its padding is not lost.
  EXPECT_EQ(F.take(4, 1), 1u);
  EXPECT_EQ(F.take(8, 8), 8u);  // begins at 5, aligned to 8
  EXPECT_EQ(F.take(5, 4), 80u); // 16 + 5 > 20: the second gap, from 80
  EXPECT_EQ(F.take(4, 4), 16u); // 16 + 4 <= 20
  EXPECT_EQ(F.take(1, 1), 85u); // the first gap is full
  EXPECT_EQ(F.take(16, 1), std::nullopt); // 86 + 16 > 100
  EXPECT_EQ(F.take(14, 1), 86u);
}

TEST(FirstFitGapsTest, TakingMovesTheBeginAndLosesPadding) {
  FirstFitGaps F({{0, 32}});
  EXPECT_EQ(F.take(10, 1), 0u);
  EXPECT_EQ(F.take(1, 16), 16u);          // bytes 10..16 are lost
  EXPECT_EQ(F.take(16, 1), std::nullopt); // 17 + 16 > 32
  EXPECT_EQ(F.take(15, 1), 17u);
  EXPECT_EQ(F.take(0, 1), 32u); // an empty atom still fits at the end
  EXPECT_EQ(F.take(1, 1), std::nullopt);
}

TEST(FirstFitGapsTest, TreesOfOtherAlignmentsFollowATakenGap) {
  // A take at one alignment must update the room every other alignment's
  // tree sees, including trees built before it.
  FirstFitGaps F({{0, 8}, {16, 48}});
  EXPECT_EQ(F.take(1, 1), 0u);    // builds the alignment-1 tree
  EXPECT_EQ(F.take(7, 16), 16u);  // gap 0 begins at 1, aligned past its end
  EXPECT_EQ(F.take(7, 1), 1u);    // gap 0 still has 7 bytes
  EXPECT_EQ(F.take(1, 1), 23u);   // gap 0 is full now
  EXPECT_EQ(F.take(16, 16), 32u); // bytes 24..32 are lost
  EXPECT_EQ(F.take(1, 16), std::nullopt);
  EXPECT_EQ(F.take(1, 1), std::nullopt);
  EXPECT_EQ(F.take(0, 1), 8u); // the empty end of gap 0
  EXPECT_EQ(F.take(0, 16), 48u);
}

TEST(FirstFitGapsTest, GapCountsAroundPowersOfTwo) {
  // Gap counts at, below and above powers of two (the tree's leaves): the
  // last gap is the only one that holds the atom.
  for (size_t N : {1, 2, 3, 4, 5, 7, 8, 9, 16, 17}) {
    GapList Gaps;
    for (size_t I = 0; I + 1 < N; ++I)
      Gaps.push_back({I * 100, I * 100 + 10});
    Gaps.push_back({N * 100, N * 100 + 64});
    FirstFitGaps F(Gaps);
    EXPECT_EQ(F.take(64, 1), N * 100) << N << " gaps";
    EXPECT_EQ(F.take(11, 1), std::nullopt) << N << " gaps";
    EXPECT_EQ(F.take(10, 1), N > 1 ? std::optional<uint64_t>(0) : std::nullopt)
        << N << " gaps";
  }
}

/// Gaps in address order, some empty, some long, some adjacent.
GapList randomGaps(Lcg &R, uint64_t Base) {
  GapList Gaps;
  size_t N = R.below(4) == 0 ? R.below(4) : R.below(70);
  uint64_t Cursor = Base + R.below(4096);
  for (size_t I = 0; I < N; ++I) {
    Cursor += R.below(3) == 0 ? 0 : R.below(200);
    uint64_t Len;
    switch (R.below(6)) {
    case 0:
      Len = 0;
      break;
    case 1:
      Len = R.below(8);
      break;
    case 2:
      Len = 4096 + R.below(8192);
      break;
    default:
      Len = R.below(300);
      break;
    }
    Gaps.push_back({Cursor, Cursor + Len});
    Cursor += Len;
  }
  return Gaps;
}

TEST(FirstFitGapsTest, RandomAgainstLinearScan) {
  Lcg R(0x5eed1234abcdULL);
  size_t Taken = 0, Refused = 0;
  for (unsigned Case = 0; Case < 3000; ++Case) {
    // Some lists at addresses where 64-bit arithmetic matters.
    uint64_t Base = R.below(4) == 0 ? (uint64_t(1) << 40) : 0;
    GapList Gaps = randomGaps(R, Base);
    FirstFitGaps Fast(Gaps);
    LinearScanGaps Slow(Gaps);
    // A handful of alignments in each case, as a link has (1 to 64 bytes,
    // now and then a page).
    unsigned MaxShift = R.below(2) ? 6 : 12;
    size_t Atoms = R.below(120);
    for (size_t A = 0; A < Atoms; ++A) {
      uint64_t Size;
      switch (R.below(5)) {
      case 0:
        Size = 0;
        break;
      case 1:
        Size = R.below(8);
        break;
      case 2:
        Size = R.below(5000);
        break;
      default:
        Size = R.below(160);
        break;
      }
      uint64_t Align = uint64_t(1) << R.below(MaxShift + 1);
      std::optional<uint64_t> Want = Slow.take(Size, Align);
      std::optional<uint64_t> Got = Fast.take(Size, Align);
      ASSERT_EQ(Got, Want) << "case " << Case << ", atom " << A << ": size "
                           << Size << ", alignment " << Align << ", "
                           << Gaps.size() << " gaps";
      if (Want) {
        ++Taken;
        EXPECT_EQ(*Want % Align, 0u);
      } else {
        ++Refused;
      }
    }
  }
  // Both outcomes were exercised, many times.
  EXPECT_GT(Taken, 10000u);
  EXPECT_GT(Refused, 1000u);
}

TEST(FirstFitGapsTest, RandomUntilFull) {
  // Small atoms until nothing fits: every gap is used up to its end, in
  // the scan's order.
  Lcg R(42);
  for (unsigned Case = 0; Case < 300; ++Case) {
    GapList Gaps = randomGaps(R, 0);
    FirstFitGaps Fast(Gaps);
    LinearScanGaps Slow(Gaps);
    unsigned Misses = 0;
    while (Misses < 20) {
      uint64_t Size = 1 + R.below(24);
      uint64_t Align = uint64_t(1) << R.below(5);
      std::optional<uint64_t> Want = Slow.take(Size, Align);
      ASSERT_EQ(Fast.take(Size, Align), Want) << "case " << Case;
      Misses += !Want;
    }
    // Nothing of one byte fits where the scan finds no room either.
    ASSERT_EQ(Fast.take(1, 1), Slow.take(1, 1)) << "case " << Case;
  }
}

} // namespace

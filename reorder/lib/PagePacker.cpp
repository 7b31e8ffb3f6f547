//===- PagePacker.cpp - Assign offsets phase by phase ---------------------===//
//
// The packer walks the phases in order and lays each one out behind a
// cursor. Three rules keep pages few:
//
//  1. Every non-empty phase starts on a page boundary, so no page mixes two
//     phases' live code. The gap this would leave before the boundary is
//     filled with cold atoms that fit (largest first): cold code is never
//     run, so it costs no page touches, and the alignment costs no bytes.
//
//  2. Inside a phase an atom that would straddle a page boundary is moved
//     to the boundary when the phase can afford the padding without needing
//     a page more than ceil(bytes / page) (its "slack"); failing that, a
//     later atom of the same phase that fits the gap is pulled forward
//     (a short look-ahead, so the temporal order is barely disturbed).
//     Only when neither works does the atom straddle.
//
//  3. Pinned atoms keep their original offsets; the cursor skips over them.
//
// A layout that must fit a fixed region (a rewrite of a finished binary)
// may ask for first-fit packing instead (LayoutConfig::FirstFit): phases
// in order, each atom in the first gap before the region's end that holds
// it. RegionFit.cpp decides when.
//
//===----------------------------------------------------------------------===//

#include "PagePacker.h"
#include "llvm/Support/MathExtras.h"

using namespace llvm;

namespace pagelayout {
namespace {

// How far ahead straddle avoidance looks for an atom that fits the gap: far
// enough to find one in practice, short enough to keep the temporal order.
constexpr unsigned StraddleLookahead = 32;
// How many same-or-smaller candidates a cold fill tries when alignment
// makes the largest fitting one overflow the gap.
constexpr unsigned FillerCandidateTries = 16;

class PagePacker {
public:
  PagePacker(const std::vector<Atom> &Atoms, const AtomClassification &C,
             const LayoutConfig &Config)
      : Atoms(Atoms), Classes(C), Page(Config.PageSize), Config(Config) {}

  std::vector<PlacedAtom> run(const PhaseOrders &Orders,
                              std::vector<unsigned> *Unplaced);

private:
  void placePinned();
  uint64_t fitOffset(uint64_t Cursor, const Atom &A) const;
  /// End of the pinned range that starts at \p Start.
  uint64_t pinnedEndAt(uint64_t Start) const {
    for (const auto &R : PinnedRanges)
      if (R.first <= Start && Start < R.second)
        return R.second;
    return Start;
  }
  /// Start of the first pinned range at or after Off (UINT64_MAX if none).
  uint64_t nextPinnedStart(uint64_t Off) const {
    auto It = std::lower_bound(PinnedRanges.begin(), PinnedRanges.end(), Off,
                               [](const std::pair<uint64_t, uint64_t> &R,
                                  uint64_t O) { return R.second <= O; });
    return It == PinnedRanges.end() ? UINT64_MAX : std::max(It->first, Off);
  }
  bool straddles(uint64_t Off, uint64_t Size) const {
    return Size && Size <= Page && Off / Page != (Off + Size - 1) / Page;
  }
  void place(unsigned A, uint64_t Off, Phase P, bool Filler);
  void packPhase(Phase P, ArrayRef<unsigned> Order);
  bool pullForward(std::vector<unsigned> &Queue, size_t Head, Phase P,
                   uint64_t Boundary);
  void fillWithCold(uint64_t Boundary);
  void packFirstFit(const PhaseOrders &Orders, std::vector<unsigned> &Unplaced);
  void buildFillerPool(ArrayRef<unsigned> ColdOrder);

  const std::vector<Atom> &Atoms;
  const AtomClassification &Classes;
  uint64_t Page;
  const LayoutConfig &Config;

  uint64_t Cursor = 0;
  std::vector<PlacedAtom> Placement;
  std::vector<bool> Placed;
  /// Pinned [begin, end) intervals, sorted by begin.
  std::vector<std::pair<uint64_t, uint64_t>> PinnedRanges;
  /// Cold atoms that may fill gaps, sorted by (size, atom index).
  std::vector<std::pair<uint64_t, unsigned>> FillerPool;
  /// Union-find over FillerPool positions + 1: findUnused(I) is the largest
  /// position <= I not yet used (0 = none). Skips used entries in O(α).
  std::vector<uint32_t> UnusedBefore;
  uint32_t findUnused(uint32_t I);
};

void PagePacker::placePinned() {
  for (unsigned A = 0; A < Atoms.size(); ++A) {
    if (!Classes.Atoms[A].Pinned)
      continue;
    place(A, Atoms[A].OriginalOffset, Classes.Atoms[A].AtomPhase, false);
    if (Atoms[A].Size)
      PinnedRanges.push_back(
          {Atoms[A].OriginalOffset, Atoms[A].OriginalOffset + Atoms[A].Size});
  }
  llvm::sort(PinnedRanges);
}

// The first offset >= Cursor that satisfies the alignment and does not
// overlap a pinned atom.
uint64_t PagePacker::fitOffset(uint64_t Off, const Atom &A) const {
  Off = alignTo(Off, A.Alignment);
  auto It = std::lower_bound(PinnedRanges.begin(), PinnedRanges.end(), Off,
                             [](const std::pair<uint64_t, uint64_t> &R,
                                uint64_t O) { return R.second <= O; });
  for (; It != PinnedRanges.end(); ++It) {
    if (Off + A.Size <= It->first)
      break;
    Off = alignTo(std::max(Off, It->second), A.Alignment);
  }
  return Off;
}

void PagePacker::place(unsigned A, uint64_t Off, Phase P, bool Filler) {
  Placement.push_back({A, Off, P, Filler, Classes.Atoms[A].Pinned});
  Placed[A] = true;
  if (!Classes.Atoms[A].Pinned)
    Cursor = std::max(Cursor, Off + Atoms[A].Size);
}

bool PagePacker::pullForward(std::vector<unsigned> &Queue, size_t Head, Phase P,
                             uint64_t Boundary) {
  size_t End = std::min(Queue.size(), Head + 1 + StraddleLookahead);
  for (size_t J = Head + 1; J < End; ++J) {
    unsigned B = Queue[J];
    if (Placed[B])
      continue;
    uint64_t Off = fitOffset(Cursor, Atoms[B]);
    if (Off + Atoms[B].Size <= Boundary && Atoms[B].Size) {
      place(B, Off, P, false);
      return true;
    }
  }
  return false;
}

void PagePacker::packPhase(Phase P, ArrayRef<unsigned> Order) {
  std::vector<unsigned> Queue(Order.begin(), Order.end());
  uint64_t Bytes = 0;
  for (unsigned A : Queue)
    Bytes += Atoms[A].Size;
  // Slack: bytes the phase may leave unused without needing another page.
  uint64_t Lead = Cursor % Page;
  int64_t Slack =
      int64_t(divideCeil(Lead + Bytes, Page) * Page) - int64_t(Lead + Bytes);
  bool Avoid = Config.AvoidStraddling && P != Phase::Cold;

  for (size_t Head = 0; Head < Queue.size();) {
    unsigned A = Queue[Head];
    if (Placed[A]) {
      ++Head;
      continue;
    }
    uint64_t Off = fitOffset(Cursor, Atoms[A]);
    // Pinned atoms block the way: fill each gap before them with later
    // atoms of this phase, then cold code, rather than leave it empty (a
    // rewrite must fit its .text).
    if (Config.FillWithCold && Off > Cursor) {
      for (uint64_t Blocked = nextPinnedStart(Cursor);
           Blocked < Off && Blocked != UINT64_MAX;
           Blocked = nextPinnedStart(Cursor)) {
        while (Blocked > Cursor && pullForward(Queue, Head, P, Blocked)) {
        }
        fillWithCold(Blocked);
        Cursor = std::max(Cursor, pinnedEndAt(Blocked));
      }
      Off = fitOffset(Cursor, Atoms[A]);
    }
    if (Avoid && straddles(Off, Atoms[A].Size)) {
      uint64_t Boundary = alignTo(Off + 1, Page);
      uint64_t Gap = Boundary - Cursor;
      if (int64_t(Gap) <= Slack) {
        Slack -= int64_t(Gap);
        Cursor = Boundary;
        Off = fitOffset(Cursor, Atoms[A]);
      } else if (pullForward(Queue, Head, P, Boundary)) {
        continue;
      }
    }
    Slack -= int64_t(Off - Cursor);
    place(A, Off, P, false);
    ++Head;
  }
}

void PagePacker::buildFillerPool(ArrayRef<unsigned> ColdOrder) {
  for (unsigned A : ColdOrder)
    if (Atoms[A].Size && Atoms[A].Size < Page)
      FillerPool.push_back({Atoms[A].Size, A});
  llvm::sort(FillerPool);
  UnusedBefore.resize(FillerPool.size() + 1);
  for (uint32_t I = 0; I < UnusedBefore.size(); ++I)
    UnusedBefore[I] = I;
}

uint32_t PagePacker::findUnused(uint32_t I) {
  uint32_t Root = I;
  while (UnusedBefore[Root] != Root)
    Root = UnusedBefore[Root];
  while (UnusedBefore[I] != Root) // path compression
    I = std::exchange(UnusedBefore[I], Root);
  return Root;
}

// Fills [Cursor, Boundary) with the largest cold atoms that fit.
void PagePacker::fillWithCold(uint64_t Boundary) {
  while (Cursor < Boundary && !FillerPool.empty()) {
    uint64_t Room = Boundary - Cursor;
    // Position + 1 of the last candidate no larger than the room.
    uint32_t Pos = std::upper_bound(FillerPool.begin(), FillerPool.end(),
                                    std::make_pair(Room, UINT32_MAX)) -
                   FillerPool.begin();
    bool Found = false;
    for (unsigned Try = 0; Try < FillerCandidateTries; ++Try) {
      Pos = findUnused(Pos);
      if (Pos == 0)
        break;
      unsigned A = FillerPool[Pos - 1].second;
      uint64_t Off = fitOffset(Cursor, Atoms[A]);
      if (!Placed[A] && Off + Atoms[A].Size <= Boundary) {
        UnusedBefore[Pos] = Pos - 1;
        place(A, Off, Phase::Cold, /*Filler=*/true);
        Found = true;
        break;
      }
      --Pos; // too large once aligned: try the next smaller one
    }
    if (!Found)
      return;
  }
}

// The last resort of a layout that must fit a region: the phases in
// order, each atom at the first free place after the pinned code where it
// fits before the region's end, so small later atoms fill gaps earlier ones
// left. An atom that finds no place is reported and left at its own
// offset; the caller pins it and packs again.
void PagePacker::packFirstFit(const PhaseOrders &Orders,
                              std::vector<unsigned> &Unplaced) {
  std::vector<std::pair<uint64_t, uint64_t>> Free;
  uint64_t At = Config.StartAddress;
  for (auto [PB, PE] : PinnedRanges) {
    if (PB > At)
      Free.push_back({At, std::min(PB, Config.EndAddress)});
    At = std::max(At, PE);
  }
  if (At < Config.EndAddress)
    Free.push_back({At, Config.EndAddress});
  for (unsigned PI = 0; PI < NumPhases; ++PI)
    for (unsigned A : Orders[PI]) {
      if (Placed[A])
        continue;
      const Atom &X = Atoms[A];
      bool Done = false;
      for (auto &[FB, FE] : Free) {
        uint64_t Off = alignTo(FB, X.Alignment);
        if (Off > FE || X.Size > FE - Off)
          continue;
        place(A, Off, Phase(PI), false);
        FB = Off + X.Size;
        Done = true;
        break;
      }
      if (!Done) {
        Unplaced.push_back(A);
        place(A, X.OriginalOffset, Phase(PI), false);
      }
    }
}

std::vector<PlacedAtom> PagePacker::run(const PhaseOrders &Orders,
                                        std::vector<unsigned> *Unplaced) {
  Placed.assign(Atoms.size(), false);
  Placement.reserve(Atoms.size());
  Cursor = Config.StartAddress;
  placePinned();
  if (Config.FirstFit) {
    std::vector<unsigned> Missed;
    packFirstFit(Orders, Missed);
    if (Unplaced)
      *Unplaced = std::move(Missed);
    llvm::stable_sort(Placement, [](const PlacedAtom &X, const PlacedAtom &Y) {
      return X.Offset < Y.Offset;
    });
    return std::move(Placement);
  }
  const std::vector<unsigned> &Cold = Orders[unsigned(Phase::Cold)];
  if (Config.FillWithCold)
    buildFillerPool(Cold);

  bool AnyPlaced = false;
  for (unsigned PI = 0; PI < NumPhases; ++PI) {
    Phase P = Phase(PI);
    if (Orders[PI].empty())
      continue;
    // Fill the previous phase's last page, then start this one on a page.
    if (Config.AlignPhases && AnyPlaced &&
        (P != Phase::Cold || Config.AlignColdPhase)) {
      uint64_t Boundary = alignTo(Cursor, Page);
      if (Config.FillWithCold)
        fillWithCold(Boundary);
      Cursor = Boundary;
    }
    packPhase(P, Orders[PI]);
    AnyPlaced = true;
  }
  llvm::stable_sort(Placement, [](const PlacedAtom &X, const PlacedAtom &Y) {
    return X.Offset < Y.Offset;
  });
  return std::move(Placement);
}

} // namespace

std::vector<PlacedAtom> packPhases(const std::vector<Atom> &Atoms,
                                   const AtomClassification &Classes,
                                   const PhaseOrders &Orders,
                                   const LayoutConfig &Config,
                                   std::vector<unsigned> *Unplaced) {
  return PagePacker(Atoms, Classes, Config).run(Orders, Unplaced);
}

} // namespace pagelayout

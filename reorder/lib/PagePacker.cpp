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
// Where the profile says which bytes ran (executed ranges, as the trace
// recorder writes), rules 1 and 2 give way to packing by executed bytes
// (packPhaseByExecutedBytes): a page costs only if it holds a byte that
// runs, so what matters is where the never-run bytes of each function (a
// cold tail of error paths, a hole in the middle) fall. Each step places,
// of the next few atoms of the phase in order, the one that wastes least:
// the bytes it leaves unexecuted on pages that are touched, counting the
// tail it leaves behind (which the next atom either shares a page with,
// or skips by starting on the next page, the gap filled with cold code).
// Candidate offsets are the cursor, the next page boundary, the offset
// that starts the atom's first executed byte on that boundary, and, for an
// atom with a never-run hole of a page or more, every offset in a page
// (so the hole covers whole pages nobody touches). Before that, a step may
// close the page (closePage): of the same atoms, one whose tail never runs
// ends its last executed byte exactly on the page's end, the room before
// it filled with the others that fit whole, so its tail runs into a page
// that only cold code shares and nobody touches. Each touched page sheds
// one tail this way; it takes a page of cold code per page closed, so it
// is done only where cold code outweighs the code still to place. Pages
// outside the atoms that run anyway (LayoutConfig::TouchedOutside: .init,
// .plt) and pages of earlier phases count as touched already, so a phase
// starts on a fresh page only where that wastes less than sharing the
// previous phase's last page; cold code just follows.
//
// A layout that must fit a fixed region (a rewrite of a finished binary)
// may ask for first-fit packing instead (LayoutConfig::FirstFit): phases
// in order, each atom in the first gap before the region's end that holds
// it. RegionFit.cpp decides when.
//
//===----------------------------------------------------------------------===//

#include "PagePacker.h"
#include "FirstFitGaps.h"
#include "SortByKey.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/MathExtras.h"
#include <optional>

using namespace llvm;

namespace pagelayout {
namespace {

// How far ahead straddle avoidance looks for an atom that fits the gap: far
// enough to find one in practice, short enough to keep the temporal order.
constexpr unsigned StraddleLookahead = 32;
// How many same-or-smaller candidates a cold fill tries when alignment
// makes the largest fitting one overflow the gap.
constexpr unsigned FillerCandidateTries = 16;
// How many of the next atoms of a phase packing by executed bytes weighs
// at each step.
constexpr unsigned ExecutedLookahead = 32;

class PagePacker {
public:
  PagePacker(const std::vector<Atom> &Atoms, const AtomClassification &C,
             const LayoutConfig &Config, const ColdBySize &Cold)
      : Atoms(Atoms), Classes(C), Page(Config.PageSize), Config(Config),
        Cold(Cold) {}

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
  void packPhaseByExecutedBytes(Phase P, ArrayRef<unsigned> Order);
  bool closePage(Phase P, ArrayRef<unsigned> Window);
  ArrayRef<ByteRange> executedOf(unsigned A) const;
  void fillEndPocket(const PhaseOrders &Orders);
  void packColdIntoGaps();
  using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;
  /// The room between sorted \p Used ranges in [StartAddress, EndAddress).
  Ranges freeGaps(const Ranges &Used) const;
  /// Places atom A in the first of \p Free that holds it (shrinking it).
  bool placeInFirstGap(FirstFitGaps &Free, unsigned A, Phase P);
  struct Score {
    uint64_t Waste = UINT64_MAX;
    uint64_t Offset = 0;
    /// Pages the atom's executed bytes touch that nothing touched before.
    uint64_t NewPages = 0;
  };
  Score scoreAt(unsigned A, uint64_t Off) const;
  void markExecuted(unsigned A, uint64_t Off);
  bool isTouched(uint64_t PageNo) const { return Touched.contains(PageNo); }
  bool pullForward(std::vector<unsigned> &Queue, size_t Head, Phase P,
                   uint64_t Boundary);
  void fillWithCold(uint64_t Boundary);
  void packFirstFit(const PhaseOrders &Orders, std::vector<unsigned> &Unplaced);
  void buildFillerPool();

  const std::vector<Atom> &Atoms;
  const AtomClassification &Classes;
  uint64_t Page;
  const LayoutConfig &Config;
  const ColdBySize &Cold;

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

  /// Packing by executed bytes: pages holding a byte that runs (placed so
  /// far, pinned, or outside the atoms), and the end of the last executed
  /// byte placed.
  llvm::DenseSet<uint64_t> Touched;
  uint64_t LastExecutedEnd = 0;
  /// Atom A's whole extent, for atoms that ran without ranges.
  mutable ByteRange WholeAtom;
  /// Bytes of the filler pool not placed yet.
  uint64_t FillerBytesLeft = 0;
  /// Bytes of the atoms that run (any phase but cold) not placed yet.
  uint64_t HotBytesLeft = 0;
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
  if (P != Phase::Cold && !Classes.Atoms[A].Pinned)
    HotBytesLeft -= std::min(HotBytesLeft, Atoms[A].Size);
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

ArrayRef<ByteRange> PagePacker::executedOf(unsigned A) const {
  const std::vector<ByteRange> &R = Classes.Atoms[A].HotRanges;
  if (!R.empty())
    return R;
  WholeAtom = {0, Atoms[A].Size};
  return ArrayRef(&WholeAtom, Atoms[A].Size ? 1 : 0);
}

void PagePacker::markExecuted(unsigned A, uint64_t Off) {
  ArrayRef<ByteRange> R = executedOf(A);
  for (const ByteRange &X : R)
    for (uint64_t P = (Off + X.Begin) / Page; P <= (Off + X.End - 1) / Page;
         ++P)
      Touched.insert(P);
  if (!R.empty())
    LastExecutedEnd = std::max(LastExecutedEnd, Off + R.back().End);
}

// The bytes atom A placed at Off leaves unexecuted on touched pages: from
// the last executed byte placed so far to A's last executed byte, every
// byte on a page that is touched (already, or by A) and is not one of A's
// executed bytes; plus what A's tail will cost whoever comes next (the
// tail itself if it ends on the page of A's last executed byte, else the
// rest of that page, since the next atom can start on a fresh page).
PagePacker::Score PagePacker::scoreAt(unsigned A, uint64_t Off) const {
  ArrayRef<ByteRange> R = executedOf(A);
  Score S;
  S.Offset = Off;
  if (R.empty()) {
    S.Waste = 0;
    return S;
  }
  uint64_t From = std::min(LastExecutedEnd, Off);
  uint64_t ExecEnd = Off + R.back().End;
  uint64_t Executed = 0;
  for (const ByteRange &X : R)
    Executed += X.End - X.Begin;
  // Walk the pages of [From, ExecEnd), knowing which A touches.
  uint64_t OnTouched = 0;
  size_t Next = 0; // the first range not wholly before the page
  for (uint64_t P = From / Page; P <= (ExecEnd - 1) / Page; ++P) {
    uint64_t PB = P * Page, PE = PB + Page;
    while (Next < R.size() && Off + R[Next].End <= PB)
      ++Next;
    bool ByA = Next < R.size() && Off + R[Next].Begin < PE;
    bool Before = isTouched(P);
    if (!ByA && !Before)
      continue;
    S.NewPages += ByA && !Before;
    OnTouched += std::min(PE, ExecEnd) - std::max(PB, From);
  }
  uint64_t Waste = OnTouched - std::min(OnTouched, Executed);
  uint64_t End = Off + Atoms[A].Size;
  uint64_t LastPageEnd = alignTo(ExecEnd, Page);
  Waste += End <= LastPageEnd ? End - ExecEnd : LastPageEnd - ExecEnd;
  // A gap before the atom that cold code cannot fill is padding: bytes
  // the file grows by.
  uint64_t Gap = Off > Cursor ? Off - Cursor : 0;
  if (Gap > FillerBytesLeft)
    Waste += Gap;
  S.Waste = Waste;
  return S;
}

// The region's last page, when code after the region that runs anyway
// (.init, .plt) shares it, costs nothing: give its room to the largest
// executed atoms that fit (each would cost its bytes anywhere else). They
// are then in place like pinned atoms, and the packing flows around them.
void PagePacker::fillEndPocket(const PhaseOrders &Orders) {
  uint64_t End = Config.EndAddress;
  if (!Config.FillEndPocket || End == UINT64_MAX || End % Page == 0 ||
      !isTouched(End / Page))
    return;
  uint64_t Begin = std::max(alignDown(End, Page), Cursor);
  if (End - Begin < 16)
    return;
  std::vector<unsigned> Hot;
  DenseMap<unsigned, unsigned> Rank; // position in phase order
  // Of the first phase that runs only: .init runs at startup, so the page
  // is touched then; a later phase's code there would add the page to
  // that phase's pages (and split the phase in two).
  for (unsigned PI = 0; PI < NumPhases && Hot.empty(); ++PI)
    if (Phase(PI) != Phase::Cold)
      for (unsigned A : Orders[PI])
        if (!Placed[A] && Atoms[A].Size && Atoms[A].Size <= End - Begin) {
          Rank[A] = Hot.size();
          Hot.push_back(A);
        }
  // Chosen largest first (ties in phase order), packed down from the
  // region's end, so whatever room they leave is next to the rest of the
  // layout, which can use it.
  stableSortByKey(Hot, [&](unsigned A) { return ~Atoms[A].Size; });
  std::vector<std::pair<unsigned, uint64_t>> Chosen;
  uint64_t At = End;
  for (unsigned A : Hot) {
    const Atom &X = Atoms[A];
    if (At < Begin + X.Size)
      continue;
    uint64_t Off = alignDown(At - X.Size, X.Alignment);
    if (Off < Begin || fitOffset(Off, X) != Off)
      continue;
    Chosen.push_back({A, Off});
    At = Off;
  }
  if (Chosen.empty())
    return;
  // The chosen ones in phase order, where that fits as well: a run meets
  // them in the order it meets the rest.
  std::vector<std::pair<unsigned, uint64_t>> InOrder = Chosen;
  llvm::sort(InOrder, [&](auto &X, auto &Y) {
    return Rank[X.first] < Rank[Y.first];
  });
  uint64_t OrderedAt = End;
  for (auto &[A, Off] : llvm::reverse(InOrder)) {
    const Atom &X = Atoms[A];
    Off = OrderedAt < Begin + X.Size
              ? 0
              : alignDown(OrderedAt - X.Size, X.Alignment);
    if (Off < Begin || fitOffset(Off, X) != Off) {
      OrderedAt = 0;
      break;
    }
    OrderedAt = Off;
  }
  if (OrderedAt >= At) { // fits, in no more room than largest first
    Chosen = std::move(InOrder);
    At = OrderedAt;
  }
  for (auto [A, Off] : Chosen) {
    // Not place(): the cursor stays where the rest of the layout begins.
    Placement.push_back(
        {A, Off, Classes.Atoms[A].AtomPhase, false, Classes.Atoms[A].Pinned});
    Placed[A] = true;
    HotBytesLeft -= std::min(HotBytesLeft, Atoms[A].Size);
    markExecuted(A, Off);
  }
  // The rest of the layout must stay clear of them, as of pinned atoms.
  PinnedRanges.push_back({At, End});
  llvm::sort(PinnedRanges);
  LastExecutedEnd = Cursor;
}

PagePacker::Ranges PagePacker::freeGaps(const Ranges &Used) const {
  Ranges Free;
  uint64_t At = Config.StartAddress;
  for (auto [B, E] : Used) {
    if (B > At)
      Free.push_back({At, std::min(B, Config.EndAddress)});
    At = std::max(At, E);
  }
  if (At < Config.EndAddress)
    Free.push_back({At, Config.EndAddress});
  return Free;
}

bool PagePacker::placeInFirstGap(FirstFitGaps &Free, unsigned A, Phase P) {
  std::optional<uint64_t> Off = Free.take(Atoms[A].Size, Atoms[A].Alignment);
  if (!Off)
    return false;
  place(A, *Off, P, false);
  return true;
}

// Cold code in a region of fixed size, after executed code was placed
// with gaps (page skips, the end pocket): largest first, each in the first
// gap that holds it, so small atoms end up in the small gaps and the
// layout needs no more room than the input's. Cold order is immaterial.
void PagePacker::packColdIntoGaps() {
  std::vector<std::pair<uint64_t, uint64_t>> Used;
  for (const PlacedAtom &PA : Placement)
    if (Atoms[PA.AtomIndex].Size)
      Used.push_back({PA.Offset, PA.Offset + Atoms[PA.AtomIndex].Size});
  llvm::sort(Used);
  FirstFitGaps Free(freeGaps(Used));
  uint64_t UsedEnd = Config.StartAddress;
  for (auto [B, E] : Used)
    UsedEnd = std::max(UsedEnd, E);
  std::vector<unsigned> BySize;
  for (unsigned A : Cold.Largest)
    if (!Placed[A])
      BySize.push_back(A);
  // Only the last atom's alignment padding is not paid: last goes the one
  // that would need the most after it (a 16-aligned atom of 16k+1 bytes).
  auto TailPad = [&](unsigned A) {
    return alignTo(Atoms[A].Size, Atoms[A].Alignment) - Atoms[A].Size;
  };
  if (!BySize.empty()) {
    auto Last = std::max_element(
        BySize.begin(), BySize.end(),
        [&](unsigned X, unsigned Y) { return TailPad(X) < TailPad(Y); });
    std::rotate(Last, Last + 1, BySize.end());
  }
  // One that fits nowhere goes past the region: the caller packs otherwise.
  for (unsigned A : BySize)
    if (!placeInFirstGap(Free, A, Phase::Cold))
      place(A, alignTo(std::max(Cursor, UsedEnd), Atoms[A].Alignment),
            Phase::Cold, false);
}

// See the file comment. Order is the phase's order (temporal, call
// graph); the window keeps the result close to it.
void PagePacker::packPhaseByExecutedBytes(Phase P, ArrayRef<unsigned> Order) {
  size_t Head = 0;
  std::vector<unsigned> Window;
  while (true) {
    while (Head < Order.size() && Placed[Order[Head]])
      ++Head;
    if (Head == Order.size())
      return;
    Window.clear();
    for (size_t I = Head; I < Order.size() && Window.size() < ExecutedLookahead;
         ++I)
      if (!Placed[Order[I]])
        Window.push_back(Order[I]);
    if (closePage(P, Window))
      continue;
    unsigned Best = Window.front();
    Score BestScore;
    for (unsigned A : Window) {
      const Atom &X = Atoms[A];
      ArrayRef<ByteRange> R = executedOf(A);
      auto Consider = [&](const Score &S) {
        if (S.Waste < BestScore.Waste) {
          BestScore = S;
          Best = A;
        }
      };
      // At the cursor: the score every other offset is measured against.
      const Score Base = scoreAt(A, fitOffset(Cursor, X));
      Consider(Base);
      auto Try = [&](uint64_t At, bool OnlyIfFewerPages) {
        Score S = scoreAt(A, fitOffset(At, X));
        if (!OnlyIfFewerPages || S.NewPages < Base.NewPages)
          Consider(S);
      };
      uint64_t Boundary = alignTo(Cursor, Page);
      if (!Config.AlignPhases)
        continue; // densely: no skips
      if (Boundary != Cursor) {
        Try(Boundary, false);
        // The first executed byte on the boundary, the head before it.
        if (!R.empty() && R.front().Begin && Boundary >= Cursor + R.front().Begin)
          Try(alignDown(Boundary - R.front().Begin, X.Alignment), false);
      }
      // A hole of a page or more: try every start in a page.
      bool Hole = !R.empty() && R.front().Begin >= Page;
      for (size_t I = 1; I < R.size() && !Hole; ++I)
        Hole = R[I].Begin - R[I - 1].End >= Page;
      if (Hole)
        for (uint64_t Shift = X.Alignment; Shift < Page; Shift += X.Alignment)
          Try(Cursor + Shift, /*OnlyIfFewerPages=*/true);
    }
    if (BestScore.Offset > Cursor && Config.FillWithCold)
      fillWithCold(BestScore.Offset);
    uint64_t Off = fitOffset(std::max(BestScore.Offset, Cursor), Atoms[Best]);
    place(Best, Off, P, false);
    markExecuted(Best, Off);
  }
}

void PagePacker::buildFillerPool() {
  FillerPool = Cold.Fillers;
  for (auto [Size, A] : FillerPool)
    FillerBytesLeft += Size;
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
// What an atom's never-run tail of \p Tail bytes costs on touched pages
// when it is placed wherever the cursor is: all of it, unless the tail
// happens to cross a page end (likelier the longer it is) and the next
// atom starts on a fresh page; half a page on average for a tail of a page
// or more.
static uint64_t expectedTailWaste(uint64_t Tail, uint64_t Page) {
  return Tail < Page ? Tail - Tail * Tail / (2 * Page) : Page / 2;
}

// Closes the cursor's page with the window's atom whose tail it pays most
// to keep off touched pages (see the top of the file); false, placing
// nothing, where no tail saves more than the room it leaves unfilled.
bool PagePacker::closePage(Phase P, ArrayRef<unsigned> Window) {
  if (!Config.AlignPhases || !Config.FillWithCold)
    return false;
  // The page to close: the cursor's, if something executed is on it
  // already; else the next one, the rest of this one left to cold code
  // (the tail of the atom that closed the page before, usually).
  uint64_t Start = Cursor;
  if (Start % Page && !isTouched(Start / Page) &&
      alignTo(Start, Page) - Start <= FillerBytesLeft)
    Start = alignTo(Start, Page);
  uint64_t PageEnd = alignDown(Start, Page) + Page;
  uint64_t Room = PageEnd - Start;

  unsigned Closer = 0;
  uint64_t CloserOff = 0;
  int64_t BestGain = 0;
  std::vector<unsigned> Fills, BestFills;
  for (unsigned C : Window) {
    const Atom &X = Atoms[C];
    ArrayRef<ByteRange> R = executedOf(C);
    if (R.empty() || R.front().Begin >= Page)
      continue;
    bool Hole = false;
    for (size_t I = 1; I < R.size() && !Hole; ++I)
      Hole = R[I].Begin - R[I - 1].End >= Page;
    if (Hole) // placed by the offsets that make the hole cover pages
      continue;
    uint64_t ExecEnd = R.back().End, Tail = X.Size - ExecEnd;
    if (!Tail)
      continue;
    // The last executed byte on the end of this page, or of the page
    // where an atom longer than the room ends.
    uint64_t K = ExecEnd > Room ? divideCeil(ExecEnd - Room, Page) : 0;
    uint64_t Off = alignDown(PageEnd + K * Page - ExecEnd, X.Alignment);
    if (Off < Start || fitOffset(Off, X) != Off)
      continue;
    // The skip past the tail to the next page is cold code's to fill, and
    // only where cold code is plentiful: as much as the code that runs
    // and is still to place (which may need it more, for its holes), on
    // top of the skip.
    uint64_t End = Off + X.Size;
    if (alignTo(End, Page) - End + HotBytesLeft > FillerBytesLeft)
      continue;
    // No room left unfilled can make it beat the best so far.
    int64_t MaxGain = int64_t(expectedTailWaste(std::min(Tail, Page), Page));
    if (MaxGain <= BestGain)
      continue;
    // The room before it: the window's atoms that fit whole, in order.
    Fills.clear();
    uint64_t At = Start, Filled = 0;
    for (unsigned F : Window) {
      if (F == C || !Atoms[F].Size)
        continue;
      uint64_t FOff = fitOffset(At, Atoms[F]);
      if (FOff + Atoms[F].Size > Off)
        continue;
      Fills.push_back(F);
      Filled += Atoms[F].Size;
      At = FOff + Atoms[F].Size;
    }
    int64_t Gain = MaxGain - int64_t(Off - Start - Filled);
    if (Gain > BestGain) {
      BestGain = Gain;
      Closer = C;
      CloserOff = Off;
      BestFills = Fills;
    }
  }
  if (BestGain <= 0)
    return false;
  fillWithCold(Start);
  Cursor = std::max(Cursor, Start);
  for (unsigned F : BestFills) {
    uint64_t Off = fitOffset(Cursor, Atoms[F]);
    place(F, Off, P, false);
    markExecuted(F, Off);
  }
  fillWithCold(CloserOff);
  place(Closer, CloserOff, P, false);
  markExecuted(Closer, CloserOff);
  return true;
}

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
        FillerBytesLeft -= Atoms[A].Size;
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
  FirstFitGaps Free(freeGaps(PinnedRanges));
  for (unsigned PI = 0; PI < NumPhases; ++PI)
    for (unsigned A : Orders[PI]) {
      if (Placed[A])
        continue;
      if (!placeInFirstGap(Free, A, Phase(PI))) {
        Unplaced.push_back(A);
        place(A, Atoms[A].OriginalOffset, Phase(PI), false);
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
  if (Config.FillWithCold)
    buildFillerPool();
  for (unsigned PI = 0; PI < NumPhases; ++PI)
    if (Phase(PI) != Phase::Cold)
      for (unsigned A : Orders[PI])
        if (!Classes.Atoms[A].Pinned)
          HotBytesLeft += Atoms[A].Size;

  bool ByExecuted = Config.ByExecutedBytes && Classes.HaveRanges;
  if (ByExecuted) {
    LastExecutedEnd = Cursor;
    for (auto [B, E] : Config.TouchedOutside)
      for (uint64_t P = B / Page; E > B && P <= (E - 1) / Page; ++P)
        Touched.insert(P);
    for (const PlacedAtom &PA : Placement)
      if (Classes.Atoms[PA.AtomIndex].AtomPhase != Phase::Cold)
        markExecuted(PA.AtomIndex, PA.Offset);
    LastExecutedEnd = Cursor;
    fillEndPocket(Orders);
  }
  bool AnyPlaced = false;
  for (unsigned PI = 0; PI < NumPhases; ++PI) {
    Phase P = Phase(PI);
    if (Orders[PI].empty())
      continue;
    if (ByExecuted) {
      if (P == Phase::Cold && Config.EndAddress != UINT64_MAX)
        packColdIntoGaps();
      else if (P == Phase::Cold)
        packPhase(P, Orders[PI]);
      else
        packPhaseByExecutedBytes(P, Orders[PI]);
      AnyPlaced = true;
      continue;
    }
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

ColdBySize sortColdBySize(const std::vector<Atom> &Atoms,
                          const PhaseOrders &Orders, uint64_t PageSize) {
  ColdBySize R;
  R.PageSize = PageSize;
  const std::vector<unsigned> &Cold = Orders[unsigned(Phase::Cold)];
  R.Largest = Cold;
  // Largest first: ascending by the complement.
  stableSortByKey(R.Largest, [&](unsigned A) { return ~Atoms[A].Size; });
  for (unsigned A : Cold)
    if (Atoms[A].Size && Atoms[A].Size < PageSize)
      R.Fillers.push_back({Atoms[A].Size, A});
  // By (size, atom): by radix on one key of both where sizes fit 32 bits
  // (pages of 4 GB and more are sorted by comparison).
  if (PageSize > (uint64_t(1) << 32)) {
    llvm::sort(R.Fillers);
    return R;
  }
  for (auto &[Key, A] : R.Fillers)
    Key = Key << 32 | A;
  radixSortPairs(R.Fillers);
  for (auto &[Key, A] : R.Fillers)
    Key >>= 32;
  return R;
}

std::vector<PlacedAtom> packPhases(const std::vector<Atom> &Atoms,
                                   const AtomClassification &Classes,
                                   const PhaseOrders &Orders,
                                   const LayoutConfig &Config,
                                   std::vector<unsigned> *Unplaced,
                                   const ColdBySize *Cold) {
  std::optional<ColdBySize> Own;
  if (!Cold || Cold->PageSize != Config.PageSize)
    Cold = &Own.emplace(sortColdBySize(Atoms, Orders, Config.PageSize));
  return PagePacker(Atoms, Classes, Config, *Cold).run(Orders, Unplaced);
}

} // namespace pagelayout

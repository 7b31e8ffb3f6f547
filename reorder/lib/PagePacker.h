//===- PagePacker.h - Assign offsets phase by phase -------------*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_PAGEPACKER_H
#define PAGELAYOUT_REORDER_PAGEPACKER_H

#include "PhaseOrdering.h"

namespace pagelayout {

/// The cold phase by size, as packing needs it: cold code fills gaps,
/// chosen by size. One order is packed several ways (RegionFit.cpp tries
/// alternatives), each needing the same sorts, so they are made once, with
/// the order.
struct ColdBySize {
  uint64_t PageSize = 0;
  /// The cold order, largest first (ties in cold order).
  std::vector<unsigned> Largest;
  /// The cold atoms of 1 byte up to less than a page, by (size, atom
  /// index): the candidates to fill a gap before a page boundary.
  std::vector<std::pair<uint64_t, unsigned>> Fillers;
};
ColdBySize sortColdBySize(const std::vector<Atom> &Atoms,
                          const PhaseOrders &Orders, uint64_t PageSize);

/// Places pinned atoms at their original offsets, then every phase in
/// order, and returns the placement sorted by offset. With
/// LayoutConfig::FirstFit, atoms that find no place before
/// LayoutConfig::EndAddress keep their original offsets and are listed in
/// \p Unplaced. \p Cold, where given, is sortColdBySize of the same atoms'
/// sizes and orders (it is sorted here otherwise).
std::vector<PlacedAtom> packPhases(const std::vector<Atom> &Atoms,
                                   const AtomClassification &Classes,
                                   const PhaseOrders &Orders,
                                   const LayoutConfig &Config,
                                   std::vector<unsigned> *Unplaced = nullptr,
                                   const ColdBySize *Cold = nullptr);

} // namespace pagelayout

#endif

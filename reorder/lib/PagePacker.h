//===- PagePacker.h - Assign offsets phase by phase -------------*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_PAGEPACKER_H
#define PAGELAYOUT_REORDER_PAGEPACKER_H

#include "PhaseOrdering.h"

namespace pagelayout {

/// Places pinned atoms at their original offsets, then every phase in
/// order, and returns the placement sorted by offset. With
/// LayoutConfig::FirstFit, atoms that find no place before
/// LayoutConfig::EndAddress keep their original offsets and are listed in
/// \p Unplaced.
std::vector<PlacedAtom> packPhases(const std::vector<Atom> &Atoms,
                                   const AtomClassification &Classes,
                                   const PhaseOrders &Orders,
                                   const LayoutConfig &Config,
                                   std::vector<unsigned> *Unplaced = nullptr);

} // namespace pagelayout

#endif

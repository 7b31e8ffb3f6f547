//===- PagePacker.h - Assign offsets phase by phase -------------*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_PAGEPACKER_H
#define PAGELAYOUT_REORDER_PAGEPACKER_H

#include "PhaseOrdering.h"

namespace pagelayout {

/// Places pinned atoms at their original offsets, then every phase in
/// order, and returns the placement sorted by offset.
std::vector<PlacedAtom> packPhases(const std::vector<Atom> &Atoms,
                                   const AtomClassification &Classes,
                                   const PhaseOrders &Orders,
                                   const LayoutConfig &Config);

} // namespace pagelayout

#endif

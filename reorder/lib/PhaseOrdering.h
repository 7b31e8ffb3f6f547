//===- PhaseOrdering.h - Order the atoms inside each phase ------*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_PHASEORDERING_H
#define PAGELAYOUT_REORDER_PHASEORDERING_H

#include "AtomClassifier.h"
#include "pagelayout/reorder/LayoutEngine.h"
#include <array>

namespace pagelayout {

using PhaseOrders = std::array<std::vector<unsigned>, NumPhases>;

/// Splits the movable (unpinned) atoms by phase and orders each phase:
/// startup and first_frame temporally, steady by call-graph clustering,
/// cold in the original order.
PhaseOrders orderPhases(const std::vector<Atom> &Atoms,
                        const AtomClassification &Classes,
                        const ResolvedProfile &Profile,
                        const LayoutConfig &Config);

/// Temporal order of \p Members: the traces decide (balanced partitioning
/// when there are several), then first-call time, then original order.
std::vector<unsigned> orderTemporally(llvm::ArrayRef<unsigned> Members,
                                      const AtomClassification &Classes,
                                      const ResolvedProfile &Profile,
                                      const LayoutConfig &Config);

/// Cache-directed sort (LLVM's cdsort) of \p Members over the profile's
/// call edges between them.
std::vector<unsigned> orderByCallGraph(llvm::ArrayRef<unsigned> Members,
                                       const std::vector<Atom> &Atoms,
                                       const AtomClassification &Classes,
                                       const ResolvedProfile &Profile,
                                       const LayoutConfig &Config);

} // namespace pagelayout

#endif

//===- BinaryRewriter.h - Move functions inside a linked binary -*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_BINARYREWRITER_H
#define PAGELAYOUT_REORDER_BINARYREWRITER_H

#include "pagelayout/reorder/LayoutEngine.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/MoveSafety.h"

namespace pagelayout {

struct RewriteOptions {
  uint64_t PageSize = 4096;
};

struct RewriteResult {
  LayoutPlan Plan;
  /// Functions whose address changed (each member of a group counts).
  unsigned Moved = 0;
  /// What the rewrite gave up to fit (e.g. cold phase alignment).
  std::vector<std::string> Notes;
};

/// Writes \p Output: \p B with its movable functions at the addresses the
/// layout engine plans for \p Profile (\p Atoms: B's functions with pins,
/// plus code without symbols, pinned), every reference fixed through the
/// retained relocations. Nothing is written on error.
llvm::Expected<RewriteResult>
rewriteBinary(const LinkedBinary &B, const MoveSafety &Safety,
              const std::vector<Atom> &Atoms, const ResolvedProfile &Profile,
              llvm::StringRef Output, const RewriteOptions &Opts);

} // namespace pagelayout

#endif

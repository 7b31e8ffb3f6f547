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
  /// The rewritten file, in memory: verified before it is written.
  std::string Image;
};

/// Rewrites \p B in memory: its movable units (\p Atoms, from
/// movableUnits()) at the addresses the layout engine plans for \p Profile,
/// every reference fixed through the retained relocations.
llvm::Expected<RewriteResult> rewriteBinary(const LinkedBinary &B,
                                            const MoveSafety &Safety,
                                            const std::vector<Atom> &Atoms,
                                            const ResolvedProfile &Profile,
                                            const RewriteOptions &Opts);

/// Writes \p R's image to \p Output through a temporary file and a rename,
/// with \p InputPath's mode bits.
/// Writes \p R's image to \p Output through a temporary file renamed into
/// place, with \p InputPath's permission bits. Refuses when \p Output is
/// the input itself, or a hard or symbolic link to it.
llvm::Error writeRewrittenBinary(const RewriteResult &R,
                                 llvm::StringRef InputPath,
                                 llvm::StringRef Output);
/// The same for any image (a copy of the input, when the plan is not
/// better than the input's own layout).
llvm::Error writeBinary(llvm::StringRef Image, llvm::StringRef InputPath,
                        llvm::StringRef Output);
/// An error when \p Output names the input file.
llvm::Error checkOutputIsNotInput(llvm::StringRef InputPath,
                                  llvm::StringRef Output);

} // namespace pagelayout

#endif

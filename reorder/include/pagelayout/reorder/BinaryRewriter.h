//===- BinaryRewriter.h - Move functions inside a linked binary -*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_BINARYREWRITER_H
#define PAGELAYOUT_REORDER_BINARYREWRITER_H

#include "pagelayout/reorder/LayoutEngine.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/MoveSafety.h"
#include "llvm/Support/FileSystem.h"
#include <optional>
#include <thread>

namespace pagelayout {

struct RewriteResult {
  /// Functions whose address changed (each member of a group counts).
  unsigned Moved = 0;
  /// The rewritten file, in memory: verified before it is written.
  std::string Image;
};

/// One file format's writer: the ELF rewriter (BinaryRewriter.cpp) and
/// the SMF one (SmfBinary.cpp) move the code and re-target code fields
/// the same way (CodeRewrite), then update what only their format has.
class FormatRewriter {
public:
  virtual ~FormatRewriter();
  virtual llvm::Error move(const std::vector<Atom> &Atoms,
                           const LayoutPlan &Plan) = 0;
  virtual llvm::Error patch() = 0;
  virtual RewriteResult take() = 0;
};
llvm::Expected<std::unique_ptr<FormatRewriter>>
createElfRewriter(const LinkedBinary &B, const MoveSafety &Safety);
llvm::Expected<std::unique_ptr<FormatRewriter>>
createSmfRewriter(const LinkedBinary &B, const MoveSafety &Safety);

/// The rewrite in its two steps: move, then patch.
class BinaryRewrite {
public:
  static llvm::Expected<BinaryRewrite> create(const LinkedBinary &B,
                                              const MoveSafety &Safety);
  BinaryRewrite(BinaryRewrite &&);
  ~BinaryRewrite();
  /// The new code: every unit at its planned address, the rest filled.
  llvm::Error move(const std::vector<Atom> &Atoms, const LayoutPlan &Plan);
  /// Every reference to moved code: code fields, data pointers, symbols,
  /// the entry, dynamic tags, the unwind index.
  llvm::Error patch();
  RewriteResult take();

private:
  explicit BinaryRewrite(std::unique_ptr<FormatRewriter> R);
  std::unique_ptr<FormatRewriter> Impl;
};

/// Rewrites \p B in memory: its movable units (\p Atoms, from
/// movableUnits()) at the addresses \p Plan gives them (a plan of the
/// engine for these atoms inside B's code, planRewrite()), every reference
/// fixed through the retained relocations.
llvm::Expected<RewriteResult> rewriteBinary(const LinkedBinary &B,
                                            const MoveSafety &Safety,
                                            const std::vector<Atom> &Atoms,
                                            const LayoutPlan &Plan);

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
/// Writes an image to a temporary file next to \p Output on a thread of
/// its own, from construction, while the caller goes on (verifying it);
/// keep() renames it into place, and destruction without keep() removes
/// it: the output never exists unverified.
class StagedOutput {
public:
  /// \p Image must outlive this object.
  StagedOutput(llvm::StringRef Image, llvm::StringRef InputPath,
               llvm::StringRef Output);
  ~StagedOutput();
  llvm::Error keep();

private:
  std::string Output;
  std::optional<llvm::sys::fs::TempFile> Temp;
  std::string Failure;
  std::thread Worker; // last: starts once the members above exist
};

/// An error when \p Output names the input file.
llvm::Error checkOutputIsNotInput(llvm::StringRef InputPath,
                                  llvm::StringRef Output);

} // namespace pagelayout

#endif

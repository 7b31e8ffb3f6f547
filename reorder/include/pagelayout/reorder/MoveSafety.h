//===- MoveSafety.h - Which functions can move, and why not -----*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_MOVESAFETY_H
#define PAGELAYOUT_REORDER_MOVESAFETY_H

#include "pagelayout/reorder/LinkedBinary.h"
#include "llvm/ADT/DenseMap.h"

namespace pagelayout {

struct MoveSafety {
  /// Parallel to LinkedBinary::Functions: empty when the function can move,
  /// else why it must stay.
  std::vector<std::string> PinReason;
  uint64_t Instructions = 0;
  /// PC-relative references that leave their function (all checked).
  uint64_t OutgoingReferences = 0;
  uint64_t MovableFunctions = 0;
  /// Bytes of .text outside every function symbol that are not padding:
  /// they stay where they are.
  uint64_t UnownedCodeBytes = 0;
  /// Those ranges, [begin, end) addresses, as pinned atoms for the plan.
  std::vector<Atom> UnownedCode;
  /// Each .text relocation's offset -> the end of the instruction holding
  /// it: a PC-relative operand is relative to that end.
  llvm::DenseMap<uint64_t, uint64_t> InstructionEnd;
};

/// Disassembles every function (LLVM MC) and proves each PC-relative
/// operand that reaches outside its function is covered by a retained
/// relocation, so it can be fixed after a move. A function that fails, and
/// the function its unrelocated reference reaches, are pinned.
llvm::Expected<MoveSafety> checkMoveSafety(const LinkedBinary &B);

} // namespace pagelayout

#endif

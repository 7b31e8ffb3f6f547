//===- MoveSafety.h - Which functions can move, and why not -----*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_MOVESAFETY_H
#define PAGELAYOUT_REORDER_MOVESAFETY_H

#include "pagelayout/reorder/LinkedBinary.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace pagelayout {

class SharedWork;

struct MoveSafety {
  /// Parallel to LinkedBinary::Functions: empty when the function can move,
  /// else why it must stay.
  std::vector<std::string> PinReason;
  /// Parallel to Functions: bytes after a function's end that move with
  /// it, through the fill byte (a trap) that code running on past its end
  /// reaches in the input.
  std::vector<uint64_t> KeepAfter;
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
  /// The .text relocations whose 4-byte field is the instruction's
  /// PC-relative operand, as decoded (end + field == the operand's target).
  /// Others hold absolute values, whatever their relocation type says:
  /// linker relaxations rewrite GOTPCRELX loads into immediates and TLS
  /// sequences into %fs offsets but keep the original type.
  llvm::DenseSet<uint64_t> PcRelativeFields;
  /// Relocated code fields (.text and other code) the rewrite must leave
  /// alone: not wholly an operand of a decoded instruction. Their function
  /// and whatever they could reach are pinned.
  llvm::DenseSet<uint64_t> UnpatchableFields;
  /// A jump-table entry understood exactly: it holds target - Base, and
  /// the target's function loads Base. AtOwnerEnd: the target is the end
  /// of that function (an unreachable default), not the next one's start.
  struct JumpEntry {
    uint64_t Base = 0;
    bool AtOwnerEnd = false;
  };
  llvm::DenseMap<uint64_t, JumpEntry> JumpTables;

  /// Functions that move only together, as one unit: one reaches another
  /// through a PC-relative operand without a relocation (the distance is
  /// fixed in the instruction), or their symbols overlap. A group is the
  /// run of consecutive functions [First, Last] (indices into
  /// LinkedBinary::Functions) spanning them; Why is the first reason. A
  /// group with a pinned member is pinned whole.
  struct Group {
    unsigned First = 0, Last = 0;
    std::string Why;
  };
  std::vector<Group> Groups; ///< by First
};

/// Disassembles every function (LLVM MC) and proves each PC-relative
/// operand that reaches outside its function is covered by a retained
/// relocation, so it can be fixed after a move. A function whose
/// unrelocated operand reaches another function is kept together with it
/// (MoveSafety::Groups); one whose operand reaches anything else is pinned.
/// A binary below 1 MB of code decodes on the calling thread and on
/// whatever thread helps through \p Help; a larger one on all cores.
llvm::Expected<MoveSafety> checkMoveSafety(const LinkedBinary &B,
                                           SharedWork *Help = nullptr);

/// The code in \p B's regions outside every function symbol that is not
/// padding (the C runtime's crtbegin code, hand-written assembly), as
/// pinned anonymous atoms in address order.
std::vector<Atom> findCodeWithoutSymbol(const LinkedBinary &B);

/// The units a plan of \p B moves: each function alone, or its group as
/// one atom (symbols at their offsets inside it), pinned as \p S says; then
/// \p S's code without symbols, pinned.
std::vector<Atom> movableUnits(const LinkedBinary &B, const MoveSafety &S);

} // namespace pagelayout

#endif

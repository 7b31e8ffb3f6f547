//===- RewriteVerifier.h - Check a rewritten binary against its input -*- C++
//-*-===//
//
// `pagelayout reorder --verify` (on by default) reads the written binary
// back and checks it against the input, the safety proof and the plan,
// without trusting how the rewriter patched it.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_REWRITEVERIFIER_H
#define PAGELAYOUT_REORDER_REWRITEVERIFIER_H

#include "pagelayout/reorder/LayoutPlan.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/MoveSafety.h"

namespace pagelayout {

/// What the check covered, for the progress line and tests.
struct VerifySummary {
  uint64_t Functions = 0;
  uint64_t CodeBytes = 0;
  uint64_t Fields = 0;       ///< relocated code fields whose value was checked
  uint64_t DataPointers = 0; ///< .eh_frame pointers and jump-table entries
  uint64_t Instructions = 0; ///< compared by decoding (full verification)
};

/// Checks \p Out, the rewrite of \p In by \p Plan over \p Units (what
/// movableUnits() made of In and Safety):
///   - every function is where the plan put its unit, under the same
///     symbols and with the same size, and nothing else claims to be a
///     function; pinned units did not move;
///   - its bytes equal the input's outside relocated fields, so it decodes
///     to the same instructions the proof decoded;
///   - every PC-relative operand the proof found reaches its target's new
///     address; every absolute code address in code holds the new address;
///   - the retained .text relocations moved with their fields;
///   - .eh_frame pointers and exact jump-table entries reach moved code;
///   - e_entry follows its function.
/// New addresses come from the output's own symbol table, not from the
/// rewriter's bookkeeping. The error names the first mismatch.
llvm::Expected<VerifySummary> verifyRewrite(const LinkedBinary &In,
                                            const MoveSafety &Safety,
                                            const std::vector<Atom> &Units,
                                            const LayoutPlan &Plan,
                                            const LinkedBinary &Out);

/// `--verify=full`: checks \p Out against \p In from the two files alone,
/// sharing nothing with the rewriter or the proof: symbol table entry i is
/// the same symbol in both, so function symbols say where each function
/// went; every function and all code that stays is decoded in both and
/// compared instruction by instruction (same opcode, length and registers,
/// PC-relative targets and changed absolute immediates translated through
/// the symbols); e_entry, DT_INIT/DT_FINI, .eh_frame pointers, RELATIVE
/// addends, .got words and retained data pointers likewise.
llvm::Expected<VerifySummary> verifyRewriteByDecoding(const LinkedBinary &In,
                                                      const LinkedBinary &Out);

} // namespace pagelayout

#endif

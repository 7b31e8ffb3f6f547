//===- X86Decoder.h - LLVM MC's x86-64 decoder, set up once -----*- C++ -*-===//
//
// The move-safety proof and the independent verification both decode
// machine code: they share this set-up, the question "where does this
// instruction's PC-relative operand point", and the check that a
// relocated field lies wholly inside an instruction's operand bytes.
//
// That last check asks the decoder rather than trusting offsets: a field
// is an operand's bytes exactly when changing those bytes changes one
// immediate or displacement operand of the instruction by the same amount
// and nothing else (same opcode, same length, same registers). A field
// that covers opcode, ModRM or prefix bytes fails it, and patching such a
// field would change the instruction itself.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_X86DECODER_H
#define PAGELAYOUT_REORDER_X86DECODER_H

#include "pagelayout/reorder/Target.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/MC/MCAsmInfo.h"
#include "llvm/MC/MCContext.h"
#include "llvm/MC/MCDisassembler/MCDisassembler.h"
#include "llvm/MC/MCInst.h"
#include "llvm/MC/MCInstrAnalysis.h"
#include "llvm/MC/MCInstrInfo.h"
#include "llvm/MC/MCRegisterInfo.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/Error.h"
#include <memory>
#include <optional>

namespace pagelayout {

/// Padding the linker or assembler put between functions: int3, nop
/// forms, zeros.
inline bool isX86Padding(llvm::ArrayRef<uint8_t> Bytes) {
  for (uint8_t C : Bytes)
    if (!(C == 0xCC || C == 0x90 || C == 0x00 || C == 0x66 || C == 0x0F ||
          C == 0x1F || C == 0x40 || C == 0x44 || C == 0x80 || C == 0x84 ||
          C == 0x2E))
      return false;
  return true;
}

/// The x86-64 decoder and its analysis. One per thread.
struct X86Decoder {
  std::unique_ptr<llvm::MCRegisterInfo> MRI;
  std::unique_ptr<llvm::MCAsmInfo> MAI;
  std::unique_ptr<llvm::MCSubtargetInfo> STI;
  std::unique_ptr<llvm::MCInstrInfo> MII;
  std::unique_ptr<llvm::MCContext> Ctx;
  std::unique_ptr<llvm::MCDisassembler> DisAsm;
  std::unique_ptr<llvm::MCInstrAnalysis> MIA;
  /// Instructions whose field was found to be operand bytes, keyed by
  /// their bytes outside the field, the field's offset and size: the bytes
  /// that decide where an instruction's operands lie are all outside such
  /// a field, so another instruction equal outside it has the same
  /// operands there (most calls share one entry). Only positive answers
  /// are kept.
  mutable llvm::StringSet<> OperandFields;
  /// Opcodes that trap or halt though MC does not mark them barriers
  /// (int3, hlt, ud1), by opcode.
  const llvm::BitVector *TrapOpcodes = nullptr;
  const llvm::BitVector *NopOpcodes = nullptr; ///< NOOP, NOOPW, NOOPL, ...

  /// Registers the x86-64 target with LLVM, once per process (not
  /// thread-safe: call before decoding in parallel).
  static void registerTarget();
  llvm::Error init();

  /// Decodes one instruction at \p Addr; its length, or 0 where the bytes
  /// do not decode.
  uint64_t decode(llvm::MCInst &Inst, llvm::ArrayRef<uint8_t> Bytes,
                  uint64_t Addr) const;
  /// The PC-relative target of an instruction, if it has one.
  std::optional<uint64_t> pcTarget(const llvm::MCInst &Inst, uint64_t Addr,
                                   uint64_t Size) const;
  /// Where execution may go after \p Inst (InstructionDecoder::Flow).
  InstructionDecoder::Flow flowAfter(const llvm::MCInst &Inst) const;
  /// The nop family (nop, nopw, nopl: any prefixes).
  bool isNop(const llvm::MCInst &Inst) const {
    return NopOpcodes->test(Inst.getOpcode());
  }
  /// Whether the \p FieldSize bytes at \p FieldOffset of the instruction
  /// \p Insn (its bytes, decoded at \p Addr) are exactly one immediate or
  /// displacement operand's bytes, or lie wholly inside them.
  bool isOperandField(llvm::ArrayRef<uint8_t> Insn, uint64_t Addr,
                      uint64_t FieldOffset, unsigned FieldSize) const;
};

} // namespace pagelayout

#endif

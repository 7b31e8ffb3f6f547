//===- Target.h - What the rewriter knows of one instruction set -*- C++
//-*-===//
//
// lld keeps each ISA behind one TargetInfo; the rewriter does the same.
// Everything that depends on the instruction set goes through here:
// decoding (LLVM MC), what a relocated field of each type holds and how
// wide it is, reading and writing a PC-relative operand, the byte that
// fills code nobody may run, the smallest legal function alignment, and
// what padding between functions looks like. The proof, the planner, the
// rewriters (ELF, SMF) and both verifiers ask a Target; only X86_64.cpp
// knows x86-64. An AArch64 target is one more implementation.
//
// Field types are the ELF relocation numbers of the target (the SMF
// reader maps its own relocation kinds onto them).
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_TARGET_H
#define PAGELAYOUT_REORDER_TARGET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/MC/MCInst.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <memory>
#include <optional>

namespace pagelayout {

/// One decoder per thread.
class InstructionDecoder {
public:
  virtual ~InstructionDecoder();
  /// Decodes one instruction at \p Addr; its length, or 0 where the bytes
  /// do not decode.
  virtual uint64_t decode(llvm::MCInst &Inst, llvm::ArrayRef<uint8_t> Bytes,
                          uint64_t Addr) const = 0;
  /// The PC-relative target of an instruction, if it has one.
  virtual std::optional<uint64_t>
  pcTarget(const llvm::MCInst &Inst, uint64_t Addr, uint64_t Size) const = 0;
  /// Whether the \p FieldSize bytes at \p FieldOffset of the instruction
  /// \p Insn (decoded at \p Addr) lie wholly inside one immediate or
  /// displacement operand.
  virtual bool isOperandField(llvm::ArrayRef<uint8_t> Insn, uint64_t Addr,
                              uint64_t FieldOffset,
                              unsigned FieldSize) const = 0;
  /// Whether two decoded instructions are the same but for their
  /// immediate and displacement operands (same opcode and registers).
  virtual bool sameShape(const llvm::MCInst &A, const llvm::MCInst &B) const;

  /// Where execution may go after an instruction, by the instruction
  /// alone.
  enum class Flow {
    Next,         ///< on to the next bytes
    Branch,       ///< a conditional branch: to its target, or on
    Call,         ///< on, once the callee (a PC-relative target) returns
    IndirectCall, ///< on, once a callee through a register or memory returns
    Jump,         ///< an unconditional jump with its target in the code
    IndirectJump, ///< through a register or memory: anywhere
    Return,
    Trap,         ///< a trap or a halt: nowhere
  };
  static bool runsOn(Flow F) {
    return F == Flow::Next || F == Flow::Branch || F == Flow::Call ||
           F == Flow::IndirectCall;
  }
  virtual Flow flowAfter(const llvm::MCInst &Inst) const = 0;
  /// Whether \p Inst is a no-op the assembler or linker pads with (by its
  /// opcode: padding bytes can spell real instructions, `00 00` is an add).
  virtual bool isNop(const llvm::MCInst &Inst) const = 0;
};

class Target {
public:
  virtual ~Target();
  /// "x86-64".
  virtual llvm::StringRef name() const = 0;

  /// Registers the target with LLVM once per process (not thread-safe:
  /// call before decoding in parallel).
  virtual void registerWithLLVM() const = 0;
  virtual llvm::Expected<std::unique_ptr<InstructionDecoder>>
  createDecoder() const = 0;

  /// Relocated fields, by relocation type.
  /// Bytes the field covers (0: it patches nothing).
  virtual unsigned fieldSize(uint32_t Type) const = 0;
  /// A 32-bit field relative to the end of its instruction, as the
  /// relocation was written (the decoded instruction has the last word:
  /// linkers relax some into absolute immediates).
  virtual bool isPcRelative32(uint32_t Type) const = 0;
  /// Holds no address of code at all (TLS offsets, sizes, none).
  virtual bool isPositionFree(uint32_t Type) const = 0;
  /// Part of a TLS access sequence the linker may have relaxed.
  virtual bool isTlsSequence(uint32_t Type) const = 0;
  /// An absolute address of \p Size bytes (4 sign-extended when \p Signed).
  virtual bool isAbsolute(uint32_t Type, unsigned &Size,
                          bool &Signed) const = 0;

  /// The width of a plain PC-relative word in data, S + A - P relative to
  /// the field itself (jump-table entries, .eh_frame pointers: 4; an
  /// exception table's 8-byte LPStart: 8), or 0 for other types.
  virtual unsigned dataPcRelativeSize(uint32_t Type) const = 0;
  /// The compilers' relative jump tables: an entry (a 4-byte data word of
  /// a dataPcRelativeSize type) holds target - base, where base is the
  /// table's own address, which the function using it loads PC-relatively
  /// (x86-64: `lea table(%rip)`). Where an entry with value \p Entry
  /// points, and the entry that points at \p To (false: it does not fit).
  virtual uint64_t jumpTableTarget(uint64_t Base, int64_t Entry) const = 0;
  virtual bool writeJumpTableEntry(llvm::MutableArrayRef<uint8_t> Entry,
                                   uint64_t Base, uint64_t To) const = 0;
  /// A dynamic relocation whose addend is an address (RELATIVE, IRELATIVE).
  virtual bool isRelativeDynamic(uint32_t Type) const = 0;
  /// A dynamic relocation that fills a slot with a symbol's address for
  /// code to jump or call through (JUMP_SLOT, GLOB_DAT).
  virtual bool isImportSlot(uint32_t Type) const = 0;

  /// PC-relative operands: where the field at \p Field, in an instruction
  /// ending at \p End, points; and the field that makes it point at \p To
  /// (false when it does not fit).
  virtual uint64_t readPcRelative(llvm::ArrayRef<uint8_t> Field,
                                  uint64_t End) const = 0;
  virtual bool writePcRelative(llvm::MutableArrayRef<uint8_t> Field,
                               uint64_t End, uint64_t To) const = 0;

  /// Fills code bytes nothing may run (between moved functions): a byte
  /// that traps where it is executed.
  virtual uint8_t fillByte() const = 0;
  /// The smallest alignment a function may be given (the C++ ABI's
  /// member-function pointers use bit 0 on x86-64: 2).
  virtual uint64_t minimumFunctionAlignment() const = 0;
  /// Whether \p Bytes are padding a linker or assembler put between
  /// functions (never code that runs).
  virtual bool isPadding(llvm::ArrayRef<uint8_t> Bytes) const = 0;
};

/// The target for an ELF e_machine, or null when there is none.
const Target *targetForElfMachine(uint16_t Machine);
const Target &x86_64Target();

} // namespace pagelayout

#endif

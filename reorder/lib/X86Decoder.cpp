//===- X86Decoder.cpp - LLVM MC's x86-64 decoder, set up once -------------===//

#include "X86Decoder.h"
#include "llvm/MC/MCTargetOptions.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"
#include <cstring>

extern "C" {
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86Disassembler();
}

using namespace llvm;

namespace pagelayout {

void X86Decoder::registerTarget() {
  // Only x86-64: initialising every target costs milliseconds a rewrite of
  // a small binary notices.
  static bool Done = [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86Disassembler();
    return true;
  }();
  (void)Done;
}

Error X86Decoder::init() {
  registerTarget();
  Triple TT("x86_64-unknown-linux-gnu");
  std::string Err;
  const llvm::Target *T = TargetRegistry::lookupTarget(TT, Err);
  if (!T)
    return createStringError("no x86-64 target in LLVM: " + Err);
  MRI.reset(T->createMCRegInfo(TT));
  MCTargetOptions Options;
  MAI.reset(T->createMCAsmInfo(*MRI, TT, Options));
  STI.reset(T->createMCSubtargetInfo(TT, "", ""));
  MII.reset(T->createMCInstrInfo());
  if (!MRI || !MAI || !STI || !MII)
    return createStringError("cannot set up the x86-64 decoder");
  Ctx = std::make_unique<MCContext>(TT, MAI.get(), MRI.get(), STI.get());
  DisAsm.reset(T->createMCDisassembler(*STI, *Ctx));
  MIA.reset(T->createMCInstrAnalysis(MII.get()));
  if (!DisAsm || !MIA)
    return createStringError("cannot set up the x86-64 decoder");
  // Traps and halts MC does not mark as barriers, found once per process
  // (opcode numbers are LLVM's, the same for every decoder).
  static const BitVector Traps = [&] {
    BitVector Found(MII->getNumOpcodes());
    for (unsigned Op = 0; Op < MII->getNumOpcodes(); ++Op) {
      StringRef Name = MII->getName(Op);
      if (Name == "INT3" || Name == "TRAP" || Name == "HLT" ||
          Name.starts_with("UD1") || Name == "UD2B")
        Found.set(Op);
    }
    return Found;
  }();
  TrapOpcodes = &Traps;
  static const BitVector Nops = [&] {
    BitVector Found(MII->getNumOpcodes());
    for (unsigned Op = 0; Op < MII->getNumOpcodes(); ++Op)
      if (MII->getName(Op).starts_with("NOOP"))
        Found.set(Op);
    return Found;
  }();
  NopOpcodes = &Nops;
  return Error::success();
}

uint64_t X86Decoder::decode(MCInst &Inst, ArrayRef<uint8_t> Bytes,
                            uint64_t Addr) const {
  uint64_t Len = 0;
  if (DisAsm->getInstruction(Inst, Len, Bytes, Addr, nulls()) !=
      MCDisassembler::Success)
    return 0;
  return Len;
}

std::optional<uint64_t> X86Decoder::pcTarget(const MCInst &Inst, uint64_t Addr,
                                             uint64_t Size) const {
  uint64_t Target = 0;
  if (MIA->evaluateBranch(Inst, Addr, Size, Target))
    return Target;
  return MIA->evaluateMemoryOperandAddress(Inst, STI.get(), Addr, Size);
}

InstructionDecoder::Flow X86Decoder::flowAfter(const MCInst &Inst) const {
  using Flow = InstructionDecoder::Flow;
  const MCInstrDesc &Desc = MII->get(Inst.getOpcode());
  if (Desc.isReturn())
    return Flow::Return;
  if (Desc.isCall())
    return Inst.getNumOperands() == 1 && Inst.getOperand(0).isImm()
               ? Flow::Call
               : Flow::IndirectCall;
  if (Desc.isIndirectBranch())
    return Flow::IndirectJump;
  if (MIA->isUnconditionalBranch(Inst))
    return Flow::Jump;
  if (MIA->isConditionalBranch(Inst))
    return Flow::Branch;
  if (Desc.isBarrier() || TrapOpcodes->test(Inst.getOpcode()))
    return Flow::Trap;
  return Flow::Next;
}

namespace {

/// The immediate operands of \p Inst (displacements are immediates in MC)
/// and whether everything else equals \p Other's.
bool sameShape(const MCInst &A, const MCInst &B) {
  if (A.getOpcode() != B.getOpcode() ||
      A.getNumOperands() != B.getNumOperands())
    return false;
  for (unsigned I = 0; I < A.getNumOperands(); ++I) {
    const MCOperand &X = A.getOperand(I), &Y = B.getOperand(I);
    if (X.isReg() != Y.isReg() || X.isImm() != Y.isImm())
      return false;
    if (X.isReg() && X.getReg() != Y.getReg())
      return false;
  }
  return true;
}

} // namespace

bool X86Decoder::isOperandField(ArrayRef<uint8_t> Insn, uint64_t Addr,
                                uint64_t FieldOffset,
                                unsigned FieldSize) const {
  if (FieldSize == 0 || FieldSize > 8 || FieldOffset > Insn.size() ||
      Insn.size() - FieldOffset < FieldSize)
    return false;
  std::string Key(Insn.begin(), Insn.end());
  std::fill_n(Key.begin() + FieldOffset, FieldSize, '\0');
  Key.push_back(char(FieldOffset));
  Key.push_back(char(FieldSize));
  if (OperandFields.contains(Key))
    return true;
  MCInst Orig;
  if (decode(Orig, Insn, Addr) != Insn.size())
    return false;
  // Two different values in the field: each must change one immediate
  // operand by exactly the field's change, and leave all else alone. Two
  // probes, because one probe could by chance decode to the same shape.
  for (uint64_t Probe : {uint64_t(0x1122334455667788), uint64_t(0x0807060504030201)}) {
    SmallVector<uint8_t, 16> Changed(Insn.begin(), Insn.end());
    uint64_t Old = 0, New = 0;
    std::memcpy(&Old, Insn.data() + FieldOffset, FieldSize);
    New = Old ^ Probe;
    std::memcpy(Changed.data() + FieldOffset, &New, FieldSize);
    MCInst Now;
    if (decode(Now, Changed, Addr) != Insn.size() || !sameShape(Orig, Now))
      return false;
    uint64_t Mask = FieldSize == 8 ? ~uint64_t(0)
                                   : (uint64_t(1) << (8 * FieldSize)) - 1;
    unsigned Differing = 0;
    for (unsigned I = 0; I < Orig.getNumOperands(); ++I) {
      const MCOperand &X = Orig.getOperand(I), &Y = Now.getOperand(I);
      if (!X.isImm() || X.getImm() == Y.getImm())
        continue;
      ++Differing;
      // Some FieldSize bytes of the operand changed exactly as the field
      // did, nothing below them (the field may be the upper half of an
      // 8-byte immediate; above it, sign extension may change bits too).
      uint64_t Delta = uint64_t(Y.getImm()) ^ uint64_t(X.getImm());
      uint64_t Want = (Old ^ New) & Mask;
      bool Found = false;
      for (unsigned K = 0; K + FieldSize <= 8 && !Found; ++K)
        Found = ((Delta >> (8 * K)) & Mask) == Want &&
                (K == 0 || (Delta & ((uint64_t(1) << (8 * K)) - 1)) == 0);
      if (!Found)
        return false;
    }
    if (Differing != 1)
      return false;
  }
  OperandFields.insert(Key);
  return true;
}

} // namespace pagelayout

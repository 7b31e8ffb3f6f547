//===- X86_64.cpp - The x86-64 target -------------------------------------===//
//
// The only file that knows x86-64: LLVM MC's decoder (X86Decoder.cpp sets
// it up), the relocation types of the x86-64 psABI (X86Relocations.h), a
// PC-relative operand as a signed 32-bit distance from the end of its
// instruction, int3 (0xCC) as the fill, 2-byte minimum alignment, and the
// padding forms linkers and assemblers emit (int3, the nop family, zeros).
//
//===----------------------------------------------------------------------===//

#include "X86Decoder.h"
#include "X86Relocations.h"
#include "pagelayout/reorder/Target.h"
#include "llvm/Support/Endian.h"

using namespace llvm;

namespace pagelayout {

InstructionDecoder::~InstructionDecoder() = default;
Target::~Target() = default;

bool InstructionDecoder::sameShape(const MCInst &A, const MCInst &B) const {
  if (A.getOpcode() != B.getOpcode() ||
      A.getNumOperands() != B.getNumOperands())
    return false;
  for (unsigned I = 0; I < A.getNumOperands(); ++I) {
    const MCOperand &X = A.getOperand(I), &Y = B.getOperand(I);
    if (X.isReg() != Y.isReg() || (X.isReg() && X.getReg() != Y.getReg()))
      return false;
  }
  return true;
}

namespace {

class X86_64Decoder final : public InstructionDecoder {
public:
  Error init() { return D.init(); }
  uint64_t decode(MCInst &Inst, ArrayRef<uint8_t> Bytes,
                  uint64_t Addr) const override {
    return D.decode(Inst, Bytes, Addr);
  }
  std::optional<uint64_t> pcTarget(const MCInst &Inst, uint64_t Addr,
                                   uint64_t Size) const override {
    return D.pcTarget(Inst, Addr, Size);
  }
  bool isOperandField(ArrayRef<uint8_t> Insn, uint64_t Addr,
                      uint64_t FieldOffset, unsigned FieldSize) const override {
    return D.isOperandField(Insn, Addr, FieldOffset, FieldSize);
  }
  Flow flowAfter(const MCInst &Inst) const override {
    return D.flowAfter(Inst);
  }
  bool isNop(const MCInst &Inst) const override { return D.isNop(Inst); }

private:
  X86Decoder D;
};

class X86_64 final : public Target {
public:
  StringRef name() const override { return "x86-64"; }
  void registerWithLLVM() const override { X86Decoder::registerTarget(); }
  Expected<std::unique_ptr<InstructionDecoder>> createDecoder() const override {
    auto D = std::make_unique<X86_64Decoder>();
    if (Error E = D->init())
      return std::move(E);
    return std::unique_ptr<InstructionDecoder>(std::move(D));
  }
  unsigned fieldSize(uint32_t Type) const override {
    return relocationFieldSize(Type);
  }
  bool isPcRelative32(uint32_t Type) const override {
    return pagelayout::isPcRelative32(Type);
  }
  bool isPositionFree(uint32_t Type) const override {
    return pagelayout::isPositionFree(Type);
  }
  bool isTlsSequence(uint32_t Type) const override {
    return pagelayout::isTlsSequence(Type);
  }
  bool isAbsolute(uint32_t Type, unsigned &Size, bool &Signed) const override {
    switch (Type) {
    case ELF::R_X86_64_64:
      Size = 8;
      Signed = false;
      return true;
    case ELF::R_X86_64_32:
      Size = 4;
      Signed = false;
      return true;
    case ELF::R_X86_64_32S:
      Size = 4;
      Signed = true;
      return true;
    default:
      return false;
    }
  }
  unsigned dataPcRelativeSize(uint32_t Type) const override {
    return Type == ELF::R_X86_64_PC32 ? 4 : Type == ELF::R_X86_64_PC64 ? 8 : 0;
  }
  uint64_t jumpTableTarget(uint64_t Base, int64_t Entry) const override {
    return Base + uint64_t(Entry);
  }
  bool writeJumpTableEntry(MutableArrayRef<uint8_t> Entry, uint64_t Base,
                           uint64_t To) const override {
    int64_t V = int64_t(To) - int64_t(Base);
    if (V < INT32_MIN || V > INT32_MAX)
      return false;
    support::endian::write32le(Entry.data(), uint32_t(int32_t(V)));
    return true;
  }
  bool isRelativeDynamic(uint32_t Type) const override {
    return Type == ELF::R_X86_64_RELATIVE || Type == ELF::R_X86_64_IRELATIVE;
  }
  bool isImportSlot(uint32_t Type) const override {
    return Type == ELF::R_X86_64_JUMP_SLOT || Type == ELF::R_X86_64_GLOB_DAT;
  }
  uint64_t readPcRelative(ArrayRef<uint8_t> Field,
                          uint64_t End) const override {
    return End + int64_t(int32_t(support::endian::read32le(Field.data())));
  }
  bool writePcRelative(MutableArrayRef<uint8_t> Field, uint64_t End,
                       uint64_t To) const override {
    int64_t V = int64_t(To) - int64_t(End);
    if (V < INT32_MIN || V > INT32_MAX)
      return false;
    support::endian::write32le(Field.data(), uint32_t(int32_t(V)));
    return true;
  }
  uint8_t fillByte() const override { return 0xCC; }
  uint64_t minimumFunctionAlignment() const override { return 2; }
  bool isPadding(ArrayRef<uint8_t> Bytes) const override {
    return isX86Padding(Bytes);
  }
};

} // namespace

const Target &x86_64Target() {
  static const X86_64 T;
  return T;
}

const Target *targetForElfMachine(uint16_t Machine) {
  return Machine == ELF::EM_X86_64 ? &x86_64Target() : nullptr;
}

} // namespace pagelayout

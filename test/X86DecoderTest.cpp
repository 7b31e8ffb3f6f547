//===- X86DecoderTest.cpp - Which bytes of an instruction are operands ----===//
//
// The rewriter patches a relocated field only where the decoder says it is
// an operand's bytes; exact cases for the common instruction shapes.

#include "../reorder/lib/CodeEndings.h"
#include "../reorder/lib/X86Decoder.h"
#include "gtest/gtest.h"

using namespace pagelayout;

namespace {

class X86DecoderTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_FALSE(bool(D.init())); }
  bool operand(std::initializer_list<uint8_t> Insn, uint64_t At,
               unsigned Size) {
    std::vector<uint8_t> Bytes(Insn);
    return D.isOperandField(Bytes, 0x401000, At, Size);
  }
  X86Decoder D;
};

TEST_F(X86DecoderTest, CallOperand) {
  // call rel32
  EXPECT_TRUE(operand({0xe8, 0x10, 0x00, 0x00, 0x00}, 1, 4));
  EXPECT_FALSE(operand({0xe8, 0x10, 0x00, 0x00, 0x00}, 0, 4));
  EXPECT_FALSE(operand({0xe8, 0x10, 0x00, 0x00, 0x00}, 2, 4)); // past the end
}

TEST_F(X86DecoderTest, Immediates) {
  // movl $0x201bb0, %ecx
  EXPECT_TRUE(operand({0xb9, 0xb0, 0x1b, 0x20, 0x00}, 1, 4));
  EXPECT_FALSE(operand({0xb9, 0xb0, 0x1b, 0x20, 0x00}, 0, 4));
  // movabsq $imm64, %rax: the whole immediate, or 4 bytes inside it.
  std::initializer_list<uint8_t> Movabs = {0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_TRUE(operand(Movabs, 2, 8));
  EXPECT_TRUE(operand(Movabs, 2, 4));
  EXPECT_TRUE(operand(Movabs, 6, 4));
  EXPECT_FALSE(operand(Movabs, 1, 8));
}

TEST_F(X86DecoderTest, RipRelativeDisplacements) {
  // addq 0x2c89c9(%rip), %rax
  EXPECT_TRUE(operand({0x48, 0x03, 0x05, 0xc9, 0x89, 0x2c, 0x00}, 3, 4));
  EXPECT_FALSE(operand({0x48, 0x03, 0x05, 0xc9, 0x89, 0x2c, 0x00}, 2, 4));
  // cmpl $5, 0x100(%rip): a displacement followed by an immediate. Four
  // bytes from the second displacement byte cover the immediate too.
  std::initializer_list<uint8_t> Cmp = {0x83, 0x3d, 0x00, 0x01, 0x00, 0x00,
                                        0x05};
  EXPECT_TRUE(operand(Cmp, 2, 4));
  EXPECT_FALSE(operand(Cmp, 3, 4));
  EXPECT_TRUE(operand(Cmp, 6, 1));
}

TEST_F(X86DecoderTest, RelaxedTlsSequence) {
  // movq %fs:0, %rax: lld leaves a TLSGD relocation at offset 4 (the SIB
  // byte and the displacement's first three bytes).
  std::initializer_list<uint8_t> Fs = {0x64, 0x48, 0x8b, 0x04, 0x25,
                                       0x00, 0x00, 0x00, 0x00};
  EXPECT_FALSE(operand(Fs, 4, 4));
  EXPECT_TRUE(operand(Fs, 5, 4));
}

TEST_F(X86DecoderTest, Padding) {
  EXPECT_TRUE(isX86Padding(std::vector<uint8_t>{0xcc, 0x90, 0x66, 0x0f, 0x1f,
                                                0x44, 0x00, 0x00}));
  EXPECT_FALSE(isX86Padding(std::vector<uint8_t>{0xcc, 0xe8}));
}

} // namespace

namespace {

class X86FlowTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_FALSE(bool(D.init())); }
  InstructionDecoder::Flow flow(std::initializer_list<uint8_t> Insn) {
    std::vector<uint8_t> Bytes(Insn);
    llvm::MCInst Inst;
    EXPECT_EQ(D.decode(Inst, Bytes, 0x401000), Bytes.size());
    return D.flowAfter(Inst);
  }
  X86Decoder D;
};

using Flow = InstructionDecoder::Flow;

TEST_F(X86FlowTest, WhereExecutionGoesNext) {
  EXPECT_EQ(flow({0xc3}), Flow::Return);                   // ret
  EXPECT_EQ(flow({0xc2, 0x08, 0x00}), Flow::Return);       // ret $8
  EXPECT_EQ(flow({0xe8, 0, 0, 0, 0}), Flow::Call);          // call rel32
  EXPECT_EQ(flow({0xff, 0xd0}), Flow::IndirectCall);        // call *%rax
  EXPECT_EQ(flow({0xff, 0x15, 0, 0, 0, 0}), Flow::IndirectCall); // call *x(%rip)
  EXPECT_EQ(flow({0xe9, 0, 0, 0, 0}), Flow::Jump);          // jmp rel32
  EXPECT_EQ(flow({0xeb, 0x00}), Flow::Jump);                // jmp rel8
  EXPECT_EQ(flow({0xff, 0xe0}), Flow::IndirectJump);        // jmp *%rax
  EXPECT_EQ(flow({0xff, 0x25, 0, 0, 0, 0}), Flow::IndirectJump); // jmp *x(%rip)
  EXPECT_EQ(flow({0x74, 0x00}), Flow::Branch);              // je rel8
  EXPECT_EQ(flow({0x0f, 0x85, 0, 0, 0, 0}), Flow::Branch);  // jne rel32
  EXPECT_EQ(flow({0xcc}), Flow::Trap);                      // int3
  EXPECT_EQ(flow({0x0f, 0x0b}), Flow::Trap);                // ud2
  EXPECT_EQ(flow({0xf4}), Flow::Trap);                      // hlt
  EXPECT_EQ(flow({0x90}), Flow::Next);                      // nop
  EXPECT_EQ(flow({0x0f, 0x05}), Flow::Next);                // syscall
  EXPECT_EQ(flow({0xb8, 1, 0, 0, 0}), Flow::Next);          // mov $1, %eax
  EXPECT_EQ(flow({0xf3, 0x0f, 0x1e, 0xfa}), Flow::Next);    // endbr64
}

TEST_F(X86FlowTest, NopsByOpcodeNotByBytes) {
  auto Nop = [&](std::initializer_list<uint8_t> Insn) {
    std::vector<uint8_t> Bytes(Insn);
    llvm::MCInst Inst;
    EXPECT_EQ(D.decode(Inst, Bytes, 0x401000), Bytes.size());
    return D.isNop(Inst);
  };
  EXPECT_TRUE(Nop({0x90}));
  EXPECT_TRUE(Nop({0x66, 0x90}));
  EXPECT_TRUE(Nop({0x0f, 0x1f, 0x44, 0x00, 0x00}));
  EXPECT_TRUE(Nop({0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0}));
  // Bytes a padding scan accepts, but real instructions.
  EXPECT_FALSE(Nop({0x00, 0x00}));                   // add %al, (%rax)
  EXPECT_FALSE(Nop({0x84, 0x00}));                   // test %al, (%rax)
  EXPECT_FALSE(Nop({0x0f, 0x84, 0x40, 0x80, 0x84, 0x00})); // je rel32
  EXPECT_FALSE(Nop({0xcc}));                         // int3: a trap
}

} // namespace

TEST(NoReturnNames, DeclaredNeverReturning) {
  for (const char *Name :
       {"exit", "_exit", "abort", "__stack_chk_fail", "__assert_fail",
        "__cxa_throw", "__cxa_rethrow", "_Unwind_Resume", "longjmp",
        "exit@GLIBC_2.2.5", "_ZSt9terminatev",
        "_ZSt20__throw_length_errorPKc", "_ZSt19__throw_logic_errorPKc",
        "__ubsan_handle_add_overflow_abort"})
    EXPECT_TRUE(isDeclaredNoReturn(Name)) << Name;
  for (const char *Name :
       {"", "exitx", "error", "_Unwind_RaiseException", "printf",
        "__ubsan_handle_add_overflow", "_ZSt4endlIcSt11char_traitsIcEE",
        "_ZSt__throw_x", "my_abort"})
    EXPECT_FALSE(isDeclaredNoReturn(Name)) << Name;
}

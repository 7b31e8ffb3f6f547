//===- X86DecoderTest.cpp - Which bytes of an instruction are operands ----===//
//
// The rewriter patches a relocated field only where the decoder says it is
// an operand's bytes; exact cases for the common instruction shapes.

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

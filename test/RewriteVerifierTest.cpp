//===- RewriteVerifierTest.cpp - The written binary is checked, not trusted
//===//
//
// Builds a small program with clang-22 (-Wl,-q), rewrites it, and shows
// the verifier accepts the honest output and names each kind of damage in
// a tampered copy: moved code, a relocated field, e_entry.

#include "pagelayout/reorder/RewriteVerifier.h"
#include "pagelayout/reorder/BinaryRewriter.h"
#include "pagelayout/reorder/ReorderPipeline.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/schema/PhaseInference.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/Endian.h"
#include <cstring>
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

using namespace pagelayout;
using namespace llvm;
using ::testing::HasSubstr;

namespace {

const char *Program = R"(
static int twice(int x) { return 2 * x; }
static int thrice(int x) { return 3 * x; }
int (*pick[2])(int) = {twice, thrice};
__attribute__((noinline)) int startup(int x) { return pick[x & 1](x) + 1; }
__attribute__((noinline)) int steady(int x) {
  switch (x) {
  case 0: return 4; case 1: return 9; case 2: return 16; case 3: return 25;
  case 4: return 36; case 5: return 49; default: return x;
  }
}
int main(int argc, char **argv) { return startup(argc) + steady(argc); }
)";

class RewriteVerifierTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(sys::fs::createUniqueDirectory("verifier", Dir));
    std::string Source = path("p.c");
    {
      std::error_code EC;
      raw_fd_ostream OS(Source, EC);
      ASSERT_FALSE(EC);
      OS << Program;
    }
    ErrorOr<std::string> Clang = sys::findProgramByName("clang-22");
    ASSERT_TRUE(bool(Clang)) << "clang-22 is not on PATH";
    std::string Input = path("p");
    StringRef Args[] = {*Clang,         "-O2",    "-ffunction-sections",
                        "-fuse-ld=lld", "-Wl,-q", Source,
                        "-o",           Input};
    ASSERT_EQ(sys::ExecuteAndWait(*Clang, Args), 0);

    Expected<LinkedBinary> B = readLinkedBinary(Input);
    ASSERT_TRUE(bool(B)) << toString(B.takeError());
    In = std::move(*B);
    Expected<MoveSafety> S = checkMoveSafety(In);
    ASSERT_TRUE(bool(S)) << toString(S.takeError());
    Safety = std::move(*S);
    Atoms = movableUnits(In, Safety);
    Profile P;
    P.Functions.push_back({});
    P.Functions.back().Name = "startup";
    P.Functions.back().ExplicitPhase = Phase::Startup;
    P.Functions.push_back({});
    P.Functions.back().Name = "steady";
    P.Functions.back().ExplicitPhase = Phase::Steady;
    NameMatchResult Names = matchProfileNames(P, Atoms);
    ResolvedProfile RP = resolvePhases(Names.Renamed, InferenceConfig());
    FittedLayout Layout = planRewrite(In, Atoms, RP, 4096);
    Expected<RewriteResult> R = rewriteBinary(In, Safety, Atoms, Layout.Plan);
    ASSERT_TRUE(bool(R)) << toString(R.takeError());
    ASSERT_FALSE(bool(writeRewrittenBinary(*R, Input, path("p.out"))));
    ASSERT_GT(R->Moved, 0u);
    Plan = Layout.Plan;
  }
  void TearDown() override { sys::fs::remove_directories(Dir); }

  std::string path(StringRef Name) const {
    SmallString<128> P(Dir);
    sys::path::append(P, Name);
    return std::string(P);
  }

  /// Verifies the output, after \p Tamper edits a copy of its bytes.
  std::string verify(function_ref<void(LinkedBinary &, char *)> Tamper) {
    Expected<LinkedBinary> Out = readLinkedBinary(path("p.out"));
    if (!Out)
      return toString(Out.takeError());
    std::string Bytes = Out->Buffer->getBuffer().str();
    Tamper(*Out, Bytes.data());
    std::string Copy = path("p.tampered");
    {
      std::error_code EC;
      raw_fd_ostream OS(Copy, EC);
      OS << Bytes;
    }
    Expected<LinkedBinary> Tampered = readLinkedBinary(Copy);
    if (!Tampered)
      return toString(Tampered.takeError());
    Expected<VerifySummary> V =
        Full ? verifyRewriteByDecoding(In, *Tampered)
             : verifyRewrite(In, Safety, Atoms, Plan, *Tampered);
    return V ? "ok" : toString(V.takeError());
  }
  /// The same through the independent check (--verify=full).
  std::string
  verifyByDecoding(function_ref<void(LinkedBinary &, char *)> Tamper) {
    Full = true;
    std::string Result = verify(Tamper);
    Full = false;
    return Result;
  }
  /// The file offset of symbol \p Name's st_value in .symtab.
  static uint64_t symbolValueOffset(const LinkedBinary &B, StringRef Name) {
    auto File = cantFail(object::ELF64LEFile::create(B.Buffer->getBuffer()));
    for (const object::ELF64LE::Shdr &S : cantFail(File.sections())) {
      if (S.sh_type != ELF::SHT_SYMTAB)
        continue;
      StringRef Names = cantFail(File.getStringTableForSymtab(S));
      auto Syms = cantFail(File.symbols(&S));
      for (size_t I = 0; I < Syms.size(); ++I)
        if (cantFail(Syms[I].getName(Names)) == Name)
          return S.sh_offset + I * sizeof(object::ELF64LE::Sym) + 8;
    }
    ADD_FAILURE() << "no symbol " << Name.str();
    return 0;
  }
  /// Where address \p Addr of section \p Name is in the file (for a
  /// section that is not loaded, \p Addr is an offset into it).
  static uint64_t fileOffsetOf(const LinkedBinary &B, StringRef Name,
                               uint64_t Addr) {
    auto File = cantFail(object::ELF64LEFile::create(B.Buffer->getBuffer()));
    for (const object::ELF64LE::Shdr &S : cantFail(File.sections()))
      if (cantFail(File.getSectionName(S)) == Name)
        return S.sh_offset + (S.sh_addr ? Addr - S.sh_addr : Addr);
    ADD_FAILURE() << "no section " << Name.str();
    return 0;
  }
  static uint64_t textFileOffset(const LinkedBinary &B) {
    return B.TextBytes.data() -
           reinterpret_cast<const uint8_t *>(B.Buffer->getBufferStart());
  }
  /// The first call's operand (a PC-relative field with a relocation)
  /// reaches 16 bytes further.
  static void moveFirstCall(LinkedBinary &Out, char *Bytes) {
    for (const RetainedRelocation &R : Out.TextRelocations)
      if (R.Type == ELF::R_X86_64_PLT32) {
        char *Field =
            Bytes + textFileOffset(Out) + (R.Offset - Out.TextAddress);
        support::endian::write32le(Field,
                                   support::endian::read32le(Field) + 16);
        return;
      }
  }
  /// The first .eh_frame pointer reaches 32 bytes further.
  static void moveFirstEhFramePointer(LinkedBinary &Out, char *Bytes) {
    for (const LinkedBinary::DataPcRelative &E : Out.DataPcRelatives)
      if (E.Section == ".eh_frame") {
        char *Field = Bytes + fileOffsetOf(Out, ".eh_frame", E.Offset);
        support::endian::write32le(Field,
                                   support::endian::read32le(Field) + 32);
        return;
      }
  }

  SmallString<128> Dir;
  LinkedBinary In;
  MoveSafety Safety;
  std::vector<Atom> Atoms;
  LayoutPlan Plan;
  bool Full = false;
};

TEST_F(RewriteVerifierTest, AcceptsTheHonestOutput) {
  Expected<LinkedBinary> Out = readLinkedBinary(path("p.out"));
  ASSERT_TRUE(bool(Out)) << toString(Out.takeError());
  Expected<VerifySummary> V = verifyRewrite(In, Safety, Atoms, Plan, *Out);
  ASSERT_TRUE(bool(V)) << toString(V.takeError());
  EXPECT_EQ(V->Functions, In.Functions.size());
  EXPECT_GT(V->Fields, 0u);
  EXPECT_GT(V->DataPointers, 0u); // .eh_frame
}

TEST_F(RewriteVerifierTest, NamesChangedCode) {
  std::string Error = verify([&](LinkedBinary &Out, char *Bytes) {
    const Atom &Main = *llvm::find_if(Out.Functions, [](const Atom &A) {
      return A.displayName() == "steady";
    });
    Bytes[textFileOffset(Out) + (Main.OriginalOffset - Out.TextAddress)] ^= 1;
  });
  EXPECT_THAT(Error, HasSubstr("verification failed: the code at "));
  EXPECT_THAT(Error, HasSubstr("differs from the input"));
}

TEST_F(RewriteVerifierTest, NamesAWrongField) {
  std::string Error = verify(moveFirstCall);
  EXPECT_THAT(Error, HasSubstr("relocation type 4) holds"));
  EXPECT_THAT(Error, HasSubstr(", expected "));
}

TEST_F(RewriteVerifierTest, NamesAWrongEhFramePointer) {
  std::string Error = verify(moveFirstEhFramePointer);
  EXPECT_THAT(Error, HasSubstr("the .eh_frame entry at "));
  EXPECT_THAT(Error, HasSubstr("should reach "));
}

TEST_F(RewriteVerifierTest, NamesAMisplacedRetainedRelocation) {
  std::string Error = verify([&](LinkedBinary &Out, char *Bytes) {
    // The first .rela.text entry's r_offset.
    char *Entry = Bytes + fileOffsetOf(Out, ".rela.text", 0);
    support::endian::write64le(Entry, support::endian::read64le(Entry) + 1);
  });
  EXPECT_THAT(Error, HasSubstr("a retained relocation should apply at "));
}

TEST_F(RewriteVerifierTest, NamesAWrongEntryPoint) {
  std::string Error = verify([&](LinkedBinary &Out, char *Bytes) {
    support::endian::write64le(Bytes + 24, Out.Entry + 1);
  });
  EXPECT_THAT(Error, HasSubstr("e_entry is"));
}

TEST_F(RewriteVerifierTest, NamesAFunctionThatIsNotWherePlanned) {
  LayoutPlan Honest = Plan;
  for (PlacedAtom &PA : Plan.Placement)
    if (Atoms[PA.AtomIndex].displayName() == "steady")
      PA.Offset += 16;
  std::string Error = verify([](LinkedBinary &, char *) {});
  Plan = Honest;
  EXPECT_THAT(Error, HasSubstr("steady is not at"));
}

// The independent check shares nothing with the rewriter: it accepts the
// honest output and names the same damage from the two files alone.
TEST_F(RewriteVerifierTest, ByDecodingAcceptsTheHonestOutput) {
  Expected<LinkedBinary> Out = readLinkedBinary(path("p.out"));
  ASSERT_TRUE(bool(Out)) << toString(Out.takeError());
  Expected<VerifySummary> V = verifyRewriteByDecoding(In, *Out);
  ASSERT_TRUE(bool(V)) << toString(V.takeError());
  EXPECT_EQ(V->Functions, In.Functions.size());
  EXPECT_GT(V->Instructions, 10u);
  EXPECT_GT(V->DataPointers, 0u);
}

TEST_F(RewriteVerifierTest, ByDecodingNamesAWrongCallTarget) {
  std::string Error = verifyByDecoding(moveFirstCall);
  EXPECT_THAT(Error, HasSubstr("full verification failed: the instruction at "));
  EXPECT_THAT(Error, HasSubstr(", expected "));
}

// A symbol that says a function is somewhere its code is not: the code
// found there decodes to other instructions.
TEST_F(RewriteVerifierTest, ByDecodingNamesASymbolAwayFromItsCode) {
  std::string Error = verifyByDecoding([&](LinkedBinary &Out, char *Bytes) {
    char *Value = Bytes + symbolValueOffset(Out, "steady");
    support::endian::write64le(Value, support::endian::read64le(Value) + 1);
  });
  EXPECT_THAT(Error, HasSubstr("full verification failed: "));
  EXPECT_THAT(Error, HasSubstr("in steady)"));
}

TEST_F(RewriteVerifierTest, ByDecodingNamesAWrongEntryPoint) {
  std::string Error = verifyByDecoding([&](LinkedBinary &Out, char *Bytes) {
    support::endian::write64le(Bytes + 24, Out.Entry + 1);
  });
  EXPECT_THAT(Error, HasSubstr("e_entry holds "));
}

TEST_F(RewriteVerifierTest, ByDecodingNamesAWrongEhFramePointer) {
  std::string Error = verifyByDecoding(moveFirstEhFramePointer);
  EXPECT_THAT(Error, HasSubstr("the .eh_frame pointer at "));
}


// The independent check knows that code runs on past a symbol's end: a
// copy of a binary whose f (which falls into g) is moved alone, with its
// caller following it, is refused, and the same copy with f left in place
// is accepted.
const char *RunsOnProgram = R"(
  .section .text._start,"ax",@progbits
  .globl _start
  .type _start,@function
_start:
  call f
  movl %eax, %edi
  movl $60, %eax
  syscall
  .size _start, .-_start
  .section .text.f,"ax",@progbits
  .p2align 4
  .type f,@function
f:
  movl $1, %eax
  .size f, .-f
  .type g,@function
g:
  addl $41, %eax
  ret
  .size g, .-g
  .section .text.z,"ax",@progbits
  .p2align 6
  .type z,@function
z:
  ret
  .size z, .-z
)";

TEST(RunOnVerifier, RefusesAFunctionMovedAwayFromWhatItRunsInto) {
  SmallString<128> Dir;
  ASSERT_FALSE(sys::fs::createUniqueDirectory("runon", Dir));
  auto Path = [&](StringRef Name) {
    SmallString<128> P(Dir);
    sys::path::append(P, Name);
    return std::string(P);
  };
  {
    std::error_code EC;
    raw_fd_ostream OS(Path("p.s"), EC);
    ASSERT_FALSE(EC);
    OS << RunsOnProgram;
  }
  ErrorOr<std::string> Clang = sys::findProgramByName("clang-22");
  ASSERT_TRUE(bool(Clang)) << "clang-22 is not on PATH";
  std::string Source = Path("p.s"), Input = Path("p");
  StringRef Args[] = {*Clang,         "-nostdlib", "-static", "-fuse-ld=lld",
                      "-Wl,-q",       Source,      "-o",      Input};
  ASSERT_EQ(sys::ExecuteAndWait(*Clang, Args), 0);
  Expected<LinkedBinary> In = readLinkedBinary(Input);
  ASSERT_TRUE(bool(In)) << toString(In.takeError());
  auto Address = [&](StringRef Name) -> uint64_t {
    for (const Atom &A : In->Functions)
      for (const AtomSymbol &S : A.Symbols)
        if (S.Name == Name)
          return A.OriginalOffset + S.Offset;
    ADD_FAILURE() << "no function " << Name.str();
    return 0;
  };
  uint64_t Start = Address("_start"), F = Address("f"), G = Address("g"),
           Z = Address("z");
  ASSERT_EQ(G, F + 5);
  // f's copy goes into the int3 padding before z.
  uint64_t X = Z - 16;
  ASSERT_GT(X, G + 4);
  uint64_t TextAt = In->TextBytes.data() - reinterpret_cast<const uint8_t *>(
                                               In->Buffer->getBufferStart());
  auto Tampered = [&](bool MoveF) -> std::string {
    std::string Bytes = In->Buffer->getBuffer().str();
    if (MoveF) {
      memcpy(&Bytes[TextAt + (X - In->TextAddress)],
             &Bytes[TextAt + (F - In->TextAddress)], 5);
      // _start's call rel32 reaches the copy.
      support::endian::write32le(&Bytes[TextAt + (Start + 1 - In->TextAddress)],
                                 uint32_t(X - (Start + 5)));
      auto File = cantFail(object::ELF64LEFile::create(Bytes));
      for (const object::ELF64LE::Shdr &S : cantFail(File.sections())) {
        if (S.sh_type != ELF::SHT_SYMTAB)
          continue;
        StringRef Names = cantFail(File.getStringTableForSymtab(S));
        auto Syms = cantFail(File.symbols(&S));
        for (size_t I = 0; I < Syms.size(); ++I)
          if (cantFail(Syms[I].getName(Names)) == "f")
            support::endian::write64le(
                &Bytes[S.sh_offset + I * sizeof(object::ELF64LE::Sym) + 8], X);
      }
    }
    std::string Copy = Path("p.copy");
    {
      std::error_code EC;
      raw_fd_ostream OS(Copy, EC);
      OS << Bytes;
    }
    Expected<LinkedBinary> Out = readLinkedBinary(Copy);
    if (!Out)
      return toString(Out.takeError());
    Expected<VerifySummary> V = verifyRewriteByDecoding(*In, *Out);
    return V ? "ok" : toString(V.takeError());
  };
  EXPECT_EQ(Tampered(false), "ok");
  EXPECT_THAT(Tampered(true),
              HasSubstr("f runs on past its end into the code at "));
  sys::fs::remove_directories(Dir);
}

} // namespace

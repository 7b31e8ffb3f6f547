//===- DecodingVerifier.cpp - Check a rewrite without the rewriter's books -===//
//
// `--verify=full`. The fast verifier (RewriteVerifier.cpp) recomputes each
// relocated field through the proof's decoded targets and the plan's
// address map: if that bookkeeping is wrong (overlapping functions once
// made the map answer wrongly), it agrees with the rewriter. This check
// shares nothing with either. It starts from the two files alone:
//
//   symbols   - the rewrite changes no symbol table entry but st_value, so
//               entry i of the input and of the output are the same symbol;
//               each function symbol in .text gives a range of old
//               addresses and where it went. An old address translates
//               through every function containing it, and they must agree
//               (functions nested in one another moved together); labels
//               inside functions must sit where their function put them.
//   code      - every function is decoded in the input and in the output,
//               instruction by instruction: the same opcode, length and
//               registers; each PC-relative target the translation of the
//               input's; each changed immediate an absolute code address
//               translated. A function whose last instruction runs on
//               (neither jumps, returns nor traps; calls aside) still has
//               what it ran into after it. Code that stays (outside
//               function symbols, in other executable sections) is
//               compared the same way in place.
//   data      - e_entry, DT_INIT/DT_FINI, .eh_frame pointers, RELATIVE and
//               IRELATIVE addends, .got words and retained absolute
//               relocations in data hold translated addresses.
//
// It costs a second and third decode of the binary, so it is opt-in.
//
//===----------------------------------------------------------------------===//

#include "AddressText.h"
#include "pagelayout/reorder/RewriteVerifier.h"
#include "pagelayout/reorder/SmfFormat.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/Endian.h"

using namespace llvm;
using namespace llvm::object;

namespace pagelayout {
namespace {

/// Where one function symbol's bytes were and are.
struct Range {
  uint64_t Old = 0, Size = 0, New = 0;
  std::string Name;
};

class DecodingVerifier {
public:
  DecodingVerifier(const LinkedBinary &In, const LinkedBinary &Out)
      : In(In), Out(Out) {}
  Expected<VerifySummary> run();

private:
  Error fail(const Twine &What) const {
    return makeLocatedError(Out.Path, {},
                            "full verification failed: " + What +
                                "; nothing was written (please report "
                                "this with the input binary)");
  }
  Error readSymbols();
  Error readSmfSymbols();
  Error finishFunctions();
  Error checkSmfData();
  Expected<uint64_t> translate(uint64_t Old) const;
  Expected<bool> accepts(uint64_t Old, uint64_t Is, uint64_t &Want) const;
  Error checkLabels();
  Error compareCode(ArrayRef<uint8_t> InBytes, uint64_t InAddr,
                    ArrayRef<uint8_t> OutBytes, uint64_t OutAddr,
                    StringRef What, bool *RunsOn = nullptr);
  Error checkRunOn(const Range &R);
  Error compareInstruction(const MCInst &A, uint64_t AAddr, const MCInst &B,
                           uint64_t BAddr, uint64_t Len, StringRef What);
  Error checkFunctions();
  Error checkUndecoded();
  Error checkStayingCode();
  Error checkData();
  Error checkWord(uint64_t Was, uint64_t Is, const Twine &What);

  const LinkedBinary &In, &Out;
  std::optional<ELF64LEFile> InFile, OutFile;
  ArrayRef<ELF64LE::Shdr> InSections, OutSections;
  std::vector<Range> Functions; ///< by Old, distinct (Old, Size)
  std::vector<uint64_t> Starts;  ///< every function's Old, sorted
  std::vector<uint64_t> FurthestEnd; ///< max Old + Size of Functions[0..i]
  std::vector<size_t> FurthestAt;    ///< which function reaches that far
  std::vector<std::pair<uint64_t, uint64_t>> Labels; ///< old, new
  /// Instructions of the input as decoded here: (begin, end).
  std::vector<std::pair<uint64_t, uint64_t>> InInstructions;
  /// Bytes that did not decode, from the first such byte to the end of
  /// their function or code range, to compare raw.
  struct UndecodedRange {
    ArrayRef<uint8_t> InBytes, OutBytes;
    uint64_t InAddr, OutAddr;
    std::string What;
  };
  std::vector<UndecodedRange> Undecoded;
  std::optional<smf::Module> InModule, OutModule;
  std::unique_ptr<InstructionDecoder> Decoder;
  const InstructionDecoder *DP = nullptr;
  VerifySummary Summary;
};

bool inText(const LinkedBinary &B, uint64_t A) {
  return A >= B.TextAddress && A - B.TextAddress < B.TextBytes.size();
}

Error DecodingVerifier::readSymbols() {
  Expected<ELF64LEFile> I = ELF64LEFile::create(In.Buffer->getBuffer());
  Expected<ELF64LEFile> O = ELF64LEFile::create(Out.Buffer->getBuffer());
  if (!I || !O) {
    consumeError(I.takeError());
    consumeError(O.takeError());
    return fail("cannot read the files again");
  }
  InFile.emplace(std::move(*I));
  OutFile.emplace(std::move(*O));
  Expected<ELF64LEFile::Elf_Shdr_Range> IS = InFile->sections();
  Expected<ELF64LEFile::Elf_Shdr_Range> OS = OutFile->sections();
  if (!IS || !OS) {
    consumeError(IS.takeError());
    consumeError(OS.takeError());
    return fail("cannot read the section tables again");
  }
  InSections = *IS;
  OutSections = *OS;
  if (InSections.size() != OutSections.size())
    return fail("the section tables differ in size");
  for (size_t S = 0; S < InSections.size(); ++S) {
    const ELF64LE::Shdr &A = InSections[S], &B = OutSections[S];
    if (A.sh_name != B.sh_name || A.sh_type != B.sh_type ||
        A.sh_addr != B.sh_addr || A.sh_size != B.sh_size ||
        A.sh_offset != B.sh_offset || A.sh_flags != B.sh_flags)
      return fail("section " + Twine(S) + "'s header changed");
  }
  // Symbol tables are read as the rewriter writes them: entry by entry
  // over the section's bytes (a damaged string table only costs names).
  StringRef InImage = In.Buffer->getBuffer(), OutImage = Out.Buffer->getBuffer();
  for (size_t S = 0; S < InSections.size(); ++S) {
    const ELF64LE::Shdr &Sec = InSections[S];
    if (Sec.sh_type != ELF::SHT_SYMTAB && Sec.sh_type != ELF::SHT_DYNSYM)
      continue;
    if (Sec.sh_offset > InImage.size() ||
        Sec.sh_size > InImage.size() - Sec.sh_offset)
      return fail("symbol table " + Twine(S) + " lies outside the file");
    auto *A = reinterpret_cast<const ELF64LE::Sym *>(InImage.data() +
                                                     Sec.sh_offset);
    auto *B = reinterpret_cast<const ELF64LE::Sym *>(OutImage.data() +
                                                     Sec.sh_offset);
    Expected<StringRef> Names = InFile->getStringTableForSymtab(Sec);
    if (!Names)
      consumeError(Names.takeError());
    for (size_t K = 0; K < Sec.sh_size / sizeof(ELF64LE::Sym); ++K) {
      const ELF64LE::Sym &X = A[K], &Y = B[K];
      if (X.st_name != Y.st_name || X.st_info != Y.st_info ||
          X.st_other != Y.st_other || X.st_shndx != Y.st_shndx ||
          X.st_size != Y.st_size)
        return fail("symbol " + Twine(K) + " of section " + Twine(S) +
                    " changed more than its value");
      if (!In.isRegionSection(X.st_shndx) || X.getType() == ELF::STT_SECTION)
        continue;
      std::string Name = hex(X.st_value);
      StringRef Named;
      if (Names) {
        if (Expected<StringRef> N = X.getName(*Names))
          Name = (Named = *N).str();
        else
          consumeError(N.takeError());
      }
      if (isFunctionSymbol(X.getType(), Named) && X.st_size &&
          inText(In, X.st_value) &&
          X.st_size <= In.TextBytes.size() - (X.st_value - In.TextAddress)) {
        // A function stays inside its own section.
        auto R = find_if(In.Regions, [&](const CodeRegion &C) {
          return C.SectionIndex == X.st_shndx;
        });
        if (Y.st_value < R->Address || X.st_size > R->Size ||
            Y.st_value - R->Address > R->Size - X.st_size)
          return fail("function " + Name + " moved to " + hex(Y.st_value) +
                      ", outside its section " + R->Name);
        Functions.push_back({X.st_value, X.st_size, Y.st_value, Name});
      } else {
        Labels.push_back({X.st_value, Y.st_value});
      }
    }
  }
  return finishFunctions();
}

// SMF: symbol i of the input is symbol i of the output; only values and
// phase bits may change. Function symbols give the ranges; every other
// local symbol in the code is a label (the loader resolves it to code
// base + value); the rest must not move.
Error DecodingVerifier::readSmfSymbols() {
  Expected<smf::Module> I = smf::readModule(In.Buffer->getMemBufferRef());
  if (!I)
    return I.takeError();
  Expected<smf::Module> O = smf::readModule(Out.Buffer->getMemBufferRef());
  if (!O)
    return O.takeError();
  InModule.emplace(std::move(*I));
  OutModule.emplace(std::move(*O));
  const smf::Module &A = *InModule, &B = *OutModule;
  if (A.Symbols.size() != B.Symbols.size() ||
      A.Relocations.size() != B.Relocations.size() ||
      A.Sections.size() != B.Sections.size() || A.Place != B.Place ||
      A.DataOffset != B.DataOffset)
    return fail("the module's tables changed size or place");
  uint64_t End = In.TextAddress + In.TextBytes.size();
  for (size_t K = 0; K < A.Symbols.size(); ++K) {
    const smf::Symbol &X = A.Symbols[K], &Y = B.Symbols[K];
    if (X.Name != Y.Name || X.NameHash != Y.NameHash || X.Type != Y.Type ||
        X.Binding != Y.Binding || X.Visibility != Y.Visibility ||
        (X.Flags & ~smf::SymbolFlagPhaseMask) !=
            (Y.Flags & ~smf::SymbolFlagPhaseMask) ||
        X.Size != Y.Size || X.TypeId != Y.TypeId || X.Version != Y.Version)
      return fail("symbol " + Twine(K) + " changed more than its value and "
                  "phase");
    bool InCode = X.Value < End && (X.Type == smf::SymbolFunction ||
                                    X.Binding == smf::BindingLocal);
    if (X.Type == smf::SymbolFunction && X.Size && InCode) {
      if (X.Size > End || Y.Value > End - X.Size)
        return fail("function " + X.Name + " moved to " + hex(Y.Value) +
                    ", outside the code");
      Functions.push_back({X.Value, X.Size, Y.Value, X.Name});
    } else if (InCode) {
      Labels.push_back({X.Value, Y.Value});
    } else if (X.Value != Y.Value) {
      return fail("symbol " + X.Name + " outside the code moved");
    }
  }
  return finishFunctions();
}

// Each relocation names the same symbol with the same type; its offset
// follows its field, and symbol + addend still reaches what it reached,
// seen from the end of the instruction holding the field (as decoded
// here) for PC-relative ones. The entry point follows its function; the
// read-only data after the code is unchanged.
Error DecodingVerifier::checkSmfData() {
  const smf::Module &A = *InModule, &B = *OutModule;
  uint64_t End = In.TextAddress + In.TextBytes.size();
  llvm::sort(InInstructions);
  auto FollowsCode = [&](const smf::Symbol &S) {
    return S.Value < End &&
           (S.Type == smf::SymbolFunction || S.Binding == smf::BindingLocal);
  };
  for (size_t K = 0; K < A.Relocations.size(); ++K) {
    const smf::Relocation &X = A.Relocations[K], &Y = B.Relocations[K];
    if (X.SymbolIndex != Y.SymbolIndex || X.Type != Y.Type)
      return fail("relocation " + Twine(K) + " changed its symbol or type");
    std::string What = "relocation " + std::to_string(K);
    if (X.Offset < End) {
      if (Error E = checkWord(X.Offset, Y.Offset, What + "'s offset"))
        return E;
    } else if (X.Offset != Y.Offset) {
      return fail(What + " outside the code moved");
    }
    const smf::Symbol &SX = A.Symbols[X.SymbolIndex],
                      &SY = B.Symbols[X.SymbolIndex];
    if (!FollowsCode(SX)) {
      if (X.Addend != Y.Addend)
        return fail(What + " against an import changed its addend");
      continue;
    }
    uint64_t Ends = 0;
    bool PcRelative = X.Type == smf::RelocPc32 || X.Type == smf::RelocPlt32 ||
                      X.Type == smf::RelocGotPcRel;
    if (PcRelative && X.Offset < End) {
      auto Insn = llvm::upper_bound(
          InInstructions, X.Offset,
          [](uint64_t O, const std::pair<uint64_t, uint64_t> &I) {
            return O < I.first;
          });
      Ends = 4;
      if (Insn != InInstructions.begin() &&
          X.Offset < std::prev(Insn)->second)
        Ends = std::prev(Insn)->second - X.Offset;
    }
    if (Error E = checkWord(SX.Value + uint64_t(X.Addend) + Ends,
                            SY.Value + uint64_t(Y.Addend) + Ends,
                            What + "'s symbol + addend"))
      return E;
  }
  if ((A.H.Flags & smf::FlagExecutable) &&
      !(A.H.EntryPoint == 0 && B.H.EntryPoint == 0))
    if (Error E = checkWord(A.H.EntryPoint, B.H.EntryPoint, "the entry point"))
      return E;
  if (!std::equal(A.Code.begin() + End, A.Code.end(), B.Code.begin() + End))
    return fail("the data after the code changed");
  return Error::success();
}

Error DecodingVerifier::finishFunctions() {
  llvm::sort(Functions, [](const Range &A, const Range &B) {
    return std::tie(A.Old, A.Size, A.New) < std::tie(B.Old, B.Size, B.New);
  });
  // Aliases (and .symtab/.dynsym twins) must agree; keep one of each.
  std::vector<Range> Distinct;
  for (Range &R : Functions) {
    if (!Distinct.empty() && Distinct.back().Old == R.Old &&
        Distinct.back().Size == R.Size) {
      if (Distinct.back().New != R.New)
        return fail(Distinct.back().Name + " and " + R.Name + " at " +
                    hex(R.Old) + " moved to different places");
      continue;
    }
    Distinct.push_back(std::move(R));
  }
  Functions = std::move(Distinct);
  for (const Range &R : Functions)
    Starts.push_back(R.Old); // sorted: Functions is
  uint64_t Furthest = 0;
  size_t At = 0;
  for (size_t I = 0; I < Functions.size(); ++I) {
    if (Functions[I].Old + Functions[I].Size > Furthest) {
      Furthest = Functions[I].Old + Functions[I].Size;
      At = I;
    }
    FurthestEnd.push_back(Furthest);
    FurthestAt.push_back(At);
  }
  return Error::success();
}

// Through every function containing Old; outside them an address stays
// (as the loader and the code that stays see it).
Expected<uint64_t> DecodingVerifier::translate(uint64_t Old) const {
  auto It = llvm::upper_bound(Functions, Old, [](uint64_t A, const Range &R) {
    return A < R.Old;
  });
  std::optional<uint64_t> Result;
  const Range *First = nullptr;
  for (size_t I = It - Functions.begin(); I-- > 0;) {
    if (FurthestEnd[I] <= Old)
      break;
    const Range &R = Functions[I];
    if (Old - R.Old >= R.Size)
      continue;
    uint64_t New = R.New + (Old - R.Old);
    if (Result && *Result != New)
      return fail("the code at " + hex(Old) + " lies in " + First->Name +
                  " and " + R.Name + ", which moved apart");
    Result = New;
    First = &R;
  }
  return Result.value_or(Old);
}

// Whether Is may stand for Old in the output (Want: what it should be).
// An address in padding between functions belongs to neither: the
// rewriter may keep it, or move it with the function before or after it
// (a group moves the padding inside it); nothing runs there.
Expected<bool> DecodingVerifier::accepts(uint64_t Old, uint64_t Is,
                                         uint64_t &Want) const {
  Expected<uint64_t> T = translate(Old);
  if (!T)
    return T.takeError();
  Want = *T;
  if (Is == *T)
    return true;
  if (*T != Old || !inText(In, Old))
    return false;
  auto Next = llvm::upper_bound(Functions, Old, [](uint64_t A, const Range &R) {
    return A < R.Old;
  });
  size_t I = Next - Functions.begin();
  const Range *Before = I ? &Functions[FurthestAt[I - 1]] : nullptr;
  if (Before && Before->Old + Before->Size > Old)
    return false; // inside a function: translate said so already
  uint64_t GapBegin = Before ? Before->Old + Before->Size : In.TextAddress;
  uint64_t GapEnd = Next != Functions.end()
                        ? Next->Old
                        : In.TextAddress + In.TextBytes.size();
  if (!In.Arch->isPadding(
          In.TextBytes.slice(GapBegin - In.TextAddress, GapEnd - GapBegin)))
    return false;
  return (Before && Is == Before->New + (Old - Before->Old)) ||
         (Next != Functions.end() && Is == Next->New - (Next->Old - Old));
}

// A label inside a function goes where its function went; one in padding
// between functions may stay or move with its neighbour (accepts()).
Error DecodingVerifier::checkLabels() {
  for (auto [Was, Is] : Labels) {
    uint64_t Want = 0;
    Expected<bool> Ok = accepts(Was, Is, Want);
    if (!Ok)
      return Ok.takeError();
    if (!*Ok)
      return fail("a symbol at " + hex(Was) + " is now at " + hex(Is) +
                  ", but the code it names went to " + hex(Want));
  }
  return Error::success();
}

Error DecodingVerifier::checkWord(uint64_t Was, uint64_t Is,
                                  const Twine &What) {
  ++Summary.DataPointers;
  uint64_t Want = 0;
  Expected<bool> Ok = accepts(Was, Is, Want);
  if (!Ok)
    return Ok.takeError();
  if (!*Ok)
    return fail(What + " holds " + hex(Is) + ", expected " + hex(Want) +
                " (input " + hex(Was) + ")");
  return Error::success();
}

Error DecodingVerifier::compareInstruction(const MCInst &A, uint64_t AAddr,
                                           const MCInst &B, uint64_t BAddr,
                                           uint64_t Len, StringRef What) {
  auto Differs = [&](const Twine &How) {
    return fail("the instruction at " + hex(BAddr) + " (input " + hex(AAddr) +
                ", in " + What + ") " + How);
  };
  if (A.getOpcode() != B.getOpcode() ||
      A.getNumOperands() != B.getNumOperands())
    return Differs("is not the input's instruction");
  std::optional<uint64_t> TA = DP->pcTarget(A, AAddr, Len);
  std::optional<uint64_t> TB = DP->pcTarget(B, BAddr, Len);
  if (TA.has_value() != TB.has_value())
    return Differs("changed its addressing");
  // The displacement of a PC-relative operand changes by exactly this.
  int64_t DispShift = 0;
  if (TA) {
    uint64_t Want = 0;
    Expected<bool> Ok = accepts(*TA, *TB, Want);
    if (!Ok)
      return Ok.takeError();
    if (!*Ok)
      return Differs("reaches " + hex(*TB) + ", expected " + hex(Want) +
                     " (the input reached " + hex(*TA) + ")");
    DispShift = int64_t(*TB - BAddr) - int64_t(*TA - AAddr);
  }
  bool DispSeen = false;
  for (unsigned I = 0; I < A.getNumOperands(); ++I) {
    const MCOperand &X = A.getOperand(I), &Y = B.getOperand(I);
    if (X.isReg() != Y.isReg() || X.isImm() != Y.isImm() ||
        (X.isReg() && X.getReg() != Y.getReg()))
      return Differs("has other operands than the input's");
    if (!X.isImm() || X.getImm() == Y.getImm())
      continue;
    uint64_t Was = X.getImm(), Is = Y.getImm();
    if (TA && !DispSeen && int64_t(Is - Was) == DispShift) {
      DispSeen = true;
      continue;
    }
    // An absolute address of code, at its full width or as 32 bits.
    uint64_t Want = 0, Want32 = 0;
    Expected<bool> Full = accepts(Was, Is, Want);
    if (!Full)
      return Full.takeError();
    Expected<bool> Low =
        accepts(uint32_t(Was), uint64_t(uint32_t(Is)), Want32);
    if (!Low)
      return Low.takeError();
    if (*Full || *Low)
      continue;
    return Differs("holds the immediate " + hex(Is) + " where the input had " +
                   hex(Was));
  }
  ++Summary.Instructions;
  return Error::success();
}

Error DecodingVerifier::compareCode(ArrayRef<uint8_t> InBytes, uint64_t InAddr,
                                    ArrayRef<uint8_t> OutBytes,
                                    uint64_t OutAddr, StringRef What,
                                    bool *RunsOn) {
  using Flow = InstructionDecoder::Flow;
  // Whether execution goes on past the last instruction that is not a nop
  // (calls aside: whether a callee returns is the proof's question, not
  // checked here), or into nops after it that a jump may reach.
  bool LastRunsOn = true; // an empty range runs on
  uint64_t RealEnd = InAddr, Reached = 0;
  auto Finish = [&] {
    if (RunsOn)
      *RunsOn = LastRunsOn ||
                (RealEnd < InAddr + InBytes.size() && Reached > RealEnd);
  };
  for (uint64_t Off = 0; Off < InBytes.size();) {
    MCInst A, B;
    uint64_t Len = DP->decode(A, InBytes.slice(Off), InAddr + Off);
    if (Len)
      InInstructions.push_back({InAddr + Off, InAddr + Off + Len});
    if (Len && RunsOn) {
      Flow F = DP->flowAfter(A);
      if (F == Flow::Jump || F == Flow::Branch)
        if (std::optional<uint64_t> To = DP->pcTarget(A, InAddr + Off, Len);
            To && *To >= InAddr && *To - InAddr < InBytes.size())
          Reached = std::max(Reached, *To + 1);
      if (F == Flow::Trap || !DP->isNop(A)) {
        LastRunsOn = F == Flow::Next || F == Flow::Branch;
        RealEnd = InAddr + Off + Len;
      }
    }
    if (Len == 0) {
      LastRunsOn = false; // unknown: compared as bytes
      Reached = 0;
      Finish();
      // What does not decode was moved as bytes: it must be the same,
      // except where other code decodes and is checked on its own (a
      // nested function, or one overlapping this one). That is known once
      // every function has been decoded: checkUndecoded().
      uint64_t Cursor = InAddr + Off;
      Undecoded.push_back({InBytes.drop_front(Off), OutBytes.drop_front(Off),
                           Cursor, OutAddr + Off, What.str()});
      return Error::success();
    }
    if (DP->decode(B, OutBytes.slice(Off), OutAddr + Off) != Len)
      return fail("the instruction at " + hex(OutAddr + Off) + " (input " +
                  hex(InAddr + Off) + ", in " + What +
                  ") does not decode as the input's");
    if (Error E = compareInstruction(A, InAddr + Off, B, OutAddr + Off, Len,
                                     What))
      return E;
    Summary.CodeBytes += Len;
    Off += Len;
  }
  Finish();
  return Error::success();
}

// Undecoded bytes must be the input's, except those of instructions that
// decoded (and were compared) in another function or code range: nested or
// overlapping symbols decode the same bytes from other starts, and their
// fields are patched.
Error DecodingVerifier::checkUndecoded() {
  llvm::sort(InInstructions);
  std::vector<std::pair<uint64_t, uint64_t>> Covered; // merged
  for (auto [B, E] : InInstructions)
    if (!Covered.empty() && B <= Covered.back().second)
      Covered.back().second = std::max(Covered.back().second, E);
    else
      Covered.push_back({B, E});
  for (const UndecodedRange &U : Undecoded) {
    uint64_t End = U.InAddr + U.InBytes.size();
    auto It = llvm::upper_bound(
        Covered, U.InAddr,
        [](uint64_t A, const std::pair<uint64_t, uint64_t> &R) {
          return A < R.first;
        });
    if (It != Covered.begin())
      --It;
    uint64_t Cursor = U.InAddr;
    auto Raw = [&](uint64_t Until) -> Error {
      if (Until <= Cursor)
        return Error::success();
      if (U.InBytes.slice(Cursor - U.InAddr, Until - Cursor) !=
          U.OutBytes.slice(Cursor - U.InAddr, Until - Cursor))
        return fail("bytes at " + hex(U.OutAddr + (Cursor - U.InAddr)) +
                    " (input " + hex(Cursor) + ", in " + U.What +
                    ") do not decode and differ from the input");
      Summary.CodeBytes += Until - Cursor;
      return Error::success();
    };
    for (; It != Covered.end() && It->first < End && Cursor < End; ++It) {
      if (It->second <= Cursor)
        continue;
      if (Error E = Raw(std::max(Cursor, It->first)))
        return E;
      Cursor = std::max(Cursor, std::min(End, It->second));
    }
    if (Error E = Raw(End))
      return E;
  }
  return Error::success();
}

Error DecodingVerifier::checkFunctions() {
  for (const Range &R : Functions) {
    ArrayRef<uint8_t> Was = In.TextBytes.slice(R.Old - In.TextAddress, R.Size);
    if (!inText(Out, R.New) ||
        R.Size > Out.TextBytes.size() - (R.New - Out.TextAddress))
      return fail(R.Name + " was moved outside .text, to " + hex(R.New));
    ArrayRef<uint8_t> Is = Out.TextBytes.slice(R.New - Out.TextAddress, R.Size);
    bool RunsOn = false;
    if (Error E = compareCode(Was, R.Old, Is, R.New, R.Name, &RunsOn))
      return E;
    if (RunsOn)
      if (Error E = checkRunOn(R))
        return E;
    ++Summary.Functions;
  }
  return Error::success();
}

// Code that runs on past its function's end (its last instruction neither
// jumps, returns nor traps) runs, in the input, into whatever code follows
// the padding after it; in the output that code must follow it at the same
// distance. A fill byte (a trap) in the padding ends the run.
Error DecodingVerifier::checkRunOn(const Range &R) {
  uint64_t End = In.TextAddress + In.TextBytes.size();
  for (uint64_t At = R.Old + R.Size; At < End; ++At) {
    uint8_t Byte = In.TextBytes[At - In.TextAddress];
    if (Byte == In.Arch->fillByte()) {
      // The run traps there; so must it in the output.
      uint64_t Is = R.New + (At - R.Old);
      if (!inText(Out, Is) ||
          Out.TextBytes[Is - Out.TextAddress] != Out.Arch->fillByte())
        return fail(R.Name + " runs on past its end into a trap at " +
                    hex(At) + ", which the output does not keep after it");
      return Error::success();
    }
    if (In.Arch->isPadding(ArrayRef<uint8_t>(&Byte, 1)) &&
        !llvm::binary_search(Starts, At))
      continue;
    Expected<uint64_t> Is = translate(At);
    if (!Is)
      return Is.takeError();
    if (*Is != R.New + (At - R.Old))
      return fail(R.Name + " runs on past its end into the code at " +
                  hex(At) + ", which the output does not keep after it (at " +
                  hex(*Is) + " instead of " + hex(R.New + (At - R.Old)) +
                  ")");
    return Error::success();
  }
  return Error::success();
}

// .text outside every function symbol: padding may be reused; anything else
// stays where it is. Other executable sections stay whole.
Error DecodingVerifier::checkStayingCode() {
  uint64_t Cursor = In.TextAddress;
  uint64_t End = In.TextAddress + In.TextBytes.size();
  auto Gap = [&](uint64_t Begin, uint64_t Stop) -> Error {
    if (Stop <= Begin)
      return Error::success();
    ArrayRef<uint8_t> Was = In.TextBytes.slice(Begin - In.TextAddress,
                                               Stop - Begin);
    if (In.Arch->isPadding(Was))
      return Error::success();
    return compareCode(Was, Begin,
                       Out.TextBytes.slice(Begin - Out.TextAddress,
                                           Stop - Begin),
                       Begin, "code without a function symbol");
  };
  for (const Range &R : Functions) {
    if (Error E = Gap(Cursor, R.Old))
      return E;
    Cursor = std::max(Cursor, R.Old + R.Size);
  }
  if (Error E = Gap(Cursor, End))
    return E;
  if (In.OtherCode.size() != Out.OtherCode.size())
    return fail("the executable sections besides .text changed");
  for (size_t I = 0; I < In.OtherCode.size(); ++I)
    if (Error E = compareCode(In.OtherCode[I].Bytes, In.OtherCode[I].Address,
                              Out.OtherCode[I].Bytes, Out.OtherCode[I].Address,
                              In.OtherCode[I].Name))
      return E;
  return Error::success();
}

Error DecodingVerifier::checkData() {
  if (Error E = checkWord(In.Entry, Out.Entry, "e_entry"))
    return E;
  if (In.DynamicCode.size() != Out.DynamicCode.size())
    return fail(".dynamic changed");
  for (size_t I = 0; I < In.DynamicCode.size(); ++I)
    if (Error E = checkWord(In.DynamicCode[I].Value, Out.DynamicCode[I].Value,
                            "the .dynamic entry with tag " +
                                Twine(In.DynamicCode[I].Tag)))
      return E;
  // .eh_frame: PC-relative pointers to the code each FDE describes.
  if (In.DataPcRelatives.size() != Out.DataPcRelatives.size())
    return fail("the retained relocations of data changed");
  for (size_t I = 0; I < In.DataPcRelatives.size(); ++I) {
    const LinkedBinary::DataPcRelative &A = In.DataPcRelatives[I],
                                       &B = Out.DataPcRelatives[I];
    if (A.Section != ".eh_frame")
      continue;
    uint64_t Was = A.Offset + uint64_t(A.Value);
    if (inText(In, Was))
      if (Error E = checkWord(Was, B.Offset + uint64_t(B.Value),
                              "the .eh_frame pointer at " + hex(A.Offset)))
        return E;
  }
  // Loader relocations and statically filled GOT words; absolute pointers
  // in data that the linker kept relocations for.
  StringRef InImage = In.Buffer->getBuffer(),
            OutImage = Out.Buffer->getBuffer();
  auto Word = [](StringRef Image, uint64_t Offset) {
    return support::endian::read64le(Image.data() + Offset);
  };
  for (size_t S = 0; S < InSections.size(); ++S) {
    const ELF64LE::Shdr &Sec = InSections[S];
    if (Sec.sh_type == ELF::SHT_NOBITS || Sec.sh_offset > InImage.size() ||
        Sec.sh_size > InImage.size() - Sec.sh_offset)
      continue;
    Expected<StringRef> Name = InFile->getSectionName(Sec);
    if (!Name) {
      consumeError(Name.takeError());
      continue;
    }
    if (Sec.sh_type == ELF::SHT_RELA && (Sec.sh_flags & ELF::SHF_ALLOC)) {
      for (uint64_t Off = 0; Off + sizeof(ELF64LE::Rela) <= Sec.sh_size;
           Off += sizeof(ELF64LE::Rela)) {
        uint64_t At = Sec.sh_offset + Off;
        uint32_t Type = uint32_t(Word(InImage, At + 8));
        if (!In.Arch->isRelativeDynamic(Type))
          continue;
        uint64_t Was = Word(InImage, At + 16), Is = Word(OutImage, At + 16);
        if (inText(In, Was))
          if (Error E = checkWord(Was, Is,
                                  "the " + *Name + " addend at " + hex(At)))
            return E;
      }
    }
    if (*Name == ".got" && Sec.sh_type == ELF::SHT_PROGBITS)
      for (uint64_t Off = 0; Off + 8 <= Sec.sh_size; Off += 8) {
        uint64_t Was = Word(InImage, Sec.sh_offset + Off);
        if (inText(In, Was))
          if (Error E = checkWord(Was, Word(OutImage, Sec.sh_offset + Off),
                                  ".got at " + hex(Sec.sh_addr + Off)))
            return E;
      }
    // Retained 64-bit absolute pointers into allocated data (.init_array,
    // .data, ...).
    if (Sec.sh_type != ELF::SHT_RELA || (Sec.sh_flags & ELF::SHF_ALLOC) ||
        Sec.sh_info == 0 || Sec.sh_info >= InSections.size())
      continue;
    const ELF64LE::Shdr &Target = InSections[Sec.sh_info];
    if (!(Target.sh_flags & ELF::SHF_ALLOC) ||
        (Target.sh_flags & ELF::SHF_EXECINSTR) ||
        Target.sh_type == ELF::SHT_NOBITS)
      continue;
    Expected<ELF64LEFile::Elf_Rela_Range> Relas = InFile->relas(Sec);
    if (!Relas) {
      consumeError(Relas.takeError());
      continue;
    }
    for (const ELF64LE::Rela &R : *Relas) {
      unsigned Size = 0;
      bool Signed = false;
      if (!In.Arch->isAbsolute(R.getType(false), Size, Signed) || Size != 8 ||
          R.r_offset < Target.sh_addr ||
          R.r_offset - Target.sh_addr > Target.sh_size ||
          Target.sh_size - (R.r_offset - Target.sh_addr) < 8 ||
          Target.sh_offset > InImage.size() ||
          Target.sh_size > InImage.size() - Target.sh_offset)
        continue;
      uint64_t At = Target.sh_offset + (R.r_offset - Target.sh_addr);
      uint64_t Was = Word(InImage, At);
      if (inText(In, Was))
        if (Error E = checkWord(Was, Word(OutImage, At),
                                "the pointer at " + hex(R.r_offset)))
          return E;
    }
  }
  return Error::success();
}

Expected<VerifySummary> DecodingVerifier::run() {
  if (Out.TextAddress != In.TextAddress ||
      Out.TextBytes.size() != In.TextBytes.size() ||
      Out.Buffer->getBufferSize() != In.Buffer->getBufferSize())
    return fail(".text or the file changed size");
  if (!In.Arch)
    return fail("no instruction set to decode");
  In.Arch->registerWithLLVM();
  Expected<std::unique_ptr<InstructionDecoder>> Made = In.Arch->createDecoder();
  if (!Made)
    return Made.takeError();
  Decoder = std::move(*Made);
  DP = Decoder.get();
  bool Smf = In.Format == BinaryFormat::SMF;
  if (Error E = Smf ? readSmfSymbols() : readSymbols())
    return std::move(E);
  if (Error E = checkLabels())
    return std::move(E);
  if (Error E = checkFunctions())
    return std::move(E);
  if (Error E = checkStayingCode())
    return std::move(E);
  if (Error E = checkUndecoded())
    return std::move(E);
  if (Error E = Smf ? checkSmfData() : checkData())
    return std::move(E);
  return Summary;
}

} // namespace

Expected<VerifySummary> verifyRewriteByDecoding(const LinkedBinary &In,
                                                const LinkedBinary &Out) {
  return DecodingVerifier(In, Out).run();
}

} // namespace pagelayout

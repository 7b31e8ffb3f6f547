//===- RewriteVerifier.cpp - Check a rewritten binary against its input ---===//
//
// The rewriter patches through relocations and its own address map. This
// check starts again from the input: where the output's symbol table says
// each function now is, what the proof decoded each operand to reach, and
// what each relocated field must therefore hold. Moved code equals the
// input outside its fields, so a second disassembly would find the same
// instructions; comparing bytes proves that at memcmp speed.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/RewriteVerifier.h"
#include "AddressMap.h"
#include "AddressText.h"
#include "llvm/BinaryFormat/ELF.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Endian.h"

using namespace llvm;

namespace pagelayout {
namespace {

uint64_t readField(ArrayRef<uint8_t> Bytes, unsigned Size) {
  return Size == 8 ? support::endian::read64le(Bytes.data())
                   : support::endian::read32le(Bytes.data());
}

class Verifier {
public:
  Verifier(const LinkedBinary &In, const MoveSafety &Safety,
           const std::vector<Atom> &Units, const LayoutPlan &Plan,
           const LinkedBinary &Out)
      : In(In), Safety(Safety), Units(Units), Plan(Plan), Out(Out) {}

  Expected<VerifySummary> run();

private:
  /// A run of input code and where the output has it.
  struct Move {
    uint64_t Old = 0, New = 0, Size = 0;
  };
  /// Code at the same address in input and output (.text, or an executable
  /// section that stays) and the retained relocations of its fields.
  struct Region {
    uint64_t Address = 0;
    ArrayRef<uint8_t> In, Out;
    ArrayRef<RetainedRelocation> Relocations;

    ArrayRef<uint8_t> inBytes(uint64_t Addr, uint64_t Size) const {
      return In.slice(Addr - Address, Size);
    }
    ArrayRef<uint8_t> outBytes(uint64_t Addr, uint64_t Size) const {
      return Out.slice(Addr - Address, Size);
    }
  };

  Error fail(const Twine &What) const {
    return makeLocatedError(Out.Path, {},
                            "verification failed: " + What +
                                "; nothing was written (please report "
                                "this with the input binary)");
  }
  Error checkFunctions();
  Error checkCode(const Region &C, const Move &M);
  Error checkField(const Region &C, const RetainedRelocation &R, const Move &M);
  Error checkRelocations();
  Error checkDataPointers();
  Error checkOtherCode();
  Error checkEntry();
  uint64_t newAddress(uint64_t Old) const { return Map(Old); }

  const LinkedBinary &In;
  const MoveSafety &Safety;
  const std::vector<Atom> &Units;
  const LayoutPlan &Plan;
  const LinkedBinary &Out;
  std::vector<Move> Moves; // by Old
  AddressMap Map;          // the same moves, for lookups
  VerifySummary Summary;
};

// Every unit is placed once, pinned ones where they were; every input
// function is found in the output's symbol table where its unit took it,
// under the same symbols and with the same size.
Error Verifier::checkFunctions() {
  if (Out.TextAddress != In.TextAddress ||
      Out.TextBytes.size() != In.TextBytes.size())
    return fail(".text moved or changed size");
  if (Out.Functions.size() != In.Functions.size())
    return fail("the output has " + Twine(Out.Functions.size()) +
                " functions, the input " + Twine(In.Functions.size()));
  std::vector<bool> Placed(Units.size());
  for (const PlacedAtom &PA : Plan.Placement) {
    if (PA.AtomIndex >= Placed.size() || Placed[PA.AtomIndex])
      return fail("the plan places atom " + Twine(PA.AtomIndex) + " twice");
    Placed[PA.AtomIndex] = true;
    const Atom &U = Units[PA.AtomIndex];
    if (U.Pinned && PA.Offset != U.OriginalOffset)
      return fail(U.displayName() + " is pinned but moved from " +
                  hex(U.OriginalOffset) + " to " + hex(PA.Offset));
    Moves.push_back({U.OriginalOffset, PA.Offset, U.Size});
    Map.add(U.OriginalOffset, U.OriginalOffset + U.Size,
            int64_t(PA.Offset) - int64_t(U.OriginalOffset));
  }
  Map.finish();
  if (!all_of(Placed, [](bool B) { return B; }))
    return fail("the plan leaves a function out");
  llvm::sort(Moves, [](const Move &A, const Move &B) { return A.Old < B.Old; });
  for (const Atom &F : In.Functions) {
    uint64_t New = newAddress(F.OriginalOffset);
    auto It =
        llvm::lower_bound(Out.Functions, New, [](const Atom &A, uint64_t Addr) {
          return A.OriginalOffset < Addr;
        });
    if (It == Out.Functions.end() || It->OriginalOffset != New)
      return fail(F.displayName() + " is not at " + hex(New) +
                  " in the output's symbol table");
    bool SameSymbols = It->Symbols.size() == F.Symbols.size() &&
                       all_of(zip(It->Symbols, F.Symbols), [](auto P) {
                         return std::get<0>(P).Name == std::get<1>(P).Name;
                       });
    if (!SameSymbols || It->Size != F.Size)
      return fail(hex(New) + " holds " + It->displayName() + " (" +
                  Twine(It->Size) + " bytes), not " + F.displayName() + " (" +
                  Twine(F.Size) + " bytes)");
    ++Summary.Functions;
  }
  return Error::success();
}

// A relocated field holds what the input's field meant, moved.
Error Verifier::checkField(const Region &C, const RetainedRelocation &R,
                           const Move &M) {
  unsigned Size = In.Arch->fieldSize(R.Type);
  uint64_t NewAt = M.New + (R.Offset - M.Old);
  if (Size == 0 || In.Arch->isPositionFree(R.Type) || R.Offset + Size > M.Old + M.Size)
    return Error::success();
  uint64_t Was = readField(C.inBytes(R.Offset, Size), Size);
  uint64_t Is = readField(C.outBytes(NewAt, Size), Size);
  uint64_t Expected;
  unsigned AbsSize = 0;
  bool Signed = false;
  bool Absolute = In.Arch->isAbsolute(R.Type, AbsSize, Signed);
  if (Safety.PcRelativeFields.count(R.Offset)) {
    // Relative to the end of the instruction, as the proof decoded it.
    uint64_t End = Safety.InstructionEnd.lookup(R.Offset);
    uint64_t Target = End + int64_t(int32_t(Was));
    uint64_t NewEnd = M.New + (End - M.Old);
    Expected = uint32_t(newAddress(Target) - NewEnd);
  } else if (In.Arch->isPcRelative32(R.Type) && !Safety.InstructionEnd.count(R.Offset)) {
    Expected = Was; // in code that did not decode: left alone, its
                    // targets pinned
  } else if (In.Arch->isPcRelative32(R.Type) ||
             (Absolute && AbsSize == 4 && !Signed)) {
    Expected = uint32_t(newAddress(Was)); // relaxed to an immediate
  } else if (Absolute && AbsSize == 4) {
    Expected = uint32_t(newAddress(uint64_t(int64_t(int32_t(Was)))));
  } else if (Absolute) {
    Expected = newAddress(Was);
  } else {
    Expected = Was;
  }
  ++Summary.Fields;
  if (Is != Expected)
    return fail("the field at " + hex(NewAt) + " (input " + hex(R.Offset) +
                ", relocation type " + Twine(R.Type) + ") holds " + hex(Is) +
                ", expected " + hex(Expected));
  return Error::success();
}

// Bytes equal the input's outside relocated fields; fields are checked by
// value. (Each run finds its own first field: pinned functions may nest.)
Error Verifier::checkCode(const Region &C, const Move &M) {
  ArrayRef<RetainedRelocation> Rels = C.Relocations;
  size_t Field = llvm::lower_bound(Rels, M.Old,
                                   [](const RetainedRelocation &R, uint64_t A) {
                                     return R.Offset < A;
                                   }) -
                 Rels.begin();
  uint64_t Cursor = M.Old, End = M.Old + M.Size;
  auto Compare = [&](uint64_t Until) -> Error {
    if (Until > Cursor &&
        C.inBytes(Cursor, Until - Cursor) !=
            C.outBytes(M.New + (Cursor - M.Old), Until - Cursor)) {
      uint64_t At = Cursor;
      while (C.inBytes(At, 1) == C.outBytes(M.New + (At - M.Old), 1))
        ++At;
      return fail("the code at " + hex(M.New + (At - M.Old)) + " (input " +
                  hex(At) + ") differs from the input");
    }
    Summary.CodeBytes += Until > Cursor ? Until - Cursor : 0;
    Cursor = std::max(Cursor, Until);
    return Error::success();
  };
  for (; Field < Rels.size() && Rels[Field].Offset < End; ++Field) {
    const RetainedRelocation &R = Rels[Field];
    if (Error E = Compare(R.Offset))
      return E;
    if (Error E = checkField(C, R, M))
      return E;
    Cursor =
        std::max(Cursor, std::min(End, R.Offset + In.Arch->fieldSize(R.Type)));
  }
  return Compare(End);
}

// The output's retained relocations are the input's, moved with their
// fields, so the output can be reordered again.
Error Verifier::checkRelocations() {
  if (Out.TextRelocations.size() != In.TextRelocations.size())
    return fail("the output keeps " + Twine(Out.TextRelocations.size()) +
                " .text relocations, the input " +
                Twine(In.TextRelocations.size()));
  std::vector<std::pair<uint64_t, uint32_t>> Want, Have;
  for (const RetainedRelocation &R : In.TextRelocations)
    Want.push_back({newAddress(R.Offset), R.Type});
  for (const RetainedRelocation &R : Out.TextRelocations)
    Have.push_back({R.Offset, R.Type});
  llvm::sort(Want);
  llvm::sort(Have);
  for (size_t I = 0; I < Want.size(); ++I)
    if (Want[I] != Have[I])
      return fail("a retained relocation should apply at " +
                  hex(Want[I].first) + " but the output has " +
                  hex(Have[I].first));
  return Error::success();
}

// .eh_frame pointers and exactly understood jump-table entries (the rest
// reach pinned code) point at where their targets went.
Error Verifier::checkDataPointers() {
  DenseMap<uint64_t, int64_t> OutValue;
  for (const LinkedBinary::DataPcRelative &E : Out.DataPcRelatives)
    OutValue[E.Offset] = E.Value;
  for (const LinkedBinary::DataPcRelative &E : In.DataPcRelatives) {
    auto Table = Safety.JumpTables.find(E.Offset);
    bool IsTable = Table != Safety.JumpTables.end();
    if (E.Section != ".eh_frame" && !IsTable)
      continue;
    uint64_t Base = IsTable ? Table->second.Base : E.Offset;
    uint64_t Target = Base + uint64_t(E.Value);
    uint64_t NewTarget = IsTable && Table->second.AtOwnerEnd
                             ? newAddress(Target - 1) + 1
                             : newAddress(Target);
    auto Is = OutValue.find(E.Offset);
    ++Summary.DataPointers;
    if (Is == OutValue.end() || uint64_t(Base + Is->second) != NewTarget)
      return fail("the " + E.Section + " entry at " + hex(E.Offset) +
                  " should reach " + hex(NewTarget));
  }
  return Error::success();
}

// Code outside .text stays: checked like moved code that did not move.
Error Verifier::checkOtherCode() {
  if (Out.OtherCode.size() != In.OtherCode.size())
    return fail("the output has " + Twine(Out.OtherCode.size()) +
                " executable sections besides .text, the input " +
                Twine(In.OtherCode.size()));
  for (size_t I = 0; I < In.OtherCode.size(); ++I) {
    const LinkedBinary::CodeSection &Was = In.OtherCode[I],
                                    &Is = Out.OtherCode[I];
    if (Was.Name != Is.Name || Was.Address != Is.Address ||
        Was.Bytes.size() != Is.Bytes.size())
      return fail(Was.Name + " moved or changed size");
    Region Code{Was.Address, Was.Bytes, Is.Bytes, In.OtherCodeRelocations};
    if (Error E = checkCode(Code, {Was.Address, Was.Address, Was.Bytes.size()}))
      return E;
  }
  return Error::success();
}

Error Verifier::checkEntry() {
  if (Out.Entry != newAddress(In.Entry))
    return fail("e_entry is " + hex(Out.Entry) + ", expected " +
                hex(newAddress(In.Entry)));
  if (Out.DynamicCode.size() != In.DynamicCode.size())
    return fail(".dynamic changed its DT_INIT/DT_FINI entries");
  for (size_t I = 0; I < In.DynamicCode.size(); ++I) {
    const LinkedBinary::DynamicCodeAddress &Was = In.DynamicCode[I],
                                           &Is = Out.DynamicCode[I];
    uint64_t Want = newAddress(Was.Value);
    if (Is.Tag != Was.Tag || Is.Value != Want)
      return fail(StringRef(Was.Tag == ELF::DT_INIT ? "DT_INIT" : "DT_FINI") +
                  " is " + hex(Is.Value) + ", expected " + hex(Want));
  }
  return Error::success();
}

Expected<VerifySummary> Verifier::run() {
  if (Error E = checkFunctions())
    return std::move(E);
  const Region Text{In.TextAddress, In.TextBytes, Out.TextBytes,
                    In.TextRelocations};
  for (const Move &M : Moves)
    if (Error E = checkCode(Text, M))
      return std::move(E);
  if (Error E = checkRelocations())
    return std::move(E);
  if (Error E = checkDataPointers())
    return std::move(E);
  if (Error E = checkOtherCode())
    return std::move(E);
  if (Error E = checkEntry())
    return std::move(E);
  return Summary;
}

} // namespace

Expected<VerifySummary> verifyRewrite(const LinkedBinary &In,
                                      const MoveSafety &Safety,
                                      const std::vector<Atom> &Units,
                                      const LayoutPlan &Plan,
                                      const LinkedBinary &Out) {
  return Verifier(In, Safety, Units, Plan, Out).run();
}

} // namespace pagelayout

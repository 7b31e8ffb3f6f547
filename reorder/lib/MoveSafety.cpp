//===- MoveSafety.cpp - Which functions can move, and why not -------------===//
//
// Moving a function changes the distance from every PC-relative operand
// inside it to everything outside it, and from everything outside to it.
// --emit-relocs keeps a relocation for each such operand the compiler
// emitted, which the rewriter recomputes. What it cannot fix is an operand
// the linker left no relocation for (hand-written assembly, linker
// relaxation that dropped one, a toolchain bug). So every function is
// decoded and each PC-relative branch, call or memory operand that reaches
// outside the function must have a relocation inside its bytes; otherwise
// the function stays, and so does the one it reaches. Bytes that do not
// decode also pin their function: nothing unknown is moved.
//
// BOLT calls the same idea "strict" mode. Everything that depends on the
// instruction set (decoding, field types, padding) is the binary's Target.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/MoveSafety.h"
#include "AddressText.h"
#include "CodeEndings.h"
#include "FunctionIndex.h"
#include "pagelayout/reorder/SharedWork.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Parallel.h"

#include <cstring>
#include <tuple>

using namespace llvm;

namespace pagelayout {
namespace {

/// Below this much code the proof decodes on the calling thread.
constexpr uint64_t SerialDecodeBytes = 1 << 20;

int functionAt(const FunctionIndex &Index, uint64_t Addr) {
  return Index.at(Addr);
}

/// Bytes of code at an address: .text or another executable section.
struct CodeBytes {
  uint64_t Address = 0;
  ArrayRef<uint8_t> Bytes;
};

/// Walks the sorted text relocations alongside a decode that goes forward
/// through the code, so an instruction finds its relocations without a
/// search (a binary search per instruction was the proof's largest cost).
class RelocationCursor {
public:
  explicit RelocationCursor(ArrayRef<RetainedRelocation> Rels) : Rels(Rels) {}

  /// The relocations whose field starts inside [Begin, End).
  ArrayRef<RetainedRelocation> within(uint64_t Begin, uint64_t End) {
    if (Begin < Last)
      Pos = llvm::lower_bound(Rels, Begin,
                              [](const RetainedRelocation &R, uint64_t A) {
                                return R.Offset < A;
                              }) -
            Rels.begin();
    Last = Begin;
    while (Pos < Rels.size() && Rels[Pos].Offset < Begin)
      ++Pos;
    size_t Stop = Pos;
    while (Stop < Rels.size() && Rels[Stop].Offset < End)
      ++Stop;
    return Rels.slice(Pos, Stop - Pos);
  }

private:
  ArrayRef<RetainedRelocation> Rels;
  size_t Pos = 0;
  uint64_t Last = UINT64_MAX; // the first call searches
};

/// What decoding one function found; merged in function order.
struct DecodeResult {
  uint64_t Instructions = 0, Outgoing = 0;
  std::vector<std::pair<int, std::string>> Pins;
  struct Join {
    int From, To;
    std::string Why;
  };
  std::vector<Join> Joins; // unrelocated references between functions
  std::vector<std::pair<uint64_t, uint64_t>> Ends; // relocation -> insn end
  std::vector<uint64_t> PcRelative;
  std::vector<std::pair<uint64_t, int>> Bases; // data address, function
  /// Relocated fields that are not (only) operand bytes: (field, insn).
  std::vector<std::pair<uint64_t, uint64_t>> BadFields;
  /// [begin, end) of every instruction, for a function that overlaps
  /// another (nested symbols decode the same bytes twice).
  std::vector<std::pair<uint64_t, uint64_t>> Instructions_;
  std::vector<std::pair<uint64_t, std::string>> PinAddresses; // code that stays
  std::vector<uint64_t> RelaxedTls; // TLS fields left on relaxed code
};

/// Notes where the instruction at [Addr, End) holds relocated fields;
/// returns whether it holds a field that is an operand. A field is patched
/// later only if it lies wholly inside one of the instruction's operands; a
/// TLS relocation left on a sequence the linker relaxed is not (RelaxedTls:
/// left alone, it holds no code address); any other relocation that also
/// covers opcode bytes is damaged input (BadFields).
bool recordInstructionEnd(const Target &T, const InstructionDecoder &D,
                          const CodeBytes &Code,
                          ArrayRef<RetainedRelocation> Fields, uint64_t Addr,
                          uint64_t End, std::optional<uint64_t> PcTarget,
                          DecodeResult &R) {
  ArrayRef<uint8_t> Insn = Code.Bytes.slice(Addr - Code.Address, End - Addr);
  bool Operand = false;
  for (const RetainedRelocation &Rel : Fields) {
    unsigned Size = T.fieldSize(Rel.Type);
    if (Size == 0 || T.isPositionFree(Rel.Type))
      continue;
    bool IsOperand = D.isOperandField(Insn, Addr, Rel.Offset - Addr, Size);
    uint64_t FieldAt = Rel.Offset - Code.Address;
    uint64_t V = 0;
    if (FieldAt + Size <= Code.Bytes.size())
      memcpy(&V, Code.Bytes.data() + FieldAt, Size);
    bool PcOperand = PcTarget && Size == 4 && Rel.Offset + 4 <= End &&
                     End + int64_t(int32_t(uint32_t(V))) == *PcTarget;
    // A field patched as an address (absolute, or a PC-relative one the
    // linker relaxed into an immediate) must be the whole operand, not
    // part of a wider one (4 bytes inside a movabs's 8): the operand's
    // value is the field's, zero- or sign-extended.
    if (IsOperand && !PcOperand) {
      MCInst Inst;
      D.decode(Inst, Insn, Addr);
      uint64_t Mask = Size >= 8 ? ~uint64_t(0) : (uint64_t(1) << (8 * Size)) - 1;
      uint64_t Sign = uint64_t(1) << (8 * std::min(Size, 8u) - 1);
      uint64_t SExt = (V & Sign) ? (V | ~Mask) : V;
      IsOperand = any_of(Inst, [&](const MCOperand &Op) {
        return Op.isImm() &&
               (uint64_t(Op.getImm()) == V || uint64_t(Op.getImm()) == SExt);
      });
    }
    if (!IsOperand && T.isTlsSequence(Rel.Type)) {
      R.RelaxedTls.push_back(Rel.Offset);
      continue;
    }
    if (!IsOperand) {
      // The relocation is misplaced: the operand it was meant for is in
      // this instruction, unrelocated. Whatever its operands reach stays.
      R.BadFields.push_back({Rel.Offset, Addr});
      MCInst Inst;
      D.decode(Inst, Insn, Addr);
      std::string Why = "reached by the instruction at " + hex(Addr) +
                        ", whose relocation at " + hex(Rel.Offset) +
                        " is not on an operand";
      if (std::optional<uint64_t> T = D.pcTarget(Inst, Addr, Insn.size()))
        R.PinAddresses.push_back({*T, Why});
      for (const MCOperand &Op : Inst)
        if (Op.isImm()) {
          R.PinAddresses.push_back({uint64_t(Op.getImm()), Why});
          R.PinAddresses.push_back({uint64_t(uint32_t(Op.getImm())), Why});
        }
      continue;
    }
    R.Ends.push_back({Rel.Offset, End});
    Operand = true;
    if (PcOperand)
      R.PcRelative.push_back(Rel.Offset);
  }
  return Operand;
}

/// Decodes [Begin, Begin + Size); stops at bytes that do not decode and
/// returns their address. \p Ending learns how the code ends.
template <typename Each>
std::optional<uint64_t> decodeRange(const InstructionDecoder &D,
                                    const CodeBytes &Code, uint64_t Begin,
                                    uint64_t Size, CodeEnding &Ending,
                                    Each Fn) {
  ArrayRef<uint8_t> Bytes = Code.Bytes.slice(Begin - Code.Address, Size);
  for (uint64_t Off = 0; Off < Size;) {
    MCInst Inst;
    uint64_t Addr = Begin + Off;
    uint64_t Len = D.decode(Inst, Bytes.slice(Off), Addr);
    if (Len == 0) {
      Ending.Undecodable = true;
      return Addr;
    }
    std::optional<uint64_t> To = D.pcTarget(Inst, Addr, Len);
    Ending.see(D, Inst, Addr, Len, To, Begin, Begin + Size);
    Fn(Addr, Len, To);
    Off += Len;
  }
  Ending.finish(Begin + Size);
  return std::nullopt;
}

void pin(MoveSafety &S, int Fn, const std::string &Why) {
  if (Fn >= 0 && S.PinReason[Fn].empty())
    S.PinReason[Fn] = Why;
}

/// GCC splits a function's unlikely code into `NAME.cold`; a switch in NAME
/// jumps there through NAME's table. Finds NAME for a cold part.
class HotPartIndex {
public:
  explicit HotPartIndex(const std::vector<Atom> &Fns) : Fns(Fns) {}

  /// The functions named as \p Fn's hot part, if \p Fn is a cold part.
  ArrayRef<int> of(int Fn) {
    Found.clear();
    for (const AtomSymbol &Sym : Fns[Fn].Symbols) {
      size_t Cold = StringRef(Sym.Name).find(".cold");
      if (Cold == StringRef::npos || Cold == 0)
        continue;
      buildOnce();
      auto It = ByName.find(StringRef(Sym.Name).take_front(Cold));
      if (It != ByName.end())
        append_range(Found, It->second);
    }
    return Found;
  }

private:
  void buildOnce() {
    if (Built)
      return;
    Built = true;
    for (size_t I = 0; I < Fns.size(); ++I)
      for (const AtomSymbol &Sym : Fns[I].Symbols)
        ByName[Sym.Name].push_back(int(I));
  }

  const std::vector<Atom> &Fns;
  bool Built = false;
  StringMap<SmallVector<int, 1>> ByName;
  SmallVector<int, 2> Found;
};

/// A PC-relative entry of a jump table holds target - table base, and its
/// relocation does not say where the table starts. The function using the
/// table loads its base (`lea table(%rip)`): the nearest loaded data
/// address at or below the entry is taken as its base, and when base +
/// value then lands inside that same function (or in its GCC `.cold`
/// part), the entry is understood exactly and moves with its target. Otherwise
/// Offset + Value lies at or after the target by at most the distance back to
/// the start of the run of consecutive entries, and every function in that
/// interval stays, so the entry stays right without being understood.
/// (.eh_frame entries are plain PC-relative pointers and are fixed exactly
/// instead.)
void pinRelativeTableTargets(const LinkedBinary &B, const FunctionIndex &Index,
                             ArrayRef<std::pair<uint64_t, int>> TableBases,
                             MoveSafety &S) {
  uint64_t TextEnd = B.TextAddress + B.TextBytes.size();
  std::vector<const LinkedBinary::DataPcRelative *> Entries;
  for (const LinkedBinary::DataPcRelative &E : B.DataPcRelatives)
    if (E.Section != ".eh_frame")
      Entries.push_back(&E);
  llvm::sort(Entries, [](auto *A, auto *C) {
    return std::tie(A->Section, A->Offset) < std::tie(C->Section, C->Offset);
  });
  HotPartIndex HotParts(B.Functions);
  uint64_t RunStart = 0;
  for (size_t I = 0; I < Entries.size(); ++I) {
    const auto &E = *Entries[I];
    bool Continues = I > 0 && Entries[I - 1]->Section == E.Section &&
                     Entries[I - 1]->Offset + Entries[I - 1]->Size == E.Offset;
    if (!Continues)
      RunStart = E.Offset;
    uint64_t Points = E.Offset + uint64_t(E.Value);
    if (Points < B.TextAddress || Points >= TextEnd)
      continue;
    // Exact: the nearest base at or below the entry, loaded by the
    // function its target lands in.
    auto Base =
        llvm::upper_bound(TableBases, E.Offset,
                          [](uint64_t A, const std::pair<uint64_t, int> &T) {
                            return A < T.first;
                          });
    if (Base != TableBases.begin() && E.Size == 4) {
      uint64_t BaseAddr = std::prev(Base)->first;
      uint64_t Target = B.Arch->jumpTableTarget(BaseAddr, E.Value);
      auto LoadsBase = [&](int Fn) {
        for (auto It = std::prev(Base);; --It) {
          if (It->first != BaseAddr)
            return false;
          if (It->second == Fn)
            return true;
          if (It == TableBases.begin())
            return false;
        }
      };
      // Inside the function that loads the base, or at its very end (a
      // label after its last instruction: an unreachable default case).
      int Inside = functionAt(Index, Target);
      int Before = functionAt(Index, Target - 1);
      if (Inside >= 0 &&
          (LoadsBase(Inside) || any_of(HotParts.of(Inside), LoadsBase))) {
        S.JumpTables[E.Offset] = {BaseAddr, false};
        continue;
      }
      if (Before >= 0 && Before != Inside && LoadsBase(Before) &&
          B.Functions[Before].OriginalOffset + B.Functions[Before].Size ==
              Target) {
        S.JumpTables[E.Offset] = {BaseAddr, true};
        continue;
      }
    }
    uint64_t Low = std::max(B.TextAddress, Points - (E.Offset - RunStart));
    int First = functionAt(Index, Low);
    int Last = functionAt(Index, Points);
    for (int F = std::max(First, 0); F >= 0 && F <= Last; ++F)
      pin(S, F,
          "reached by a relative entry in " + E.Section + " at " +
              hex(E.Offset) + " (a jump table) whose target is not exact");
  }
}

/// Decodes code that stays, [Begin, Begin + Size) of \p Code, for the ends
/// of the instructions its relocated fields are in. What it reaches without
/// a relocation must stay too. Fields after bytes that do not decode are
/// never validated: markUnpatchableFields leaves them alone. Returns how
/// the code ends.
CodeEnding decodeStayingCode(const Target &T, const InstructionDecoder &D,
                             const CodeBytes &Code, uint64_t Begin,
                             uint64_t Size, ArrayRef<RetainedRelocation> Rels,
                             const FunctionIndex &Fns, StringRef Where,
                             DecodeResult &R) {
  RelocationCursor Relocs(Rels);
  CodeEnding Ending;
  decodeRange(
      D, Code, Begin, Size, Ending,
              [&](uint64_t Addr, uint64_t Len, std::optional<uint64_t> To) {
                bool Relocated =
                    recordInstructionEnd(T, D, Code,
                                         Relocs.within(Addr, Addr + Len),
                                         Addr, Addr + Len, To, R);
                if (To && !Relocated)
                  R.Pins.push_back({functionAt(Fns, *To),
                                    ("reached without a relocation from " +
                                     Where + " at " + hex(Addr))
                                        .str()});
              });
  return Ending;
}

/// A relocated field the decode did not validate (it covers bytes that are
/// not an operand, or lies where nothing decoded: padding, data, the rest
/// of a function after bytes that do not decode) is never written: its
/// function stays, and so does every function its value could reach, read
/// as a PC-relative operand ending the field or followed by an immediate,
/// or as an absolute address.
void markUnpatchableFields(const Target &T, const FunctionIndex &Fns,
                           ArrayRef<CodeBytes> Codes,
                           ArrayRef<RetainedRelocation> Rels,
                           const DenseMap<uint64_t, uint64_t> &BadFields,
                           MoveSafety &S) {
  for (const RetainedRelocation &Rel : Rels) {
    unsigned Size = T.fieldSize(Rel.Type);
    if (Size == 0 || T.isPositionFree(Rel.Type) ||
        (S.InstructionEnd.count(Rel.Offset) && !BadFields.count(Rel.Offset)) ||
        (S.UnpatchableFields.count(Rel.Offset) && !BadFields.count(Rel.Offset)))
      continue;
    S.UnpatchableFields.insert(Rel.Offset);
    S.InstructionEnd.erase(Rel.Offset);
    S.PcRelativeFields.erase(Rel.Offset);
    auto Bad = BadFields.find(Rel.Offset);
    std::string Why =
        Bad != BadFields.end()
            ? ("the relocation at " + hex(Rel.Offset) +
               " covers bytes of the instruction at " + hex(Bad->second) +
               " that are not its operand; the field is left alone")
            : ("the relocation at " + hex(Rel.Offset) +
               " is in no decoded instruction; the field is left alone");
    pin(S, functionAt(Fns, Rel.Offset), Why);
    const CodeBytes *Code = find_if(Codes, [&](const CodeBytes &C) {
      return Rel.Offset >= C.Address &&
             Rel.Offset - C.Address <= C.Bytes.size() &&
             C.Bytes.size() - (Rel.Offset - C.Address) >= Size;
    });
    if (Code == Codes.end())
      continue;
    uint64_t V = 0;
    memcpy(&V, Code->Bytes.data() + (Rel.Offset - Code->Address), Size);
    std::string Reach = "may be reached by " + Why;
    if (Size == 4) {
      int64_t Rel32 = int32_t(uint32_t(V));
      for (uint64_t Tail : {0, 4, 5, 6, 8})
        pin(S, functionAt(Fns, Rel.Offset + Tail + Rel32), Reach);
      pin(S, functionAt(Fns, uint64_t(Rel32)), Reach);
    }
    pin(S, functionAt(Fns, V), Reach);
  }
}

/// Turns joins into groups: runs of consecutive functions, since whatever
/// lies between two functions that keep their distance must keep its
/// place between them too. A group with a pinned member, or with code
/// without a symbol inside, stays whole.
void groupFunctions(const LinkedBinary &B,
                    std::vector<DecodeResult::Join> &Joins, MoveSafety &S) {
  for (DecodeResult::Join &J : Joins)
    if (J.From > J.To)
      std::swap(J.From, J.To);
  llvm::stable_sort(
      Joins, [](const auto &A, const auto &C) { return A.From < C.From; });
  for (DecodeResult::Join &J : Joins) {
    if (J.From == J.To)
      continue;
    if (!S.Groups.empty() && unsigned(J.From) <= S.Groups.back().Last)
      S.Groups.back().Last = std::max(S.Groups.back().Last, unsigned(J.To));
    else
      S.Groups.push_back({unsigned(J.From), unsigned(J.To), std::move(J.Why)});
  }
  const std::vector<Atom> &Fns = B.Functions;
  for (const MoveSafety::Group &G : S.Groups) {
    uint64_t Begin = Fns[G.First].OriginalOffset, End = 0;
    for (unsigned I = G.First; I <= G.Last; ++I)
      End = std::max(End, Fns[I].OriginalOffset + Fns[I].Size);
    std::string Why;
    // UnownedCode is in address order: the first range at or after Begin.
    auto Code = llvm::lower_bound(
        S.UnownedCode, Begin,
        [](const Atom &A, uint64_t Addr) { return A.OriginalOffset < Addr; });
    if (Code != S.UnownedCode.end() && Code->OriginalOffset < End)
      Why = "moves only with " + Fns[G.First].displayName() +
            ", around code without a function symbol at " +
            hex(Code->OriginalOffset);
    // Functions never leave their section: a group spanning two stays.
    if (Why.empty() && B.regionAt(Fns[G.First].OriginalOffset) !=
                           B.regionAt(Fns[G.Last].OriginalOffset))
      Why = "moves only with the functions " + Fns[G.First].displayName() +
            " .. " + Fns[G.Last].displayName() +
            ", which lie in two sections (" + G.Why + ")";
    for (unsigned I = G.First; I <= G.Last && Why.empty(); ++I)
      if (!S.PinReason[I].empty())
        Why = "moves only with " + Fns[I].displayName() + ", which is pinned";
    if (!Why.empty())
      for (unsigned I = G.First; I <= G.Last; ++I)
        pin(S, int(I), Why);
  }
}

} // namespace

std::vector<Atom> movableUnits(const LinkedBinary &B, const MoveSafety &S) {
  const std::vector<Atom> &Fns = B.Functions;
  std::vector<Atom> Units;
  auto Group = S.Groups.begin();
  for (unsigned I = 0; I < Fns.size();) {
    auto KeepAfter = [&](unsigned F) {
      return F < S.KeepAfter.size() ? S.KeepAfter[F] : 0;
    };
    if (Group == S.Groups.end() || Group->First != I) {
      Units.push_back(Fns[I]);
      Units.back().Pinned = !S.PinReason[I].empty();
      Units.back().Size += KeepAfter(I);
      ++I;
      continue;
    }
    // A group across two regions stays (groupFunctions pinned it): its
    // members stay where they are, each in its own region.
    if (B.regionAt(Fns[Group->First].OriginalOffset) !=
        B.regionAt(Fns[Group->Last].OriginalOffset)) {
      for (unsigned M = Group->First; M <= Group->Last; ++M) {
        Units.push_back(Fns[M]);
        Units.back().Pinned = true;
      }
      I = Group->Last + 1;
      ++Group;
      continue;
    }
    // One atom from the first function to the end of the last: members
    // keep their distances, symbols their offsets inside it.
    Atom Unit;
    Unit.OriginalOffset = Fns[I].OriginalOffset;
    Unit.Alignment = Fns[I].Alignment;
    Unit.Pinned = !S.PinReason[I].empty();
    for (unsigned M = Group->First; M <= Group->Last; ++M) {
      uint64_t At = Fns[M].OriginalOffset - Unit.OriginalOffset;
      for (AtomSymbol Sym : Fns[M].Symbols) {
        Sym.Offset += At;
        Unit.Symbols.push_back(std::move(Sym));
      }
      Unit.Size = std::max(Unit.Size, At + Fns[M].Size + KeepAfter(M));
    }
    Unit.Origin = "<" + std::to_string(Group->Last - Group->First + 1) +
                  " functions that move together>";
    Units.push_back(std::move(Unit));
    I = Group->Last + 1;
    ++Group;
  }
  append_range(Units, S.UnownedCode);
  return Units;
}

std::vector<Atom> findCodeWithoutSymbol(const LinkedBinary &B) {
  std::vector<Atom> Out;
  if (!B.Arch)
    return Out;
  const Target &T = *B.Arch;
  const std::vector<Atom> &Fns = B.Functions;
  // That includes code after the last function, up to the end of its
  // region. Bytes between regions belong to other sections (OtherCode).
  uint64_t Cursor = B.TextAddress;
  auto Gap = [&](uint64_t Until) {
    if (Until <= Cursor ||
        T.isPadding(B.TextBytes.slice(Cursor - B.TextAddress, Until - Cursor)))
      return;
    Atom Code;
    Code.Size = Until - Cursor;
    Code.OriginalOffset = Cursor;
    Code.Pinned = true;
    Code.Origin = "<code without a function symbol at " + hex(Cursor) + ">";
    Out.push_back(std::move(Code));
  };
  size_t Next = 0; // the first function not yet past
  for (const CodeRegion &R : B.Regions) {
    Cursor = R.Address;
    while (Next < Fns.size() && Fns[Next].OriginalOffset < R.end()) {
      const Atom &F = Fns[Next++];
      Gap(F.OriginalOffset);
      Cursor = std::max(Cursor, F.OriginalOffset + F.Size);
    }
    Gap(R.end());
  }
  return Out;
}

Expected<MoveSafety> checkMoveSafety(const LinkedBinary &B, SharedWork *Help) {
  if (!B.Arch)
    return makeLocatedError(B.Path, {}, "no instruction set to decode");
  const Target &T = *B.Arch;
  T.registerWithLLVM();
  const std::vector<Atom> &Fns = B.Functions;
  const FunctionIndex Index(Fns);
  MoveSafety S;
  S.PinReason.assign(Fns.size(), "");
  S.KeepAfter.assign(Fns.size(), 0);
  for (const auto &[Fn, Why] : B.InputPins)
    if (Fn < Fns.size())
      S.PinReason[Fn] = Why;

  // Code outside any function symbol stays; so does what it is next to.
  S.UnownedCode = findCodeWithoutSymbol(B);
  for (const Atom &Code : S.UnownedCode)
    S.UnownedCodeBytes += Code.Size;

  // Code that stays (without a symbol in .text, or in .init, .fini, .plt,
  // ...) may still reach code that moves: decode it for its fields.
  const CodeBytes Text{B.TextAddress, B.TextBytes};
  DecodeResult Staying;
  std::vector<CodeEnding> UnownedEndings; // parallel to S.UnownedCode
  std::vector<CodeEnding> OtherEndings;   // parallel to B.OtherCode
  // This thread's decoder, for the code that stays and, after the
  // functions' decode, for their callees (setting a decoder up is not
  // free, and a small binary's whole proof takes milliseconds).
  Expected<std::unique_ptr<InstructionDecoder>> MainDecoder =
      T.createDecoder();
  if (!MainDecoder)
    return MainDecoder.takeError();
  {
    const InstructionDecoder &D = **MainDecoder;
    for (const Atom &Code : S.UnownedCode)
      UnownedEndings.push_back(decodeStayingCode(
          T, D, Text, Code.OriginalOffset, Code.Size, B.TextRelocations, Index,
          "code without a function symbol", Staying));
    for (const LinkedBinary::CodeSection &Sec : B.OtherCode)
      OtherEndings.push_back(decodeStayingCode(
          T, D, {Sec.Address, Sec.Bytes}, Sec.Address, Sec.Bytes.size(),
          B.OtherCodeRelocations, Index, Sec.Name, Staying));
  }

  // Functions decode independently: in parallel, in chunks with a decoder
  // each, results merged in function order (the same for any thread count).
  uint64_t TextEnd = B.TextAddress + B.TextBytes.size();
  std::vector<DecodeResult> Results(Fns.size());
  std::vector<CodeEnding> Endings(Fns.size());
  bool Serial = B.TextBytes.size() < SerialDecodeBytes;
  // Shared with a helper, finer chunks let a late helper take its half of
  // what is left.
  size_t Chunks = std::min<size_t>(
      Fns.size(),
      Serial ? 32 : size_t(parallel::strategy.compute_thread_count()) * 4);
  std::vector<std::string> InitErrors(Chunks);
  // Functions whose bytes another function's symbol also covers.
  std::vector<bool> Overlaps(Fns.size(), false);
  for (size_t I = 1, Furthest = 0; I < Fns.size(); ++I) {
    const Atom &Prev = Fns[Furthest];
    if (Fns[I].OriginalOffset < Prev.OriginalOffset + Prev.Size)
      Overlaps[I] = Overlaps[Furthest] = true;
    if (Fns[I].OriginalOffset + Fns[I].Size > Prev.OriginalOffset + Prev.Size)
      Furthest = I;
  }
  auto DecodeChunkWith = [&](size_t C, const InstructionDecoder &D) {
    RelocationCursor Relocs(B.TextRelocations);
    for (size_t I = C * Fns.size() / Chunks; I < (C + 1) * Fns.size() / Chunks;
         ++I) {
      const Atom &F = Fns[I];
      uint64_t Begin = F.OriginalOffset, End = Begin + F.Size;
      DecodeResult &R = Results[I];
      std::optional<uint64_t> Bad = decodeRange(
          D, Text, Begin, F.Size, Endings[I],
          [&](uint64_t Addr, uint64_t Len, std::optional<uint64_t> Ref) {
            ++R.Instructions;
            if (Overlaps[I])
              R.Instructions_.push_back({Addr, Addr + Len});
            bool Relocated =
                recordInstructionEnd(T, D, Text,
                                     Relocs.within(Addr, Addr + Len),
                                     Addr, Addr + Len, Ref, R);
            // A data address loaded here may be a jump table's base.
            if (Ref && (*Ref < B.TextAddress || *Ref >= TextEnd))
              R.Bases.push_back({*Ref, int(I)});
            if (!Ref || (*Ref >= Begin && *Ref < End))
              return;
            ++R.Outgoing;
            if (Relocated)
              return;
            // The distance is fixed in the instruction: the two functions
            // move together, or the caller stays if the target is not code
            // that moves.
            std::string Why = "pc-relative reference at " + hex(Addr) + " to " +
                              hex(*Ref) + " has no relocation";
            int Target = functionAt(Index, *Ref);
            if (Target >= 0)
              R.Joins.push_back({int(I), Target, std::move(Why)});
            else
              R.Pins.push_back({int(I), std::move(Why)});
          });
      if (Bad)
        R.Pins.insert(R.Pins.begin(),
                      {int(I), "bytes at " + hex(*Bad) + " do not decode"});
    }
  };
  // A decoder per worker: made when the worker takes its first chunk.
  std::unique_ptr<InstructionDecoder> WorkerDecoders[SharedWork::MaxWorkers];
  auto DecodeChunk = [&](size_t C, std::unique_ptr<InstructionDecoder> &D) {
    if (!D) {
      Expected<std::unique_ptr<InstructionDecoder>> New = T.createDecoder();
      if (!New) {
        InitErrors[C] = toString(New.takeError());
        return;
      }
      D = std::move(*New);
    }
    DecodeChunkWith(C, *D);
  };
  // A small binary decodes in well under the time it takes to start and
  // wake worker threads (lua: 50,000 instructions in 3 ms), and the
  // profile is being read on another thread meanwhile: decode it here,
  // and let that thread take a share once it is done.
  if (Serial && Help)
    Help->run(Chunks, [&](size_t C, unsigned Worker) {
      DecodeChunk(C, WorkerDecoders[Worker]);
    });
  else if (Serial)
    for (size_t C = 0; C < Chunks; ++C)
      DecodeChunk(C, WorkerDecoders[0]);
  else
    parallelFor(0, Chunks, [&](size_t C) {
      std::unique_ptr<InstructionDecoder> D;
      DecodeChunk(C, D);
    });
  for (const std::string &E : InitErrors)
    if (!E.empty())
      return createStringError(E);

  std::vector<std::pair<uint64_t, int>> TableBases; // (address, function)
  std::vector<DecodeResult::Join> Joins;
  DenseMap<uint64_t, uint64_t> BadFields; // field -> its instruction
  DenseSet<uint64_t> RelaxedTls;
  auto Merge = [&](DecodeResult &R) {
    S.Instructions += R.Instructions;
    S.OutgoingReferences += R.Outgoing;
    for (auto &[Fn, Why] : R.Pins)
      pin(S, Fn, Why);
    for (auto [Off, Insn] : R.BadFields)
      BadFields.try_emplace(Off, Insn);
    for (auto &[Addr, Why] : R.PinAddresses)
      pin(S, functionAt(Index, Addr), Why);
    RelaxedTls.insert(R.RelaxedTls.begin(), R.RelaxedTls.end());
    // Overlapping functions decode the same bytes twice; a field two
    // decodes place in different instructions is trusted by neither.
    for (auto [Off, End] : R.Ends)
      if (auto [It, New] = S.InstructionEnd.try_emplace(Off, End);
          !New && It->second != End)
        BadFields.try_emplace(Off, End);
    S.PcRelativeFields.insert(R.PcRelative.begin(), R.PcRelative.end());
    append_range(TableBases, R.Bases);
    for (DecodeResult::Join &J : R.Joins)
      Joins.push_back(std::move(J));
  };
  Merge(Staying);
  for (DecodeResult &R : Results)
    Merge(R);
  // Where two functions' decodes cover the same bytes with different
  // instruction boundaries, patching a field of one decode rewrites bytes
  // of an instruction of the other (an inner symbol starting inside an
  // outer function's rel32): such a field is trusted by neither.
  {
    std::vector<std::pair<uint64_t, uint64_t>> Shared;
    for (DecodeResult &R : Results)
      append_range(Shared, R.Instructions_);
    llvm::sort(Shared);
    if (!Shared.empty())
      for (const RetainedRelocation &Rel : B.TextRelocations) {
        auto End = S.InstructionEnd.find(Rel.Offset);
        unsigned Size = T.fieldSize(Rel.Type);
        if (End == S.InstructionEnd.end() || !Size)
          continue;
        // Instructions are at most 15 bytes: any that overlaps the field
        // starts after Offset - 15.
        uint64_t From = Rel.Offset > 15 ? Rel.Offset - 15 : 0;
        for (auto It = llvm::lower_bound(Shared, std::make_pair(From, uint64_t(0)));
             It != Shared.end() && It->first < Rel.Offset + Size; ++It)
          if (It->second > Rel.Offset &&
              (It->second != End->second || It->first >= Rel.Offset)) {
            BadFields.try_emplace(Rel.Offset, It->first);
            break;
          }
      }
  }
  std::vector<CodeBytes> AllCode = {Text};
  for (const LinkedBinary::CodeSection &Sec : B.OtherCode)
    AllCode.push_back({Sec.Address, Sec.Bytes});
  // Relaxed TLS fields stay as the linker left them; nothing to pin.
  for (uint64_t Off : RelaxedTls)
    if (!S.InstructionEnd.count(Off))
      S.UnpatchableFields.insert(Off);
  markUnpatchableFields(T, Index, AllCode, B.TextRelocations, BadFields, S);
  markUnpatchableFields(T, Index, AllCode, B.OtherCodeRelocations, BadFields,
                        S);
  llvm::sort(TableBases);
  pinRelativeTableTargets(B, Index, TableBases, S);
  // Overlapping symbols: one function inside another moves with it. The
  // enclosing one may be any earlier function (nesting), not only the one
  // just before: compare with the furthest end so far.
  size_t Furthest = 0; // the function reaching furthest so far
  for (size_t I = 1; I < Fns.size(); ++I) {
    const Atom &Prev = Fns[Furthest];
    if (Fns[I].OriginalOffset < Prev.OriginalOffset + Prev.Size)
      Joins.push_back({int(Furthest), int(I),
                       Fns[I].displayName() + " overlaps " +
                           Prev.displayName()});
    if (Fns[I].OriginalOffset + Fns[I].Size > Prev.OriginalOffset + Prev.Size)
      Furthest = I;
  }
  // A symbol ends, its code may not: what code runs on into past its end
  // stays right after it (CodeEndings.h).
  {
    NoReturnAnalysis NoReturn(B, Index, Endings, **MainDecoder);
    for (size_t I = 0; I < Fns.size(); ++I) {
      uint64_t End = Fns[I].OriginalOffset + Fns[I].Size;
      std::string How = NoReturn.runsOn(Endings[I], End);
      if (How.empty())
        continue;
      FallThrough Next = fallsInto(B, Index, End);
      // The run traps at a fill byte in the input: the bytes up to it
      // move with the function, so it still does (packed tight, the next
      // function would start right there).
      if (Next.What == FallThrough::Stops) {
        // Unless those bytes are code without a symbol too, which stays
        // (a reference to them could not say which copy it means).
        uint64_t KeepEnd = Next.At + 1;
        auto Code = llvm::lower_bound(
            S.UnownedCode, End, [](const Atom &A, uint64_t Addr) {
              return A.OriginalOffset + A.Size <= Addr;
            });
        if (Code != S.UnownedCode.end() && Code->OriginalOffset < KeepEnd) {
          pin(S, int(I),
              How + " into code without a function symbol at " +
                  hex(Code->OriginalOffset));
          continue;
        }
        S.KeepAfter[I] = KeepEnd - End;
      }
      if (Next.What == FallThrough::IntoFunction && Next.Function != int(I))
        Joins.push_back({int(I), Next.Function,
                         Fns[I].displayName() + " " + How + " into " +
                             Fns[Next.Function].displayName()});
      else if (Next.What == FallThrough::IntoCodeWithoutSymbol)
        pin(S, int(I),
            How + " into code without a function symbol at " + hex(Next.At));
      else if (Next.What == FallThrough::OffSection)
        pin(S, int(I), How + ", off the end of its section");
    }
    for (size_t C = 0; C < S.UnownedCode.size(); ++C) {
      const Atom &Code = S.UnownedCode[C];
      uint64_t End = Code.OriginalOffset + Code.Size;
      std::string How = NoReturn.runsOn(UnownedEndings[C], End);
      FallThrough Next = fallsInto(B, Index, End);
      if (!How.empty() && Next.What == FallThrough::IntoFunction)
        pin(S, Next.Function,
            "reached by code without a function symbol at " +
                hex(Code.OriginalOffset) + ", which " + How);
    }
    // Code of other sections (.init, .plt, a custom one) that runs on into
    // a region keeps what it runs into in place.
    for (size_t C = 0; C < B.OtherCode.size(); ++C) {
      const LinkedBinary::CodeSection &Sec = B.OtherCode[C];
      uint64_t End = Sec.Address + Sec.Bytes.size();
      std::string How = NoReturn.runsOn(OtherEndings[C], End);
      FallThrough Next = fallsInto(B, Index, End);
      if (!How.empty() && Next.What == FallThrough::IntoFunction)
        pin(S, Next.Function,
            "reached by " + Sec.Name + ", which " + How);
    }
  }
  groupFunctions(B, Joins, S);
  for (const std::string &R : S.PinReason)
    S.MovableFunctions += R.empty();
  return S;
}

} // namespace pagelayout

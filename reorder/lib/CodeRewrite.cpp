//===- CodeRewrite.cpp - Move code and fix its fields, any format ---------===//
//
// See CodeRewrite.h. A PC-relative operand is relative to the end of its
// instruction, which the proof recorded; what the decoded instruction says
// wins over the relocation type (linkers relax GOT loads into immediates
// and TLS sequences into offsets but keep the type). Fields the proof could
// not place in an operand stay as they are (what they may reach was
// pinned), as do position-free ones. A field named by several relocations
// is patched once: a second application would translate it again.
//
//===----------------------------------------------------------------------===//

#include "CodeRewrite.h"
#include "AddressText.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Endian.h"
#include <optional>

using namespace llvm;

namespace pagelayout {
namespace {

uint64_t fileOffsetOf(const LinkedBinary &B, ArrayRef<uint8_t> Bytes) {
  return Bytes.data() -
         reinterpret_cast<const uint8_t *>(B.Buffer->getBufferStart());
}

} // namespace

Error CodeRewrite::fail(const Twine &Msg) {
  return makeLocatedError(B.Path, {}, Msg);
}

uint8_t *CodeRewrite::spanAt(uint64_t Addr, uint64_t Size) {
  uint64_t Start = fileOffsetOf(B, B.TextBytes);
  if (Addr < B.TextAddress || Size > B.TextBytes.size() ||
      Addr - B.TextAddress > B.TextBytes.size() - Size ||
      Start + B.TextBytes.size() > Image.size())
    return nullptr;
  return reinterpret_cast<uint8_t *>(Image.data()) + Start +
         (Addr - B.TextAddress);
}

uint8_t *CodeRewrite::otherCodeAt(uint64_t Addr, uint64_t Size) {
  for (const LinkedBinary::CodeSection &C : B.OtherCode) {
    if (Addr < C.Address || Size > C.Bytes.size() ||
        Addr - C.Address > C.Bytes.size() - Size)
      continue;
    uint64_t Start = fileOffsetOf(B, C.Bytes);
    if (Start + C.Bytes.size() > Image.size())
      return nullptr;
    return reinterpret_cast<uint8_t *>(Image.data()) + Start +
           (Addr - C.Address);
  }
  return nullptr;
}

Error CodeRewrite::move(const std::vector<Atom> &Units,
                        const LayoutPlan &Plan) {
  uint8_t *NewText = spanAt(B.TextAddress, B.TextBytes.size());
  if (!NewText)
    return fail("the code changed between reading and writing");
  // Each region's bytes are the plan's; what lies between regions (other
  // sections, padding) stays as it is.
  for (const CodeRegion &R : B.Regions)
    std::fill(NewText + (R.Address - B.TextAddress),
              NewText + (R.end() - B.TextAddress), B.Arch->fillByte());
  for (const PlacedAtom &PA : Plan.Placement) {
    if (PA.AtomIndex >= Units.size())
      return fail("the plan names an atom it was not made for");
    const Atom &A = Units[PA.AtomIndex];
    // A unit stays inside its own region (or, outside every region, in
    // its place).
    int R = B.regionAt(A.OriginalOffset);
    bool Inside = R < 0 ? PA.Offset == A.OriginalOffset
                        : PA.Offset >= B.Regions[R].Address &&
                              A.Size <= B.Regions[R].Size &&
                              PA.Offset - B.Regions[R].Address <=
                                  B.Regions[R].Size - A.Size;
    if (!Inside || !spanAt(A.OriginalOffset, A.Size))
      return fail(
          "the plan puts " + A.displayName() + " at " + hex(PA.Offset) +
          ", outside " +
          (R < 0 ? StringRef("its place") : StringRef(B.Regions[R].Name)) +
          "; nothing was written");
    uint64_t Old = A.OriginalOffset;
    memcpy(NewText + (PA.Offset - B.TextAddress),
           B.TextBytes.data() + (Old - B.TextAddress), A.Size);
    Map.add(Old, Old + A.Size, int64_t(PA.Offset) - int64_t(Old));
    if (PA.Offset != Old)
      Moved += A.functionCount();
  }
  Map.finish();
  return Error::success();
}

Error CodeRewrite::patchCode() {
  const Target &T = *B.Arch;
  // A relocation that changes nothing (none, a TLS offset) does not count
  // as the field's one patch.
  auto PatchesNothing = [&](uint32_t Type) {
    return T.fieldSize(Type) == 0 || T.isPositionFree(Type);
  };
  // Two relocations of different types naming one field say two different
  // things about it: the input is damaged.
  DenseMap<uint64_t, uint32_t> Patched;
  auto First = [&](const RetainedRelocation &R) -> Expected<bool> {
    auto [It, New] = Patched.try_emplace(R.Offset, R.Type);
    if (!New && It->second != R.Type)
      return fail("relocations of types " + Twine(It->second) + " and " +
                  Twine(R.Type) + " name the same field at " + hex(R.Offset) +
                  "; the input is damaged, nothing was written");
    return New;
  };
  // Each field once, in the order its relocations come; Each patches it.
  auto ForEachField = [&](ArrayRef<RetainedRelocation> Rels,
                          function_ref<Error(const RetainedRelocation &)>
                              Each) -> Error {
    Patched.clear();
    for (const RetainedRelocation &R : Rels) {
      if (PatchesNothing(R.Type))
        continue;
      Expected<bool> IsFirst = First(R);
      if (!IsFirst)
        return IsFirst.takeError();
      if (*IsFirst)
        if (Error E = Each(R))
          return E;
    }
    return Error::success();
  };
  // Fields in the regions moved with their units.
  if (Error E = ForEachField(B.TextRelocations, [&](const RetainedRelocation &R)
                                                    -> Error {
        uint64_t P = R.Offset, NewP = Map(P);
        unsigned Size = std::max(T.fieldSize(R.Type), 1u);
        // The whole field, in the input and where it moved, lies in the
        // code.
        uint8_t *Field = spanAt(NewP, Size);
        if (!Field || !spanAt(P, Size))
          return fail("the relocation at " + hex(P) + " (type " +
                      Twine(R.Type) + ", " + Twine(Size) +
                      " bytes) runs past .text; the input is damaged, "
                      "nothing was written");
        return patchCodeField(Field, R.Type, P, NewP, /*MustDecode=*/true);
      }))
    return E;
  // Fields in code that stays: the field's whole width lies in its
  // section, or it is left alone.
  return ForEachField(B.OtherCodeRelocations,
                      [&](const RetainedRelocation &R) -> Error {
                        uint8_t *Field = otherCodeAt(
                            R.Offset, std::max(T.fieldSize(R.Type), 1u));
                        if (!Field)
                          return Error::success();
                        return patchCodeField(Field, R.Type, R.Offset,
                                              R.Offset, /*MustDecode=*/false);
                      });
}

Error CodeRewrite::patchCodeField(uint8_t *Field, uint32_t Type, uint64_t P,
                                  uint64_t NewP, bool MustDecode) {
  const Target &T = *B.Arch;
  unsigned Size = T.fieldSize(Type);
  if (Size == 0 || T.isPositionFree(Type) || Safety.UnpatchableFields.count(P))
    return Error::success();
  if (T.isPcRelative32(Type)) {
    auto End = Safety.InstructionEnd.find(P);
    if (End == Safety.InstructionEnd.end()) {
      if (!MustDecode)
        return Error::success();
      return fail("relocation at " + hex(P) +
                  " is in no decoded instruction; nothing was written");
    }
    if (!Safety.PcRelativeFields.count(P)) {
      // Relaxed into an absolute immediate (or a TLS offset): an address
      // of moved code gets its new value, anything else stays.
      uint32_t V = support::endian::read32le(Field);
      support::endian::write32le(Field, uint32_t(Map(V)));
      return Error::success();
    }
    MutableArrayRef<uint8_t> Bytes(Field, Size);
    uint64_t To = T.readPcRelative(Bytes, End->second);
    uint64_t NewEnd = NewP + (End->second - P);
    if (!T.writePcRelative(Bytes, NewEnd, Map(To)))
      return fail("a moved reference at " + hex(P) +
                  " no longer fits its field");
    return Error::success();
  }
  unsigned AbsSize = 0;
  bool Signed = false;
  if (T.isAbsolute(Type, AbsSize, Signed)) {
    if (AbsSize == 8) {
      support::endian::write64le(Field, Map(support::endian::read64le(Field)));
      return Error::success();
    }
    uint64_t V = support::endian::read32le(Field);
    if (Signed)
      V = uint64_t(int64_t(int32_t(V)));
    support::endian::write32le(Field, uint32_t(Map(V)));
    return Error::success();
  }
  return fail("relocation type " + Twine(Type) + " at " + hex(P) +
              " in code is not understood; nothing was written");
}

} // namespace pagelayout

//===- CodeRewrite.h - Move code and fix its fields, any format -*- C++ -*-===//
//
// The half of a rewrite that knows the code model and the target but no
// file format: the `move` step (a new copy of each region, every unit at
// its planned address, the rest the target's fill) and the code half of
// the `patch` step (every relocated field in code, moved or staying,
// re-targeted through the address map). The ELF and SMF writers do the
// rest: symbols, relocation entries, entry points, data.
//
// It works on the output image, a same-sized copy of the input file, at
// the file offsets the model's bytes have in the input.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_CODEREWRITE_H
#define PAGELAYOUT_REORDER_CODEREWRITE_H

#include "AddressMap.h"
#include "pagelayout/reorder/LayoutPlan.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/MoveSafety.h"

namespace pagelayout {

class CodeRewrite {
public:
  /// \p Image starts as a copy of the input file.
  CodeRewrite(const LinkedBinary &B, const MoveSafety &Safety,
              std::string &Image)
      : B(B), Safety(Safety), Image(Image) {}

  /// The move step.
  llvm::Error move(const std::vector<Atom> &Units, const LayoutPlan &Plan);
  /// The code half of the patch step: fields in the regions (moved with
  /// their units) and in code that stays (OtherCode), each once.
  llvm::Error patchCode();
  /// Re-targets one relocated code field of relocation type \p Type that
  /// was at \p P and is now at \p NewP (P == NewP for code that stays).
  /// In code that stays, a field in bytes that did not decode is left
  /// alone (\p MustDecode false).
  llvm::Error patchCodeField(uint8_t *Field, uint32_t Type, uint64_t P,
                             uint64_t NewP, bool MustDecode);

  const AddressMap &map() const { return Map; }
  /// Functions whose address changed (each member of a group counts).
  unsigned moved() const { return Moved; }
  /// The output's bytes of the model's code span at [Addr, Addr + Size),
  /// or null.
  uint8_t *spanAt(uint64_t Addr, uint64_t Size);

private:
  llvm::Error fail(const llvm::Twine &Msg);
  /// Output bytes of a code section that stays.
  uint8_t *otherCodeAt(uint64_t Addr, uint64_t Size);

  const LinkedBinary &B;
  const MoveSafety &Safety;
  std::string &Image;
  AddressMap Map;
  unsigned Moved = 0;
};

} // namespace pagelayout

#endif

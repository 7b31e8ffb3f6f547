//===- AtomReader.h - Read atoms from ELF files -----------------*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_ATOMREADER_H
#define PAGELAYOUT_REORDER_ATOMREADER_H

#include "pagelayout/reorder/Atom.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/Support/Error.h"

namespace pagelayout {

/// What kind of input the atoms came from; a plan over a linked binary and
/// one over objects are read differently.
enum class AtomSourceKind { None, Relocatable, Linked, Mixed };

struct AtomSet {
  std::vector<Atom> Atoms;
  AtomSourceKind Kind = AtomSourceKind::None;
  /// Executable sections that hold several functions (no
  /// -ffunction-sections): they move as one atom.
  unsigned MultiFunctionSections = 0;
};

/// Reads every input: ELF relocatable objects (one atom per executable
/// .text* section; a COMDAT section is taken once, as the linker does),
/// archives (each member, thin archives too), and linked ELF executables or
/// shared objects (one atom per function symbol in .text, aliases merged).
/// Original offsets follow a simple sequential link of the inputs in
/// command-line order.
llvm::Expected<AtomSet> readAtoms(llvm::ArrayRef<std::string> Paths,
                                  const WarningHandler &Warn = {});

} // namespace pagelayout

#endif

//===- Atom.h - The unit of code the engine moves ---------------*- C++ -*-===//
//
// An atom is the smallest piece of code the layout may move as a whole: a
// function section of a relocatable object, or one function of a linked
// binary. It may carry several names (aliases, or every function of a
// section compiled without -ffunction-sections).
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_ATOM_H
#define PAGELAYOUT_REORDER_ATOM_H

#include <cstdint>
#include <string>
#include <vector>

namespace pagelayout {

/// A named function inside an atom.
struct AtomSymbol {
  std::string Name;
  /// Offset of the function from the start of the atom.
  uint64_t Offset = 0;
  /// Size of the function (0 when the symbol table does not say).
  uint64_t Size = 0;
};

struct Atom {
  std::vector<AtomSymbol> Symbols;
  uint64_t Size = 0;
  /// Required alignment, a power of two.
  uint64_t Alignment = 1;
  /// A pinned atom keeps its original offset; the rest flows around it.
  bool Pinned = false;
  /// Where the atom sits in the input layout, bytes from the start of text.
  uint64_t OriginalOffset = 0;
  /// "file.o:.text.foo" or "lib.a(m.o):.text.foo"; for reports only.
  std::string Origin;

  /// Functions in the atom: one per distinct symbol offset (aliases share
  /// one), so a group that moves as one unit counts each member; at least
  /// one.
  unsigned functionCount() const {
    unsigned N = 0;
    for (size_t I = 0; I < Symbols.size(); ++I)
      N += I == 0 || Symbols[I].Offset != Symbols[I - 1].Offset;
    return N ? N : 1;
  }

  /// The first symbol's name, or the origin when the atom is anonymous.
  const std::string &displayName() const {
    return Symbols.empty() ? Origin : Symbols.front().Name;
  }
};

} // namespace pagelayout

#endif

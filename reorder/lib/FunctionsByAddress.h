//===- FunctionsByAddress.h - A linked binary's functions as atoms -*- C++
//-*-===//
//
// Both readers of linked binaries (the planner's AtomReader and the
// rewriter's LinkedBinary) turn function symbols into atoms the same way:
// the symbols at one address are aliases of one atom, as large as the
// largest of them, aligned as the linker placed it.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_FUNCTIONSBYADDRESS_H
#define PAGELAYOUT_REORDER_FUNCTIONSBYADDRESS_H

#include "pagelayout/reorder/Atom.h"
#include "llvm/ADT/StringRef.h"
#include <algorithm>
#include <map>

namespace pagelayout {

/// The alignment a linked function keeps: what its address shows, up to
/// the usual 16, so a move keeps the padding it had and adds none.
inline uint64_t linkedFunctionAlignment(uint64_t Address) {
  constexpr uint64_t Usual = 16;
  return Address ? std::min(Usual, Address & -Address) : Usual;
}

class FunctionsByAddress {
public:
  void add(uint64_t Address, llvm::StringRef Name, uint64_t Size) {
    Atom &A = ByAddress[Address];
    A.Size = std::max(A.Size, Size);
    A.Symbols.push_back({Name.str(), 0, Size});
  }
  bool empty() const { return ByAddress.empty(); }
  uint64_t lowestAddress() const { return ByAddress.begin()->first; }

  /// Hands over each atom, alignment set, in address order.
  template <typename Fn> void take(Fn Each) {
    for (auto &[Address, A] : ByAddress) {
      A.Alignment = linkedFunctionAlignment(Address);
      Each(Address, std::move(A));
    }
    ByAddress.clear();
  }

private:
  std::map<uint64_t, Atom> ByAddress;
};

} // namespace pagelayout

#endif

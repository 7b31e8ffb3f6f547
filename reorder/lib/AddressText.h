//===- AddressText.h - Addresses in messages --------------------*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_ADDRESSTEXT_H
#define PAGELAYOUT_REORDER_ADDRESSTEXT_H

#include "llvm/ADT/StringExtras.h"
#include <cstdint>
#include <string>

namespace pagelayout {

/// "0x4011a0": how llvm-objdump and lld print addresses.
inline std::string hex(uint64_t V) {
  return "0x" + llvm::utohexstr(V, /*LowerCase=*/true);
}

} // namespace pagelayout

#endif

//===- Utf8Text.h - Where text stops being UTF-8 ----------------*- C++ -*-===//
//
// Profiles are UTF-8 text, both forms: the YAML file as a whole, the
// compact form's strings one by one. They are ASCII but for a rare name,
// and LLVM's UTF-8 check takes about ten cycles a byte (a quarter of the
// time of reading a YAML profile), so the check starts after the longest
// ASCII prefix, found eight bytes at a time: an ASCII prefix is valid
// UTF-8, and where the check starts is a character's first byte.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_SCHEMA_UTF8TEXT_H
#define PAGELAYOUT_SCHEMA_UTF8TEXT_H

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/ConvertUTF.h"
#include <cstdint>
#include <cstring>

namespace pagelayout {

/// The offset of the first byte of \p S that is not part of valid UTF-8,
/// or StringRef::npos when all of it is.
inline size_t firstNonUtf8(llvm::StringRef S) {
  size_t I = 0;
  for (; I + 8 <= S.size(); I += 8) {
    uint64_t Word;
    memcpy(&Word, S.data() + I, 8);
    if (Word & 0x8080808080808080ULL)
      break;
  }
  while (I < S.size() && llvm::isASCII(S[I]))
    ++I;
  if (I == S.size())
    return llvm::StringRef::npos;
  const auto *Begin = reinterpret_cast<const llvm::UTF8 *>(S.data());
  const llvm::UTF8 *Bad = Begin + I;
  return llvm::isLegalUTF8String(&Bad, Begin + S.size())
             ? llvm::StringRef::npos
             : size_t(Bad - Begin);
}

} // namespace pagelayout

#endif

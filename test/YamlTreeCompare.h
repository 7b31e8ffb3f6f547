//===- YamlTreeCompare.h - Are two YamlNode trees the same? -----*- C++ -*-===//
//
// The fast path promises the tree llvm::yaml's builder gives, exactly: the
// same kinds, scalars, expanded sizes and positions (as offsets into the
// text, since error messages print them as line:column). The fuzz target
// and the unit tests compare with this one function.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_TEST_YAMLTREECOMPARE_H
#define PAGELAYOUT_TEST_YAMLTREECOMPARE_H

#include "../schema/lib/YamlTree.h"
#include "llvm/ADT/Twine.h"
#include <string>

namespace pagelayout {

/// Empty when \p A (fast) and \p B (general) are the same tree over text
/// starting at \p Text; otherwise where and how they first differ.
inline std::string yamlTreeDifference(const YamlNode *A, const YamlNode *B,
                                      const char *Text,
                                      const std::string &Path = "root") {
  auto Offset = [&](const YamlNode *N) {
    return N->Position ? std::to_string(N->Position - Text) : "none";
  };
  if (!A || !B)
    return A == B ? "" : Path + ": one tree has no node";
  if (A->NodeKind != B->NodeKind)
    return Path + ": kind " + std::to_string(int(A->NodeKind)) + " vs " +
           std::to_string(int(B->NodeKind));
  if (A->Position != B->Position)
    return Path + ": position " + Offset(A) + " vs " + Offset(B);
  if (A->Scalar != B->Scalar)
    return Path + ": scalar '" + A->Scalar.str() + "' vs '" + B->Scalar.str() +
           "'";
  if (A->ExpandedSize != B->ExpandedSize)
    return Path + ": expanded size " + std::to_string(A->ExpandedSize) +
           " vs " + std::to_string(B->ExpandedSize);
  if (A->Items.size() != B->Items.size())
    return Path + ": " + std::to_string(A->Items.size()) + " vs " +
           std::to_string(B->Items.size()) + " items";
  if (A->Entries.size() != B->Entries.size())
    return Path + ": " + std::to_string(A->Entries.size()) + " vs " +
           std::to_string(B->Entries.size()) + " entries";
  for (size_t I = 0; I < A->Items.size(); ++I) {
    std::string D = yamlTreeDifference(A->Items[I], B->Items[I], Text,
                                       Path + "[" + std::to_string(I) + "]");
    if (!D.empty())
      return D;
  }
  for (size_t I = 0; I < A->Entries.size(); ++I) {
    std::string At = Path + "{" + std::to_string(I) + "}";
    std::string D = yamlTreeDifference(A->Entries[I].Key, B->Entries[I].Key,
                                       Text, At + ".key");
    if (D.empty())
      D = yamlTreeDifference(A->Entries[I].Value, B->Entries[I].Value, Text,
                             At + ".value");
    if (!D.empty())
      return D;
  }
  return "";
}

} // namespace pagelayout

#endif

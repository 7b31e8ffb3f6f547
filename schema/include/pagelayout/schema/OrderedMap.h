//===- OrderedMap.h - Insertion-ordered maps keyed by strings ---*- C++ -*-===//
//
// MapVector keeps insertion order (determinism: iteration never depends on
// hashing); its default DenseMap index cannot hold std::string keys, so the
// index is a std::unordered_map. (A std::map index made reading a
// million-edge call graph take 2.9 s.)
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_SCHEMA_ORDEREDMAP_H
#define PAGELAYOUT_SCHEMA_ORDEREDMAP_H

#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/MapVector.h"
#include <string>
#include <unordered_map>
#include <utility>

namespace pagelayout {

/// Hashes a (caller, callee) name pair.
struct StringPairHash {
  size_t operator()(const std::pair<std::string, std::string> &P) const {
    return llvm::hash_combine(P.first, P.second);
  }
};

template <typename KeyT, typename ValueT, typename HashT = std::hash<KeyT>>
using OrderedMap =
    llvm::MapVector<KeyT, ValueT, std::unordered_map<KeyT, unsigned, HashT>>;

/// Call edges keyed by (caller, callee) in first-seen order.
using EdgeCountMap =
    OrderedMap<std::pair<std::string, std::string>, uint64_t, StringPairHash>;

} // namespace pagelayout

#endif

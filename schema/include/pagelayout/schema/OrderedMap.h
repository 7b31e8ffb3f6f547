//===- OrderedMap.h - Insertion-ordered maps keyed by strings ---*- C++ -*-===//
//
// MapVector keeps insertion order (determinism), but its default DenseMap
// index cannot hash std::string; std::map can index anything comparable.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_SCHEMA_ORDEREDMAP_H
#define PAGELAYOUT_SCHEMA_ORDEREDMAP_H

#include "llvm/ADT/MapVector.h"
#include <map>
#include <string>

namespace pagelayout {

template <typename KeyT, typename ValueT>
using OrderedMap = llvm::MapVector<KeyT, ValueT, std::map<KeyT, unsigned>>;

/// Call edges keyed by (caller, callee) in first-seen order.
using EdgeCountMap = OrderedMap<std::pair<std::string, std::string>, uint64_t>;

} // namespace pagelayout

#endif

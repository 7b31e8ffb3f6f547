//===- PrefetchBucket.h - Start a hash probe's cache miss early -*- C++ -*-===//
//
// At a million functions and five million call edges, the plan's name
// lookups are cache misses, one after another: a table of a million names
// is tens of megabytes, and each probe lands anywhere in it. The loops
// that do them (edge ends, atom names) know their keys well ahead, so they
// can ask for the bucket a later key's probe starts at while they finish
// the current one, and the misses overlap instead of adding up.
//
// The address is where llvm::DenseMap starts its probe (the key's hash
// masked by the bucket count). It is only a hint: were DenseMap to probe
// elsewhere, lookups would stay correct and merely lose the overlap.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_SCHEMA_PREFETCHBUCKET_H
#define PAGELAYOUT_SCHEMA_PREFETCHBUCKET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/CachedHashString.h"
#include "llvm/ADT/DenseMap.h"
#include <cstddef>

namespace pagelayout {

/// The bucket of \p Map where a lookup of a key hashing to \p Hash
/// (the map's KeyInfoT hash) starts, or null for a map without buckets.
template <typename MapT>
const typename MapT::value_type *probeStart(const MapT &Map, unsigned Hash) {
  using BucketT = typename MapT::value_type;
  size_t NumBuckets = Map.getMemorySize() / sizeof(BucketT);
  if (NumBuckets == 0)
    return nullptr;
  return static_cast<const BucketT *>(Map.getPointerIntoBucketsArray()) +
         (Hash & (NumBuckets - 1));
}

/// Fetches into the cache the bucket where \p Map's lookup of a key
/// hashing to \p Hash starts.
template <typename MapT> void prefetchBucket(const MapT &Map, unsigned Hash) {
  if (const auto *B = probeStart(Map, Hash))
    __builtin_prefetch(B);
}

/// Where \p Map's lookup of \p Name starts at a name of the same hash,
/// fetches that name's text, which the lookup's comparison will read.
/// Call it once the bucket itself is in the cache (prefetchBucket first),
/// or it waits for the bucket.
template <typename MapT>
void prefetchKeyText(const MapT &Map, llvm::CachedHashStringRef Name) {
  const auto *B = probeStart(Map, Name.hash());
  if (B && B->getFirst().hash() == Name.hash() && B->getFirst().size())
    __builtin_prefetch(B->getFirst().data());
}

/// Ahead of a batch of lookups of \p Names (a few thousand at most, so
/// that what is fetched stays in the cache): every name's first bucket,
/// then, once those have arrived, the text of the name in each (where the
/// hashes agree, the lookup's comparison will read it). Each pass's
/// misses overlap; one lookup after another would wait for each in turn.
template <typename MapT>
void prefetchLookups(const MapT &Map,
                     llvm::ArrayRef<llvm::CachedHashStringRef> Names) {
  for (const llvm::CachedHashStringRef &N : Names)
    prefetchBucket(Map, N.hash());
  for (const llvm::CachedHashStringRef &N : Names)
    prefetchKeyText(Map, N);
}

/// As prefetchBucket, hashing \p Key as the map does.
template <typename DerivedT, typename KeyT, typename ValueT, typename KeyInfoT,
          typename BucketT>
void prefetchBucketOf(
    const llvm::DenseMapBase<DerivedT, KeyT, ValueT, KeyInfoT, BucketT> &Map,
    const KeyT &Key) {
  prefetchBucket(Map, KeyInfoT::getHashValue(Key));
}

} // namespace pagelayout

#endif

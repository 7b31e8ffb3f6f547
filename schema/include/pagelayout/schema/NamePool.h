//===- NamePool.h - The bytes of a profile's names --------------*- C++ -*-===//
//
// A profile of a large program names each function many times: once in its
// own entry, once per call edge it is an end of, once per trace that ran
// it. With 5,000,000 edges of 40-50-byte C++ names, a std::string per
// mention was two heap allocations per edge and most of the model's
// memory. Instead the model's names are StringRefs into one pool the
// profile owns, which holds each distinct name once (like lld's
// saver().save() and llvm::StringSaver / UniqueStringSaver, but shared and
// safe to use from copies on several threads).
//
// A pool only grows: an interned StringRef stays valid as long as the pool
// lives, whatever else is interned. Profiles share their pool when copied
// (through a std::shared_ptr), so a copy's names stay valid after the
// original is gone, and a copy that interns new names adds them to the
// shared pool, which is why intern() takes a lock.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_SCHEMA_NAMEPOOL_H
#define PAGELAYOUT_SCHEMA_NAMEPOOL_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/CachedHashString.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Allocator.h"
#include <mutex>
#include <utility>

namespace pagelayout {

class NamePool {
public:
  NamePool() = default;
  NamePool(const NamePool &) = delete;
  NamePool &operator=(const NamePool &) = delete;

  /// The pool's copy of \p S (the same StringRef for equal strings); the
  /// empty string needs no storage and is returned as is.
  llvm::StringRef intern(llvm::StringRef S) { return insert(S).first; }
  /// As intern(), and whether \p S was new to the pool: a reader's
  /// duplicate check costs no second hash table.
  std::pair<llvm::StringRef, bool> insert(llvm::StringRef S);
  /// insert() of each of \p Names in turn into \p Inserted (as many), the
  /// cache misses of the batch overlapped and the lock taken once: for a
  /// reader interning a few thousand names at a time.
  void insertAll(llvm::ArrayRef<llvm::StringRef> Names,
                 llvm::MutableArrayRef<std::pair<llvm::StringRef, bool>>
                     Inserted);
  /// Room for \p N more distinct names without rehashing.
  void reserve(size_t N);
  /// How many distinct names the pool holds.
  size_t size() const;
  /// The pool's copy of \p S, or a null StringRef when the pool has none
  /// (and for ""): pooled names are equal exactly when their data
  /// pointers are, so a consumer can index by address.
  llvm::StringRef find(llvm::StringRef S) const {
    return S.empty() ? llvm::StringRef() : find(llvm::CachedHashStringRef(S));
  }
  /// As find(), with the hash already computed (a caller that hashes the
  /// name for a table of its own need not hash it twice).
  llvm::StringRef find(llvm::CachedHashStringRef S) const;
  /// find() of each of \p Names into \p Found (as many), the cache misses
  /// of the batch overlapped and the lock taken once: for a few thousand
  /// names at a time.
  void findAll(llvm::ArrayRef<llvm::CachedHashStringRef> Names,
               llvm::MutableArrayRef<llvm::StringRef> Found) const;

private:
  std::pair<llvm::StringRef, bool> insertLocked(llvm::StringRef S,
                                                uint32_t Hash);

  mutable std::mutex Lock;
  llvm::BumpPtrAllocator Bytes;
  /// With each name's hash: a probe that meets another name compares
  /// hashes, not bytes (which would be one more cache miss).
  /// A set (DenseSet's own table, which findAll can prefetch into).
  llvm::DenseMap<llvm::CachedHashStringRef, llvm::detail::DenseSetEmpty,
                 llvm::DenseMapInfo<llvm::CachedHashStringRef>,
                 llvm::detail::DenseSetPair<llvm::CachedHashStringRef>>
      Names;
  bool HasEmpty = false; ///< for insert(): "" was inserted (not stored)
};

} // namespace pagelayout

#endif

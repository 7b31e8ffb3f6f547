//===- NamePool.cpp - The bytes of a profile's names ----------------------===//

#include "pagelayout/schema/NamePool.h"
#include "pagelayout/schema/PrefetchBucket.h"
#include <cstring>
#include <utility>

using namespace llvm;

namespace pagelayout {

std::pair<StringRef, bool> NamePool::insert(StringRef S) {
  std::lock_guard<std::mutex> Guard(Lock);
  return insertLocked(S, CachedHashStringRef(S).hash());
}

void NamePool::insertAll(ArrayRef<StringRef> Insert,
                         MutableArrayRef<std::pair<StringRef, bool>> Inserted) {
  assert(Insert.size() == Inserted.size());
  std::lock_guard<std::mutex> Guard(Lock);
  SmallVector<uint32_t, 0> Hashes;
  Hashes.reserve(Insert.size());
  for (StringRef S : Insert) {
    Hashes.push_back(CachedHashStringRef(S).hash());
    prefetchBucket(Names, Hashes.back());
  }
  for (size_t I = 0; I < Insert.size(); ++I)
    Inserted[I] = insertLocked(Insert[I], Hashes[I]);
}

std::pair<StringRef, bool> NamePool::insertLocked(StringRef S, uint32_t Hash) {
  if (S.empty())
    return {StringRef(), !std::exchange(HasEmpty, true)};
  CachedHashStringRef Key(S, Hash);
  auto [It, New] = Names.try_emplace(Key);
  CachedHashStringRef &Stored = It->getFirst();
  if (!New)
    return {Stored.val(), false};
  // Now the key points at the caller's bytes: make it the pool's.
  char *Copy = Bytes.Allocate<char>(S.size());
  std::memcpy(Copy, S.data(), S.size());
  Stored = CachedHashStringRef(StringRef(Copy, S.size()), Key.hash());
  return {Stored.val(), true};
}

void NamePool::reserve(size_t N) {
  std::lock_guard<std::mutex> Guard(Lock);
  Names.reserve(Names.size() + N);
}

StringRef NamePool::find(CachedHashStringRef S) const {
  if (S.size() == 0)
    return StringRef();
  std::lock_guard<std::mutex> Guard(Lock);
  auto It = Names.find(S);
  return It == Names.end() ? StringRef() : It->getFirst().val();
}

void NamePool::findAll(ArrayRef<CachedHashStringRef> Find,
                       MutableArrayRef<StringRef> Found) const {
  assert(Find.size() == Found.size());
  std::lock_guard<std::mutex> Guard(Lock);
  prefetchLookups(Names, Find);
  for (size_t I = 0; I < Find.size(); ++I) {
    auto It = Find[I].size() ? Names.find(Find[I]) : Names.end();
    Found[I] = It == Names.end() ? StringRef() : It->getFirst().val();
  }
}

size_t NamePool::size() const {
  std::lock_guard<std::mutex> Guard(Lock);
  return Names.size();
}

} // namespace pagelayout

//===- NamePool.cpp - The bytes of a profile's names ----------------------===//

#include "pagelayout/schema/NamePool.h"
#include <cstring>
#include <utility>

using namespace llvm;

namespace pagelayout {

std::pair<StringRef, bool> NamePool::insert(StringRef S) {
  std::lock_guard<std::mutex> Guard(Lock);
  if (S.empty())
    return {StringRef(), !std::exchange(HasEmpty, true)};
  CachedHashStringRef Key(S);
  auto [It, New] = Names.insert(Key);
  if (!New)
    return {It->val(), false};
  // Now the key points at the caller's bytes: make it the pool's.
  char *Copy = Bytes.Allocate<char>(S.size());
  std::memcpy(Copy, S.data(), S.size());
  *It = CachedHashStringRef(StringRef(Copy, S.size()), Key.hash());
  return {It->val(), true};
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
  return It == Names.end() ? StringRef() : It->val();
}

size_t NamePool::size() const {
  std::lock_guard<std::mutex> Guard(Lock);
  return Names.size();
}

} // namespace pagelayout

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
  auto It = Names.find(S);
  if (It != Names.end())
    return {*It, false};
  char *Copy = Bytes.Allocate<char>(S.size());
  std::memcpy(Copy, S.data(), S.size());
  StringRef Saved(Copy, S.size());
  Names.insert(Saved);
  return {Saved, true};
}

void NamePool::reserve(size_t N) {
  std::lock_guard<std::mutex> Guard(Lock);
  Names.reserve(Names.size() + N);
}

size_t NamePool::size() const {
  std::lock_guard<std::mutex> Guard(Lock);
  return Names.size();
}

} // namespace pagelayout

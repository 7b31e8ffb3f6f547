//===- SharedWork.cpp - Work an idle thread can take a share of -----------===//
//
// See SharedWork.h. The lock guards only the hand-over (a run starting,
// a helper joining or leaving); the items themselves are claimed with one
// atomic counter.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/SharedWork.h"

namespace pagelayout {

void SharedWork::take(unsigned Worker) {
  for (size_t I = Next.fetch_add(1); I < Count; I = Next.fetch_add(1))
    (*Current)(I, Worker);
}

void SharedWork::run(size_t N, Item Fn) {
  {
    std::lock_guard<std::mutex> G(Lock);
    Count = N;
    Next = 0;
    Current = &Fn;
    Running = true;
  }
  Changed.notify_all();
  take(0);
  std::unique_lock<std::mutex> G(Lock);
  // Items a helper claimed may still be running.
  Running = false;
  Changed.wait(G, [&] { return Helping == 0; });
  Current = nullptr;
}

void SharedWork::helpUntilClosed() {
  std::unique_lock<std::mutex> G(Lock);
  while (true) {
    Changed.wait(G, [&] { return Closed || (Running && Next < Count); });
    if (Closed)
      return;
    ++Helping;
    G.unlock();
    take(1);
    G.lock();
    --Helping;
    Changed.notify_all();
    // This run has no items left (Next >= Count): the wait above sleeps
    // until the next run or close().
  }
}

void SharedWork::close() {
  {
    std::lock_guard<std::mutex> G(Lock);
    Closed = true;
  }
  Changed.notify_all();
}

} // namespace pagelayout

//===- SharedWork.h - Work an idle thread can take a share of -*- C++ -*-===//
//
// The rewrite of a small binary is over in about ten milliseconds, too
// short for a thread pool to pay off: waking workers costs about as much
// as the work, and one core is already busy reading the profile. What does
// pay off is letting that thread, once the profile is read, take a share
// of the safety proof still in progress. SharedWork is that hand-over.
//
// run() executes items 0..N-1 on the calling thread; a thread that calls
// helpUntilClosed() meanwhile takes items from the same counter. Each item
// runs exactly once, on whichever thread reached it first, and says which
// worker it runs on (0 is the caller), so per-thread state (a decoder) is
// made once per worker, not once per item. Callers write results by item,
// never by worker, and so get the same result for any split.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_SHAREDWORK_H
#define PAGELAYOUT_REORDER_SHAREDWORK_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace pagelayout {

class SharedWork {
public:
  /// The caller and one helper.
  static constexpr unsigned MaxWorkers = 2;
  using Item = llvm::function_ref<void(size_t Index, unsigned Worker)>;

  /// Runs \p Fn(I, Worker) for every I below \p N, here and on a thread
  /// in helpUntilClosed(); returns once every item has run.
  void run(size_t N, Item Fn);
  /// Takes items of each run() until close() is called.
  void helpUntilClosed();
  /// Ends helpUntilClosed(); run() after close() runs on the caller only.
  void close();

private:
  void take(unsigned Worker);

  std::mutex Lock;
  std::condition_variable Changed;
  bool Closed = false;
  bool Running = false;
  unsigned Helping = 0;
  size_t Count = 0;
  std::atomic<size_t> Next{0};
  Item *Current = nullptr;
};

} // namespace pagelayout

#endif

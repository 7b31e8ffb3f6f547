//===- SharedWorkTest.cpp - SharedWork runs each item exactly once --------===//

#include "pagelayout/reorder/SharedWork.h"
#include "gtest/gtest.h"
#include <thread>
#include <vector>

using namespace pagelayout;

namespace {

TEST(SharedWorkTest, CallerAloneRunsEveryItemOnWorkerZero) {
  SharedWork W;
  W.close();
  std::vector<int> Ran(100, 0);
  W.run(Ran.size(), [&](size_t I, unsigned Worker) {
    EXPECT_EQ(Worker, 0u);
    ++Ran[I];
  });
  for (int R : Ran)
    EXPECT_EQ(R, 1);
}

TEST(SharedWorkTest, HelperTakesItemsOfEveryRunUntilClosed) {
  SharedWork W;
  std::thread Helper([&] { W.helpUntilClosed(); });
  for (int Round = 0; Round < 50; ++Round) {
    std::vector<std::atomic<int>> Ran(64);
    std::atomic<int> OnHelper{0};
    W.run(Ran.size(), [&](size_t I, unsigned Worker) {
      ASSERT_LT(Worker, SharedWork::MaxWorkers);
      if (Worker == 1)
        ++OnHelper;
      // Long enough items that the helper gets some.
      std::this_thread::sleep_for(std::chrono::microseconds(20));
      ++Ran[I];
    });
    // run() returns only once every item ran, each exactly once.
    for (auto &R : Ran)
      EXPECT_EQ(R.load(), 1);
    if (Round == 49)
      EXPECT_GT(OnHelper.load(), 0);
  }
  W.close();
  Helper.join();
}

TEST(SharedWorkTest, CloseBeforeAnyRunEndsTheHelper) {
  SharedWork W;
  std::thread Helper([&] { W.helpUntilClosed(); });
  W.close();
  Helper.join();
  int N = 0;
  W.run(3, [&](size_t, unsigned) { ++N; });
  EXPECT_EQ(N, 3);
}

} // namespace

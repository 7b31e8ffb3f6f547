// C++ exceptions under record --mode=trace: the unwinder enters landing
// pads (a destructor's cleanup, a catch) by an indirect jump.
#include <cstdio>
#include <stdexcept>
#define NOINLINE __attribute__((noinline))
volatile int Sink;
struct Guard {
  int V;
  NOINLINE ~Guard() { Sink += V; }
};
NOINLINE void fail(int X) {
  if (X > 1)
    throw std::runtime_error("too big");
}
NOINLINE int guarded(int X) {
  Guard G{X};
  fail(X);
  return X * 2;
}
NOINLINE int attempt(int X) {
  try {
    return guarded(X);
  } catch (const std::exception &E) {
    std::printf("caught %s for %d\n", E.what(), X);
    return -1;
  }
}
int main() {
  int S = attempt(1) + attempt(5);
  std::printf("result %d sink %d\n", S, Sink);
  return 0;
}

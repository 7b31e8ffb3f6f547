// A program with its own __pagelayout_mark (as if it linked the recorder
// runtime): record --mode=trace stops at it and reads the marker's name.
#include <pagelayout/marker.h>
#include <stdio.h>
#define NOINLINE __attribute__((noinline))
#ifndef MARK_IN_LIBRARY // else a shared library defines it
NOINLINE void __pagelayout_mark(const char *Name) { __asm__ volatile(""); }
#endif
volatile int Sink;
NOINLINE void init_work(void) { Sink += 1; }
NOINLINE void frame_work(void) { Sink += 2; }
NOINLINE void steady_work(void) { Sink += 3; }
int main(void) {
  init_work();
  pagelayout_mark("startup_end");
  frame_work();
  pagelayout_mark("first_frame");
  for (int I = 0; I < 3; ++I)
    steady_work();
  pagelayout_mark("startup_end"); // a second time: the first one counts
  printf("sink %d\n", Sink);
  return 0;
}

/* A function whose startup runs a few blocks of many: its steady-state
   loop and its never-run error paths are kilobytes each. */
#include <stdio.h>
#include <stdlib.h>
#define R4(x) x x x x
#define R16(x) R4(R4(x))
#define R256(x) R16(R16(x))
volatile long sink;
__attribute__((noinline)) void fail(const char *m) {
  fprintf(stderr, "%s\n", m);
  exit(3);
}
__attribute__((noinline)) long interp(int mode, long n) {
  long s = 0;
  if (mode == 0) {
    s = n + 1;
  } else if (mode == 1) {
    for (long i = 0; i < n; ++i) {
      R256(sink = sink * 3 + i;)
      s += sink & 7;
    }
  } else if (mode == 2) {
    R256(R4(sink = sink * 5 + n;))
    printf("mode 2 %ld\n", (long)sink);
  } else {
    fail("bad mode");
  }
  if (s < 0)
    fail("negative");
  return s;
}
__attribute__((noinline)) long run_steady(long n) { return interp(1, n); }
int main(int argc, char **argv) {
  long a = interp(0, argc);
  long b = run_steady(argc > 1 ? atol(argv[1]) : 1000);
  printf("%ld %ld\n", a, b);
  return 0;
}

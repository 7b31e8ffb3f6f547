// A program with a known life cycle for the link tests: startup functions
// run once, a first frame, a steady loop, and cold error paths.
#include <stdio.h>
#include <stdlib.h>
#define NOINLINE __attribute__((noinline))
NOINLINE void cold_error(const char *m) { fprintf(stderr, "error %s\n", m); exit(3); }
NOINLINE int cold_dump(int x) { return printf("dump %d\n", x); }
NOINLINE int init_a(int x) { return x * 3 + 1; }
NOINLINE int init_b(int x) { return x ^ 0x55; }
NOINLINE int draw(int x) { return x + 100; }
NOINLINE int hot_body(int x) { return x * 1103515245 + 12345; }
NOINLINE int hot_mix(int a, int b) { return (a ^ (b >> 3)) + b; }
NOINLINE int hot_loop(int seed) {
  int acc = 0;
  for (int i = 0; i < 100000; i++)
    acc = hot_mix(acc, hot_body(seed + i));
  return acc;
}
int main(int argc, char **argv) {
  int s = init_b(init_a(argc));
  if (s < 0)
    cold_error("negative");
  int f = draw(s);
  int r = hot_loop(f);
  if (argc > 5)
    cold_dump(r);
  printf("s=%d f=%d r=%d\n", s, f, r);
  return 0;
}

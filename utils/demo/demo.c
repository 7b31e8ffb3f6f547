/* A small program with a clear life cycle, used by the README demo:
 * it reads a config (startup), builds a table (first frame), runs a
 * hot loop (steady) and has error paths that never run (cold). */
#include <pagelayout/marker.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

NOINLINE void report_fatal(const char *what) {
  fprintf(stderr, "fatal: %s\n", what);
  exit(2);
}
NOINLINE void dump_debug_state(const int *t, int n) {
  for (int i = 0; i < n; i++)
    fprintf(stderr, "%d\n", t[i]);
}
NOINLINE int parse_option(const char *arg) { return arg ? (int)strlen(arg) : 0; }
NOINLINE int read_config(int argc, char **argv) {
  int sum = 0;
  for (int i = 1; i < argc; i++)
    sum += parse_option(argv[i]);
  return sum + 16;
}
NOINLINE void init_tables(int *t, int n) {
  for (int i = 0; i < n; i++)
    t[i] = i * 7 % 13;
}
NOINLINE int build_first_frame(const int *t, int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += t[i];
  return s;
}
NOINLINE int step(int x) { return x * 1103515245 + 12345; }
NOINLINE int mix(int a, int b) { return (a ^ (b >> 3)) + b; }
NOINLINE int run_loop(const int *t, int n, int iterations) {
  int acc = 0;
  for (int i = 0; i < iterations; i++)
    acc = mix(acc, step(t[i % n]));
  return acc;
}

int main(int argc, char **argv) {
  int n = read_config(argc, argv);
  int *t = malloc(sizeof(int) * n);
  if (!t)
    report_fatal("out of memory");
  init_tables(t, n);
  pagelayout_mark("startup_end"); /* a no-op when built without the recorder */
  int frame = build_first_frame(t, n);
  pagelayout_mark("first_frame");
  int acc = run_loop(t, n, 1000000);
  if (getenv("DEMO_DEBUG"))
    dump_debug_state(t, n);
  printf("frame=%d acc=%d\n", frame, acc);
  free(t);
  return 0;
}

// The shared library of trace-libs.test: a constructor, a jump table, a
// function whose name the program has too, and one that never runs.
#define NOINLINE __attribute__((noinline))
volatile int LibSink;
NOINLINE int lib_step(int X) {
  switch (X) {
  case 0: LibSink += 1; return 3;
  case 1: LibSink += 2; // falls through
  case 2: return 5 + LibSink;
  case 3: LibSink ^= 7; return 1;
  case 4: return LibSink * 3;
  default: return -1;
  }
}
__attribute__((constructor)) NOINLINE void lib_ctor(void) { LibSink = 10; }
NOINLINE int clash(int X) { return X + LibSink; }
NOINLINE int lib_never(void) { return 42; }
int lib_entry(int X) { return lib_step(X) + clash(X); }

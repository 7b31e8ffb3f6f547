// The program trace-spawn.c runs: a jump table, a function that runs only
// as "self", one that never runs; exit status 4 ("child") or 5 ("self").
#include <stdio.h>
#include <string.h>
#define NOINLINE __attribute__((noinline))
volatile int Sink;
NOINLINE int helper_step(int X) {
  switch (X) {
  case 0: Sink += 1; return 3;
  case 1: Sink += 2; // falls through
  case 2: return 5 + Sink;
  case 3: Sink ^= 7; return 1;
  case 4: return Sink * 3;
  case 5: Sink -= 1; return 2;
  default: return -1;
  }
}
NOINLINE int helper_self(int X) { return X * 7; }
NOINLINE void helper_never(void) { puts("never"); }
int main(int Argc, char **Argv) {
  int Acc = 0;
  for (int I = 0; I < 6; ++I)
    Acc += helper_step(I);
  int Self = Argc > 1 && !strcmp(Argv[1], "self");
  if (Self)
    Acc += helper_self(Acc);
  if (Argc > 5)
    helper_never();
  printf("helper %s %d\n", Argc > 1 ? Argv[1] : "-", Acc);
  return Self ? 5 : 4;
}

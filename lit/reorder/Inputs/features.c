// Everything a rewrite must keep working: function pointers in data and
// in a table, a switch (jump table), static constructors and destructors
// (.init_array/.fini_array), thread-local storage, recursion, qsort with a
// callback, and printf through the PLT.
#include <stdio.h>
#include <stdlib.h>
#define NOINLINE __attribute__((noinline))

static __thread int Tls = 5;
static int Order[8], NOrder;
NOINLINE static void note(int X) { Order[NOrder++] = X; }
__attribute__((constructor)) static void ctor(void) { note(1); }
__attribute__((destructor)) static void dtor(void) { printf("dtor %d\n", Tls); }

NOINLINE int add(int A, int B) { return A + B; }
NOINLINE int mul(int A, int B) { return A * B; }
NOINLINE int sub(int A, int B) { return A - B; }
int (*Ops[])(int, int) = {add, mul, sub};
int (*Chosen)(int, int) = mul;

NOINLINE int classify(int X) {
  switch (X % 7) {
  case 0: return 11;
  case 1: return 23;
  case 2: return 37;
  case 3: return 41;
  case 4: return 53;
  case 5: return 67;
  default: return 79;
  }
}
NOINLINE int fib(int N) { return N < 2 ? N : fib(N - 1) + fib(N - 2); }
NOINLINE int dispatch(int X) {
  switch (X) { // cases that call: a real jump table
  case 0: return add(X, 1);
  case 1: return mul(X, 2);
  case 2: return sub(X, 3);
  case 3: return fib(X);
  case 4: return classify(X) + 1;
  case 5: return add(X, X) * 3;
  case 6: return mul(X, X) - 1;
  default: return -X;
  }
}
NOINLINE static int cmp(const void *A, const void *B) {
  return *(const int *)A - *(const int *)B;
}
NOINLINE int never_called(int X) { return X * 99; }

int main(int Argc, char **Argv) {
  int V[6] = {5, 3, 9, 1, 7, 2};
  qsort(V, 6, sizeof(int), cmp);
  int S = 0;
  for (int I = 0; I < 40; I++)
    S += classify(I) + Ops[I % 3](I, 3) + dispatch(I % 9);
  Tls += Argc;
  printf("sorted %d %d %d; sum %d; chosen %d; fib %d; tls %d; ctor %d\n",
         V[0], V[3], V[5], S, Chosen(6, 7), fib(15), Tls, Order[0]);
  return Argc > 5 ? never_called(S) : 0;
}

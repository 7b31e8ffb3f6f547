// Functions whose never-run error paths the compiler puts at their end
// (cold tails), one with a large never-run middle, and cold functions:
// what packing by executed bytes places. Output depends only on argc.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile int sink;

#define COLD_PATH(N)                                                           \
  if (__builtin_expect(x < 0, 0)) {                                            \
    fprintf(stderr, "bad value %d in f" #N ": %s %s %s\n", x, __FILE__,      \
            __DATE__, strerror(x));                                            \
    for (int i = 0; i < 40; ++i)                                               \
      sink += i * x * N;                                                       \
    abort();                                                                   \
  }

#define HOT(N)                                                                 \
  __attribute__((noinline)) int f##N(int x) {                                  \
    COLD_PATH(N)                                                               \
    return x * N + 1;                                                          \
  }
// Cold functions of many sizes (the unrolled loop grows with N), as real
// programs have: they fill gaps exactly.
#define COLD(N)                                                                \
  __attribute__((noinline)) int c##N(int x) {                                  \
    _Pragma("clang loop unroll(full)") for (int i = 0; i < N; ++i)             \
      sink += i ^ x;                                                           \
    printf("cold %d\n", x);                                                    \
    return x;                                                                  \
  }

HOT(1) HOT(2) HOT(3) HOT(4) HOT(5) HOT(6) HOT(7) HOT(8) HOT(9) HOT(10)
HOT(11) HOT(12) HOT(13) HOT(14) HOT(15) HOT(16) HOT(17) HOT(18) HOT(19)
HOT(20) HOT(21) HOT(22) HOT(23) HOT(24) HOT(25) HOT(26) HOT(27) HOT(28)
COLD(1) COLD(2) COLD(3) COLD(4) COLD(5) COLD(6) COLD(7) COLD(8) COLD(9)
COLD(10) COLD(11) COLD(12) COLD(13) COLD(14) COLD(15) COLD(16) COLD(17)
COLD(18) COLD(19) COLD(20) COLD(21) COLD(22) COLD(23) COLD(24) COLD(25)
COLD(26) COLD(27) COLD(28) COLD(29) COLD(30) COLD(31) COLD(32) COLD(33)

// A function whose middle (a long never-taken branch) is over a page.
__attribute__((noinline)) int big(int x) {
  int r = x + 1;
  if (__builtin_expect(x == -12345, 0)) {
#define STEP(K) r = r * 31 + (r >> 3) + K; sink = r;
#define STEP8(K) STEP(K) STEP(K + 1) STEP(K + 2) STEP(K + 3) STEP(K + 4) STEP(K + 5) STEP(K + 6) STEP(K + 7)
#define STEP64(K) STEP8(K) STEP8(K + 8) STEP8(K + 16) STEP8(K + 24) STEP8(K + 32) STEP8(K + 40) STEP8(K + 48) STEP8(K + 56)
    STEP64(0) STEP64(64) STEP64(128) STEP64(192) STEP64(256) STEP64(320)
    STEP64(384) STEP64(448)
  }
  return r * 3;
}

int main(int argc, char **argv) {
  int x = argc;
  int (*hot[])(int) = {f1,  f2,  f3,  f4,  f5,  f6,  f7,  f8,  f9,  f10,
                       f11, f12, f13, f14, f15, f16, f17, f18, f19, f20,
                       f21, f22, f23, f24, f25, f26, f27, f28};
  for (unsigned i = 0; i < sizeof hot / sizeof hot[0]; ++i)
    x = hot[i](x) & 0xffff;
  x = big(x) & 0xffff;
  if (argc > 5)
    x = c1(x) + c2(x) + c3(x) + c4(x) + c5(x) + c6(x) + c7(x) + c8(x) +
        c9(x) + c10(x) + c11(x) + c12(x) + c13(x) + c14(x) + c15(x) +
        c16(x) + c17(x) + c18(x) + c19(x) + c20(x) + c21(x) + c22(x) +
        c23(x) + c24(x) + c25(x) + c26(x) + c27(x) + c28(x) + c29(x) +
        c30(x) + c31(x) + c32(x) + c33(x);
  printf("result %d\n", x);
  return 0;
}

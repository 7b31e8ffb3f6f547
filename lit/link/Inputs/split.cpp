#include <cstdio>
#include <stdexcept>
__attribute__((noinline)) int step(int mode, int n) {
  if (mode == 0)
    return n + 1;
  int s = 0;
  for (int i = 0; i < n; ++i)
    s += i % 7;
  if (s > 10)
    throw std::runtime_error("steady throw");
  return s;
}
__attribute__((noinline)) int guarded(int mode, int n) {
  try {
    return step(mode, n);
  } catch (const std::exception &e) {
    std::printf("caught %s\n", e.what());
    return -1;
  }
}
__attribute__((noinline)) int run_steady() { return guarded(1, 1000); }
int main(int argc, char **) {
  int a = guarded(0, argc);
  int b = run_steady();
  std::printf("%d %d\n", a, b);
  return 0;
}

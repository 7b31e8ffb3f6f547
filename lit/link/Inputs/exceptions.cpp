// C++ with exceptions thrown through functions the layout moves apart:
// unwinding must still find every frame's FDE and landing pad.
#include <cstdio>
#include <stdexcept>
#include <string>
#define NOINLINE __attribute__((noinline))
NOINLINE int parse_config(int x) {
  if (x > 3)
    throw std::runtime_error("config too large: " + std::to_string(x));
  return x * 2;
}
NOINLINE int load(int x) {
  try {
    return parse_config(x);
  } catch (const std::runtime_error &e) {
    std::printf("load caught: %s\n", e.what());
    return -1;
  }
}
struct Guard {
  int id;
  ~Guard() { std::printf("guard %d released\n", id); }
};
NOINLINE int step(int i) {
  Guard g{i};
  if (i % 3 == 2)
    throw i;
  return i + 1;
}
NOINLINE int run_steps(int n) {
  int caught = 0;
  for (int i = 0; i < n; i++) {
    try {
      step(i);
    } catch (int v) {
      caught += v;
    }
  }
  return caught;
}
NOINLINE void never_called() { throw std::logic_error("never"); }
int main(int argc, char **) {
  std::printf("load %d\n", load(argc));
  std::printf("load %d\n", load(argc + 5));
  std::printf("caught %d\n", run_steps(7));
  if (argc > 10)
    never_called();
  return 0;
}

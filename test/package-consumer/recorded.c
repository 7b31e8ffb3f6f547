// Built with the installed recorder runtime (pagelayout::rt): marks its
// startup and writes a raw file the installed `pagelayout record` reads.
#include <pagelayout/marker.h>
#include <stdio.h>

__attribute__((noinline)) int consumer_startup(int X) { return X * 3; }

int main(int Argc, char **Argv) {
  int S = consumer_startup(Argc);
  pagelayout_mark("startup_end");
  printf("recorded %d\n", S);
  return 0;
}

// A program of known shape for the recorder tests: startup functions
// called once before the startup_end marker, a first frame, a hot loop,
// a never-called error path, two worker threads and a forked child.
#include <pagelayout/marker.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#define NOINLINE __attribute__((noinline))

volatile int Sink;
NOINLINE void error_path(const char *Why) { fprintf(stderr, "%s\n", Why); abort(); }
NOINLINE int init_config(int X) { return X * 3; }
NOINLINE int init_tables(int X) {
  if (X > 1000)          // never true: block coverage sees an unrun branch
    error_path("huge");
  return X + 7;
}
NOINLINE int draw_frame(int X) { return X ^ 0x5a; }
NOINLINE int hot_body(int X) { return X * 1103515245 + 12345; }
NOINLINE int hot_loop(int N) {
  int Acc = 0;
  for (int I = 0; I < N; I++)
    Acc += hot_body(I);
  return Acc;
}
NOINLINE void *worker(void *Arg) {
  Sink += hot_body((int)(long)Arg);
  return 0;
}
NOINLINE int child_only(int X) { return X - 1; }

int main(int Argc, char **Argv) {
  int S = init_tables(init_config(Argc));
  pagelayout_mark("startup_end");
  S += draw_frame(S);
  pagelayout_mark("first_frame");
  S += hot_loop(100000);
  pthread_t T[2];
  for (long I = 0; I < 2; I++)
    pthread_create(&T[I], 0, worker, (void *)I);
  for (int I = 0; I < 2; I++)
    pthread_join(T[I], 0);
  pid_t Child = fork();
  if (Child == 0) {
    Sink = child_only(S);
    exit(0);
  }
  waitpid(Child, 0, 0);
  printf("done %d\n", S != 0);
  return 0;
}

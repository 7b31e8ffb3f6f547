// The program of the --mode=trace oracle tests: a jump table whose cases
// fall through (control enters mid-block), a call through a function
// pointer, a thread, a signal handler run by raise(SIGUSR1), a forked child
// that keeps running the program, and a function that never runs. Its
// output and exit status (7) depend on all of them.
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#define NOINLINE __attribute__((noinline))

volatile int Sink;
static volatile sig_atomic_t Got;
NOINLINE void on_usr1(int Sig) { Got = Sig; }
NOINLINE void touch(int X) { Sink += X; }
NOINLINE int dispatch(int X) {
  int R = 0;
  switch (X) {
  case 0: touch(1); R += 3; break;
  case 1: touch(2); // falls through
  case 2: R += 5; touch(R); break;
  case 3: touch(4); return 9;
  case 4: R = X * 11; // falls through
  case 5: touch(R); R ^= 6; break;
  case 6: touch(7); R -= 2; break;
  case 7: R = 100; break;
  default: R = -1;
  }
  return R;
}
NOINLINE int twice(int X) { return 2 * X; }
NOINLINE int thrice(int X) { return 3 * X; }
int (*volatile Op)(int) = twice;
NOINLINE void *worker(void *Arg) { return (void *)(long)dispatch((int)(long)Arg); }
NOINLINE void child_work(void) { printf("child %d\n", Op(5)); }
NOINLINE void never_runs(void) { puts("never"); }

int main(int Argc, char **Argv) {
  signal(SIGUSR1, on_usr1);
  raise(SIGUSR1);
  int Sum = 0;
  for (int I = 0; I < 8; I += 1 + (Argc > 1))
    Sum += dispatch(I);
  pthread_t T;
  void *R;
  pthread_create(&T, 0, worker, (void *)4L);
  pthread_join(T, &R);
  Op = Argc > 2 ? thrice : twice;
  fflush(stdout);
  pid_t C = fork();
  if (C == 0) {
    child_work();
    exit(5);
  }
  int St;
  waitpid(C, &St, 0);
  printf("sum %d signal %d thread %ld child %d op %d\n", Sum, Got, (long)R,
         WEXITSTATUS(St), Op(1));
  if (Argc > 5)
    never_runs();
  return 7;
}

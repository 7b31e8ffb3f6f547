// A stand-in for a service, for the recorder's signal tests: it runs its
// startup functions, writes its pid to a file (the test's cue to send a
// signal), then waits to be stopped; after_signal never runs unless the
// program handles the signal itself.
//   service PIDFILE wait     default signal actions
//   service PIDFILE spin     as wait, after 300 ms of CPU in spin_work
//                            (for sampling)
//   service PIDFILE abort    aborts after startup
//   service PIDFILE crash    dereferences a null pointer after startup
//   service PIDFILE handler  its own SIGINT/SIGTERM handler: counts the
//                            signals, shuts down cleanly and exits 0
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#define NOINLINE __attribute__((noinline))

volatile int Sink;
static volatile sig_atomic_t Signals;
NOINLINE int startup_work(int X) { return X * 3 + 1; }
NOINLINE int serve_requests(int X) { return X ^ 0x5a; }
NOINLINE int after_signal(int X) { return X - 1; }
NOINLINE int clean_shutdown(int X) { return X + 2; }
NOINLINE void spin_work(void) {
  struct timespec Start, Now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &Start);
  do {
    for (int I = 0; I < 100000; I++)
      Sink = Sink * 1103515245 + 12345;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &Now);
  } while ((Now.tv_sec - Start.tv_sec) * 1000000000L +
               (Now.tv_nsec - Start.tv_nsec) <
           300000000L);
}
static void onSignal(int Sig) { Signals = Signals + 1; }

static void sleepMs(long Ms) {
  struct timespec T = {Ms / 1000, (Ms % 1000) * 1000000};
  while (nanosleep(&T, &T) != 0) {
  }
}

int main(int Argc, char **Argv) {
  if (Argc != 3)
    return 2;
  int Handler = strcmp(Argv[2], "handler") == 0;
  if (Handler) {
    struct sigaction A;
    memset(&A, 0, sizeof(A));
    A.sa_handler = onSignal;
    sigaction(SIGINT, &A, 0);
    sigaction(SIGTERM, &A, 0);
  }
  Sink = serve_requests(startup_work(Argc));
  if (strcmp(Argv[2], "spin") == 0)
    spin_work();
  // On a terminal, the program must be in its foreground (to read it).
  if (isatty(0) && tcgetpgrp(0) == getpgrp())
    printf("service: in the terminal's foreground\n");
  fflush(stdout);
  char Tmp[4096];
  snprintf(Tmp, sizeof(Tmp), "%s.tmp", Argv[1]);
  FILE *F = fopen(Tmp, "w");
  if (!F)
    return 3;
  fprintf(F, "%d\n", (int)getpid());
  fclose(F);
  rename(Tmp, Argv[1]);
  if (strcmp(Argv[2], "abort") == 0)
    abort();
  if (strcmp(Argv[2], "crash") == 0)
    Sink = *(volatile int *)(long)(Sink & 0);
  // At most 30 s, so a test that fails cannot leave it behind for long.
  for (int I = 0; I < 3000 && !Signals; I++)
    sleepMs(10);
  if (!Handler) {
    Sink = after_signal(Sink);
    return 1;
  }
  sleepMs(300); // room for a duplicate signal to arrive
  Sink = clean_shutdown(Sink);
  printf("service: %d signal(s)\n", (int)Signals);
  return 0;
}

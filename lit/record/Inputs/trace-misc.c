// Runs of record --mode=trace that stress how the program is run:
//   threads  four threads run the same fresh code at once (two threads can
//            trap at one breakpoint before the first trap is handled)
//   stop     the program stops itself (SIGSTOP) until its child sends
//            SIGCONT; its SIGCHLD handler counts the child's exit
//   vfork    a vfork child execs echo
//   exec     the program itself execs echo
//   goto     an interpreter loop with computed gotos (labels as values)
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#define NOINLINE __attribute__((noinline))

static pthread_barrier_t Barrier;
static volatile sig_atomic_t Children;
NOINLINE long hot(long X) {
  long S = 0;
  for (long I = 0; I < 20000; ++I)
    S += (I * X) % 7 == 3 ? I : X;
  return S;
}
NOINLINE void *runner(void *Arg) {
  pthread_barrier_wait(&Barrier);
  return (void *)hot((long)Arg);
}
NOINLINE void on_child(int Sig) { Children = Children + 1; }
NOINLINE int interpret(const unsigned char *Code) {
  static void *Ops[] = {&&halt, &&inc, &&dbl, &&dec};
  int Acc = 0;
  goto *Ops[*Code++];
inc:
  Acc += 1;
  goto *Ops[*Code++];
dbl:
  Acc *= 2;
  goto *Ops[*Code++];
dec:
  Acc -= 1;
  goto *Ops[*Code++];
halt:
  return Acc;
}

int main(int Argc, char **Argv) {
  if (Argc < 2)
    return 2;
  if (!strcmp(Argv[1], "threads")) {
    pthread_t T[4];
    pthread_barrier_init(&Barrier, 0, 4);
    for (long I = 0; I < 4; ++I)
      pthread_create(&T[I], 0, runner, (void *)(I + 1));
    long Sum = 0;
    for (int I = 0; I < 4; ++I) {
      void *R;
      pthread_join(T[I], &R);
      Sum += (long)R;
    }
    printf("sum %ld\n", Sum);
    return 0;
  }
  if (!strcmp(Argv[1], "stop")) {
    signal(SIGCHLD, on_child);
    pid_t Parent = getpid();
    int Go[2];
    if (pipe(Go) != 0)
      return 2;
    pid_t C = fork();
    if (C == 0) {
      // SIGCONT until the parent says it runs again (a SIGCONT sent
      // before its SIGSTOP does nothing).
      char B;
      fcntl(Go[0], F_SETFL, O_NONBLOCK);
      for (int I = 0; I < 600 && read(Go[0], &B, 1) != 1; ++I) {
        usleep(50000);
        kill(Parent, SIGCONT);
      }
      _exit(3);
    }
    raise(SIGSTOP);
    if (write(Go[1], "x", 1) != 1)
      return 2;
    int St;
    while (waitpid(C, &St, 0) < 0)
      ;
    printf("continued, child %d, sigchld %d\n", WEXITSTATUS(St), Children);
    return 4;
  }
  if (!strcmp(Argv[1], "vfork")) {
    fflush(stdout);
    pid_t C = vfork();
    if (C == 0) {
      execl("/bin/echo", "echo", "from-vfork", (char *)0);
      _exit(127);
    }
    int St;
    waitpid(C, &St, 0);
    printf("vfork child %d\n", WEXITSTATUS(St));
    return 0;
  }
  if (!strcmp(Argv[1], "goto")) {
    static const unsigned char Program[] = {1, 1, 2, 1, 2, 0, 3};
    printf("acc %d\n", interpret(Program));
    return 0;
  }
  if (!strcmp(Argv[1], "exec")) {
    execl("/bin/sh", "sh", "-c", "echo main-exec; exit 6", (char *)0);
    return 127;
  }
  return 2;
}

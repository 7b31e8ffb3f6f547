// Runs another program (HELPER, argv[1]) in a forked child and, with a
// second argument "exec", becomes it at the end (execs it itself).
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
__attribute__((noinline)) void before_spawn(void) { fflush(stdout); }
__attribute__((noinline)) int spawn(const char *Helper) {
  pid_t C = fork();
  if (C == 0) {
    execl(Helper, Helper, "child", (char *)0);
    _exit(127);
  }
  int St;
  waitpid(C, &St, 0);
  return WEXITSTATUS(St);
}
int main(int Argc, char **Argv) {
  if (Argc < 2)
    return 2;
  before_spawn();
  printf("helper status %d\n", spawn(Argv[1]));
  fflush(stdout);
  if (Argc > 2 && !strcmp(Argv[2], "exec"))
    execl(Argv[1], Argv[1], "self", (char *)0);
  return 3;
}

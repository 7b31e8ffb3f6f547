// Forks a child that execs another program (echo), and waits for it.
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
__attribute__((noinline)) void before_exec(void) { fflush(stdout); }
int main(void) {
  before_exec();
  pid_t C = fork();
  if (C == 0) {
    execl("/bin/echo", "echo", "from-exec", (char *)0);
    _exit(127);
  }
  int St;
  waitpid(C, &St, 0);
  printf("child status %d\n", WEXITSTATUS(St));
  return 0;
}

//===- ProgramRunner.cpp - Run the recorded program -----------------------===//
//
// `pagelayout record` runs the program, waits for it and then writes what
// it recorded, so it must outlive the program however the program is
// stopped. Services and long runs are stopped with signals, and the signal
// usually reaches `record`, not the program: a service manager or `kill`
// signals the pid it started, `timeout` its child. So `record` catches the
// stop signals while the program runs and forwards them to it; the program
// ends the way it would have without us (its recorder runtime writes its
// raw file on the way out), and `record` builds the profile and exits with
// the program's status.
//
// Forwarding must not deliver a signal twice: a program that shuts down
// gracefully on the first SIGINT often quits at once on the second. Which
// process group the program runs in decides where signals go:
//
//  * In the foreground of a terminal, the program stays in our process
//    group, the terminal's foreground group: it can read the terminal,
//    Ctrl-C and Ctrl-Z reach it directly, and job control works as for any
//    command. Signals the terminal sent (si_code SI_KERNEL) already reached
//    it too and are not forwarded; signals a process sent to us are. (A
//    signal a process sends to the whole group, `kill -INT -PGID`, reaches
//    the program directly and forwarded: twice.)
//  * Otherwise (services, scripts, CI, `timeout`, background jobs), the
//    program gets a process group of its own, so no signal sent to our
//    group reaches it directly, and every forwarded signal goes to its
//    group (its own children included): each signal arrives once. (A
//    background `record` brought to the foreground later leaves the
//    program in a background group, where reading the terminal stops it.)
//
// The program also gets PR_SET_PDEATHSIG(SIGTERM): if `record` is killed
// outright (SIGKILL), the program is told to stop instead of running on,
// orphaned.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/ProgramRunner.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Program.h"
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

using namespace llvm;

namespace pagelayout {
namespace {

/// The signals a program is stopped or controlled with.
constexpr int ForwardedSignals[] = {SIGINT,  SIGTERM, SIGHUP,
                                    SIGQUIT, SIGUSR1, SIGUSR2};

// What the signal handler needs: where to forward, and whether the program
// shares our process group (and so got the terminal's signals itself).
std::atomic<pid_t> ForwardTo;
std::atomic<bool> SharesGroup;
std::atomic<int> LastStopSignal;

void forwardSignal(int Signal, siginfo_t *Info, void *) {
  int SavedErrno = errno;
  bool FromTerminal = Info && Info->si_code == SI_KERNEL;
  pid_t Target = ForwardTo.load();
  LastStopSignal.store(Signal);
  if (Target && !(FromTerminal && SharesGroup.load()))
    kill(Target, Signal);
  errno = SavedErrno;
}

/// Forwarding handlers installed for the life of one run; the previous
/// dispositions (LLVM's crash-and-interrupt handlers) come back after.
class ForwardingScope {
public:
  ForwardingScope() {
    sigemptyset(&Forwarded);
    for (int S : ForwardedSignals)
      sigaddset(&Forwarded, S);
    struct sigaction A;
    memset(&A, 0, sizeof(A));
    A.sa_sigaction = forwardSignal;
    A.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&A.sa_mask);
    for (size_t I = 0; I < std::size(ForwardedSignals); ++I)
      sigaction(ForwardedSignals[I], &A, &Saved[I]);
  }
  ~ForwardingScope() {
    ForwardTo.store(0);
    for (size_t I = 0; I < std::size(ForwardedSignals); ++I)
      sigaction(ForwardedSignals[I], &Saved[I], nullptr);
  }
  /// Holds the forwarded signals back while the program is being started.
  void block(sigset_t &Old) { sigprocmask(SIG_BLOCK, &Forwarded, &Old); }

private:
  sigset_t Forwarded;
  struct sigaction Saved[std::size(ForwardedSignals)];
};

/// Whether this process runs in the foreground of its controlling terminal.
bool inTerminalForeground() {
  int Fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
  if (Fd < 0)
    return false;
  bool Foreground = tcgetpgrp(Fd) == getpgrp();
  close(Fd);
  return Foreground;
}

/// read() of one small value, retried on EINTR: the bytes read, or -1.
ssize_t readFully(int Fd, void *Buf, size_t Size) {
  for (;;) {
    ssize_t N = read(Fd, Buf, Size);
    if (N >= 0 || errno != EINTR)
      return N;
  }
}

/// The child's side of a run, between fork and exec: only async-signal-
/// safe calls. Exit 127 when the program cannot be started; the exec
/// error travels to the parent through \p ErrorFd.
[[noreturn]] void startChild(const char *Path, char *const *Argv,
                             char *const *Envp, const sigset_t &Mask,
                             bool OwnGroup, pid_t Parent, int HoldFd,
                             int ErrorFd) {
  struct sigaction Default;
  memset(&Default, 0, sizeof(Default));
  Default.sa_handler = SIG_DFL;
  for (int S : ForwardedSignals)
    sigaction(S, &Default, nullptr);
  sigprocmask(SIG_SETMASK, &Mask, nullptr);
  if (OwnGroup)
    setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != Parent)
    _exit(127); // record is gone already
  if (HoldFd >= 0) {
    char Go = 0;
    if (readFully(HoldFd, &Go, 1) != 1 || Go != 1)
      _exit(127);
  }
  execve(Path, Argv, Envp);
  int Err = errno;
  if (write(ErrorFd, &Err, sizeof(Err)) < 0) {
  }
  _exit(127);
}

ProgramStatus statusOf(int Raw) {
  ProgramStatus S;
  if (WIFSIGNALED(Raw)) {
    S.Signal = WTERMSIG(Raw);
    S.CoreDumped = WCOREDUMP(Raw);
  } else {
    S.ExitCode = WEXITSTATUS(Raw);
  }
  return S;
}

/// Waits for \p Pid, calling \p Opts.Poll meanwhile if set.
Expected<ProgramStatus> waitFor(pid_t Pid, const RunOptions &Opts) {
  int Raw = 0;
  for (;;) {
    pid_t W = waitpid(Pid, &Raw, Opts.Poll ? WNOHANG : 0);
    if (W == Pid)
      return statusOf(Raw);
    if (W < 0 && errno != EINTR)
      return createStringError(std::error_code(errno, std::generic_category()),
                               "cannot wait for the program: %s",
                               strerror(errno));
    if (W == 0) {
      Opts.Poll();
      auto Ns = std::chrono::nanoseconds(Opts.PollInterval).count();
      timespec T{time_t(Ns / 1000000000), long(Ns % 1000000000)};
      nanosleep(&T, nullptr);
    }
  }
}

} // namespace

Expected<ProgramStatus> runProgram(ArrayRef<std::string> Command,
                                   const RunOptions &Opts) {
  if (Command.empty())
    return createStringError("no program to run");
  ErrorOr<std::string> Program = sys::findProgramByName(Command.front());
  if (!Program)
    return createStringError("cannot find program '" + Command.front() + "'");
  // Everything the child needs, built before fork.
  std::vector<char *> Argv;
  for (const std::string &A : Command)
    Argv.push_back(const_cast<char *>(A.c_str()));
  Argv.push_back(nullptr);
  std::vector<char *> Envp;
  if (Opts.Environment) {
    for (const std::string &E : *Opts.Environment)
      Envp.push_back(const_cast<char *>(E.c_str()));
    Envp.push_back(nullptr);
  }
  char *const *Env = Opts.Environment ? Envp.data() : environ;
  int Hold[2] = {-1, -1}, Exec[2] = {-1, -1};
  if ((Opts.BeforeExec && pipe2(Hold, O_CLOEXEC) != 0) ||
      pipe2(Exec, O_CLOEXEC) != 0)
    return createStringError(std::error_code(errno, std::generic_category()),
                             "cannot create a pipe: %s", strerror(errno));
  bool OwnGroup = !inTerminalForeground();
  SharesGroup.store(!OwnGroup);
  LastStopSignal.store(0);

  ForwardingScope Scope;
  sigset_t Mask;
  Scope.block(Mask);
  pid_t Parent = getpid();
  pid_t Pid = fork();
  if (Pid == 0)
    startChild(Program->c_str(), Argv.data(), Env, Mask, OwnGroup, Parent,
               Hold[0], Exec[1]);
  int ForkErrno = errno;
  if (Pid > 0) {
    if (OwnGroup)
      setpgid(Pid, Pid); // as the child does: whichever runs first
    ForwardTo.store(OwnGroup ? -Pid : Pid);
  }
  sigprocmask(SIG_SETMASK, &Mask, nullptr); // pending signals forward now
  close(Exec[1]);
  if (Hold[0] >= 0)
    close(Hold[0]);
  auto CloseAll = [&] {
    close(Exec[0]);
    if (Hold[1] >= 0)
      close(Hold[1]);
  };
  if (Pid < 0) {
    CloseAll();
    return createStringError(
        std::error_code(ForkErrno, std::generic_category()),
        "cannot start '%s': %s", Program->c_str(), strerror(ForkErrno));
  }
  if (Opts.BeforeExec) {
    Error E = Opts.BeforeExec(Pid);
    char Go = E ? 0 : 1;
    if (write(Hold[1], &Go, 1) != 1 && !E)
      E = createStringError("cannot start '" + *Program + "'");
    if (E) {
      kill(Pid, SIGKILL);
      CloseAll();
      consumeError(waitFor(Pid, RunOptions()).takeError());
      return std::move(E);
    }
  }
  int ExecErrno = 0;
  ssize_t N = readFully(Exec[0], &ExecErrno, sizeof(ExecErrno));
  CloseAll();
  if (N == ssize_t(sizeof(ExecErrno))) {
    consumeError(waitFor(Pid, RunOptions()).takeError());
    return createStringError(
        std::error_code(ExecErrno, std::generic_category()),
        "cannot run '%s': %s", Program->c_str(), strerror(ExecErrno));
  }
  Expected<ProgramStatus> Status =
      Opts.Wait ? Opts.Wait(Pid) : waitFor(Pid, Opts);
  if (Status)
    Status->StopSignal = LastStopSignal.load();
  return Status;
}

std::string signalName(int Signal) {
  static const std::pair<int, const char *> Names[] = {
      {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},
      {SIGILL, "SIGILL"},   {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"},
      {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"},
      {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
      {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"},
      {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"}};
  for (const auto &[Number, Name] : Names)
    if (Number == Signal)
      return Name;
  return "signal " + std::to_string(Signal);
}

} // namespace pagelayout

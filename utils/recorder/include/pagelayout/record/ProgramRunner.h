//===- ProgramRunner.h - Run the recorded program ---------------*- C++ -*-===//

#ifndef PAGELAYOUT_RECORD_PROGRAMRUNNER_H
#define PAGELAYOUT_RECORD_PROGRAMRUNNER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pagelayout {

/// How a recorded program ended.
struct ProgramStatus {
  int ExitCode = 0; ///< when it exited
  int Signal = 0;   ///< the signal that killed it, or 0
  bool CoreDumped = false;
  /// The last stop signal that reached us (and the program) while it ran,
  /// or 0: a program killed by it was stopped on purpose, not crashing.
  int StopSignal = 0;
  /// The status a shell reports: the exit code, or 128 + the signal.
  int shellStatus() const { return Signal ? 128 + Signal : ExitCode; }
};

struct RunOptions {
  /// The program's environment; unset: this process's.
  std::optional<std::vector<std::string>> Environment;
  /// Called with the started program's pid before it execs; the program
  /// execs once this returns success, and is killed on an error (perf
  /// attaches its counters here, so they start with the program).
  std::function<llvm::Error(pid_t)> BeforeExec;
  /// Waits for the started program instead of a plain waitpid (the
  /// tracer's loop); unset: the plain wait.
  std::function<llvm::Expected<ProgramStatus>(pid_t)> Wait;
  /// Called every PollInterval while the program runs.
  std::function<void()> Poll;
  std::chrono::milliseconds PollInterval{50};
};

/// Runs \p Command (the program is looked up in PATH) and waits for it to
/// end, forwarding the stop signals that reach this process (SIGINT,
/// SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2) to it, so the program stops
/// the way it would without us and the caller can still write what it
/// recorded. One program runs at a time.
llvm::Expected<ProgramStatus> runProgram(llvm::ArrayRef<std::string> Command,
                                         const RunOptions &Opts);

/// "SIGABRT" for SIGABRT; "signal N" for a signal without a short name.
std::string signalName(int Signal);

} // namespace pagelayout

#endif

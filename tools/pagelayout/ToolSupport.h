//===- ToolSupport.h - What every pagelayout subcommand shares --*- C++ -*-===//

#ifndef PAGELAYOUT_TOOLS_TOOLSUPPORT_H
#define PAGELAYOUT_TOOLS_TOOLSUPPORT_H

#include "pagelayout/schema/Diagnostic.h"
#include "pagelayout/schema/PhaseInference.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include <string>

namespace pagelayout {

/// Per-invocation state: warning count and whether warnings are fatal.
struct ToolContext {
  unsigned Warnings = 0;
  bool FatalWarnings = false;
  bool SilenceWarnings = false;
  WarningHandler warningHandler();
};

/// Prints \p E ("file:3:10: error: ..." or "pagelayout: error: ...");
/// returns the exit code 1.
int reportError(llvm::Error E);

/// Exit code for a command that otherwise succeeded.
int finish(const ToolContext &Ctx);

/// Writes through a temporary file renamed into place ("-" = stdout), so a
/// failed run never leaves a partial output.
llvm::Error
writeOutput(llvm::StringRef Path,
            llvm::function_ref<llvm::Error(llvm::raw_ostream &)> Write);

/// One subcommand's option namespace: its own cl::SubCommand (so option
/// names cannot clash with the many options libLLVM registers at top level)
/// and a category that --help shows alone.
struct CommandScope {
  llvm::cl::SubCommand Sub;
  llvm::cl::OptionCategory Cat;
  CommandScope(const char *Name, const char *Overview)
      : Sub(Name, Overview), Cat(Name) {}
};

/// Options of the phase inference, registered by whichever command uses
/// them (function-local statics: only the running command's options exist).
struct InferenceOptions {
  llvm::cl::opt<double> StartupWindowMs;
  llvm::cl::opt<double> FirstFrameWindowMs;
  llvm::cl::opt<double> HotCallsPerSec;
  llvm::cl::opt<double> ColdCallsPerSec;
  explicit InferenceOptions(CommandScope &Scope);
  InferenceConfig config() const;
};

/// --page-size, shared by the commands that lay out code.
struct PageSizeOption {
  llvm::cl::opt<uint64_t> Bytes;
  explicit PageSizeOption(CommandScope &Scope);
  /// An error unless the value is a power of two of at least 16.
  llvm::Error check() const;
};

/// --strict, shared by the commands that check a profile against code
/// (\p Code: "the binary", "the inputs").
struct StrictFitOption {
  std::string Help; ///< outlives the option, which keeps a reference
  llvm::cl::opt<bool> Strict;
  StrictFitOption(CommandScope &Scope, const char *Code);
  operator bool() const { return Strict; }
};

/// --to=yaml|compact, shared by the commands that write a layout profile
/// (merge, import, record; convert has more choices of its own).
struct ProfileOutputOption {
  llvm::cl::opt<std::string> To;
  explicit ProfileOutputOption(CommandScope &Scope);
  /// An error unless --to names a form of layout profile.
  llvm::Error check() const;
  /// Writes \p P to \p Path in the chosen form, as writeOutput does.
  llvm::Error write(llvm::StringRef Path, const Profile &P) const;
};

/// Writes \p P as YAML or compact (\p Compact) through writeOutput.
llvm::Error writeProfileFile(llvm::StringRef Path, const Profile &P,
                             bool Compact);

/// --fatal-warnings and --no-warn, shared by the commands that warn.
struct WarningOptions {
  llvm::cl::opt<bool> Fatal;
  llvm::cl::opt<bool> Silence;
  explicit WarningOptions(CommandScope &Scope);
  void apply(ToolContext &Ctx) const {
    Ctx.FatalWarnings = Fatal;
    Ctx.SilenceWarnings = Silence;
  }
};

/// Parses argv ("pagelayout [group]", subcommand name, options...) for one
/// subcommand, showing only its options in --help.
void parseCommandLine(int Argc, char **Argv, CommandScope &Scope);

} // namespace pagelayout

#endif

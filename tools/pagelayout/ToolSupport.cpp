//===- ToolSupport.cpp ----------------------------------------------------===//

#include "ToolSupport.h"
#include "pagelayout/reorder/LayoutEngine.h"
#include "pagelayout/schema/CompactProfile.h"
#include "pagelayout/schema/ProfileWriter.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace pagelayout {

WarningHandler ToolContext::warningHandler() {
  return [this](const Twine &Msg) {
    ++Warnings;
    if (!SilenceWarnings || FatalWarnings)
      errs() << Msg << "\n";
  };
}

int reportError(Error E) {
  handleAllErrors(
      std::move(E),
      [](const LocatedError &LE) {
        LE.log(errs());
        errs() << "\n";
      },
      [](const ErrorInfoBase &EI) {
        errs() << "pagelayout: error: " << EI.message() << "\n";
      });
  return 1;
}

int finish(const ToolContext &Ctx) {
  if (Ctx.FatalWarnings && Ctx.Warnings) {
    errs() << "pagelayout: error: " << Ctx.Warnings
           << " warning(s) treated as errors (--fatal-warnings)\n";
    return 1;
  }
  return 0;
}

Error writeOutput(StringRef Path, function_ref<Error(raw_ostream &)> Write) {
  return writeToOutput(Path, [&](raw_ostream &OS) { return Write(OS); });
}

InferenceOptions::InferenceOptions(CommandScope &S)
    : StartupWindowMs("startup-window-ms",
                      cl::desc("Startup ends here when the profile has no "
                               "startup_end marker (default 100)"),
                      cl::init(100.0), cl::cat(S.Cat), cl::sub(S.Sub)),
      FirstFrameWindowMs("first-frame-window-ms",
                         cl::desc("First frame ends here without a "
                                  "first_frame marker (default 500)"),
                         cl::init(500.0), cl::cat(S.Cat), cl::sub(S.Sub)),
      HotCallsPerSec("hot-calls-per-sec",
                     cl::desc("Call rate after startup at or above which a "
                              "function is steady (default 100)"),
                     cl::init(100.0), cl::cat(S.Cat), cl::sub(S.Sub)),
      ColdCallsPerSec("cold-calls-per-sec",
                      cl::desc("Call rate after startup below which a "
                               "function is cold (default 1)"),
                      cl::init(1.0), cl::cat(S.Cat), cl::sub(S.Sub)) {}

InferenceConfig InferenceOptions::config() const {
  InferenceConfig C;
  C.StartupWindowNs = uint64_t(StartupWindowMs * 1e6);
  C.FirstFrameWindowNs = uint64_t(FirstFrameWindowMs * 1e6);
  C.HotCallsPerSec = HotCallsPerSec;
  C.ColdCallsPerSec = ColdCallsPerSec;
  return C;
}

PageSizeOption::PageSizeOption(CommandScope &S)
    : Bytes("page-size",
            cl::desc("Page size in bytes (4096, 16384, 65536, 2097152)"),
            cl::init(4096), cl::cat(S.Cat), cl::sub(S.Sub)) {}

Error PageSizeOption::check() const {
  if (isValidPageSize(Bytes))
    return Error::success();
  return createStringError("--page-size=" + std::to_string(Bytes) +
                           " is not a power of two of at least 16 bytes");
}

WarningOptions::WarningOptions(CommandScope &S)
    : Fatal("fatal-warnings", cl::desc("Treat warnings as errors"),
            cl::cat(S.Cat), cl::sub(S.Sub)),
      Silence("no-warn", cl::desc("Do not print warnings"), cl::cat(S.Cat),
              cl::sub(S.Sub)) {}

Error writeProfileFile(StringRef Path, const Profile &P, bool Compact) {
  return writeOutput(Path, [&](raw_ostream &OS) -> Error {
    if (Compact)
      return writeCompactProfile(P, OS);
    writeProfileYAML(P, OS);
    return Error::success();
  });
}

ProfileOutputOption::ProfileOutputOption(CommandScope &S)
    : To("to",
         cl::desc("Form of the profile written: yaml (default; the form "
                  "people edit) or compact (binary, fast to read at scale; "
                  "'profile convert' turns one into the other)"),
         cl::init("yaml"), cl::cat(S.Cat), cl::sub(S.Sub)) {}

Error ProfileOutputOption::check() const {
  if (To == "yaml" || To == "compact")
    return Error::success();
  return createStringError("unknown form '" + To +
                           "' for --to; expected yaml or compact");
}

Error ProfileOutputOption::write(StringRef Path, const Profile &P) const {
  return writeProfileFile(Path, P, To == "compact");
}

void parseCommandLine(int Argc, char **Argv, CommandScope &Scope) {
  cl::HideUnrelatedOptions(Scope.Cat, Scope.Sub);
  cl::ParseCommandLineOptions(Argc, Argv);
}

StrictFitOption::StrictFitOption(CommandScope &Scope, const char *Code)
    : Help("A profile that does not fit " + std::string(Code) +
           " (another build-id, under half of the functions that ran "
           "found) is an error, not a warning; --fatal-warnings does this "
           "too"),
      Strict("strict", cl::desc(Help), cl::cat(Scope.Cat),
             cl::sub(Scope.Sub)) {}

} // namespace pagelayout

//===- RecordCommand.cpp - pagelayout record ------------------------------===//
//
// Runs an instrumented program with the recorder's environment, collects
// the raw file of every process it started (forks included), symbolises
// each with its modules' symbol tables, merges them and writes a YAML
// layout profile. --from-raw does the same for raw files recorded
// elsewhere (a service, another machine).
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "ToolSupport.h"
#include "pagelayout/record/PerfSampler.h"
#include "pagelayout/record/ProfileBuilder.h"
#include "pagelayout/record/RawProfile.h"
#include "pagelayout/schema/OrderFile.h"
#include "pagelayout/schema/ProfileMerge.h"
#include "pagelayout/schema/ProfileWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

extern char **environ;

using namespace llvm;

namespace pagelayout {
namespace {

/// The flags that build a program for each recording mode.
void printFlags(StringRef Mode, StringRef RuntimeDir, raw_ostream &OS) {
  // The static runtime: calls into it are direct (no PLT), which the
  // first-call mode's call patching relies on for the cheapest path.
  std::string Link = "-fno-sanitize-link-runtime -L" + RuntimeDir.str() +
                     " -l:libpagelayout_rt.a";
  if (Mode == "first-call")
    OS << "CFLAGS:  -ffunction-sections "
          "-fsanitize-coverage=func,trace-pc-guard\n";
  else if (Mode == "flags")
    OS << "CFLAGS:  -ffunction-sections "
          "-fsanitize-coverage=func,inline-bool-flag,pc-table\n";
  else if (Mode == "blocks")
    OS << "CFLAGS:  -ffunction-sections "
          "-fsanitize-coverage=bb,trace-pc-guard,pc-table\n";
  else
    OS << "CFLAGS:  -ffunction-sections "
          "-finstrument-functions-after-inlining\n";
  OS << "LDFLAGS: " << Link << "\n";
  if (Mode == "full")
    OS << "(gcc: the same CFLAGS with -finstrument-functions; drop "
          "-fno-sanitize-link-runtime from LDFLAGS)\n";
  else
    OS << "(clang only: gcc has no -fsanitize-coverage; gcc users record "
          "with --print-flags=full or --mode=perf)\n";
}

/// The directory holding libpagelayout_rt next to this tool (build tree:
/// build/utils/recorder; installed: ../lib).
std::string runtimeDir() {
  static int Anchor;
  SmallString<256> Exe(sys::fs::getMainExecutable("pagelayout", &Anchor));
  SmallString<256> Dir = sys::path::parent_path(Exe);
  for (const char *Rel : {"../../utils/recorder", "../lib"}) {
    SmallString<256> P(Dir);
    sys::path::append(P, Rel);
    SmallString<256> Lib(P);
    sys::path::append(Lib, "libpagelayout_rt.a");
    if (sys::fs::exists(Lib)) {
      sys::fs::real_path(P, P);
      return std::string(P);
    }
  }
  return std::string(Dir);
}

/// Runs the program with PAGELAYOUT_OUT pointing into \p RawDir.
Expected<int> runRecorded(ArrayRef<std::string> Command, StringRef RawDir) {
  ErrorOr<std::string> Program = sys::findProgramByName(Command.front());
  if (!Program)
    return createStringError("cannot find program '" + Command.front() + "'");
  std::vector<StringRef> Args(Command.begin(), Command.end());
  std::vector<std::string> EnvStore;
  for (char **E = environ; *E; ++E)
    if (!StringRef(*E).starts_with("PAGELAYOUT_OUT="))
      EnvStore.push_back(*E);
  SmallString<256> Pattern(RawDir);
  sys::path::append(Pattern, "pagelayout.%p.raw");
  EnvStore.push_back(("PAGELAYOUT_OUT=" + Pattern).str());
  std::vector<StringRef> Env(EnvStore.begin(), EnvStore.end());
  std::string ErrMsg;
  int RC = sys::ExecuteAndWait(*Program, Args, Env, {}, 0, 0, &ErrMsg);
  if (RC < 0)
    return createStringError("cannot run '" + *Program + "': " + ErrMsg);
  return RC;
}

/// Raw files in \p Dir, ordered by pid (so merges are deterministic).
Expected<std::vector<std::string>> rawFilesIn(StringRef Dir) {
  std::vector<std::pair<unsigned, std::string>> Found;
  std::error_code EC;
  for (sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
       It.increment(EC)) {
    StringRef Name = sys::path::filename(It->path());
    unsigned Pid = 0;
    if (Name.starts_with("pagelayout.") && Name.ends_with(".raw") &&
        !Name.drop_front(11).drop_back(4).getAsInteger(10, Pid))
      Found.push_back({Pid, It->path()});
  }
  if (EC)
    return createStringError(EC, "cannot list '" + Dir + "': " + EC.message());
  llvm::sort(Found);
  std::vector<std::string> Paths;
  for (auto &[Pid, Path] : Found)
    Paths.push_back(Path);
  return Paths;
}

} // namespace

int runRecord(int Argc, char **Argv) {
  static CommandScope Scope(
      "record",
      "Run an instrumented program and write its layout profile:\n"
      "  pagelayout record -o app.yaml -- ./app args...\n"
      "Build the program first with the flags of --print-flags=MODE.\n");
  static cl::opt<std::string> Output("o", cl::desc("Output profile (YAML)"),
                                     cl::value_desc("file"), cl::init("-"),
                                     cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::list<std::string> Command(cl::ConsumeAfter,
                                       cl::desc("-- <program> <args>..."),
                                       cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> First(cl::Positional, cl::desc("<program>"),
                                    cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::list<std::string> FromRaw(
      "from-raw",
      cl::desc("Build the profile from these raw files instead "
               "of running a program"),
      cl::value_desc("file"), cl::CommaSeparated, cl::cat(Scope.Cat),
      cl::sub(Scope.Sub));
  static cl::opt<std::string> KeepRaw(
      "raw-dir", cl::desc("Keep the raw files in this directory"),
      cl::value_desc("dir"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> PrintFlags(
      "print-flags",
      cl::desc("Print the compiler and linker flags for a mode: first-call, "
               "flags, blocks or full"),
      cl::value_desc("mode"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> Mode(
      "mode",
      cl::desc("instrumented (default: the program was built with the "
               "recorder) or perf (sample an uninstrumented program with "
               "perf_event_open)"),
      cl::init("instrumented"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<uint64_t> Frequency(
      "frequency", cl::desc("--mode=perf: samples per second (default 4000)"),
      cl::init(4000), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::list<std::string> MergeWith(
      "merge-with",
      cl::desc("Merge the recording with these profiles (e.g. a perf run "
               "with an instrumented one)"),
      cl::value_desc("file"), cl::CommaSeparated, cl::cat(Scope.Cat),
      cl::sub(Scope.Sub));
  static InferenceOptions Inference(Scope);
  static WarningOptions Warnings(Scope);
  parseCommandLine(Argc, Argv, Scope);
  ToolContext Ctx;
  Warnings.apply(Ctx);
  if (Mode != "instrumented" && Mode != "perf")
    return reportError(createStringError("unknown --mode=" + Mode +
                                         "; expected instrumented or perf"));

  if (!PrintFlags.empty()) {
    if (PrintFlags != "first-call" && PrintFlags != "flags" &&
        PrintFlags != "blocks" && PrintFlags != "full")
      return reportError(createStringError(
          "unknown mode '" + PrintFlags +
          "' for --print-flags; expected first-call, flags, blocks or full"));
    printFlags(PrintFlags, runtimeDir(), outs());
    return 0;
  }

  std::vector<Profile> Profiles;
  std::vector<std::string> Sources;
  if (Mode == "perf") {
    std::vector<std::string> Cmd;
    if (!First.empty())
      Cmd.push_back(First);
    Cmd.insert(Cmd.end(), Command.begin(), Command.end());
    if (Cmd.empty())
      return reportError(createStringError("nothing to record: give a "
                                           "program after '--'"));
    PerfOptions Opts;
    Opts.FrequencyHz = Frequency;
    Expected<PerfRecording> Rec =
        recordWithPerf(Cmd, Opts, Ctx.warningHandler());
    if (!Rec)
      return reportError(Rec.takeError());
    errs() << "note: " << Rec->SampleCount << " samples ("
           << (Rec->HardwareCycles ? "cycles" : "cpu-clock")
           << "); sampling cannot see short startup functions: merge with "
              "an instrumented recording (--merge-with) for startup\n";
    if (Rec->ExitCode != 0)
      Ctx.warningHandler()("warning: '" + Twine(Cmd.front()) +
                           "' exited with status " + Twine(Rec->ExitCode));
    Profiles.push_back(std::move(Rec->Result));
    Sources.push_back("perf samples");
  }

  std::vector<std::string> RawFiles(FromRaw.begin(), FromRaw.end());
  std::optional<std::string> Scratch;
  if (RawFiles.empty() && Mode != "perf") {
    std::vector<std::string> Cmd;
    if (!First.empty())
      Cmd.push_back(First);
    Cmd.insert(Cmd.end(), Command.begin(), Command.end());
    if (Cmd.empty())
      return reportError(createStringError(
          "nothing to record: give a program after '--', or --from-raw"));
    std::string Dir = KeepRaw;
    if (Dir.empty()) {
      SmallString<128> P;
      if (std::error_code EC =
              sys::fs::createUniqueDirectory("pagelayout-record", P))
        return reportError(createStringError(EC, "cannot create a scratch "
                                                 "directory"));
      Dir = std::string(P);
      Scratch = Dir;
    } else if (std::error_code EC = sys::fs::create_directories(Dir)) {
      return reportError(createStringError(EC, "cannot create '" + Dir + "'"));
    }
    Expected<int> RC = runRecorded(Cmd, Dir);
    if (!RC)
      return reportError(RC.takeError());
    if (*RC != 0)
      Ctx.warningHandler()("warning: '" + Twine(Cmd.front()) +
                           "' exited with status " + Twine(*RC) +
                           "; its profile is still written");
    Expected<std::vector<std::string>> Found = rawFilesIn(Dir);
    if (!Found)
      return reportError(Found.takeError());
    RawFiles = std::move(*Found);
    if (RawFiles.empty())
      return reportError(createStringError(
          "'" + Cmd.front() +
          "' wrote no recorder data; build it with the flags of 'pagelayout "
          "record --print-flags=first-call' (or flags, blocks, full)"));
  }

  Symbolizer Symbols(Ctx.warningHandler());
  for (const std::string &Path : RawFiles) {
    Expected<RawProcess> Raw = readRawProcess(Path);
    if (!Raw)
      return reportError(Raw.takeError());
    Profiles.push_back(
        buildProfile(*Raw, Symbols, Inference.config(), Ctx.warningHandler()));
    Sources.push_back(Path);
  }
  if (Scratch)
    sys::fs::remove_directories(*Scratch);
  for (const std::string &Path : MergeWith) {
    Expected<Profile> P =
        readAnyProfileFile(Path, std::nullopt, Ctx.warningHandler());
    if (!P)
      return reportError(P.takeError());
    Profiles.push_back(std::move(*P));
    Sources.push_back(Path);
  }

  Profile Result;
  if (Profiles.size() == 1) {
    Result = std::move(Profiles.front());
  } else {
    std::vector<NamedProfile> Named;
    for (size_t I = 0; I < Profiles.size(); ++I)
      Named.push_back({Sources[I], &Profiles[I]});
    mergeProfiles(Named, Result, Ctx.warningHandler());
    Result.Metadata.Tool = "pagelayout record";
  }
  if (Error E = writeOutput(Output, [&](raw_ostream &OS) {
        writeProfileYAML(Result, OS);
        return Error::success();
      }))
    return reportError(std::move(E));
  return finish(Ctx);
}

} // namespace pagelayout

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
#include "pagelayout/record/ProgramRunner.h"
#include "pagelayout/record/RawProfile.h"
#include "pagelayout/record/TraceRecorder.h"
#include "pagelayout/schema/OrderFile.h"
#include "pagelayout/schema/ProfileMerge.h"
#include "pagelayout/schema/ProfileWriter.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

extern char **environ;

using namespace llvm;

namespace pagelayout {
namespace {

/// Where the recorder runtime and its header are.
struct RuntimePaths {
  std::string LibDir, IncludeDir;
};

/// The flags that build a program for each recording mode.
void printFlags(StringRef Mode, const RuntimePaths &Paths, raw_ostream &OS) {
  // The static runtime: calls into it are direct (no PLT), which the
  // first-call mode's call patching relies on for the cheapest path.
  std::string Link = "-fno-sanitize-link-runtime -L" + Paths.LibDir +
                     " -l:libpagelayout_rt.a -lpthread";
  std::string Include = " -I" + Paths.IncludeDir;
  if (Mode == "first-call")
    OS << "CFLAGS:  -ffunction-sections "
          "-fsanitize-coverage=func,trace-pc-guard";
  else if (Mode == "flags")
    OS << "CFLAGS:  -ffunction-sections "
          "-fsanitize-coverage=func,inline-bool-flag,pc-table";
  else if (Mode == "blocks")
    OS << "CFLAGS:  -ffunction-sections "
          "-fsanitize-coverage=bb,trace-pc-guard,pc-table";
  else
    OS << "CFLAGS:  -ffunction-sections "
          "-finstrument-functions-after-inlining";
  OS << Include << "\n";
  OS << "LDFLAGS: " << Link << "\n";
  if (Mode == "full")
    OS << "(gcc: the same CFLAGS with -finstrument-functions; drop "
          "-fno-sanitize-link-runtime from LDFLAGS)\n";
  else
    OS << "(clang only: gcc has no -fsanitize-coverage; gcc users record "
          "with --print-flags=full or --mode=perf)\n";
}

/// The runtime library and <pagelayout/marker.h> beside this tool: in the
/// build tree, build/utils/recorder (the header copied under include/);
/// installed, the lib and include directories of its prefix.
Expected<RuntimePaths> findRuntime() {
  static int Anchor;
  SmallString<256> Exe(sys::fs::getMainExecutable("pagelayout", &Anchor));
  SmallString<256> Dir = sys::path::parent_path(Exe);
  const std::pair<const char *, const char *> Candidates[] = {
      {"../../utils/recorder", "../../utils/recorder/include"},
      {PAGELAYOUT_BIN_TO_LIB, PAGELAYOUT_BIN_TO_INCLUDE}};
  std::string Looked;
  for (const auto &[LibRel, IncludeRel] : Candidates) {
    SmallString<256> Lib(Dir), Include(Dir);
    sys::path::append(Lib, LibRel);
    sys::path::append(Include, IncludeRel);
    SmallString<256> Archive(Lib), Header(Include);
    sys::path::append(Archive, "libpagelayout_rt.a");
    sys::path::append(Header, "pagelayout", "marker.h");
    if (sys::fs::exists(Archive) && sys::fs::exists(Header)) {
      RuntimePaths Paths;
      SmallString<256> Real;
      Paths.LibDir =
          sys::fs::real_path(Lib, Real) ? std::string(Lib) : std::string(Real);
      Paths.IncludeDir = sys::fs::real_path(Include, Real)
                             ? std::string(Include)
                             : std::string(Real);
      return Paths;
    }
    Looked += (Looked.empty() ? "" : ", ") + std::string(Archive) + " with " +
              std::string(Header);
  }
  return createStringError("cannot find the recorder runtime beside '" + Exe +
                           "' (looked for " + Looked +
                           "); rebuild or reinstall pagelayout");
}

/// Runs the program with PAGELAYOUT_OUT pointing into \p RawDir.
Expected<ProgramStatus> runRecorded(ArrayRef<std::string> Command,
                                    StringRef RawDir) {
  RunOptions Run;
  Run.Environment.emplace();
  for (char **E = environ; *E; ++E)
    if (!StringRef(*E).starts_with("PAGELAYOUT_OUT="))
      Run.Environment->push_back(*E);
  SmallString<256> Pattern(RawDir);
  sys::path::append(Pattern, "pagelayout.%p.raw");
  Run.Environment->push_back(("PAGELAYOUT_OUT=" + Pattern).str());
  return runProgram(Command, Run);
}

/// Says how the program ended when that was not a clean exit.
void reportStatus(StringRef Program, const ProgramStatus &Status,
                  ToolContext &Ctx) {
  if (Status.Signal && Status.Signal == Status.StopSignal)
    // Stopped on purpose, through us: the usual end of a service.
    errs() << "note: '" << Program << "' stopped by "
           << signalName(Status.Signal)
           << "; the profile has what ran until then\n";
  else if (Status.Signal)
    Ctx.warningHandler()("warning: '" + Program + "' was killed by " +
                         signalName(Status.Signal) +
                         (Status.CoreDumped ? " (core dumped)" : "") +
                         "; the profile has what ran until then");
  else if (Status.ExitCode != 0)
    Ctx.warningHandler()("warning: '" + Program + "' exited with status " +
                         Twine(Status.ExitCode) +
                         "; its profile is still written");
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
      "Build the program first with the flags of --print-flags=MODE, or\n"
      "record an unmodified x86-64 executable exactly with --mode=trace.\n"
      "Signals that stop record (SIGINT, SIGTERM, SIGHUP, ...) are passed\n"
      "on to the program; record then writes the profile of what ran and\n"
      "exits with the program's status.\n");
  static cl::opt<std::string> Output(
      "o",
      cl::desc("Output profile (default <program>.profile.yaml, or "
               "pagelayout.profile.yaml with --from-raw; .compact instead "
               "of .yaml with --to=compact; - for stdout)"),
      cl::value_desc("file"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
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
               "recorder), perf (sample an uninstrumented program with "
               "perf_event_open) or trace (exact first executions of an "
               "unmodified x86-64 executable under ptrace)"),
      cl::init("instrumented"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<uint64_t> Frequency(
      "frequency", cl::desc("--mode=perf: samples per second (default 4000)"),
      cl::init(4000), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> StartupEnd(
      "startup-end",
      cl::desc("--mode=trace: startup ends at the first execution of this "
               "function (when the program marks no startup_end)"),
      cl::value_desc("symbol"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> FirstFrame(
      "first-frame",
      cl::desc("--mode=trace: the first frame ends at the first execution "
               "of this function (when the program marks no first_frame)"),
      cl::value_desc("symbol"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<bool> Libs(
      "libs",
      cl::desc("--mode=trace: trace the program's shared libraries too (a "
               "library's function is FILE:NAME when the program or an "
               "earlier library has one of that name)"),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::list<std::string> MergeWith(
      "merge-with",
      cl::desc("Merge the recording with these profiles (e.g. a perf run "
               "with an instrumented one)"),
      cl::value_desc("file"), cl::CommaSeparated, cl::cat(Scope.Cat),
      cl::sub(Scope.Sub));
  static InferenceOptions Inference(Scope);
  static WarningOptions Warnings(Scope);
  static ProfileOutputOption Form(Scope);
  parseCommandLine(Argc, Argv, Scope);
  ToolContext Ctx;
  Warnings.apply(Ctx);
  if (Error E = Form.check())
    return reportError(std::move(E));
  if (Mode != "instrumented" && Mode != "perf" && Mode != "trace")
    return reportError(createStringError(
        "unknown --mode=" + Mode + "; expected instrumented, perf or trace"));
  if (Mode != "trace" && (!StartupEnd.empty() || !FirstFrame.empty()))
    return reportError(createStringError(
        "--startup-end and --first-frame need --mode=trace (instrumented "
        "programs mark phase ends with pagelayout_mark)"));
  if (Mode != "trace" && Libs)
    return reportError(createStringError(
        "--libs needs --mode=trace (the instrumented mode records every "
        "instrumented library; --mode=perf samples them all)"));

  if (!PrintFlags.empty()) {
    if (PrintFlags != "first-call" && PrintFlags != "flags" &&
        PrintFlags != "blocks" && PrintFlags != "full")
      return reportError(createStringError(
          "unknown mode '" + PrintFlags +
          "' for --print-flags; expected first-call, flags, blocks or full"));
    Expected<RuntimePaths> Paths = findRuntime();
    if (!Paths)
      return reportError(Paths.takeError());
    printFlags(PrintFlags, *Paths, outs());
    return 0;
  }

  std::vector<std::string> Cmd;
  if (!First.empty())
    Cmd.push_back(First);
  Cmd.insert(Cmd.end(), Command.begin(), Command.end());
  // Like perf.data: a file in the current directory, not stdout, which the
  // program writes to.
  bool DefaultOutput = Output.empty();
  std::string OutputPath = Output;
  if (DefaultOutput)
    OutputPath = (FromRaw.empty() && !Cmd.empty()
                      ? sys::path::filename(Cmd.front()).str() + ".profile"
                      : std::string("pagelayout.profile")) +
                 (Form.To == "compact" ? ".compact" : ".yaml");
  // How the program ended: record exits with its status.
  std::optional<ProgramStatus> Ran;

  std::vector<Profile> Profiles;
  std::vector<std::string> Sources;
  if (Mode == "perf") {
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
    reportStatus(Cmd.front(), Rec->Status, Ctx);
    Ran = Rec->Status;
    Profiles.push_back(std::move(Rec->Result));
    Sources.push_back("perf samples");
  }

  if (Mode == "trace") {
    if (Cmd.empty())
      return reportError(createStringError("nothing to record: give a "
                                           "program after '--'"));
    TraceOptions Opts;
    Opts.StartupEndSymbol = StartupEnd;
    Opts.FirstFrameSymbol = FirstFrame;
    Opts.Inference = Inference.config();
    Opts.Libraries = Libs;
    Expected<TraceRecording> Rec =
        recordWithTrace(Cmd, Opts, Ctx.warningHandler());
    if (!Rec)
      return reportError(Rec.takeError());
    for (const std::string &Note : Rec->Notes)
      errs() << "note: " << Note << "\n";
    reportStatus(Cmd.front(), Rec->Status, Ctx);
    Ran = Rec->Status;
    // Processes of the program and its forks, then those of the programs
    // they exec'd (named by their path in merge messages).
    const ProfileMetadata &Program = Rec->Profiles.front().Metadata;
    for (size_t I = 0; I < Rec->Profiles.size(); ++I) {
      const ProfileMetadata &M = Rec->Profiles[I].Metadata;
      bool Same = M.BuildId.empty() ? M.BinaryPath == Program.BinaryPath
                                    : M.BuildId == Program.BuildId;
      Sources.push_back(!I    ? "traced program"
                        : Same ? "traced child " + std::to_string(I)
                               : "traced process " + std::to_string(I) +
                                     " ('" + M.BinaryPath + "')");
      Profiles.push_back(std::move(Rec->Profiles[I]));
    }
  }

  std::vector<std::string> RawFiles(FromRaw.begin(), FromRaw.end());
  std::optional<std::string> Scratch;
  auto RemoveScratch = make_scope_exit([&] {
    if (Scratch)
      sys::fs::remove_directories(*Scratch);
  });
  if (RawFiles.empty() && Mode == "instrumented") {
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
    Expected<ProgramStatus> Status = runRecorded(Cmd, Dir);
    if (!Status)
      return reportError(Status.takeError());
    Ran = *Status;
    Expected<std::vector<std::string>> Found = rawFilesIn(Dir);
    if (!Found)
      return reportError(Found.takeError());
    RawFiles = std::move(*Found);
    if (RawFiles.empty() && Status->Signal)
      return reportError(createStringError(
          "'" + Cmd.front() + "' was killed by " + signalName(Status->Signal) +
          " before it wrote recorder data"));
    reportStatus(Cmd.front(), *Status, Ctx);
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
    if (Error E = Symbols.loadModules(*Raw))
      return reportError(std::move(E));
    Profiles.push_back(
        buildProfile(*Raw, Symbols, Inference.config(), Ctx.warningHandler()));
    Sources.push_back(Path);
  }
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
    Result.Metadata.Tool = Mode == "trace" ? "pagelayout record --mode=trace"
                                           : "pagelayout record";
  }
  if (Error E = Form.write(OutputPath, Result))
    return reportError(std::move(E));
  if (DefaultOutput)
    errs() << "note: wrote the profile to '" << OutputPath
           << "' (choose the file with -o)\n";
  if (int RC = finish(Ctx))
    return RC;
  return Ran ? Ran->shellStatus() : 0;
}

} // namespace pagelayout

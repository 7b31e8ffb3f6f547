//===- ReportCommand.cpp - pagelayout report ------------------------------===//
//
// Shows a finished binary's code page by page: which code is on each page,
// its phase, and which pages a run touches, from a profile or from a run
// the command traces itself (--run, the trace recorder). With --compare it
// shows two layouts side by side; --svg and --html draw the heat map.
// Parse, read, build the maps (PageMap.cpp), print: nothing else lives
// here.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "ToolSupport.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/reorder/PageMap.h"
#include "pagelayout/reorder/ProfileFit.h"
#include "pagelayout/reorder/ReorderPipeline.h"
#include "pagelayout/record/TraceRecorder.h"
#include "pagelayout/schema/ProfileMerge.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <cstring>

using namespace llvm;

namespace pagelayout {
namespace {

/// Traces \p Binary run with \p Args and returns the merged profile of
/// every process it made, as `record --mode=trace` writes it.
Expected<Profile> traceRun(const std::string &Binary,
                           ArrayRef<std::string> Args,
                           const TraceOptions &Opts, ToolContext &Ctx) {
  // The binary itself, not a program of that name on PATH.
  std::vector<std::string> Cmd{
      Binary.find('/') == std::string::npos ? "./" + Binary : Binary};
  Cmd.insert(Cmd.end(), Args.begin(), Args.end());
  Expected<TraceRecording> Rec =
      recordWithTrace(Cmd, Opts, Ctx.warningHandler());
  if (!Rec)
    return Rec.takeError();
  const ProgramStatus &S = Rec->Status;
  if (S.Signal || S.ExitCode)
    Ctx.warningHandler()("warning: '" + Binary + "' " +
                         (S.Signal ? "was killed by signal " +
                                         std::to_string(S.Signal)
                                   : "exited with status " +
                                         std::to_string(S.ExitCode)) +
                         "; the report shows what ran until then");
  if (Rec->Profiles.size() == 1)
    return std::move(Rec->Profiles.front());
  std::vector<NamedProfile> Named;
  for (size_t I = 0; I < Rec->Profiles.size(); ++I)
    Named.push_back({I ? "traced child " + std::to_string(I)
                       : "traced program",
                     &Rec->Profiles[I]});
  Profile Merged;
  mergeProfiles(Named, Merged, Ctx.warningHandler());
  return std::move(Merged);
}

} // namespace

int runReport(int Argc, char **Argv) {
  // Everything after "--" is the traced program's arguments (--run); split
  // before parsing, so options may follow the binary.
  std::vector<std::string> RunArgs;
  for (int I = 1; I < Argc; ++I)
    if (!strcmp(Argv[I], "--")) {
      RunArgs.assign(Argv + I + 1, Argv + Argc);
      Argc = I;
      break;
    }

  static CommandScope Scope(
      "report",
      "Show a binary's code page by page: the code on each page, its phase, "
      "and the pages a run touches:\n"
      "  pagelayout report app --profile app.yaml\n"
      "  pagelayout report app --run -- ARGS...   (traces ./app ARGS)\n"
      "  pagelayout report old --compare new --profile app.yaml --svg m.svg\n");
  static cl::opt<std::string> Binary(cl::Positional, cl::Required,
                                     cl::desc("<ELF binary or SMF module>"),
                                     cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::list<std::string> ProfilePaths(
      "profile",
      cl::desc("Layout profile (YAML or an lld ordering file) saying what "
               "ran in which phase; several are merged"),
      cl::value_desc("file"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<bool> Run(
      "run",
      cl::desc("Trace the binary run with the arguments after '--' "
               "(record --mode=trace) and show the pages that run touched"),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> StartupEnd(
      "startup-end",
      cl::desc("--run: startup ends at the first execution of this "
               "function (as record --startup-end)"),
      cl::value_desc("symbol"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> FirstFrame(
      "first-frame",
      cl::desc("--run: the first frame ends at the first execution of this "
               "function"),
      cl::value_desc("symbol"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> Compare(
      "compare",
      cl::desc("A second binary (the layout after) to show beside the first, "
               "with the same profile or run"),
      cl::value_desc("binary"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<bool> Functions("functions",
                                 cl::desc("List the code on each page"),
                                 cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<PlanFormat> Format(
      "format", cl::desc("Output format"), cl::init(PlanFormat::Table),
      cl::values(clEnumValN(PlanFormat::Table, "text", "Aligned text"),
                 clEnumValN(PlanFormat::YAML, "yaml", "YAML document"),
                 clEnumValN(PlanFormat::JSON, "json",
                            "JSON document (the YAML's schema)")),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> Output("o", cl::desc("Write the report here"),
                                     cl::value_desc("file"), cl::init("-"),
                                     cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> Svg("svg",
                                  cl::desc("Also draw the heat map as SVG"),
                                  cl::value_desc("file"), cl::cat(Scope.Cat),
                                  cl::sub(Scope.Sub));
  static cl::opt<std::string> Html(
      "html", cl::desc("Also write the heat map and report as an HTML page"),
      cl::value_desc("file"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static StrictFitOption Strict(Scope, "the binary");
  static PageSizeOption PageSize(Scope);
  static InferenceOptions Inference(Scope);
  static WarningOptions Warnings(Scope);
  parseCommandLine(Argc, Argv, Scope);
  ToolContext Ctx;
  Warnings.apply(Ctx);
  if (Error E = PageSize.check())
    return reportError(std::move(E));
  if (!RunArgs.empty() && !Run)
    return reportError(createStringError(
        "arguments after '--' are for --run; add --run to trace '" + Binary +
        "' with them"));
  if (Run && !ProfilePaths.empty())
    return reportError(createStringError(
        "--run and --profile both say what ran; give one of them"));
  if (!Run && (!StartupEnd.empty() || !FirstFrame.empty()))
    return reportError(createStringError(
        "--startup-end and --first-frame need --run (a profile records its "
        "own phase ends)"));

  // Every output is checked before anything is written, so a report never
  // leaves some of its files behind: distinct paths, in directories that
  // exist.
  {
    std::vector<std::pair<std::string, std::string>> Outs;
    if (Output != "-")
      Outs.push_back({"-o", Output});
    if (!Svg.empty())
      Outs.push_back({"--svg", Svg});
    if (!Html.empty())
      Outs.push_back({"--html", Html});
    for (size_t I = 0; I < Outs.size(); ++I) {
      for (size_t J = 0; J < I; ++J)
        if (Outs[I].second == Outs[J].second)
          return reportError(createStringError(
              Outs[J].first + " and " + Outs[I].first + " both write '" +
              Outs[I].second + "'; give each its own file"));
      StringRef Dir = sys::path::parent_path(Outs[I].second);
      if (!Dir.empty() && !sys::fs::is_directory(Dir))
        return reportError(createStringError(
            "'" + Outs[I].second + "': No such file or directory (for " +
            Outs[I].first + ")"));
    }
  }

  std::vector<std::string> Paths{Binary};
  if (!Compare.empty())
    Paths.push_back(Compare);
  LinkedReadOptions Read;
  Read.ForRewrite = false;
  std::vector<LinkedBinary> Binaries;
  for (const std::string &Path : Paths) {
    Expected<LinkedBinary> B = readBinary(Path, Read);
    if (!B)
      return reportError(B.takeError());
    Binaries.push_back(std::move(*B));
  }

  std::optional<Profile> Given;
  PageMapOptions Opts;
  Opts.PageSize = PageSize.Bytes;
  Opts.Inference = Inference.config();
  if (!ProfilePaths.empty()) {
    std::vector<std::string> List(ProfilePaths.begin(), ProfilePaths.end());
    Expected<Profile> P = readMergedProfiles(List, Ctx.warningHandler());
    if (!P)
      return reportError(P.takeError());
    Given = std::move(*P);
    Opts.Source = TouchSource::Profile;
    Opts.SourceName = join(List, ", ");
  }

  std::vector<PageMap> Maps;
  for (const LinkedBinary &B : Binaries) {
    std::optional<Profile> Traced;
    PageMapOptions ThisOpts = Opts;
    if (Run) {
      TraceOptions Trace;
      Trace.StartupEndSymbol = StartupEnd;
      Trace.FirstFrameSymbol = FirstFrame;
      Trace.Inference = Inference.config();
      Expected<Profile> P = traceRun(B.Path, RunArgs, Trace, Ctx);
      if (!P)
        return reportError(P.takeError());
      Traced = std::move(*P);
      ThisOpts.Source = TouchSource::Run;
      ThisOpts.SourceName = B.Path;
      for (const std::string &A : RunArgs)
        ThisOpts.SourceName += " " + A;
    }
    const Profile *P = Traced ? &*Traced : Given ? &*Given : nullptr;
    // A profile of another program or build: plan's and reorder's check,
    // and their warning (an error with --strict or --fatal-warnings).
    if (Given) {
      NameMatchResult Names = matchProfileNames(*Given, B.Functions);
      ProfileFit Fit = checkProfileFit(
          *Given, Names.Kinds, B.Functions,
          {B.Path, readBuildId(B.Buffer->getMemBufferRef())});
      if (Error E = reportProfileFit(Fit, B.Path, Strict || Ctx.FatalWarnings,
                                     Ctx.warningHandler()))
        return reportError(std::move(E));
    }
    Maps.push_back(buildPageMap(B, P, ThisOpts));
  }
  std::vector<const PageMap *> Shown;
  for (const PageMap &M : Maps)
    Shown.push_back(&M);

  PageMapPrintOptions Print;
  Print.Format = Format;
  Print.ListFunctions = Functions;
  if (!Svg.empty())
    if (Error E = writeOutput(Svg, [&](raw_ostream &OS) {
          writePageMapSvg(Shown, OS);
          return Error::success();
        }))
      return reportError(std::move(E));
  if (!Html.empty())
    if (Error E = writeOutput(Html, [&](raw_ostream &OS) {
          writePageMapHtml(Shown, OS);
          return Error::success();
        }))
      return reportError(std::move(E));
  if (Error E = writeOutput(Output, [&](raw_ostream &OS) {
        printPageMaps(Shown, Print, OS);
        return Error::success();
      }))
    return reportError(std::move(E));
  return finish(Ctx);
}

} // namespace pagelayout

//===- ProfileCommands.cpp - pagelayout profile show|validate|merge|convert
//===//

#include "Commands.h"
#include "ToolSupport.h"
#include "pagelayout/reorder/BlockClusters.h"
#include "pagelayout/record/Importers.h"
#include "pagelayout/schema/CompactProfile.h"
#include "pagelayout/schema/OrderFile.h"
#include "pagelayout/schema/PhaseInference.h"
#include "pagelayout/schema/ProfileMerge.h"
#include "pagelayout/schema/ProfileReader.h"
#include "pagelayout/schema/ProfileWriter.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace pagelayout {
namespace {

struct FormatOption : cl::opt<std::string> {
  FormatOption(const char *Name, const char *Desc, CommandScope &Scope)
      : cl::opt<std::string>(StringRef(Name), cl::desc(Desc),
                             cl::cat(Scope.Cat), cl::sub(Scope.Sub)) {}
  /// The parsed format, or an error naming the choices.
  Expected<std::optional<ProfileFormat>> get() const {
    if (empty())
      return std::nullopt;
    if (std::optional<ProfileFormat> F = parseProfileFormat(getValue()))
      return F;
    return createStringError("unknown format '" + getValue() + "' for --" +
                             ArgStr +
                             "; expected yaml, compact, orderfile or "
                             "callgraph" +
                             (ArgStr == "to" ? " (or bb-clusters)" : ""));
  }
};

/// --from and the warning options: what every command reading profiles
/// shares.
struct ProfileInputOptions {
  FormatOption From;
  WarningOptions Warnings;
  std::optional<ProfileFormat> Format;

  explicit ProfileInputOptions(CommandScope &Scope)
      : From("from",
             "Input format: yaml, compact, orderfile, callgraph (default: "
             "detect; a compact profile is always recognised)",
             Scope),
        Warnings(Scope) {}

  /// Applies the warning options to \p Ctx and validates --from.
  Error start(ToolContext &Ctx) {
    Warnings.apply(Ctx);
    Expected<std::optional<ProfileFormat>> F = From.get();
    if (!F)
      return F.takeError();
    Format = *F;
    return Error::success();
  }

  Expected<Profile> read(StringRef Path, ToolContext &Ctx) const {
    return readAnyProfileFile(Path, Format, Ctx.warningHandler());
  }
};

std::string millis(uint64_t Ns) {
  std::string S;
  raw_string_ostream(S) << format("%.3f ms", double(Ns) / 1e6);
  return S;
}

void printProfileSummary(StringRef File, const Profile &P,
                         const ResolvedProfile &RP, raw_ostream &OS) {
  OS << "profile: " << File << " (format version " << P.Version << ")\n";
  if (!P.Metadata.BinaryPath.empty() || !P.Metadata.BuildId.empty())
    OS << "binary: " << P.Metadata.BinaryPath << " build-id "
       << (P.Metadata.BuildId.empty() ? "-" : P.Metadata.BuildId) << "\n";
  if (P.Metadata.Runs != 1)
    OS << "runs: " << P.Metadata.Runs << "\n";
  for (const Marker &M : P.Markers)
    OS << "marker: " << M.Name << " at " << millis(M.TimeNs) << "\n";
  OS << "startup ends at " << millis(RP.StartupEndNs)
     << (RP.StartupEndFromMarker ? " (marker)" : " (window)")
     << "; first frame ends at " << millis(RP.FirstFrameEndNs)
     << (RP.FirstFrameFromMarker ? " (marker)" : " (window)") << "\n";
  unsigned Count[NumPhases] = {};
  for (const ResolvedFunction &R : RP.Functions)
    ++Count[unsigned(R.ResolvedPhase)];
  OS << "functions: " << P.Functions.size();
  for (unsigned PI = 0; PI < NumPhases; ++PI)
    OS << (PI ? ", " : " (") << phaseName(Phase(PI)) << " " << Count[PI];
  OS << "); edges: " << P.Edges.size() << "; rules: " << P.Rules.size()
     << "; traces: " << P.Traces.size() << "\n";
}

void printFunctionTable(const Profile &P, const ResolvedProfile &RP,
                        raw_ostream &OS) {
  OS << "\nphase        source        conf      calls  first_call_ns  name\n";
  for (unsigned I = 0; I < P.Functions.size(); ++I) {
    const FunctionProfile &F = P.Functions[I];
    const ResolvedFunction &R = RP.Functions[I];
    std::string First =
        F.FirstCallNs ? std::to_string(*F.FirstCallNs) : std::string("-");
    OS << format("%-12s %-12s  %4.2f %10llu %14s  ",
                 phaseName(R.ResolvedPhase).str().c_str(),
                 phaseSourceName(R.Source).str().c_str(), R.Confidence,
                 (unsigned long long)F.Calls, First.c_str())
       << F.Name << (F.Pinned ? " [pinned]" : "") << "\n";
  }
}

/// Names used by edges and traces that the function list does not have.
void checkReferences(StringRef File, const Profile &P,
                     const WarningHandler &Warn) {
  StringSet<> Known;
  for (const FunctionProfile &F : P.Functions)
    Known.insert(F.Name);
  unsigned Missing = 0;
  std::string First;
  auto Check = [&](StringRef Name) {
    if (!Known.contains(Name) && Missing++ == 0)
      First = Name.str();
  };
  for (const CallEdge &E : P.Edges) {
    Check(E.Caller);
    Check(E.Callee);
  }
  for (const Trace &T : P.Traces)
    for (StringRef N : T.Functions)
      Check(N);
  if (Missing)
    Warn("warning: " + File + ": " + Twine(Missing) +
         " edge or trace reference(s) to functions not listed under "
         "'functions' (first: '" +
         First + "')");
}

} // namespace

int runProfileShow(int Argc, char **Argv) {
  static CommandScope Scope(
      "show", "Print a profile's markers and every function's resolved "
              "phase, with where the phase came from and how sure it "
              "is.\n");
  static cl::opt<std::string> InputPath(cl::Positional, cl::Required,
                                        cl::desc("<profile>"),
                                        cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static InferenceOptions Inference(Scope);
  static ProfileInputOptions Reader(Scope);
  parseCommandLine(Argc, Argv, Scope);
  ToolContext Ctx;
  if (Error E = Reader.start(Ctx))
    return reportError(std::move(E));
  Expected<Profile> P = Reader.read(InputPath, Ctx);
  if (!P)
    return reportError(P.takeError());
  ResolvedProfile RP = resolvePhases(*P, Inference.config());
  printProfileSummary(InputPath, *P, RP, outs());
  printFunctionTable(*P, RP, outs());
  return finish(Ctx);
}

int runProfileValidate(int Argc, char **Argv) {
  static CommandScope Scope(
      "validate", "Check profiles against the format; print file:line:column "
                  "for the first problem of each.\n");
  static cl::list<std::string> Inputs(cl::Positional, cl::OneOrMore,
                                      cl::desc("<profile>..."),
                                      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static ProfileInputOptions Reader(Scope);
  parseCommandLine(Argc, Argv, Scope);
  ToolContext Ctx;
  if (Error E = Reader.start(Ctx))
    return reportError(std::move(E));
  int Status = 0;
  for (const std::string &In : Inputs) {
    unsigned WarningsBefore = Ctx.Warnings;
    Expected<Profile> P = Reader.read(In, Ctx);
    if (!P) {
      Status = reportError(P.takeError());
      continue;
    }
    checkReferences(In, *P, Ctx.warningHandler());
    // With --fatal-warnings a file that warned is not ok; finish() reports
    // the count.
    if (Ctx.FatalWarnings && Ctx.Warnings != WarningsBefore)
      continue;
    outs() << In << ": ok: " << P->Functions.size() << " functions, "
           << P->Edges.size() << " edges, " << P->Markers.size() << " markers, "
           << P->Rules.size() << " rules, " << P->Traces.size() << " traces\n";
  }
  // Report the fatal warnings even when another file had an error.
  int WarningStatus = finish(Ctx);
  return Status ? Status : WarningStatus;
}

int runProfileMerge(int Argc, char **Argv) {
  static CommandScope Scope(
      "merge", "Merge profiles of many runs: counts add, first calls take "
               "the earliest time, each run's order is kept as a trace, "
               "conflicts are reported.\n");
  static cl::list<std::string> Inputs(cl::Positional, cl::OneOrMore,
                                      cl::desc("<profile>..."),
                                      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> Output("o", cl::desc("Output profile"),
                                     cl::value_desc("file"), cl::init("-"),
                                     cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static ProfileOutputOption Form(Scope);
  static ProfileInputOptions Reader(Scope);
  parseCommandLine(Argc, Argv, Scope);
  ToolContext Ctx;
  if (Error E = Reader.start(Ctx))
    return reportError(std::move(E));
  if (Error E = Form.check())
    return reportError(std::move(E));
  // Streamed: the merge and one input in memory, however many runs.
  ProfileMerger Merger(Ctx.warningHandler());
  for (const std::string &In : Inputs) {
    Expected<Profile> P = Reader.read(In, Ctx);
    if (!P)
      return reportError(P.takeError());
    Merger.add({In, &*P});
  }
  Profile Merged;
  Merger.finish(Merged);
  if (Ctx.FatalWarnings && Ctx.Warnings)
    return finish(Ctx);
  if (Error E = Form.write(Output, Merged))
    return reportError(std::move(E));
  return finish(Ctx);
}

int runProfileConvert(int Argc, char **Argv) {
  static CommandScope Scope(
      "convert", "Convert between the YAML and compact forms of layout "
                 "profiles and lld ordering files.\n");
  static cl::opt<std::string> InputPath(cl::Positional, cl::Required,
                                        cl::desc("<input>"), cl::cat(Scope.Cat),
                                        cl::sub(Scope.Sub));
  static cl::opt<std::string> Output("o", cl::desc("Output file"),
                                     cl::value_desc("file"), cl::init("-"),
                                     cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static FormatOption To("to",
                         "Output format: yaml, compact (the binary form "
                         "of a layout profile), orderfile (lld "
                         "--symbol-ordering-file), callgraph (lld "
                         "--call-graph-ordering-file), bb-clusters (clang "
                         "-fbasic-block-sections=list=: one cluster of "
                         "basic blocks per phase; needs --binary)",
                         Scope);
  static cl::opt<std::string> Binary(
      "binary",
      cl::desc("--to=bb-clusters: the binary the profile's block ids are "
               "of (built with -fbasic-block-address-map)"),
      cl::value_desc("file"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<bool> IncludeCold(
      "include-cold", cl::desc("With --to=orderfile, list cold functions too"),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static InferenceOptions Inference(Scope);
  static ProfileInputOptions Reader(Scope);
  parseCommandLine(Argc, Argv, Scope);
  ToolContext Ctx;
  if (Error E = Reader.start(Ctx))
    return reportError(std::move(E));
  if (To.getValue() == "bb-clusters") {
    if (Binary.empty())
      return reportError(createStringError(
          "--to=bb-clusters needs --binary: the binary built with "
          "-fbasic-block-address-map that the profile was recorded from"));
    Expected<Profile> P = Reader.read(InputPath, Ctx);
    if (!P)
      return reportError(P.takeError());
    Expected<BlockClusterList> L = computeBlockClusters(*P, Binary);
    if (!L)
      return reportError(L.takeError());
    // Functions that stay whole are said, never split wrongly.
    for (const auto &[Name, Why] : L->Skipped)
      Ctx.warningHandler()(InputPath + ": warning: '" + Name +
                           "' stays whole: " + Why);
    if (Error E = writeOutput(Output, [&](raw_ostream &OS) {
          writeBlockClusterList(*L, OS);
          return Error::success();
        }))
      return reportError(std::move(E));
    errs() << "note: " << L->Functions.size()
           << " functions split by phase, " << L->SinglePhase
           << " ran whole in one phase, " << L->Skipped.size()
           << " stay whole\n";
    return finish(Ctx);
  }
  if (!Binary.empty())
    return reportError(
        createStringError("--binary is for --to=bb-clusters"));
  Expected<std::optional<ProfileFormat>> OutFormat = To.get();
  if (!OutFormat)
    return reportError(OutFormat.takeError());
  if (!*OutFormat)
    return reportError(createStringError(
        "missing --to; expected --to=yaml, --to=compact, --to=orderfile, "
        "--to=callgraph or --to=bb-clusters"));
  Expected<Profile> P = Reader.read(InputPath, Ctx);
  if (!P)
    return reportError(P.takeError());
  if (Error E = writeOutput(Output, [&](raw_ostream &OS) -> Error {
        switch (**OutFormat) {
        case ProfileFormat::YAML:
          writeProfileYAML(*P, OS);
          break;
        case ProfileFormat::Compact:
          return writeCompactProfile(*P, OS);
        case ProfileFormat::OrderFile:
          writeSymbolOrderFile(*P, OS, IncludeCold, Inference.config());
          break;
        case ProfileFormat::CallGraph:
          writeCallGraphFile(*P, OS);
          break;
        }
        return Error::success();
      }))
    return reportError(std::move(E));
  return finish(Ctx);
}

} // namespace pagelayout

namespace pagelayout {

int runProfileImport(int Argc, char **Argv) {
  static CommandScope Scope(
      "import", "Import a profile from another tool: perf script text, an "
                "LLVM IR PGO .profdata (with temporal traces), or lld "
                "ordering files; write YAML.\n");
  static cl::opt<std::string> InputPath(cl::Positional, cl::Required,
                                        cl::desc("<input>"), cl::cat(Scope.Cat),
                                        cl::sub(Scope.Sub));
  static cl::opt<std::string> Output("o", cl::desc("Output profile"),
                                     cl::value_desc("file"), cl::init("-"),
                                     cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static ProfileOutputOption Form(Scope);
  static cl::opt<std::string> From(
      "from",
      cl::desc("Input format: perf-script, profdata, orderfile, callgraph "
               "(default: detect)"),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> Dso(
      "dso", cl::desc("perf script: keep only frames of this binary"),
      cl::value_desc("name"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static WarningOptions Warnings(Scope);
  parseCommandLine(Argc, Argv, Scope);
  ToolContext Ctx;
  Warnings.apply(Ctx);
  if (Error E = Form.check())
    return reportError(std::move(E));

  Expected<std::string> Text = readWholeFile(InputPath);
  if (!Text)
    return reportError(Text.takeError());
  std::string Format = From;
  if (Format.empty()) {
    if (StringRef(*Text).starts_with("\xfflprofi\x81"))
      Format = "profdata";
    else if (looksLikePerfScript(*Text))
      Format = "perf-script";
  }
  Expected<Profile> P = createStringError("unknown format");
  if (Format == "profdata")
    P = importProfData(InputPath, Ctx.warningHandler());
  else if (Format == "perf-script")
    P = importPerfScript(*Text, InputPath, Dso, Ctx.warningHandler());
  else if (Format.empty() || parseProfileFormat(Format))
    P = readAnyProfileFile(InputPath, parseProfileFormat(Format),
                           Ctx.warningHandler());
  else
    return reportError(createStringError(
        "unknown format '" + Format +
        "' for --from; expected perf-script, profdata, orderfile or "
        "callgraph"));
  if (!P)
    return reportError(P.takeError());
  if (Error E = Form.write(Output, *P))
    return reportError(std::move(E));
  return finish(Ctx);
}

} // namespace pagelayout

//===- PlanCommand.cpp - pagelayout plan ----------------------------------===//
//
// Reads atoms from objects, archives or a linked binary, resolves the
// profile's phases, runs the layout engine and prints the plan. It changes
// no file: linking (ld.pagelayout) and rewriting (pagelayout reorder) apply
// plans; this shows them.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "ToolSupport.h"
#include "pagelayout/reorder/AtomReader.h"
#include "pagelayout/reorder/LayoutEngine.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/reorder/PlanPrinter.h"
#include "pagelayout/reorder/ProfileFit.h"
#include "pagelayout/schema/ProfileMerge.h"
#include "llvm/Support/Parallel.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace pagelayout {

int runPlan(int Argc, char **Argv) {
  static CommandScope Scope(
      "plan", "Compute the phase/page layout of the functions in the "
              "inputs for a profile, and print it with its metrics.\n");
  static cl::list<std::string> Inputs(
      cl::Positional, cl::OneOrMore,
      cl::desc("<ELF object, archive or linked binary>..."), cl::cat(Scope.Cat),
      cl::sub(Scope.Sub));
  static cl::list<std::string> ProfilePaths(
      "profile", cl::OneOrMore,
      cl::desc("Layout profile (YAML or an lld ordering file); given "
               "several times, the profiles are merged as 'pagelayout "
               "profile merge' does"),
      cl::value_desc("file"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> Output("o", cl::desc("Write the plan here"),
                                     cl::value_desc("file"), cl::init("-"),
                                     cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<PlanFormat> Format(
      "format", cl::desc("Output format"), cl::init(PlanFormat::Table),
      cl::values(clEnumValN(PlanFormat::Table, "table", "Aligned text"),
                 clEnumValN(PlanFormat::YAML, "yaml", "YAML document"),
                 clEnumValN(PlanFormat::JSON, "json", "JSON document")),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static PageSizeOption PageSize(Scope);
  static cl::opt<bool> NoPhaseAlign(
      "no-phase-align", cl::desc("Do not start phases on page boundaries"),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<bool> NoColdFill(
      "no-cold-fill",
      cl::desc("Pad phase boundaries instead of filling with cold atoms"),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<bool> Summary(
      "summary", cl::desc("Print only the metrics, not every atom"),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<unsigned> Threads(
      "threads",
      cl::desc("Worker threads (default: all cores); the plan "
               "is the same for any count"),
      cl::init(0), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static StrictFitOption Strict(Scope, "the inputs");
  static InferenceOptions Inference(Scope);
  static WarningOptions Warnings(Scope);
  parseCommandLine(Argc, Argv, Scope);
  if (Threads)
    parallel::strategy = hardware_concurrency(Threads);
  ToolContext Ctx;
  Warnings.apply(Ctx);
  if (Error E = PageSize.check())
    return reportError(std::move(E));

  Expected<Profile> P = readMergedProfiles(
      std::vector<std::string>(ProfilePaths.begin(), ProfilePaths.end()),
      Ctx.warningHandler());
  if (!P)
    return reportError(P.takeError());
  Expected<AtomSet> Atoms = readAtoms(Inputs, Ctx.warningHandler());
  if (!Atoms)
    return reportError(Atoms.takeError());
  if (Atoms->Atoms.empty())
    return reportError(createStringError(
        "no executable .text sections in the inputs; nothing to lay out"));
  if (Atoms->MultiFunctionSections)
    Ctx.warningHandler()(
        "warning: " + Twine(Atoms->MultiFunctionSections) +
        " section(s) hold several functions and move as one; compile with "
        "-ffunction-sections to order functions individually");

  NameMatchResult Names = matchProfileNames(*P, Atoms->Atoms);
  // One linked binary has a build-id to compare; objects have none.
  FitTarget Target{Inputs.size() == 1 ? Inputs.front() : "the inputs", ""};
  if (Inputs.size() == 1 && Atoms->Kind == AtomSourceKind::Linked)
    Target.BuildId = readBuildId(Inputs.front());
  ProfileFit Fit = checkProfileFit(*P, Names.Kinds, Atoms->Atoms, Target);
  if (Error E = reportProfileFit(
          Fit, Inputs.size() == 1 ? Inputs.front() : "pagelayout",
          Strict || Ctx.FatalWarnings, Ctx.warningHandler()))
    return reportError(std::move(E));
  // --fatal-warnings: fail before the plan is written, not after.
  if (Ctx.FatalWarnings && Ctx.Warnings)
    return finish(Ctx);
  ResolvedProfile RP = resolvePhases(Names.Renamed, Inference.config());
  LayoutConfig Config;
  Config.PageSize = PageSize.Bytes;
  Config.AlignPhases = !NoPhaseAlign;
  Config.FillWithCold = !NoColdFill;
  LayoutPlan Plan = computeLayout(Atoms->Atoms, RP, Config);
  Plan.NameMatches = summarizeMatches(Names);

  PlanPrintOptions Print;
  Print.Format = Format;
  Print.ListAtoms = !Summary;
  if (Error E = writeOutput(Output, [&](raw_ostream &OS) {
        printPlan(Plan, Atoms->Atoms, Print, OS);
        return Error::success();
      }))
    return reportError(std::move(E));
  return finish(Ctx);
}

} // namespace pagelayout

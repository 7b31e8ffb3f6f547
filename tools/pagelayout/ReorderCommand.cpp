//===- ReorderCommand.cpp - pagelayout reorder ----------------------------===//
//
// The post-link rewriter's front end: read the binary and check the
// preconditions (x86-64, symbols, --emit-relocs), prove which functions
// can move (MoveSafety.cpp), plan the layout with the others pinned, and
// rewrite (BinaryRewriter.cpp) -- or, with --dry-run, print all of that.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "ToolSupport.h"
#include "pagelayout/reorder/BinaryRewriter.h"
#include "pagelayout/reorder/ReorderPipeline.h"
#include "pagelayout/reorder/LayoutEngine.h"
#include "pagelayout/reorder/LayoutReport.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/MoveSafety.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/reorder/PlanPrinter.h"
#include "pagelayout/reorder/ProfileFit.h"
#include "pagelayout/reorder/RewriteVerifier.h"
#include "pagelayout/reorder/RuntimeStartup.h"
#include "pagelayout/schema/OrderFile.h"
#include "pagelayout/schema/ProfileMerge.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>
#include <optional>
#include <thread>

using namespace llvm;

namespace pagelayout {
namespace {

/// What may move, what moves only together, what stays and why.
void printMovability(const LinkedBinary &B, const MoveSafety &Proof,
                     raw_ostream &OS) {
  const std::vector<Atom> &Fns = B.Functions;
  unsigned Grouped = 0, Groups = 0;
  for (const MoveSafety::Group &G : Proof.Groups)
    if (Proof.PinReason[G.First].empty()) {
      Grouped += G.Last - G.First + 1;
      ++Groups;
    }
  OS << "movable: " << Proof.MovableFunctions
     << "; pinned: " << Fns.size() - Proof.MovableFunctions;
  if (Groups)
    OS << "; kept together: " << Grouped << " functions in " << Groups
       << " groups";
  OS << "\n";
  for (size_t I = 0; I < Fns.size(); ++I)
    if (!Proof.PinReason[I].empty())
      OS << "  pinned " << Fns[I].displayName() << ": " << Proof.PinReason[I]
         << "\n";
  for (const MoveSafety::Group &G : Proof.Groups)
    if (Proof.PinReason[G.First].empty())
      OS << "  together " << Fns[G.First].displayName() << " .. "
         << Fns[G.Last].displayName() << " (" << G.Last - G.First + 1
         << " functions): " << G.Why << "\n";
  if (Proof.UnownedCodeBytes)
    OS << Proof.UnownedCodeBytes
       << " bytes of code outside any function symbol stay in place\n";
}

} // namespace

int runReorder(int Argc, char **Argv) {
  static CommandScope Scope(
      "reorder", "Rewrite a linked x86-64 ELF binary (linked with "
                 "-Wl,--emit-relocs) or an SMF module with its functions in "
                 "the profile's phase/page layout: every function proved "
                 "safe to move moves, every reference to it is fixed, the "
                 "output is verified. The input is never modified.\n");
  static cl::opt<std::string> InputPath(cl::Positional, cl::Required,
                                        cl::desc("<binary or module.smf>"),
                                        cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::list<std::string> ProfilePaths(
      "profile", cl::ZeroOrMore,
      cl::desc("Layout profile; given several times, the profiles are "
               "merged as 'pagelayout profile merge' does. Without one, an "
               "SMF module's own phase bits are the profile"),
      cl::value_desc("file"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<std::string> Output("o", cl::desc("The rewritten binary"),
                                     cl::value_desc("file"), cl::cat(Scope.Cat),
                                     cl::sub(Scope.Sub));
  static cl::opt<std::string> ReportPath(
      "report",
      cl::desc("Write the achieved layout, read back from the "
               "output (.json, .txt or YAML)"),
      cl::value_desc("file"), cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<VerifyLevel> Verify(
      "verify",
      cl::desc("Check the rewritten image against the input before it is "
               "written"),
      cl::values(
          clEnumValN(VerifyLevel::None, "none", "no check"),
          clEnumValN(VerifyLevel::None, "false", "the same as none"),
          clEnumValN(VerifyLevel::Fast, "fast",
                     "(default) each function at its planned address under "
                     "its symbols, its bytes unchanged outside relocated "
                     "fields, each field reaching its target's new address"),
          clEnumValN(VerifyLevel::Fast, "true", "the same as fast"),
          clEnumValN(VerifyLevel::Full, "full",
                     "fast, then an independent check from the two files "
                     "alone: every function decoded in both and compared "
                     "instruction by instruction, targets translated through "
                     "the symbol tables")),
      cl::init(VerifyLevel::Fast), cl::ValueOptional, cl::cat(Scope.Cat),
      cl::sub(Scope.Sub));
  static cl::opt<bool> Progress(
      "progress",
      cl::desc("Report each step (default: for binaries with "
               "over 20000 functions)"),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<bool> DryRun(
      "dry-run",
      cl::desc("Print the safety analysis and the plan; write "
               "nothing"),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<bool> Force(
      "force",
      cl::desc("Write the plan even when it is not better than the input's "
               "own layout (by default the output is then a copy of the "
               "input)"),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::opt<bool> ListAtoms("print-functions",
                                 cl::desc("List every function of the plan"),
                                 cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static StrictFitOption Strict(Scope, "the binary");
  static PageSizeOption PageSize(Scope);
  static InferenceOptions Inference(Scope);
  static WarningOptions Warnings(Scope);
  parseCommandLine(Argc, Argv, Scope);
  ToolContext Ctx;
  Warnings.apply(Ctx);
  if (Error E = PageSize.check())
    return reportError(std::move(E));
  if (!DryRun && Output.empty())
    return reportError(createStringError(
        "missing -o <file> for the rewritten binary (or --dry-run)"));
  if (!DryRun)
    if (Error E = checkOutputIsNotInput(InputPath, Output))
      return reportError(std::move(E));

  ReorderOptions Opts;
  Opts.InputPath = InputPath;
  Opts.ProfilePaths.assign(ProfilePaths.begin(), ProfilePaths.end());
  Opts.OutputPath = Output;
  Opts.DryRun = DryRun;
  Opts.Force = Force;
  Opts.StrictFit = Strict || Ctx.FatalWarnings;
  Opts.Verify = Verify;
  Opts.PageSize = PageSize.Bytes;
  Opts.Inference = Inference.config();
  ReorderHooks Hooks;
  Hooks.Warn = Ctx.warningHandler();
  Hooks.StopAfterWarnings = [&] { return Ctx.FatalWarnings && Ctx.Warnings; };
  // Progress on stderr, step by step (always for large binaries).
  bool ShowSteps = Progress;
  Hooks.OnStep = [&](const ReorderStep &S) {
    if (S.Name == "read" && S.What.size() && std::stoull(S.What) > 20000)
      ShowSteps = true;
    if (!ShowSteps)
      return;
    // The report goes to buffered stdout: flush it first, or a progress
    // line lands in the middle of one of its lines on a terminal.
    outs().flush();
    errs() << format("[%8.4fs] ", S.Seconds) << S.Name << ": " << S.What
           << "\n";
  };
  Expected<std::unique_ptr<ReorderRun>> Result =
      runReorderPipeline(Opts, Hooks);
  if (!Result)
    return reportError(Result.takeError());
  ReorderRun &Run = **Result;
  if (Run.StoppedByWarnings)
    return finish(Ctx);
  const LinkedBinary &Binary = Run.Binary;
  const MoveSafety &Proof = Run.Proof;
  const std::vector<Atom> &Atoms = Run.Units;
  const LayoutPlan &Plan = Run.Layout.Plan;

  raw_ostream &OS = outs();
  OS << InputPath << ": " << Binary.Functions.size() << " functions, "
     << Proof.Instructions << " instructions, " << Proof.OutgoingReferences
     << " pc-relative references leave their function (each checked "
        "against "
     << Binary.TextRelocations.size() << " retained relocations)\n";
  printMovability(Binary, Proof, OS);
  PlanPrintOptions Print;
  Print.ListAtoms = ListAtoms;
  auto WriteReport = [&]() -> Error {
    if (ReportPath.empty())
      return Error::success();
    // What reading the output back gives: for a dry run the model's
    // functions at their planned addresses.
    std::vector<Atom> Achieved = Run.Applied || DryRun
                                     ? plannedOutputFunctions(Run)
                                     : Binary.Functions;
    return writeLayoutReport(Achieved, Run.WithStartup, PageSize.Bytes,
                             ReportPath, codeThatRunsAnyway(Binary));
  };

  if (DryRun) {
    OS << "\nplan (addresses;";
    for (const CodeRegion &R : Binary.Regions)
      OS << " " << R.Name << " is " << format_hex(R.Address, 0) << "-"
         << format_hex(R.end(), 0) << (&R == &Binary.Regions.back() ? "" : ",");
    OS << "):\n";
    for (const std::string &N : Run.Layout.Notes)
      OS << "note: " << N << "\n";
    printPlan(Plan, Atoms, Print, OS);
    if (!Run.Better.PlanIsBetter)
      OS << "note: the plan is not better than the input's own layout ("
         << Run.Better.Why << "); the rewrite would write a copy of the input "
         << "(--force writes the plan anyway)\n";
    if (Error E = WriteReport())
      return reportError(std::move(E));
    return finish(Ctx);
  }
  if (Error E = writeReorderOutput(Run, Opts, Hooks))
    return reportError(std::move(E));
  if (!Run.Applied) {
    OS << "note: the plan is not better than the input's own layout ("
       << Run.Better.Why << "); wrote " << Output
       << " as a copy of the input (--force writes the plan anyway)\n";
    if (Error E = WriteReport())
      return reportError(std::move(E));
    return finish(Ctx);
  }
  if (Error E = WriteReport())
    return reportError(std::move(E));
  for (const std::string &N : Run.Layout.Notes)
    OS << "note: " << N << "\n";
  OS << "wrote " << Output << ": " << Run.Rewrite.Moved << " functions moved\n";
  printPlan(Plan, Atoms, Print, OS);
  return finish(Ctx);
}

} // namespace pagelayout

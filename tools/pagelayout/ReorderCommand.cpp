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

/// Step-by-step progress on stderr with elapsed times.
struct Timer {
  explicit Timer(bool Enabled) : Enabled(Enabled) {}
  void step(const Twine &What) {
    if (!Enabled)
      return;
    double S =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
            .count();
    // The report goes to buffered stdout: flush it first, or a progress
    // line lands in the middle of one of its lines on a terminal.
    outs().flush();
    errs() << format("[%7.3fs] ", S) << What << "\n";
  }
  bool Enabled;
  std::chrono::steady_clock::time_point Start =
      std::chrono::steady_clock::now();
};

/// The input binary and what the proof says of it.
struct ProvedBinary {
  LinkedBinary Binary;
  MoveSafety Proof;
};

Expected<ProvedBinary> readAndProve(StringRef Path, Timer &Clock) {
  Expected<LinkedBinary> Binary = readLinkedBinary(Path);
  if (!Binary)
    return Binary.takeError();
  if (Binary->Functions.size() > 20000)
    Clock.Enabled = true;
  Clock.step("read " + Twine(Binary->Functions.size()) + " functions");
  Expected<MoveSafety> Proof = checkMoveSafety(*Binary);
  if (!Proof)
    return Proof.takeError();
  return ProvedBinary{std::move(*Binary), std::move(*Proof)};
}

/// Reads the profile (several are merged) on its own thread; warnings
/// wait for take().
class ProfileInBackground {
public:
  explicit ProfileInBackground(std::vector<std::string> Paths)
      : Worker([this, Paths = std::move(Paths)] {
          Result.emplace(readMergedProfiles(
              Paths, [this](const Twine &W) { Warnings.push_back(W.str()); }));
        }) {}
  ~ProfileInBackground() {
    if (Worker.joinable())
      Worker.join();
  }

  Expected<Profile> take(const WarningHandler &Warn) {
    Worker.join();
    for (const std::string &W : Warnings)
      Warn(W);
    return std::move(*Result);
  }

private:
  std::vector<std::string> Warnings;
  std::optional<Expected<Profile>> Result;
  std::thread Worker; // last: starts once the members above exist
};

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

enum class VerifyLevel { None, Fast, Full };

/// Reads the rewritten image as a binary of its own and checks it against
/// the input, before anything is written.
Expected<VerifySummary> verifyOutput(const RewriteResult &R, StringRef Output,
                                     const LinkedBinary &In,
                                     const MoveSafety &Safety,
                                     const std::vector<Atom> &Units,
                                     VerifyLevel Level) {
  Expected<LinkedBinary> Out = readLinkedBinary(MemoryBuffer::getMemBuffer(
      R.Image, Output, /*RequiresNullTerminator=*/false));
  if (!Out)
    return Out.takeError();
  Expected<VerifySummary> Fast = verifyRewrite(In, Safety, Units, R.Plan, *Out);
  if (!Fast || Level != VerifyLevel::Full)
    return Fast;
  Expected<VerifySummary> Full = verifyRewriteByDecoding(In, *Out);
  if (!Full)
    return Full.takeError();
  Fast->Instructions = Full->Instructions;
  return Fast;
}

} // namespace

int runReorder(int Argc, char **Argv) {
  static CommandScope Scope(
      "reorder", "Rewrite a linked x86-64 ELF binary (linked with "
                 "-Wl,--emit-relocs) with its functions in the profile's "
                 "phase/page layout: every function proved safe to move "
                 "moves, every reference to it is fixed, the output is "
                 "verified. The input is never modified.\n");
  static cl::opt<std::string> InputPath(cl::Positional, cl::Required,
                                        cl::desc("<binary>"),
                                        cl::cat(Scope.Cat), cl::sub(Scope.Sub));
  static cl::list<std::string> ProfilePaths(
      "profile", cl::OneOrMore,
      cl::desc("Layout profile; given several times, the profiles are "
               "merged as 'pagelayout profile merge' does"),
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
  static cl::opt<bool> Strict(
      "strict",
      cl::desc("A profile that does not fit the binary (another build-id, "
               "under half of the functions that ran found) is an error, "
               "not a warning; --fatal-warnings does this too"),
      cl::cat(Scope.Cat), cl::sub(Scope.Sub));
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

  Timer Clock(Progress);
  // The profile is parsed while the binary is read and proved: neither
  // needs the other before names are matched. Its errors still come first.
  ProfileInBackground Background(
      std::vector<std::string>(ProfilePaths.begin(), ProfilePaths.end()));
  Expected<ProvedBinary> Input = readAndProve(InputPath, Clock);
  Expected<Profile> P = Background.take(Ctx.warningHandler());
  if (!P) {
    consumeError(Input.takeError());
    return reportError(P.takeError());
  }
  if (!Input)
    return reportError(Input.takeError());
  const LinkedBinary &Binary = Input->Binary;
  const MoveSafety &Proof = Input->Proof;
  Clock.step("proved which functions can move (" + Twine(Proof.Instructions) +
             " instructions decoded); read the profile: " +
             Twine(P->Functions.size()) + " functions, " +
             Twine(P->Edges.size()) + " edges");

  const std::vector<Atom> &Functions = Binary.Functions;
  raw_ostream &OS = outs();
  OS << InputPath << ": " << Functions.size() << " functions, "
     << Proof.Instructions << " instructions, " << Proof.OutgoingReferences
     << " pc-relative references leave their function (each checked "
        "against "
     << Binary.TextRelocations.size() << " retained relocations)\n";
  printMovability(Binary, Proof, OS);

  // Groups move as single atoms; code without a symbol stays.
  std::vector<Atom> Atoms = movableUnits(Binary, Proof);
  // The C runtime's entry code runs first in every process; only the
  // profile's own functions count for the fit check.
  size_t UserFunctions = P->Functions.size();
  addRuntimeStartup(*P, Atoms, Binary.Entry);
  NameMatchResult Names = matchProfileNames(*P, Atoms);
  // A profile of another binary or a stale one warns (ProfileFit.cpp); as
  // an error, or any warning with --fatal-warnings, nothing is written.
  ProfileFit Fit = checkProfileFit(
      *P, ArrayRef(Names.Kinds).take_front(UserFunctions), Atoms,
      {InputPath, readBuildId(Binary.Buffer->getMemBufferRef())});
  if (Error E = reportProfileFit(Fit, InputPath, Strict || Ctx.FatalWarnings,
                                 Ctx.warningHandler()))
    return reportError(std::move(E));
  if (Ctx.FatalWarnings && Ctx.Warnings)
    return finish(Ctx);
  ResolvedProfile RP = resolvePhases(Names.Renamed, Inference.config());
  Clock.step("matched " + Twine(P->Functions.size()) +
             " profile functions and resolved phases");
  if (!DryRun) {
    RewriteOptions Opts;
    Opts.PageSize = PageSize.Bytes;
    Expected<RewriteResult> R = rewriteBinary(Binary, Proof, Atoms, RP, Opts);
    if (!R)
      return reportError(R.takeError());
    Clock.step("planned, moved and patched");
    // A plan that does not beat the input's own layout is not applied: the
    // output is a copy of the input, so scripts go on.
    LayoutPlan InputLayout = measureLayout(Atoms, RP, PageSize.Bytes);
    LayoutComparison Better = compareWithInput(R->Plan, InputLayout);
    if (!Better.PlanIsBetter && !Force) {
      if (Error E =
              writeBinary(Binary.Buffer->getBuffer(), InputPath, Output))
        return reportError(std::move(E));
      OS << "note: the plan is not better than the input's own layout ("
         << Better.Why << "); wrote " << Output
         << " as a copy of the input (--force writes the plan anyway)\n";
      return finish(Ctx);
    }
    if (Verify != VerifyLevel::None) {
      Expected<VerifySummary> Checked =
          verifyOutput(*R, Output, Binary, Proof, Atoms, Verify);
      if (!Checked)
        return reportError(Checked.takeError());
      Clock.step("verified the rewritten binary: " + Twine(Checked->Functions) +
                 " functions, " + Twine(Checked->CodeBytes) +
                 " code bytes and " + Twine(Checked->Fields) +
                 " relocated fields, " + Twine(Checked->DataPointers) +
                 " data pointers" +
                 (Verify == VerifyLevel::Full
                      ? "; " + Twine(Checked->Instructions) +
                            " instructions compared by decoding"
                      : ""));
    }
    if (Error E = writeRewrittenBinary(*R, InputPath, Output))
      return reportError(std::move(E));
    Clock.step("wrote " + Twine(Output));
    if (!ReportPath.empty())
      if (Error E = writeLayoutReport(Output, *P, PageSize.Bytes, ReportPath))
        return reportError(std::move(E));
    R->Plan.NameMatches = summarizeMatches(Names);
    for (const std::string &N : R->Notes)
      OS << "note: " << N << "\n";
    OS << "wrote " << Output << ": " << R->Moved << " functions moved\n";
    PlanPrintOptions Print;
    Print.ListAtoms = ListAtoms;
    printPlan(R->Plan, Atoms, Print, OS);
    return finish(Ctx);
  }
  LayoutConfig Config;
  Config.PageSize = PageSize.Bytes;
  // Real addresses: the layout starts where .text does, pinned functions
  // keep theirs, and phases start on the program's real page boundaries.
  Config.StartAddress = Binary.TextAddress;
  LayoutPlan Plan = computeLayout(Atoms, RP, Config);
  Plan.NameMatches = summarizeMatches(Names);

  uint64_t TextEnd = Binary.TextAddress + Binary.TextBytes.size();
  uint64_t PlanEnd = Plan.TotalBytes + Plan.Placement.front().Offset;
  OS << "\nplan (addresses; .text is " << format_hex(Binary.TextAddress, 0)
     << "-" << format_hex(TextEnd, 0) << "):\n";
  if (PlanEnd > TextEnd)
    OS << "note: with page-aligned phases the layout needs "
       << PlanEnd - TextEnd << " bytes more than .text has\n";
  PlanPrintOptions Print;
  Print.ListAtoms = ListAtoms;
  printPlan(Plan, Atoms, Print, OS);
  LayoutComparison Better =
      compareWithInput(Plan, measureLayout(Atoms, RP, PageSize.Bytes));
  if (!Better.PlanIsBetter)
    OS << "note: the plan is not better than the input's own layout ("
       << Better.Why << "); the rewrite would write a copy of the input "
       << "(--force writes the plan anyway)\n";
  return finish(Ctx);
}

} // namespace pagelayout

//===- ReorderPipeline.cpp - pagelayout reorder as a library --------------===//
//
// The steps are described in ReorderPipeline.h. Each one is a call into
// the library that owns it; this file only sequences them, times them and
// keeps what they return, so the command, the tests and the fuzz target run
// the same pipeline.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/ReorderPipeline.h"
#include "pagelayout/reorder/BlockClusters.h"
#include "AddressMap.h"
#include "pagelayout/reorder/ProfileFit.h"
#include "pagelayout/reorder/RuntimeStartup.h"
#include "pagelayout/reorder/SharedWork.h"
#include "pagelayout/schema/ProfileMerge.h"
#include <chrono>
#include <optional>
#include <thread>

using namespace llvm;

namespace pagelayout {
namespace {

class StepClock {
public:
  StepClock(ReorderRun &Run, const ReorderHooks &Hooks)
      : Run(Run), Hooks(Hooks) {}
  void done(StringRef Name, const Twine &What) {
    double S = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             Run.Started)
                   .count();
    Run.Steps.push_back({Name.str(), S, What.str()});
    if (Hooks.OnStep)
      Hooks.OnStep(Run.Steps.back());
  }

private:
  ReorderRun &Run;
  const ReorderHooks &Hooks;
};

/// Reads the profile (several are merged) on its own thread, which then
/// helps with \p Help's work until take(); warnings wait for take().
class ProfileInBackground {
public:
  ProfileInBackground(std::vector<std::string> Paths, SharedWork &Help)
      : Help(Help), Worker([this, Paths = std::move(Paths)] {
          Result.emplace(readMergedProfiles(
              Paths, [this](const Twine &W) { Warnings.push_back(W.str()); }));
          this->Help.helpUntilClosed();
        }) {}
  ~ProfileInBackground() {
    Help.close();
    if (Worker.joinable())
      Worker.join();
  }

  Expected<Profile> take(const WarningHandler &Warn) {
    Help.close();
    Worker.join();
    for (const std::string &W : Warnings)
      if (Warn)
        Warn(W);
    return std::move(*Result);
  }

private:
  SharedWork &Help;
  std::vector<std::string> Warnings;
  std::optional<Expected<Profile>> Result;
  std::thread Worker; // last: starts once the members above exist
};

/// Reads the written image back as a model and checks it against the
/// input, before anything is written.
Expected<VerifySummary> verifyImage(const ReorderRun &Run,
                                    const ReorderOptions &Opts) {
  // The output is read with the input's regions (an SMF module's region
  // ends where its last function did in the input).
  LinkedReadOptions Read;
  Read.SmfCodeEnd = Run.Binary.TextAddress + Run.Binary.TextBytes.size();
  Expected<LinkedBinary> Out =
      readBinary(MemoryBuffer::getMemBuffer(
                     Run.Rewrite.Image,
                     Opts.OutputPath.empty() ? "<output>" : Opts.OutputPath,
                     /*RequiresNullTerminator=*/false),
                 Read);
  if (!Out)
    return Out.takeError();
  Expected<VerifySummary> Fast =
      verifyRewrite(Run.Binary, Run.Proof, Run.Units, Run.Layout.Plan, *Out);
  if (!Fast || Opts.Verify != VerifyLevel::Full)
    return Fast;
  Expected<VerifySummary> Full = verifyRewriteByDecoding(Run.Binary, *Out);
  if (!Full)
    return Full.takeError();
  Fast->Instructions = Full->Instructions;
  return Fast;
}

} // namespace

std::vector<LayoutRegion> layoutRegions(const LinkedBinary &B,
                                        const std::vector<Atom> &Units,
                                        std::vector<unsigned> &RegionOf) {
  std::vector<LayoutRegion> Regions;
  for (const CodeRegion &R : B.Regions)
    Regions.push_back({R.Name, R.Address, R.end()});
  RegionOf.clear();
  for (const Atom &U : Units) {
    int R = B.regionAt(U.OriginalOffset);
    RegionOf.push_back(R < 0 ? unsigned(Regions.size()) : unsigned(R));
  }
  return Regions;
}

std::vector<std::pair<uint64_t, uint64_t>>
codeThatRunsAnyway(const LinkedBinary &B) {
  std::vector<std::pair<uint64_t, uint64_t>> Out;
  // Code without a function symbol stays, and no profile can name it: in
  // practice the C runtime's (crtbegin's frame_dummy, register_tm_clones,
  // __do_global_dtors_aux), which every run executes.
  for (const Atom &U : findCodeWithoutSymbol(B))
    Out.push_back({U.OriginalOffset, U.OriginalOffset + U.Size});
  for (const LinkedBinary::CodeSection &S : B.OtherCode) {
    StringRef N = S.Name;
    if (!S.Bytes.empty() &&
        (N == ".init" || N == ".fini" || N == ".plt" || N.starts_with(".plt.") ||
         N == ".iplt"))
      Out.push_back({S.Address, S.Address + S.Bytes.size()});
  }
  llvm::sort(Out);
  return Out;
}

FittedLayout planRewrite(const LinkedBinary &B, const std::vector<Atom> &Units,
                         const ResolvedProfile &Profile, uint64_t PageSize) {
  std::vector<unsigned> RegionOf;
  std::vector<LayoutRegion> Regions = layoutRegions(B, Units, RegionOf);
  FitOptions O;
  O.PageSize = PageSize;
  O.TouchedOutside = codeThatRunsAnyway(B);
  // x86-64 needs no alignment; the C++ ABI marks virtual member-function
  // pointers with bit 0 of a function address.
  O.MinimumAlignment = 2;
  return fitLayout(Units, RegionOf, Regions, Profile, O);
}

std::vector<Atom> plannedOutputFunctions(const ReorderRun &Run) {
  AddressMap Map;
  for (const PlacedAtom &PA : Run.Layout.Plan.Placement) {
    const Atom &U = Run.Units[PA.AtomIndex];
    Map.add(U.OriginalOffset, U.OriginalOffset + U.Size,
            int64_t(PA.Offset) - int64_t(U.OriginalOffset));
  }
  Map.finish();
  std::vector<Atom> Out = Run.Binary.Functions;
  for (Atom &F : Out)
    F.OriginalOffset = Map(F.OriginalOffset);
  llvm::stable_sort(Out, [](const Atom &A, const Atom &C) {
    return A.OriginalOffset < C.OriginalOffset;
  });
  return Out;
}

Expected<std::unique_ptr<ReorderRun>>
runReorderPipeline(const ReorderOptions &Opts, const ReorderHooks &Hooks) {
  auto Run = std::make_unique<ReorderRun>();
  StepClock Clock(*Run, Hooks);

  // read: the profile is parsed while the binary is read and proved;
  // neither needs the other before names are matched. Its errors still
  // come first.
  SharedWork Help; // the profile's thread decodes too once it is done
  ProfileInBackground Background(Opts.ProfilePaths, Help);
  Expected<LinkedBinary> Binary = readBinary(Opts.InputPath);
  std::optional<Expected<MoveSafety>> Proof;
  if (Binary) {
    Clock.done("read", Twine(Binary->Functions.size()) + " functions");
    Proof.emplace(checkMoveSafety(*Binary, &Help));
  }
  Expected<Profile> P = Background.take(Hooks.Warn);
  // Without a profile, the phases the input records are the profile
  // (SMF's phase bits).
  if (P && Opts.ProfilePaths.empty() && Binary) {
    if (Binary->InputPhases.empty()) {
      consumeError(Proof->takeError());
      if (Binary->Format == BinaryFormat::ELF)
        return makeLocatedError(
            Opts.InputPath, {},
            "missing --profile: an ELF binary records no layout phases "
            "(record a profile with 'pagelayout record')");
      return makeLocatedError(
          Opts.InputPath, {},
          "no --profile, and the module records no layout phases (" +
              Binary->NoInputPhases +
              "): laying it all out as startup would help nothing; give "
              "--profile");
    }
    append_range(P->Functions, profileFromInputPhases(*Binary).Functions);
  }
  if (!P) {
    if (!Binary)
      consumeError(Binary.takeError());
    else
      consumeError(Proof->takeError());
    return P.takeError();
  }
  if (!Binary)
    return Binary.takeError();
  if (!*Proof)
    return Proof->takeError();
  Run->Binary = std::move(*Binary);
  Run->Proof = std::move(**Proof);
  Run->Input = std::move(*P);
  Clock.done("prove", "proved which functions can move (" +
                          Twine(Run->Proof.Instructions) +
                          " instructions decoded); read the profile: " +
                          Twine(Run->Input.Functions.size()) + " functions, " +
                          Twine(Run->Input.Edges.size()) + " edges");

  // match: groups move as single atoms; code without a symbol stays. The C
  // runtime's entry code runs first in every process; only the profile's
  // own functions count for the fit check.
  Run->Units = movableUnits(Run->Binary, Run->Proof);
  Run->UserFunctions = Run->Input.Functions.size();
  Profile &WithStartup = Run->WithStartup;
  WithStartup = Run->Input;
  // Parts of functions split by phase (basic-block sections) take their
  // phase, as ld.pagelayout gives it them.
  BlockRanges Ranges;
  if (Run->Binary.Buffer)
    Ranges = readBlockRanges(Run->Binary.Buffer->getMemBufferRef());
  applyBlockClusters(WithStartup, Run->Units, &Ranges);
  addRuntimeStartup(WithStartup, Run->Units, Run->Binary.Entry);
  Run->Names = matchProfileNames(WithStartup, Run->Units);
  ProfileFit Fit = checkProfileFit(
      WithStartup, ArrayRef(Run->Names.Kinds).take_front(Run->UserFunctions),
      Run->Units,
      {Opts.InputPath, readBuildId(Run->Binary.Buffer->getMemBufferRef())});
  if (Error E =
          reportProfileFit(Fit, Opts.InputPath, Opts.StrictFit, Hooks.Warn))
    return std::move(E);
  if (Hooks.StopAfterWarnings && Hooks.StopAfterWarnings()) {
    Run->StoppedByWarnings = true;
    return std::move(Run);
  }
  Run->Resolved = resolvePhases(Run->Names.Renamed, Opts.Inference);
  Clock.done("match", "matched " + Twine(WithStartup.Functions.size()) +
                          " profile functions and resolved phases");

  // plan: the one the rewrite applies, compared with the input's own.
  Run->Layout =
      planRewrite(Run->Binary, Run->Units, Run->Resolved, Opts.PageSize);
  Run->Layout.Plan.NameMatches = summarizeMatches(Run->Names);
  Run->InputLayout = measureLayout(Run->Units, Run->Resolved, Opts.PageSize,
                                   codeThatRunsAnyway(Run->Binary));
  Run->Better = compareWithInput(Run->Layout.Plan, Run->InputLayout);
  Clock.done("plan", "planned " + Twine(Run->Units.size()) + " units in " +
                         Twine(Run->Binary.Regions.size()) + " regions");
  if (Opts.DryRun)
    return std::move(Run);

  // A plan that does not beat the input's own layout is not applied: the
  // output is a copy of the input, so scripts go on.
  if (!Run->Better.PlanIsBetter && !Opts.Force) {
    Run->Rewrite.Image = Run->Binary.Buffer->getBuffer().str();
    return std::move(Run);
  }
  Expected<BinaryRewrite> Rewrite =
      BinaryRewrite::create(Run->Binary, Run->Proof);
  if (!Rewrite)
    return Rewrite.takeError();
  if (Error E = Rewrite->move(Run->Units, Run->Layout.Plan))
    return std::move(E);
  Clock.done("move", "moved the functions");
  if (Error E = Rewrite->patch())
    return std::move(E);
  Run->Rewrite = Rewrite->take();
  Run->Applied = true;
  Clock.done("patch", Twine(Run->Rewrite.Moved) + " functions moved, "
                                                  "references patched");
  // Written while it is verified; only renamed into place once verified.
  if (!Opts.OutputPath.empty())
    Run->Staged = std::make_unique<StagedOutput>(
        Run->Rewrite.Image, Opts.InputPath, Opts.OutputPath);
  if (Opts.Verify != VerifyLevel::None) {
    Expected<VerifySummary> Checked = verifyImage(*Run, Opts);
    if (!Checked)
      return Checked.takeError();
    Run->Verified = *Checked;
    const VerifySummary &V = Run->Verified;
    Clock.done("verify",
               "verified the rewritten binary: " + Twine(V.Functions) +
                   " functions, " + Twine(V.CodeBytes) + " code bytes and " +
                   Twine(V.Fields) + " relocated fields, " +
                   Twine(V.DataPointers) + " data pointers" +
                   (Opts.Verify == VerifyLevel::Full
                        ? "; " + Twine(V.Instructions) +
                              " instructions compared by decoding"
                        : ""));
  }
  return std::move(Run);
}

Error writeReorderOutput(ReorderRun &Run, const ReorderOptions &Opts,
                         const ReorderHooks &Hooks) {
  if (Error E = Run.Staged ? Run.Staged->keep()
                           : writeBinary(Run.Rewrite.Image, Opts.InputPath,
                                         Opts.OutputPath))
    return E;
  StepClock(Run, Hooks).done("write", "wrote " + Twine(Opts.OutputPath));
  return Error::success();
}

} // namespace pagelayout

//===- ReorderPipeline.h - pagelayout reorder as a library ------*- C++ -*-===//
//
// The post-link rewrite as named, timed steps over one code model:
//
//   read   - the binary (ELF, or an SMF module) into the model, and the
//            profile (on its own thread);
//   prove  - which functions can move, which only together (MoveSafety);
//   match  - profile names to the model's functions, fit check, phases;
//   plan   - the engine lays the units out inside the model's regions
//            (fitLayout: what is printed is what is applied);
//   move   - the new code: every unit at its planned address;
//   patch  - every reference to moved code, in code and data;
//   verify - the rewritten image read back as a model and checked against
//            the input (fast; full: by decoding, independently);
//   write  - through a temporary file, renamed, mode bits kept.
//
// `pagelayout reorder` only parses options and prints what this returns.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_REORDERPIPELINE_H
#define PAGELAYOUT_REORDER_REORDERPIPELINE_H

#include "pagelayout/reorder/BinaryRewriter.h"
#include "pagelayout/reorder/LayoutEngine.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/MoveSafety.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/reorder/RewriteVerifier.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/ADT/FunctionExtras.h"
#include <chrono>
#include <memory>

namespace pagelayout {

enum class VerifyLevel { None, Fast, Full };

struct ReorderOptions {
  std::string InputPath;
  std::vector<std::string> ProfilePaths;
  /// Where the output goes (names the image in messages); empty for a dry
  /// run.
  std::string OutputPath;
  bool DryRun = false;
  /// Apply the plan even when it is not better than the input's layout.
  bool Force = false;
  /// A profile that does not fit the binary is an error.
  bool StrictFit = false;
  VerifyLevel Verify = VerifyLevel::Fast;
  uint64_t PageSize = 4096;
  InferenceConfig Inference;
};

/// One finished step: its name (read, prove, ...), seconds since the
/// pipeline started, and what it did.
struct ReorderStep {
  std::string Name;
  double Seconds = 0;
  std::string What;
};

/// Everything the pipeline found and made. Not movable: the resolved
/// profile points into the renamed one.
struct ReorderRun {
  ReorderRun() = default;
  ReorderRun(const ReorderRun &) = delete;
  ReorderRun &operator=(const ReorderRun &) = delete;

  LinkedBinary Binary;
  MoveSafety Proof;
  Profile Input;
  /// Functions of the profile before `_start` and the entry were added.
  size_t UserFunctions = 0;
  /// The profile with the C runtime's entry code added (it runs first in
  /// every process): what the plan and the layout report measure.
  Profile WithStartup;
  std::vector<Atom> Units;
  /// Parallel to Units: the index of the region each lies in.
  std::vector<unsigned> RegionOf;
  NameMatchResult Names;
  ResolvedProfile Resolved;
  FittedLayout Layout;
  /// The input's own layout, measured, and how the plan compares.
  LayoutPlan InputLayout;
  LayoutComparison Better;
  /// Whether the image is the plan applied (else a copy of the input).
  bool Applied = false;
  /// The profile's fit check found problems and warnings are fatal: the
  /// pipeline stopped after matching.
  bool StoppedByWarnings = false;
  RewriteResult Rewrite;
  /// The rewritten image being written to a temporary file while it is
  /// verified; renamed into place by writeReorderOutput(). After Rewrite:
  /// it reads Rewrite.Image, so it goes first.
  std::unique_ptr<StagedOutput> Staged;
  VerifySummary Verified;
  std::vector<ReorderStep> Steps;
  std::chrono::steady_clock::time_point Started =
      std::chrono::steady_clock::now();
};

struct ReorderHooks {
  WarningHandler Warn;
  /// Called as each step finishes (progress lines).
  std::function<void(const ReorderStep &)> OnStep;
  /// Asked after the fit check: true stops the pipeline
  /// (--fatal-warnings after a warning).
  std::function<bool()> StopAfterWarnings;
};

/// Runs the steps up to `verify` (a dry run: up to `plan`). The image is
/// in the result; writeReorderOutput() writes it.
llvm::Expected<std::unique_ptr<ReorderRun>>
runReorderPipeline(const ReorderOptions &Opts, const ReorderHooks &Hooks);

/// The `write` step.
llvm::Error writeReorderOutput(ReorderRun &Run, const ReorderOptions &Opts,
                               const ReorderHooks &Hooks);

/// The layout report of the output a plan makes, exactly as reading the
/// written output back would give it (the model's functions at their
/// planned addresses): `reorder --dry-run --report` and the rewrite write
/// the same report.
std::vector<Atom> plannedOutputFunctions(const ReorderRun &Run);

/// The regions of \p B as the engine sees them, and the region of each of
/// \p Units (Regions.size() for code outside every region: it stays).
std::vector<LayoutRegion> layoutRegions(const LinkedBinary &B,
                                        const std::vector<Atom> &Units,
                                        std::vector<unsigned> &RegionOf);

/// The code that every run executes and no profile names, as [begin, end)
/// addresses: .init, .fini and the PLT sections outside the regions, and
/// the code without a function symbol inside them (the C runtime's).
std::vector<std::pair<uint64_t, uint64_t>>
codeThatRunsAnyway(const LinkedBinary &B);

/// The plan for a rewrite of \p B: \p Units inside B's regions.
FittedLayout planRewrite(const LinkedBinary &B, const std::vector<Atom> &Units,
                         const ResolvedProfile &Profile, uint64_t PageSize);

} // namespace pagelayout

#endif

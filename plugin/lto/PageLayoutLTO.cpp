//===- PageLayoutLTO.cpp - Apply layout phases inside the optimizer -------===//
//
// A new-pass-manager plugin that reads the same layout profile as
// ld.pagelayout and tells the optimizer what each phase means:
//
//   cold        -> `cold` (callers treat calls to it as unlikely) and
//                  `minsize`: never-run code should take the fewest bytes;
//   startup     -> `optsize` (configurable): it runs once, and smaller code
//                  touches fewer pages while the program starts;
//   first_frame -> unchanged by default (configurable like startup);
//   steady      -> `hot`.
//
// Names are matched as the linker matches them (exact, then without
// compiler suffixes such as ThinLTO's ".llvm.<hash>"), so the phases
// survive LTO's renaming. The linker still orders the sections; the plugin
// only changes how each function is compiled.
//
// Loading: ld.pagelayout loads it for bitcode inputs by itself. By hand:
//   PAGELAYOUT_PROFILE=app.yaml ld.lld --load-pass-plugin=libPageLayoutLTO.so
//   clang -fpass-plugin=libPageLayoutLTO.so -mllvm -pagelayout-profile=app.yaml
// (lld parses -mllvm before loading plugins, hence the environment
// variables PAGELAYOUT_PROFILE and PAGELAYOUT_LTO_VERBOSE.)
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/schema/OrderFile.h"
#include "pagelayout/schema/PhaseInference.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Plugins/PassPlugin.h" // llvm/Passes/ before LLVM 22
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace pagelayout;

namespace {

enum class SizeMode { None, OptSize, MinSize };

cl::opt<std::string>
    ProfilePath("pagelayout-profile",
                cl::desc("Layout profile to apply (default: the "
                         "PAGELAYOUT_PROFILE environment variable)"));
cl::opt<SizeMode> StartupSize(
    "pagelayout-startup", cl::desc("How to compile startup functions"),
    cl::init(SizeMode::OptSize),
    cl::values(clEnumValN(SizeMode::None, "none", "unchanged"),
               clEnumValN(SizeMode::OptSize, "optsize", "optimize for size"),
               clEnumValN(SizeMode::MinSize, "minsize", "minimize size")));
cl::opt<SizeMode> FirstFrameSize(
    "pagelayout-first-frame", cl::desc("How to compile first_frame functions"),
    cl::init(SizeMode::None),
    cl::values(clEnumValN(SizeMode::None, "none", "unchanged"),
               clEnumValN(SizeMode::OptSize, "optsize", "optimize for size"),
               clEnumValN(SizeMode::MinSize, "minsize", "minimize size")));
cl::opt<bool> ColdMinSize("pagelayout-cold-minsize",
                          cl::desc("Compile cold functions with minsize"),
                          cl::init(true));
cl::opt<bool> Verbose("pagelayout-verbose",
                      cl::desc("Print each function the plugin changes"));

/// The profile's phases by canonical name, loaded once per process.
class PhaseTable {
public:
  static const PhaseTable &get() {
    static PhaseTable T;
    return T;
  }
  std::optional<Phase> lookup(StringRef Name) const {
    auto It = Exact.find(Name);
    if (It != Exact.end())
      return It->second;
    auto C = Canonical.find(canonicalFunctionName(Name));
    if (C != Canonical.end())
      return C->second;
    return std::nullopt;
  }
  bool loaded() const { return Loaded; }

private:
  PhaseTable() {
    std::string Path = ProfilePath;
    if (Path.empty())
      Path = sys::Process::GetEnv("PAGELAYOUT_PROFILE").value_or("");
    if (Path.empty())
      return;
    WarningHandler Warn = [](const Twine &W) { errs() << W << "\n"; };
    Expected<Profile> P = readAnyProfileFile(Path, std::nullopt, Warn);
    if (!P) {
      // The linker already rejected a bad profile before LTO runs; a
      // compiler invocation reports it here and compiles unchanged.
      errs() << "PageLayoutLTO: " << toString(P.takeError()) << "\n";
      return;
    }
    Source = std::move(*P);
    ResolvedProfile RP = resolvePhases(Source);
    for (unsigned I = 0; I < Source.Functions.size(); ++I) {
      Phase Ph = RP.Functions[I].ResolvedPhase;
      const std::string &Name = Source.Functions[I].Name;
      Exact[Name] = Ph;
      Canonical.try_emplace(canonicalFunctionName(Name), Ph);
    }
    Loaded = true;
  }

  Profile Source;
  StringMap<Phase> Exact, Canonical;
  bool Loaded = false;
};

// lld parses -mllvm before it loads pass plugins, so a linker user cannot
// set the plugin's options that way: the environment works everywhere.
bool verbose() {
  return Verbose || sys::Process::GetEnv("PAGELAYOUT_LTO_VERBOSE").has_value();
}

void applySize(Function &F, SizeMode Mode) {
  if (Mode == SizeMode::None || F.hasFnAttribute(Attribute::OptimizeNone))
    return;
  F.addFnAttr(Attribute::OptimizeForSize);
  if (Mode == SizeMode::MinSize)
    F.addFnAttr(Attribute::MinSize);
}

struct PageLayoutPass : PassInfoMixin<PageLayoutPass> {
  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    const PhaseTable &Table = PhaseTable::get();
    if (!Table.loaded())
      return PreservedAnalyses::all();
    bool Changed = false;
    for (Function &F : M) {
      if (F.isDeclaration())
        continue;
      std::optional<Phase> P = Table.lookup(F.getName());
      if (!P)
        continue;
      switch (*P) {
      case Phase::Cold:
        F.addFnAttr(Attribute::Cold);
        if (ColdMinSize)
          applySize(F, SizeMode::MinSize);
        break;
      case Phase::Startup:
        applySize(F, StartupSize);
        break;
      case Phase::FirstFrame:
        applySize(F, FirstFrameSize);
        break;
      case Phase::Steady:
        if (!F.hasFnAttribute(Attribute::Cold))
          F.addFnAttr(Attribute::Hot);
        break;
      }
      if (verbose())
        errs() << "PageLayoutLTO: " << F.getName() << " -> " << phaseName(*P)
               << "\n";
      Changed = true;
    }
    return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "PageLayoutLTO", "0.1", [](PassBuilder &PB) {
            // Early, so the inliner and size heuristics see the attributes:
            // ThinLTO back ends and plain -O compiles...
            PB.registerPipelineEarlySimplificationEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel,
                   ThinOrFullLTOPhase) { MPM.addPass(PageLayoutPass()); });
            // ...and the full LTO pipeline, which has its own entry point.
            PB.registerFullLinkTimeOptimizationEarlyEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel) {
                  MPM.addPass(PageLayoutPass());
                });
            // Explicitly: opt -passes=pagelayout.
            PB.registerPipelineParsingCallback(
                [](StringRef Name, ModulePassManager &MPM,
                   ArrayRef<PassBuilder::PipelineElement>) {
                  if (Name != "pagelayout")
                    return false;
                  MPM.addPass(PageLayoutPass());
                  return true;
                });
          }};
}

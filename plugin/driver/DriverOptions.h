//===- DriverOptions.h - ld.pagelayout's own options ------------*- C++ -*-===//

#ifndef PAGELAYOUT_PLUGIN_DRIVEROPTIONS_H
#define PAGELAYOUT_PLUGIN_DRIVEROPTIONS_H

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/StringSaver.h"
#include <optional>
#include <string>
#include <vector>

namespace pagelayout {

/// The --layout-* options, split from the lld command line they came in.
struct DriverOptions {
  /// --layout-profile, in command-line order: several are merged.
  std::vector<std::string> ProfilePaths;
  uint64_t PageSize = 4096;
  std::optional<std::string> ReportPath;
  bool PhaseAlign = true;
  bool Strict = false;
  /// lld's --fatal-warnings (the last of it and --no-fatal-warnings):
  /// ld.pagelayout's own warnings become errors too.
  bool FatalWarnings = false;
  /// --layout-plan-from=link: plan from a first lld pass even where the
  /// inputs tell what lld will place.
  bool PlanFromLink = false;
  /// lld's --verbose, also ours: says how the link was planned.
  bool Verbose = false;
  /// lld's --threads=N (the last one; 0 when none or not a positive
  /// number, which lld reports): LLVM's thread pool is made once, by its
  /// first user, so ld.pagelayout sets its size as lld would before any
  /// work of its own runs in it (applyLldThreads).
  unsigned ThreadCount = 0;
  /// False with lld's --threads=1: ld.pagelayout's own work runs on one
  /// thread too.
  bool threads() const { return ThreadCount != 1; }
  /// --layout-lto-plugin: a path, "none", or unset (find it).
  std::optional<std::string> LtoPlugin;
  /// Everything else, response files expanded, for lld.
  std::vector<const char *> LldArgs;
  /// True when some --layout-* option was given at all.
  bool AnyLayoutOption = false;
};

/// Splits \p Argv (argv[0] excluded). Accepts "--opt=V", "--opt V" and the
/// single-dash spellings, inside response files too. Strings live in
/// \p Saver.
llvm::Expected<DriverOptions>
parseDriverOptions(llvm::ArrayRef<const char *> Argv, llvm::StringSaver &Saver);

/// Sizes LLVM's thread pool as lld's driver will (--threads=N, else at
/// most 16 threads), before ld.pagelayout's own parallel work makes the
/// pool: lld's own setting comes too late to change a pool already made.
void applyLldThreads(const DriverOptions &Opts);

/// True when \p Args ask lld for something other than a link (--version,
/// --help, or -v alone): those run without a layout.
bool isInformationalRun(llvm::ArrayRef<const char *> Args);

/// True when \p Args ask for lld's help (--help).
bool isHelpRun(llvm::ArrayRef<const char *> Args);

/// The "pagelayout options:" section appended to lld's --help.
void printLayoutHelp(llvm::raw_ostream &OS);

/// True for a relocatable link (-r, --relocatable).
bool isRelocatableLink(llvm::ArrayRef<const char *> Args);

/// The output path lld will write (-o), "a.out" by default.
std::string outputPath(llvm::ArrayRef<const char *> Args);

} // namespace pagelayout

#endif

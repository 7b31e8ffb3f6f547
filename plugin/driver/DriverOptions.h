//===- DriverOptions.h - ld.pagelayout's own options ------------*- C++ -*-===//

#ifndef PAGELAYOUT_PLUGIN_DRIVEROPTIONS_H
#define PAGELAYOUT_PLUGIN_DRIVEROPTIONS_H

#include "llvm/Support/Error.h"
#include "llvm/Support/StringSaver.h"
#include <optional>
#include <string>
#include <vector>

namespace pagelayout {

/// The --layout-* options, split from the lld command line they came in.
struct DriverOptions {
  std::optional<std::string> ProfilePath;
  uint64_t PageSize = 4096;
  std::optional<std::string> ReportPath;
  bool PhaseAlign = true;
  bool Strict = false;
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

/// True when \p Args ask lld for something other than a link (--version,
/// -v, --help): those run unchanged.
bool isInformationalRun(llvm::ArrayRef<const char *> Args);

/// True for a relocatable link (-r, --relocatable).
bool isRelocatableLink(llvm::ArrayRef<const char *> Args);

/// The output path lld will write (-o), "a.out" by default.
std::string outputPath(llvm::ArrayRef<const char *> Args);

} // namespace pagelayout

#endif

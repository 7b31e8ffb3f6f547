//===- Symbolizer.h - Runtime addresses to function names -------*- C++ -*-===//

#ifndef PAGELAYOUT_RECORD_SYMBOLIZER_H
#define PAGELAYOUT_RECORD_SYMBOLIZER_H

#include "pagelayout/record/RawProfile.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/ADT/StringMap.h"

namespace pagelayout {

/// A function of a loaded module, at its runtime address.
struct SymbolizedFunction {
  std::string Name;
  uint64_t RuntimeStart = 0;
  uint64_t Size = 0;
};

/// Maps runtime addresses of a recorded process to function names using
/// the modules' ELF symbol tables (.symtab, else .dynsym), read once each.
class Symbolizer {
public:
  explicit Symbolizer(WarningHandler Warn) : Warn(std::move(Warn)) {}

  /// Reads the symbol tables of \p P's modules now. An error for a module
  /// path that names something no process can have loaded (a device, a
  /// FIFO, a directory, a file that is not an ELF executable or shared
  /// object): the raw file is corrupt, or the path names another file now.
  /// Modules that are gone (another machine, the vDSO) are only warned
  /// about, when looked up.
  llvm::Error loadModules(const RawProcess &P);

  /// The function containing \p Address in \p P, if any.
  std::optional<SymbolizedFunction> lookup(const RawProcess &P,
                                           uint64_t Address);
  /// The module's GNU build-id as hex ("" when it has none).
  std::string buildId(llvm::StringRef Path);

private:
  struct FunctionSymbol {
    uint64_t Address, Size;
    std::string Name;
  };
  struct ModuleSymbols {
    std::vector<FunctionSymbol> Functions; // sorted by address
    std::string BuildId;
    std::string Problem; ///< why the module cannot be read, if it cannot
    bool NotAModule = false;
    bool Warned = false;
  };
  ModuleSymbols &load(llvm::StringRef Path);
  void warnUnread(ModuleSymbols &M, llvm::StringRef Path,
                  llvm::StringRef RawFile);

  WarningHandler Warn;
  llvm::StringMap<ModuleSymbols> Cache;
};

} // namespace pagelayout

#endif

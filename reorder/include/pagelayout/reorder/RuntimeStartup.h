//===- RuntimeStartup.h - Code that runs first in every process -*- C++ -*-===//
//
// The C runtime's entry code (_start, and whatever function the ELF entry
// point names) runs before main in every process, yet no recorder sees it:
// crt objects are never instrumented. Unless the profile says otherwise it
// belongs to startup, for the linker and the rewriter alike.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_RUNTIMESTARTUP_H
#define PAGELAYOUT_REORDER_RUNTIMESTARTUP_H

#include "pagelayout/reorder/Atom.h"
#include "pagelayout/schema/Profile.h"
#include <optional>

namespace pagelayout {

/// True for crtbegin's helpers (frame_dummy, register_tm_clones, ...).
bool isCrtHelperName(llvm::StringRef Name);

/// True for the C runtime's own code that addRuntimeStartup knows by
/// name: `_start` and crtbegin's helpers. It comes in the runtime's
/// objects (crt1.o, crtbegin.o), whose sections hold several functions
/// and which no user recompiles.
bool isRuntimeStartupName(llvm::StringRef Name);

/// Adds `_start`, and each function symbol of the atom holding \p Entry
/// (the ELF entry point, when known), to \p P as startup functions unless
/// \p P already lists them. With \p WithCrtHelpers also crtbegin's
/// helpers (frame_dummy, register_tm_clones, ...: every start and exit
/// runs them; a trace sees no size for them) where atoms name them, as a
/// link's input sections do. Returns how many were added.
unsigned addRuntimeStartup(Profile &P, const std::vector<Atom> &Atoms,
                           std::optional<uint64_t> Entry = std::nullopt,
                           bool WithCrtHelpers = false);

} // namespace pagelayout

#endif

//===- LayoutLink.h - A link laid out by a profile --------------*- C++ -*-===//

#ifndef PAGELAYOUT_PLUGIN_LAYOUTLINK_H
#define PAGELAYOUT_PLUGIN_LAYOUTLINK_H

#include "DriverOptions.h"
#include "llvm/Support/raw_ostream.h"

namespace pagelayout {

/// Runs lld with \p Args ("ld.lld" is prepended), printing to the given
/// streams. Returns lld's exit code.
/// With \p WriteOutput false, lld does everything but write the output
/// file and its diagnostics (-Map is still written): a first pass that
/// only needs the map.
int runLld(llvm::ArrayRef<const char *> Args, llvm::raw_ostream &Out,
           llvm::raw_ostream &Err, bool WriteOutput = true);

/// lld's last run in this process: as runLld, but lld's state (every input
/// file, section and symbol) is left for the process exit to drop, as
/// ld.lld leaves it: freeing a large link object by object takes longer
/// than the exit. The process must end with exitFast().
int runLastLld(llvm::ArrayRef<const char *> Args, llvm::raw_ostream &Out,
               llvm::raw_ostream &Err);

/// Ends the process with \p RC as ld.lld ends: the streams flushed,
/// nothing freed.
[[noreturn]] void exitFast(int RC);

/// A relocatable link (-r): the profile is read and checked (a bad one is
/// an error), a note says the layout waits for the final link, and lld
/// links unchanged.
int runRelocatableLink(const DriverOptions &Opts, llvm::raw_ostream &Out,
                       llvm::raw_ostream &Err);

/// Links with the profile's layout applied (see LayoutLink.cpp). Returns
/// the exit code; diagnostics go to \p Err. lld's last run is runLastLld,
/// and the plan's own memory is not freed either: the process must end
/// with exitFast().
int runLayoutLink(const DriverOptions &Opts, llvm::raw_ostream &Out,
                  llvm::raw_ostream &Err);

} // namespace pagelayout

#endif

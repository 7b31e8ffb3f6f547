//===- LoadedLibraries.h - A traced process's shared libraries --*- C++ -*-===//
//
// What `record --mode=trace --libs` reads of a live process to find its
// shared libraries: the auxiliary vector, /proc/PID/maps, and the dynamic
// loader's _dl_debug_state, the function it calls whenever its list of
// loaded objects is consistent (after loading the program's libraries,
// before their constructors run, and after each dlopen and dlclose).
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_RECORD_LOADEDLIBRARIES_H
#define PAGELAYOUT_RECORD_LOADEDLIBRARIES_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pagelayout {

/// The value of entry \p Type (AT_ENTRY, AT_BASE) of \p Pid's auxiliary
/// vector, if it has one.
std::optional<uint64_t> auxvValue(pid_t Pid, uint64_t Type);

/// A file mapped into a process with code (an executable mapping): where
/// its file offset 0 is mapped.
struct MappedFile {
  std::string Path;
  uint64_t Start = 0;
};

/// Every file \p Pid has mapped with an executable mapping and its offset
/// 0 mapped, in address order (the program, its libraries, the loader).
std::vector<MappedFile> mappedCodeFiles(pid_t Pid);

/// Where the loader at \p Path has _dl_debug_state, relative to where its
/// offset 0 is mapped; an error says why it cannot be found.
llvm::Expected<uint64_t> loaderHookOffset(llvm::StringRef Path);

} // namespace pagelayout

#endif

//===- ProfileReader.h - Read a layout profile from YAML --------*- C++ -*-===//

#ifndef PAGELAYOUT_SCHEMA_PROFILEREADER_H
#define PAGELAYOUT_SCHEMA_PROFILEREADER_H

#include "pagelayout/schema/Diagnostic.h"
#include "pagelayout/schema/Profile.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include <memory>

namespace pagelayout {

/// Parses a YAML layout profile. \p FileName is used in diagnostics only.
/// Every malformed input yields a LocatedError naming file:line:column, as
/// do aliases expanding the document past 64 entries per byte of text.
/// Unknown keys and marker names are reported through \p Warn (with the
/// known name they are a near miss of) and otherwise ignored, except an
/// unknown top-level key in a profile without 'functions': an error.
llvm::Expected<Profile> parseProfile(llvm::StringRef Contents,
                                     llvm::StringRef FileName,
                                     const WarningHandler &Warn = {});

/// Parses a layout profile in either form: compact (CompactProfile.h) when
/// \p Contents starts as one does, else YAML.
llvm::Expected<Profile> parseProfileOfAnyForm(llvm::StringRef Contents,
                                              llvm::StringRef FileName,
                                              const WarningHandler &Warn = {});

/// Reads and parses the file at \p Path ("-" reads standard input), YAML
/// or compact (detected by content).
llvm::Expected<Profile> readProfileFile(llvm::StringRef Path,
                                        const WarningHandler &Warn = {});

/// Reads a whole file into memory with a message that names it on failure.
llvm::Expected<std::string> readWholeFile(llvm::StringRef Path);

/// The file at \p Path ("-": standard input), mapped when it is large.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readFileBuffer(llvm::StringRef Path);

/// The warning for a marker name the phase inference does not read, with
/// the known name it is a near miss of; empty for startup_end and
/// first_frame. Both readers warn with it.
std::string unknownMarkerWarning(llvm::StringRef Name);

} // namespace pagelayout

#endif

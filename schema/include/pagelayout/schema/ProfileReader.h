//===- ProfileReader.h - Read a layout profile from YAML --------*- C++ -*-===//

#ifndef PAGELAYOUT_SCHEMA_PROFILEREADER_H
#define PAGELAYOUT_SCHEMA_PROFILEREADER_H

#include "pagelayout/schema/Diagnostic.h"
#include "pagelayout/schema/Profile.h"
#include "llvm/Support/Error.h"

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

/// Reads and parses the file at \p Path ("-" reads standard input).
llvm::Expected<Profile> readProfileFile(llvm::StringRef Path,
                                        const WarningHandler &Warn = {});

/// Reads a whole file into memory with a message that names it on failure.
llvm::Expected<std::string> readWholeFile(llvm::StringRef Path);

} // namespace pagelayout

#endif

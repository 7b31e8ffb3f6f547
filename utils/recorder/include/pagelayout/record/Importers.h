//===- Importers.h - Profiles from other tools' formats ---------*- C++ -*-===//

#ifndef PAGELAYOUT_RECORD_IMPORTERS_H
#define PAGELAYOUT_RECORD_IMPORTERS_H

#include "pagelayout/schema/Diagnostic.h"
#include "pagelayout/schema/Profile.h"

namespace pagelayout {

/// `perf script` text (with or without call chains, -g): samples and
/// self time per leaf function, caller -> callee edges from adjacent
/// frames, the sampled duration (earliest to latest sample, in whatever
/// order they come; a time past 2^64 ns is an error). Frames outside
/// \p OnlyDso are ignored when it is not empty ("lua" matches any DSO path
/// ending in /lua).
llvm::Expected<Profile> importPerfScript(llvm::StringRef Text,
                                         llvm::StringRef FileName,
                                         llvm::StringRef OnlyDso,
                                         const WarningHandler &Warn);

/// An indexed LLVM PGO profile (.profdata): entry counts as calls (exact for
/// front-end and -pgo-instrument-entry profiles, estimated with a warning
/// for default IR ones, which do not record them), and
/// the temporal traces of -pgo-temporal-instrumentation as traces (names
/// recovered from the profile's records: MD5 of the PGO name).
llvm::Expected<Profile> importProfData(llvm::StringRef Path,
                                       const WarningHandler &Warn);

/// True when \p Text looks like `perf script` output.
bool looksLikePerfScript(llvm::StringRef Text);

} // namespace pagelayout

#endif

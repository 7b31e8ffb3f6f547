//===- OrderFile.h - lld ordering files <-> layout profiles -----*- C++ -*-===//
//
// lld reads two plain-text orderings: --symbol-ordering-file (one symbol per
// line, '#' starts a comment) and --call-graph-ordering-file ("caller callee
// weight" per line). These convert both ways, and detect which format a file
// is in so 'profile convert' needs no --from.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_SCHEMA_ORDERFILE_H
#define PAGELAYOUT_SCHEMA_ORDERFILE_H

#include "pagelayout/schema/Diagnostic.h"
#include "pagelayout/schema/PhaseInference.h"
#include "pagelayout/schema/Profile.h"

namespace pagelayout {

enum class ProfileFormat { YAML, Compact, OrderFile, CallGraph };
llvm::StringRef profileFormatName(ProfileFormat F);
std::optional<ProfileFormat> parseProfileFormat(llvm::StringRef Name);

/// Guesses the format: a file that starts with the compact form's magic is
/// compact; a YAML mapping with 'version' is YAML; lines of "name name
/// number" are a call graph; anything else is an order file.
ProfileFormat detectProfileFormat(llvm::StringRef Contents);

/// Symbols in order become one trace, each with phase \p AssignedPhase
/// (an order file lists what should come first: startup by default).
llvm::Expected<Profile> parseSymbolOrderFile(llvm::StringRef Contents,
                                             llvm::StringRef FileName,
                                             Phase AssignedPhase,
                                             const WarningHandler &Warn);

/// Lines "caller callee weight" become edges; a function's call count is
/// the sum of the weights of its incoming edges.
llvm::Expected<Profile> parseCallGraphFile(llvm::StringRef Contents,
                                           llvm::StringRef FileName,
                                           const WarningHandler &Warn);

/// Functions that ran, in layout-intent order: by phase, then first call,
/// then call count (descending), then listing order. Cold ones are left out
/// unless \p IncludeCold.
void writeSymbolOrderFile(const Profile &P, llvm::raw_ostream &OS,
                          bool IncludeCold = false,
                          const InferenceConfig &Inference = {});

void writeCallGraphFile(const Profile &P, llvm::raw_ostream &OS);

/// Reads a profile in any supported format (\p Format or detected). A
/// compact profile is recognised by its content whatever the file is
/// called or \p Format says (unless that is an ordering file format).
llvm::Expected<Profile> readAnyProfileFile(llvm::StringRef Path,
                                           std::optional<ProfileFormat> Format,
                                           const WarningHandler &Warn);

} // namespace pagelayout

#endif

//===- CompactProfile.h - The binary form of a layout profile ---*- C++ -*-===//
//
// YAML is the form people read and edit; at a million functions it is also
// a hundred megabytes that take seconds to parse. The compact form holds
// the same profile in fixed-width little-endian records and a string table
// (docs/profile-format.md, "The compact form"), which reads in a fraction
// of the time and converts to YAML and back without loss: reading either
// form and writing the other gives the bytes the writer gives for the
// original. Every reader of profiles recognises it by its first bytes.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_SCHEMA_COMPACTPROFILE_H
#define PAGELAYOUT_SCHEMA_COMPACTPROFILE_H

#include "pagelayout/schema/Diagnostic.h"
#include "pagelayout/schema/Profile.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace pagelayout {

/// The version of the compact container this build reads and writes (the
/// profile inside carries its own format version, as YAML's 'version').
constexpr uint32_t CompactProfileFormatVersion = 1;

/// True when \p Contents starts as a compact profile does (the first four
/// bytes of its magic): what every reader dispatches on. A file that starts
/// so but is damaged further on goes to the compact reader, which says why.
bool looksLikeCompactProfile(llvm::StringRef Contents);

/// Reads a compact profile. Every malformed input is an error naming
/// \p FileName, the byte offset and the field ("p.prof: error: byte offset
/// 96: functions[0].phase is 7; ..."); counts are checked against the file
/// size before anything is allocated. Sections of kinds this build does not
/// know and marker names the phase inference does not read warn through
/// \p Warn, as unknown YAML keys and markers do.
llvm::Expected<Profile> parseCompactProfile(llvm::StringRef Contents,
                                            llvm::StringRef FileName,
                                            const WarningHandler &Warn = {});

/// Writes \p P in the compact form: deterministic (the same profile gives
/// the same bytes), ranges in their canonical sorted form. An error only for
/// a profile beyond the form's 32-bit limits (4,294,967,295 strings, or
/// ranges or blocks of one function).
llvm::Error writeCompactProfile(const Profile &P, llvm::raw_ostream &OS);

} // namespace pagelayout

#endif

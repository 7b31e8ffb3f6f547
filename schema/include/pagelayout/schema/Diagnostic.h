//===- Diagnostic.h - Errors and warnings that point into a file -*- C++
//-*-===//
//
// Libraries never print: they return llvm::Error and report warnings through
// a callback the caller owns. A LocatedError carries "file:line:col" so the
// driver can print the conventional "file:3:10: error: message" form, which
// editors and FileCheck tests both understand.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_SCHEMA_DIAGNOSTIC_H
#define PAGELAYOUT_SCHEMA_DIAGNOSTIC_H

#include "pagelayout/schema/Profile.h"
#include "llvm/Support/Error.h"
#include <functional>
#include <string>

namespace pagelayout {

/// An error tied to a place in an input file.
class LocatedError : public llvm::ErrorInfo<LocatedError> {
public:
  static char ID;
  LocatedError(std::string File, SourceLoc Loc, std::string Message)
      : File(std::move(File)), Loc(Loc), Message(std::move(Message)) {}

  /// "file:line:col: error: message" (line/col omitted when unknown).
  void log(llvm::raw_ostream &OS) const override;
  std::error_code convertToErrorCode() const override;

  std::string File;
  SourceLoc Loc;
  std::string Message;
};

/// "file:line:col" or "file" when the location is unknown.
std::string formatLocation(llvm::StringRef File, SourceLoc Loc);

llvm::Error makeLocatedError(llvm::StringRef File, SourceLoc Loc,
                             const llvm::Twine &Message);

/// A warning sink. The text is complete ("file:3:1: warning: ...").
using WarningHandler = std::function<void(const llvm::Twine &)>;

/// Formats "file:line:col: warning: message" and hands it to \p Warn.
void warnAt(const WarningHandler &Warn, llvm::StringRef File, SourceLoc Loc,
            const llvm::Twine &Message);

} // namespace pagelayout

#endif

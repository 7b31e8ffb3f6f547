//===- Diagnostic.cpp -----------------------------------------------------===//

#include "pagelayout/schema/Diagnostic.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace pagelayout {

char LocatedError::ID = 0;

std::string formatLocation(StringRef File, SourceLoc Loc) {
  std::string S = File.str();
  if (Loc.Line)
    S += ":" + std::to_string(Loc.Line) + ":" + std::to_string(Loc.Column);
  return S;
}

void LocatedError::log(raw_ostream &OS) const {
  OS << formatLocation(File, Loc) << ": error: " << Message;
}

std::error_code LocatedError::convertToErrorCode() const {
  return inconvertibleErrorCode();
}

Error makeLocatedError(StringRef File, SourceLoc Loc, const Twine &Message) {
  return make_error<LocatedError>(File.str(), Loc, Message.str());
}

void warnAt(const WarningHandler &Warn, StringRef File, SourceLoc Loc,
            const Twine &Message) {
  if (Warn)
    Warn(formatLocation(File, Loc) + ": warning: " + Message);
}

} // namespace pagelayout

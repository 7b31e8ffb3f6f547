//===- ProfileWriter.h - Write a layout profile as YAML ---------*- C++ -*-===//

#ifndef PAGELAYOUT_SCHEMA_PROFILEWRITER_H
#define PAGELAYOUT_SCHEMA_PROFILEWRITER_H

#include "pagelayout/schema/Profile.h"
#include "llvm/Support/raw_ostream.h"

namespace pagelayout {

/// Writes \p P in the canonical YAML form: fixed key order, empty fields
/// left out, so the same profile always gives the same bytes.
void writeProfileYAML(const Profile &P, llvm::raw_ostream &OS);

} // namespace pagelayout

#endif

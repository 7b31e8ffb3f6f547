//===- InputText.h - The .text a link will have, from its inputs -*- C++ -*-===//

#ifndef PAGELAYOUT_PLUGIN_INPUTTEXT_H
#define PAGELAYOUT_PLUGIN_INPUTTEXT_H

#include "LinkInputs.h"
#include "LinkMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"

namespace pagelayout {

/// The input sections lld will place in .text, read from the inputs'
/// section and symbol tables, in the order lld places them by default.
struct InputText {
  /// As a first pass's map would give them, but with addresses from 0 (a
  /// page boundary where the laid-out link starts its code) and only the
  /// sections the link certainly has: every object's, and those of the
  /// archive members that lld loads and that define a function of
  /// \p Profiled.
  LinkMap Map;
  /// Every section lld places in .text is one of Map.Atoms: nothing
  /// follows them, so the code after .text (.init, .fini, .plt) starts
  /// where they end, and Map.RunsAnyway says where.
  bool Closed = false;
  /// Why the inputs do not tell what lld will place after all (an archive
  /// member of LLVM bitcode: LTO generates its code); empty when they do.
  std::string NotFromInputs;
};

/// Reads the code of \p In. \p Profiled holds the profile's function names
/// up to their first '.' (compiler suffixes aside): an archive member that
/// defines one is certainly in the link. Errors name the file.
llvm::Expected<InputText> readInputText(const LinkInputs &In,
                                        const llvm::StringSet<> &Profiled);

} // namespace pagelayout

#endif

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
  /// Every .text section of the files lld loads, in load order; offsets
  /// not set yet (certainText() sets them).
  std::vector<Atom> Atoms;
  /// For each atom, the archive member (or --start-lib object) it came
  /// from, numbered from 1 in load order; 0 for the command line's objects.
  std::vector<unsigned> MemberOf;
  /// Bytes of .init and .fini input sections (lld places them after .text).
  uint64_t InitBytes = 0;
  /// Why the inputs do not tell what lld will place after all (an archive
  /// member of LLVM bitcode: LTO generates its code); empty when they do.
  std::string NotFromInputs;
};

/// Reads the code of \p In; with \p Threads, the objects' tables in
/// parallel (the result is the same). Errors name the file.
llvm::Expected<InputText> readInputText(const LinkInputs &In, bool Threads);

/// The sections a plan lists: those the link certainly has.
struct CertainText {
  /// As a first pass's map would give them, but with addresses from 0 (a
  /// page boundary where the laid-out link starts its code) and only the
  /// sections the link certainly has: every object's, and those of the
  /// archive members that define a function the profile names.
  LinkMap Map;
  /// Every section lld places in .text is one of Map.Atoms: nothing
  /// follows them, so the code after .text (.init, .fini, .plt) starts
  /// where they end, and Map.RunsAnyway says where.
  bool Closed = false;
};

/// The sections of \p T the plan can list. \p Profiled holds the profile's
/// function names and their parts before the first '.' (compiler suffixes
/// aside): an archive member that defines one of them ran, so the link
/// has it.
CertainText certainText(InputText &&T, const llvm::StringSet<> &Profiled);

} // namespace pagelayout

#endif

//===- LinkMap.cpp - Read the input sections lld placed -------------------===//
//
// Where ld.pagelayout links twice (LTO, placing scripts, a plan by executed
// bytes under --gc-sections or ICF: see LayoutLink.cpp), the first link's
// map file is the ground truth of what the second will place: which archive
// members were extracted, which sections survived --gc-sections and ICF,
// what LTO produced, and each section's size and alignment. Elsewhere the
// inputs tell that (InputText.cpp).
//
// lld's map lines are "VMA LMA Size Align Name", the name indented by 0
// (output section), 8 (input section "file:(section)") or 16 spaces
// (symbol defined in the input section above).
//
//===----------------------------------------------------------------------===//

#include "LinkMap.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

using namespace llvm;

namespace pagelayout {
namespace {

struct MapLine {
  uint64_t Address = 0, Size = 0, Align = 0;
  unsigned Indent = 0;
  StringRef Name;
};

/// Parses one map line; false for headers and lines of other shapes.
bool parseMapLine(StringRef Line, MapLine &Out) {
  SmallVector<StringRef, 5> Fields;
  StringRef Rest = Line;
  for (int I = 0; I < 4; ++I) {
    Rest = Rest.ltrim(' ');
    auto [Field, After] = Rest.split(' ');
    Fields.push_back(Field);
    Rest = After;
  }
  if (Fields[0].getAsInteger(16, Out.Address) ||
      Fields[2].getAsInteger(16, Out.Size) ||
      Fields[3].getAsInteger(10, Out.Align))
    return false;
  // Rest begins with one separating space, then the indentation.
  size_t Spaces = Rest.find_first_not_of(' ');
  if (Spaces == StringRef::npos)
    return false;
  Out.Indent = unsigned(Spaces);
  Out.Name = Rest.drop_front(Spaces).rtrim();
  return true;
}

bool isTextOutputSection(StringRef Name) { return Name == ".text"; }

bool looksExecutable(StringRef Name) {
  return Name.starts_with(".text.") || Name == ".init" || Name == ".fini";
}

} // namespace

Expected<LinkMap> parseLinkMap(StringRef Text, StringRef FileName) {
  LinkMap Map;
  bool InText = false, SawText = false;
  Atom *Current = nullptr;
  unsigned OutputIndent = ~0u;
  unsigned LineNo = 0;
  while (!Text.empty()) {
    auto [Line, Rest] = Text.split('\n');
    Text = Rest;
    ++LineNo;
    MapLine L;
    if (!parseMapLine(Line, L))
      continue;
    if (OutputIndent == ~0u)
      OutputIndent = L.Indent;
    unsigned Depth =
        L.Indent > OutputIndent ? (L.Indent - OutputIndent) / 8 : 0;
    if (Depth == 0) {
      InText = isTextOutputSection(L.Name);
      Current = nullptr;
      if ((L.Name == ".init" || L.Name == ".fini" || L.Name == ".plt" ||
           L.Name.starts_with(".plt.") || L.Name == ".iplt") &&
          L.Size)
        Map.RunsAnyway.push_back({L.Address, L.Address + L.Size});
      if (InText && !SawText) {
        Map.TextAddress = L.Address;
        Map.TextSize = L.Size;
        SawText = true;
      } else if (!InText && looksExecutable(L.Name) && L.Size) {
        if (L.Name.starts_with(".text."))
          Map.OtherTextSections.push_back(L.Name.str());
      }
      continue;
    }
    if (!InText)
      continue;
    if (Depth == 1) {
      Current = nullptr;
      // Zero-sized sections occupy nothing and cannot be ordered by size;
      // linker-synthesized lines ("<internal>") are not input sections.
      if (L.Size == 0 || !L.Name.contains(":("))
        continue;
      Atom A;
      A.Size = L.Size;
      A.Alignment = std::max<uint64_t>(L.Align, 1);
      A.OriginalOffset = L.Address;
      A.Origin = L.Name.str();
      Map.Atoms.push_back(std::move(A));
      Current = &Map.Atoms.back();
      continue;
    }
    if (Depth == 2 && Current && !L.Name.empty()) {
      if (L.Address < Current->OriginalOffset ||
          L.Address > Current->OriginalOffset + Current->Size)
        return makeLocatedError(FileName, {LineNo, 1},
                                "symbol '" + L.Name +
                                    "' lies outside its input section; "
                                    "unexpected lld map format");
      Current->Symbols.push_back(
          {L.Name.str(), L.Address - Current->OriginalOffset, 0});
    }
  }
  if (!SawText)
    return makeLocatedError(FileName, {},
                            "the link produced no .text output section");
  // Aliases share an offset; several offsets mean several functions.
  for (unsigned I = 0; I < Map.Atoms.size(); ++I) {
    const Atom &A = Map.Atoms[I];
    if (any_of(A.Symbols, [&](const AtomSymbol &S) {
          return S.Offset != A.Symbols.front().Offset;
        }))
      Map.MultiFunctionSections.push_back(I);
  }
  return Map;
}

} // namespace pagelayout

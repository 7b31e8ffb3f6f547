//===- MarkerObject.cpp - Page-aligned phase boundary sections ------------===//
//
// lld places input sections of an output section one after another, each at
// its own alignment. An *empty* section aligned to the page size therefore
// makes whatever follows it start on a page boundary, and costs only the
// padding up to that boundary. Listing its symbol in the symbol ordering
// file between two phases puts a page boundary exactly there: the phase
// boundaries are made by lld's own mechanisms, not by patching its output.
//
// The object is tiny and fixed in shape, so it is written directly rather
// than through MC: header, the marker sections, .symtab, .strtab, .shstrtab.
//
//===----------------------------------------------------------------------===//

#include "MarkerObject.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"

using namespace llvm;

namespace pagelayout {
namespace {

/// Appends little-endian integers to a byte string.
class ByteWriter {
public:
  explicit ByteWriter(std::string &Out) : Out(Out) {}
  template <typename T> void put(T V) {
    char Buf[sizeof(T)];
    support::endian::write<T, llvm::endianness::little>(Buf, V);
    Out.append(Buf, sizeof(T));
  }
  void pad(size_t Align) { Out.resize(alignTo(Out.size(), Align), '\0'); }

private:
  std::string &Out;
};

/// A string table under construction.
struct StringTable {
  std::string Data = std::string(1, '\0');
  uint32_t add(StringRef S) {
    uint32_t Off = Data.size();
    Data += S.str();
    Data += '\0';
    return Off;
  }
};

struct SectionHeader {
  uint32_t Name = 0, Type = 0;
  uint64_t Flags = 0, Offset = 0, Size = 0;
  uint32_t Link = 0, Info = 0;
  uint64_t Align = 1, EntSize = 0;
};

} // namespace

std::string buildMarkerObject(const std::vector<PhaseMarker> &Markers,
                              uint16_t Machine, uint64_t PageSize) {
  StringTable ShStr, Str;
  std::vector<SectionHeader> Sections(1); // [0] is the null section
  for (const PhaseMarker &M : Markers) {
    SectionHeader H;
    H.Name = ShStr.add(".text.pagelayout." + M.Name);
    H.Type = ELF::SHT_PROGBITS;
    H.Flags = ELF::SHF_ALLOC | ELF::SHF_EXECINSTR | ELF::SHF_GNU_RETAIN;
    H.Align = M.Size || !M.PageAligned ? 1 : PageSize;
    H.Size = M.Size;
    Sections.push_back(H);
  }
  // Symbols: null, the gaps' (local, named .L...: lld orders by them and
  // leaves them out of the output's symbol table, so gaps cost no file
  // bytes beyond their own), then one global hidden symbol per phase
  // marker.
  std::string SymTab;
  ByteWriter Sym(SymTab);
  Sym.put<uint32_t>(0), Sym.put<uint8_t>(0), Sym.put<uint8_t>(0);
  Sym.put<uint16_t>(0), Sym.put<uint64_t>(0), Sym.put<uint64_t>(0);
  uint32_t Locals = 1;
  for (bool Global : {false, true})
    for (size_t I = 0; I < Markers.size(); ++I) {
      if ((Markers[I].Size == 0) != Global)
        continue;
      Locals += !Global;
      Sym.put<uint32_t>(Str.add(Markers[I].symbol()));
      Sym.put<uint8_t>(((Global ? ELF::STB_GLOBAL : ELF::STB_LOCAL) << 4) |
                       ELF::STT_FUNC);
      Sym.put<uint8_t>(Global ? ELF::STV_HIDDEN : ELF::STV_DEFAULT);
      Sym.put<uint16_t>(uint16_t(I + 1));
      Sym.put<uint64_t>(0);
      Sym.put<uint64_t>(0);
    }
  uint32_t SymTabIndex = Sections.size();
  uint32_t StrTabIndex = SymTabIndex + 1;
  SectionHeader SymH;
  SymH.Name = ShStr.add(".symtab");
  SymH.Type = ELF::SHT_SYMTAB;
  SymH.Size = SymTab.size();
  SymH.Link = StrTabIndex;
  SymH.Info = Locals; // index of the first global symbol
  SymH.Align = 8;
  SymH.EntSize = sizeof(ELF::Elf64_Sym);
  SectionHeader StrH;
  StrH.Name = ShStr.add(".strtab");
  StrH.Type = ELF::SHT_STRTAB;
  StrH.Size = Str.Data.size();
  SectionHeader ShStrH;
  ShStrH.Name = ShStr.add(".shstrtab");
  ShStrH.Type = ELF::SHT_STRTAB;
  ShStrH.Size = ShStr.Data.size();

  // Layout: header | symtab | strtab | shstrtab | section headers.
  std::string Out;
  ByteWriter W(Out);
  Out.resize(sizeof(ELF::Elf64_Ehdr));
  W.pad(8);
  SymH.Offset = Out.size();
  Out += SymTab;
  StrH.Offset = Out.size();
  Out += Str.Data;
  ShStrH.Offset = Out.size();
  Out += ShStr.Data;
  // Gaps hold fill bytes that trap if ever executed; empty markers need no
  // bytes (any in-file offset works).
  char Fill = Machine == ELF::EM_X86_64 || Machine == ELF::EM_386 ? '\xcc' : 0;
  for (size_t I = 1; I < Sections.size(); ++I) {
    Sections[I].Offset = Out.size();
    Out.append(Sections[I].Size, Fill);
  }
  Sections.push_back(SymH);
  Sections.push_back(StrH);
  Sections.push_back(ShStrH);
  W.pad(8);
  uint64_t ShOff = Out.size();
  for (const SectionHeader &H : Sections) {
    W.put<uint32_t>(H.Name), W.put<uint32_t>(H.Type), W.put<uint64_t>(H.Flags);
    W.put<uint64_t>(0), W.put<uint64_t>(H.Offset), W.put<uint64_t>(H.Size);
    W.put<uint32_t>(H.Link), W.put<uint32_t>(H.Info), W.put<uint64_t>(H.Align);
    W.put<uint64_t>(H.EntSize);
  }

  // The ELF header, written last now that the offsets are known.
  std::string Header;
  ByteWriter Hdr(Header);
  Header += std::string("\x7f"
                        "ELF",
                        4);
  Hdr.put<uint8_t>(ELF::ELFCLASS64), Hdr.put<uint8_t>(ELF::ELFDATA2LSB);
  Hdr.put<uint8_t>(ELF::EV_CURRENT), Hdr.put<uint8_t>(ELF::ELFOSABI_NONE);
  Header.resize(16, '\0');
  Hdr.put<uint16_t>(ELF::ET_REL), Hdr.put<uint16_t>(Machine);
  Hdr.put<uint32_t>(ELF::EV_CURRENT), Hdr.put<uint64_t>(0);
  Hdr.put<uint64_t>(0), Hdr.put<uint64_t>(ShOff), Hdr.put<uint32_t>(0);
  Hdr.put<uint16_t>(sizeof(ELF::Elf64_Ehdr)), Hdr.put<uint16_t>(0);
  Hdr.put<uint16_t>(0), Hdr.put<uint16_t>(sizeof(ELF::Elf64_Shdr));
  Hdr.put<uint16_t>(uint16_t(Sections.size()));
  Hdr.put<uint16_t>(uint16_t(Sections.size() - 1)); // .shstrtab is last
  Out.replace(0, Header.size(), Header);
  return Out;
}

} // namespace pagelayout

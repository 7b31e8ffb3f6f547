//===- SmfFormatTest.cpp - SMF reader, checks and in-place writer ---------===//
//
// Modules are built byte by byte here (not with the library), so the tests
// check the reader against the repr(C) layouts, not against itself. Padding
// bytes are filled with 0xab so a write that touches them shows.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/SmfFormat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <cstring>

using namespace llvm;
using namespace pagelayout;
using ::testing::HasSubstr;

namespace {

enum class Place { Front, Trailer96, Trailer128 };

struct TestSymbol {
  std::string Name;
  uint8_t Type = smf::SymbolFunction, Binding = smf::BindingGlobal;
  uint8_t Flags = 0;
  uint64_t Value = 0, Size = 0;
};

/// A small module: Code, Reloc, SymTab and StrTab sections; its layout is
/// recorded so tests can damage one field and expect its offset.
struct ModuleBytes {
  unsigned Minor = 0;
  Place Where = Place::Front;
  std::string Stub;
  std::vector<uint8_t> Code = {
      0x55, 0xe8, 0,    0,    0,    0,    0x5d, 0xc3, // f
      0x48, 0x8d, 0x05, 0,    0,    0,    0,          // g
      0xc3, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90};
  std::vector<TestSymbol> Symbols = {
      {"f", smf::SymbolFunction, smf::BindingGlobal, smf::PhaseStartup, 0, 8},
      {"g", smf::SymbolFunction, smf::BindingLocal,
       smf::PhaseCold | smf::SymbolFlagPinned, 8, 8},
      {"puts", smf::SymbolNone, smf::BindingGlobal, 0, 0, 0}};
  std::vector<smf::Relocation> Relocs = {{2, 1, smf::RelocPc32, -4},
                                         {11, 2, smf::RelocPc32, -4},
                                         {16, 1, smf::RelocAbs64, 0}};
  uint32_t Flags = smf::FlagExecutable;
  uint64_t Entry = 0;

  // Filled by build(): file offsets.
  uint64_t DataStart = 0, HeaderAt = 0, SectionTable = 0, CodeAt = 0,
           RelocAt = 0, SymTab = 0, StrTab = 0;
  std::vector<uint32_t> NameOffsets;
  std::string Bytes;

  uint64_t symEntry() const { return Minor ? 56 : 40; }
  uint64_t section(unsigned I) const { return SectionTable + I * 56; }
  uint64_t symbol(unsigned I) const { return SymTab + I * symEntry(); }
  uint64_t reloc(unsigned I) const { return RelocAt + I * 24; }

  void put(uint64_t Off, const void *P, size_t N) {
    if (Bytes.size() < Off + N)
      Bytes.resize(Off + N, '\0');
    std::memcpy(&Bytes[Off], P, N);
  }
  void fill(uint64_t Off, size_t N) {
    put(Off, std::string(N, '\xab').data(), N);
  }
  template <typename T> void le(uint64_t Off, T V) {
    uint8_t B[sizeof(T)];
    support::endian::write<T, llvm::endianness::little>(B, V);
    put(Off, B, sizeof(T));
  }

  std::string build() {
    Bytes = Stub;
    DataStart = Stub.size();
    uint64_t Rel = Where == Place::Front ? 96 : 0;
    SectionTable = DataStart + Rel;
    CodeAt = DataStart + alignTo(Rel + 4 * 56, 16);
    RelocAt = alignTo(CodeAt + Code.size(), 8);
    SymTab = alignTo(RelocAt + Relocs.size() * 24, 8);
    StrTab = SymTab + Symbols.size() * symEntry();
    std::string Strings(1, '\0');
    NameOffsets.clear();
    for (const TestSymbol &S : Symbols) {
      NameOffsets.push_back(Strings.size());
      Strings += S.Name;
      Strings += '\0';
    }
    // Sections.
    struct {
      uint8_t Type;
      uint64_t Off, Size, Align;
      const char *Name;
    } Secs[] = {{smf::SectionCode, CodeAt, Code.size(), 16, ".text"},
                {smf::SectionReloc, RelocAt, Relocs.size() * 24, 8, ".rela"},
                {smf::SectionSymTab, SymTab, StrTab - SymTab, 8, ".symtab"},
                {smf::SectionStrTab, StrTab, Strings.size(), 1, ".strtab"}};
    for (unsigned I = 0; I < 4; ++I) {
      uint64_t E = section(I);
      le<uint8_t>(E, Secs[I].Type);
      fill(E + 1, 3);
      le<uint32_t>(E + 4, I == 0 ? 5 : 0);
      le<uint64_t>(E + 8, Secs[I].Off - DataStart);
      le<uint64_t>(E + 16, Secs[I].Size);
      le<uint64_t>(E + 24, Secs[I].Size);
      le<uint64_t>(E + 32, Secs[I].Align);
      fill(E + 40, 16);
      put(E + 40, Secs[I].Name, std::strlen(Secs[I].Name) + 1);
    }
    put(CodeAt, Code.data(), Code.size());
    for (unsigned I = 0; I < Relocs.size(); ++I) {
      le<uint64_t>(reloc(I), Relocs[I].Offset);
      le<uint32_t>(reloc(I) + 8, Relocs[I].SymbolIndex);
      le<uint8_t>(reloc(I) + 12, Relocs[I].Type);
      fill(reloc(I) + 13, 3);
      le<uint64_t>(reloc(I) + 16, uint64_t(Relocs[I].Addend));
    }
    for (unsigned I = 0; I < Symbols.size(); ++I) {
      const TestSymbol &S = Symbols[I];
      uint64_t E = symbol(I);
      le<uint32_t>(E, NameOffsets[I]);
      le<uint32_t>(E + 4, smf::fnv1a32(S.Name));
      le<uint8_t>(E + 8, S.Type);
      le<uint8_t>(E + 9, S.Binding);
      le<uint8_t>(E + 10, 0);
      le<uint8_t>(E + 11, S.Flags);
      fill(E + 12, 4);
      le<uint64_t>(E + 16, S.Value);
      le<uint64_t>(E + 24, S.Size);
      le<uint32_t>(E + 32, 7);
      le<uint32_t>(E + 36, 1);
      if (Minor) {
        le<uint8_t>(E + 40, 0);
        fill(E + 41, 7);
        le<uint64_t>(E + 48, 0);
      }
    }
    put(StrTab, Strings.data(), Strings.size());
    HeaderAt = Where == Place::Front ? 0 : Bytes.size();
    uint64_t H = HeaderAt;
    fill(H, 96);
    put(H, "SMF\0", 4);
    le<uint8_t>(H + 4, 1);
    le<uint8_t>(H + 5, uint8_t(Minor));
    le<uint8_t>(H + 6, smf::PlatformLinux);
    le<uint8_t>(H + 7, smf::ArchX86_64);
    le<uint32_t>(H + 8, Flags | (Stub.empty() ? 0 : smf::FlagHasStub));
    le<uint8_t>(H + 12, 0);
    le<uint8_t>(H + 13, 0);
    le<uint32_t>(H + 16, 4);
    le<uint64_t>(H + 24, SectionTable - DataStart);
    le<uint64_t>(H + 32, SymTab - DataStart);
    le<uint32_t>(H + 40, Symbols.size());
    le<uint32_t>(H + 44, 1);
    le<uint64_t>(H + 48, Entry);
    le<uint32_t>(H + 56, Stub.size());
    le<uint32_t>(H + 60, Stub.size());
    le<uint64_t>(H + 64, 0x1122334455667788);
    le<uint64_t>(H + 72, 0x99);
    le<uint8_t>(H + 80, 1);
    le<uint16_t>(H + 82, 640);
    le<uint16_t>(H + 84, 480);
    le<uint8_t>(H + 86, 1);
    le<uint8_t>(H + 87, 2);
    if (Where == Place::Trailer128)
      fill(H + 96, 32);
    return Bytes;
  }
};

Expected<smf::Module> read(StringRef Bytes, StringRef Name = "m.smf") {
  return smf::readModule(MemoryBufferRef(Bytes, Name));
}

/// The error readModule gives for \p Bytes ("" when it reads).
std::string errorOf(StringRef Bytes) {
  Expected<smf::Module> M = read(Bytes);
  if (M)
    return "";
  return toString(M.takeError());
}

std::string errText(Error E) { return E ? toString(std::move(E)) : ""; }

std::string at(uint64_t Off) {
  return "m.smf: offset 0x" + utohexstr(Off, true) + ": ";
}

TEST(SmfFormat, Fnv1a32) {
  EXPECT_EQ(smf::fnv1a32(""), 2166136261u);
  EXPECT_EQ(smf::fnv1a32("a"), 0xe40c292cu);
  EXPECT_EQ(smf::fnv1a32("foobar"), 0xbf9cf968u);
}

TEST(SmfFormat, ReadsV10) {
  ModuleBytes B;
  B.Entry = 8;
  std::string Bytes = B.build();
  Expected<smf::Module> M = read(Bytes);
  ASSERT_TRUE(bool(M)) << toString(M.takeError());
  EXPECT_EQ(M->Place, smf::Module::Front);
  EXPECT_EQ(M->HeaderOffset, 0u);
  EXPECT_EQ(M->DataOffset, 0u);
  EXPECT_EQ(M->H.EntryPoint, 8u);
  EXPECT_EQ(M->H.ModuleHash, 0x1122334455667788u);
  EXPECT_EQ(M->H.WindowWidth, 640);
  EXPECT_EQ(M->H.PrefetchFileCount, 2);
  EXPECT_EQ(M->symbolEntrySize(), 40u);
  ASSERT_EQ(M->Sections.size(), 4u);
  EXPECT_EQ(M->Sections[0].name(), ".text");
  EXPECT_EQ(M->CodeSection, 0);
  EXPECT_EQ(M->RelocSection, 1);
  EXPECT_EQ(M->SymTabSection, 2);
  EXPECT_EQ(M->Code, B.Code);
  EXPECT_EQ(M->sectionBytes(0).size(), B.Code.size());
  EXPECT_EQ(M->sectionBytes(0)[0], 0x55);
  EXPECT_EQ(M->StringTableFileOffset, B.StrTab);
  ASSERT_EQ(M->Symbols.size(), 3u);
  EXPECT_EQ(M->Symbols[0].Name, "f");
  EXPECT_EQ(M->Symbols[1].Name, "g");
  EXPECT_EQ(M->Symbols[1].Value, 8u);
  EXPECT_EQ(M->Symbols[1].phase(), smf::PhaseCold);
  EXPECT_TRUE(M->Symbols[1].pinned());
  EXPECT_TRUE(M->Symbols[1].isLocal());
  EXPECT_EQ(M->Symbols[1].TypeId, 7u);
  EXPECT_EQ(M->Symbols[2].Name, "puts");
  EXPECT_FALSE(M->Symbols[2].isLocal());
  ASSERT_EQ(M->Relocations.size(), 3u);
  EXPECT_EQ(M->Relocations[1].Offset, 11u);
  EXPECT_EQ(M->Relocations[1].SymbolIndex, 2u);
  EXPECT_EQ(M->Relocations[1].Addend, -4);
  EXPECT_EQ(M->Relocations[2].Type, smf::RelocAbs64);
  EXPECT_EQ(M->findSymbol("puts"), 2);
}

TEST(SmfFormat, FindsTheTrailerAndTheStub) {
  ModuleBytes B;
  B.Minor = 1;
  B.Where = Place::Trailer96;
  std::string Bytes = B.build();
  Expected<smf::Module> M = read(Bytes);
  ASSERT_TRUE(bool(M)) << toString(M.takeError());
  EXPECT_EQ(M->Place, smf::Module::TrailerAt96);
  EXPECT_EQ(M->HeaderOffset, Bytes.size() - 96);
  EXPECT_EQ(M->symbolEntrySize(), 56u);
  EXPECT_EQ(M->Symbols[1].Name, "g");

  B.Where = Place::Trailer128;
  Bytes = B.build();
  M = read(Bytes);
  ASSERT_TRUE(bool(M)) << toString(M.takeError());
  EXPECT_EQ(M->Place, smf::Module::TrailerAt128);
  EXPECT_EQ(M->HeaderOffset, Bytes.size() - 128);

  B.Where = Place::Trailer96;
  B.Stub = "#!/usr/bin/env simple\n";
  Bytes = B.build();
  M = read(Bytes);
  ASSERT_TRUE(bool(M)) << toString(M.takeError());
  EXPECT_EQ(M->DataOffset, B.Stub.size());
  EXPECT_EQ(M->H.StubSize, B.Stub.size());
  EXPECT_EQ(M->Sections[0].Offset, B.CodeAt - B.Stub.size());
  EXPECT_EQ(M->Code, B.Code);
  EXPECT_EQ(M->Symbols[2].Name, "puts");
}

TEST(SmfFormat, WritesBackByteIdentical) {
  for (unsigned Minor : {0u, 1u})
    for (Place P : {Place::Front, Place::Trailer96, Place::Trailer128})
      for (bool Stub : {false, true}) {
        if (Stub && P == Place::Front)
          continue;
        ModuleBytes B;
        B.Minor = Minor;
        B.Where = P;
        if (Stub)
          B.Stub = "#!/bin/sh\nexit 1\n";
        std::string Bytes = B.build();
        Expected<smf::Module> M = read(Bytes);
        ASSERT_TRUE(bool(M)) << toString(M.takeError());
        EXPECT_EQ(errText(smf::checkWritable(*M)), "");
        EXPECT_TRUE(smf::writeModule(*M) == Bytes)
            << "v1." << Minor << " place " << int(P) << " stub " << Stub;
      }
}

TEST(SmfFormat, WritesChangedValuesInPlace) {
  ModuleBytes B;
  B.Minor = 1;
  B.Where = Place::Trailer96;
  B.Stub = "#!x\n";
  std::string Bytes = B.build();
  Expected<smf::Module> M = read(Bytes);
  ASSERT_TRUE(bool(M)) << toString(M.takeError());
  // Swap f and g, as a layout would.
  std::vector<uint8_t> Swapped(M->Code.begin() + 8, M->Code.begin() + 16);
  Swapped.insert(Swapped.end(), M->Code.begin(), M->Code.begin() + 8);
  std::copy(Swapped.begin(), Swapped.end(), M->Code.begin());
  M->Symbols[0].Value = 8;
  M->Symbols[0].setPhase(smf::PhaseSteady);
  M->Symbols[1].Value = 0;
  M->Relocations[0].Offset = 10;
  M->Relocations[1].Offset = 3;
  M->H.EntryPoint = 8;
  std::string Out = smf::writeModule(*M);
  ASSERT_EQ(Out.size(), Bytes.size());
  Expected<smf::Module> Back = read(Out);
  ASSERT_TRUE(bool(Back)) << toString(Back.takeError());
  EXPECT_EQ(Back->Code, M->Code);
  EXPECT_EQ(Back->Symbols[0].Value, 8u);
  EXPECT_EQ(Back->Symbols[0].phase(), smf::PhaseSteady);
  EXPECT_EQ(Back->Symbols[1].Value, 0u);
  EXPECT_EQ(Back->Relocations[0].Offset, 10u);
  EXPECT_EQ(Back->Relocations[1].Offset, 3u);
  EXPECT_EQ(Back->H.EntryPoint, 8u);
  // Nothing else changed: the stub, the strings and the padding.
  EXPECT_EQ(Out.substr(0, 4), "#!x\n");
  EXPECT_EQ(Out.substr(B.StrTab, B.HeaderAt - B.StrTab),
            Bytes.substr(B.StrTab, B.HeaderAt - B.StrTab));
  EXPECT_EQ(Out[B.section(0) + 1], '\xab');
}

TEST(SmfFormat, RefusesToWriteResizedModules) {
  ModuleBytes B;
  std::string Bytes = B.build();
  Expected<smf::Module> M = read(Bytes);
  ASSERT_TRUE(bool(M)) << toString(M.takeError());
  smf::Module Grown = *M;
  Grown.Code.push_back(0x90);
  EXPECT_THAT(errText(smf::checkWritable(Grown)),
              HasSubstr("never resizes the code"));
  smf::Module Fewer = *M;
  Fewer.Relocations.pop_back();
  EXPECT_THAT(errText(smf::checkWritable(Fewer)), HasSubstr("2 relocations"));
  smf::Module More = *M;
  More.Symbols.push_back(More.Symbols[0]);
  EXPECT_THAT(errText(smf::checkWritable(More)), HasSubstr("4 symbols"));
}

// One test per malformed input: each names the field and its offset.

TEST(SmfFormatErrors, TooSmallAndNoMagic) {
  EXPECT_EQ(errorOf("SMF"), at(0) + "header needs 96 bytes but the file has "
                                    "0x3; this is not an SMF module");
  EXPECT_EQ(errorOf(std::string(200, 'x')),
            at(0) + "magic \"SMF\\0\" is not at EOF-96, EOF-128 or offset 0; "
                    "this is not an SMF module");
}

TEST(SmfFormatErrors, Version) {
  ModuleBytes B;
  std::string Bytes = B.build();
  Bytes[5] = 2;
  EXPECT_EQ(errorOf(Bytes), at(4) + "version 1.2 is not supported; "
                                    "pagelayout reads SMF 1.0 and 1.1");
}

TEST(SmfFormatErrors, Arch) {
  ModuleBytes B;
  std::string Bytes = B.build();
  Bytes[7] = smf::ArchAArch64;
  EXPECT_EQ(errorOf(Bytes), at(7) + "arch 1 (aarch64) is not supported; "
                                    "pagelayout lays out x86_64 (arch 0) "
                                    "modules only");
}

TEST(SmfFormatErrors, Compression) {
  ModuleBytes B;
  B.Minor = 1;
  B.Where = Place::Trailer96;
  std::string Bytes = B.build();
  Bytes[B.HeaderAt + 12] = 1;
  EXPECT_EQ(errorOf(Bytes), at(B.HeaderAt + 12) +
                                "compression 1: compressed sections are "
                                "not supported; write the module "
                                "uncompressed");
  Bytes = B.build();
  Bytes[B.section(0) + 4] |= smf::SectionFlagCompressed;
  EXPECT_EQ(errorOf(Bytes),
            at(B.section(0) + 4) +
                "section[0].flags mark the Code section compressed: "
                "compressed sections are not supported; write the module "
                "uncompressed");
}

TEST(SmfFormatErrors, Stub) {
  ModuleBytes B;
  std::string Bytes = B.build();
  B.le<uint32_t>(8, smf::FlagHasStub);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(8) + "flags sets HAS_STUB but the header is at "
                                "offset 0"));
  B.Minor = 1;
  B.Where = Place::Trailer96;
  B.Stub = "#!stub\n";
  B.build();
  B.le<uint32_t>(B.HeaderAt + 60, B.HeaderAt + 1);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.HeaderAt + 60) + "smf_data_offset 0x"));
  B.build();
  B.le<uint32_t>(B.HeaderAt + 56, 8);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.HeaderAt + 56) +
                        "stub_size 0x8 is larger than smf_data_offset 0x7"));
}

TEST(SmfFormatErrors, SectionTable) {
  ModuleBytes B;
  B.build();
  // A huge count is checked against the file before anything is reserved.
  B.le<uint32_t>(16, 0xffffffff);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(24) + "section_table_offset 0x60 puts the section "
                                 "table of 4294967295 entries"));
  B.build();
  B.le<uint64_t>(24, ~uint64_t(0) - 8);
  EXPECT_THAT(errorOf(B.Bytes), HasSubstr(at(24) + "section_table_offset"));
}

TEST(SmfFormatErrors, SectionData) {
  ModuleBytes B;
  B.build();
  B.le<uint64_t>(B.section(0) + 16, 0x100000);
  B.le<uint64_t>(B.section(0) + 24, 0x100000);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.section(0) + 8) + "section[0].offset 0x" +
                        utohexstr(B.CodeAt, true) +
                        " puts the Code section (0x100000 bytes)"));
  B.build();
  B.le<uint64_t>(B.section(0) + 8, ~uint64_t(0) - 4); // wraps
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.section(0) + 8) + "section[0].offset"));
}

// An empty Code section's offset places nothing and is not checked; it
// must not be used either (the smf fuzz target found the reader forming a
// pointer from a wild one: undefined behaviour under UBSan).
TEST(SmfFormatErrors, EmptyCodeSectionWithAWildOffset) {
  ModuleBytes B;
  B.build();
  B.le<uint64_t>(B.section(0) + 16, 0);                   // size
  B.le<uint64_t>(B.section(0) + 24, 0);                   // virtual size
  B.le<uint64_t>(B.section(0) + 8, ~uint64_t(0) - 0x1000); // offset
  Expected<smf::Module> M =
      smf::readModule(MemoryBufferRef(B.Bytes, "wild.smf"));
  if (M)
    EXPECT_TRUE(M->Code.empty());
  else
    consumeError(M.takeError());
}

TEST(SmfFormatErrors, SectionFields) {
  ModuleBytes B;
  B.build();
  B.le<uint64_t>(B.section(3) + 32, 3);
  EXPECT_EQ(errorOf(B.Bytes), at(B.section(3) + 32) +
                                  "section[3].alignment 0x3 is not a power "
                                  "of two; use 1, 2, 4, 8, 16, ...");
  B.build();
  B.le<uint64_t>(B.section(0) + 24, 4);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.section(0) + 16) +
                        "section[0].size 0x18 is larger than virtual_size "
                        "0x4"));
  B.build();
  B.le<uint8_t>(B.section(3), 99);
  EXPECT_THAT(
      errorOf(B.Bytes),
      HasSubstr(at(B.section(3)) + "section[3].section_type 99 is unknown"));
  B.build();
  B.le<uint8_t>(B.section(3), smf::SectionCode);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.section(3)) +
                        "section[3].section_type is a second Code section "
                        "(section[0] is one)"));
}

TEST(SmfFormatErrors, SymbolTable) {
  ModuleBytes B;
  B.build();
  B.le<uint32_t>(40, 0x10000000);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(32) + "symbol_table_offset 0x" +
                        utohexstr(B.SymTab, true) +
                        " puts the symbol table of 268435456 entries of 40 "
                        "bytes"));
  // A SymTab section that disagrees with the header.
  B.build();
  B.le<uint64_t>(B.section(2) + 16, 80);
  B.le<uint64_t>(B.section(2) + 24, 80);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.section(2) + 16) +
                        "section[2].size 0x50 of the SymTab section is not "
                        "symbol_count 3 * 40"));
}

TEST(SmfFormatErrors, Names) {
  ModuleBytes B;
  B.build();
  B.le<uint32_t>(B.symbol(1), 0x1000);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.symbol(1)) + "symbol[1].name_offset 0x1000 is "
                                          "outside the string table"));
  // The last name runs to the end of the file without a NUL.
  B.build();
  B.Bytes.back() = 's';
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.symbol(2)) +
                        "symbol[2].name_offset 0x5 starts a name with no NUL"));
  B.build();
  B.le<uint32_t>(B.symbol(0) + 4, 1234);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.symbol(0) + 4) +
                        "symbol[0].name_hash 0x4d2 is not FNV-1a 32 of 'f'"));
}

TEST(SmfFormatErrors, SymbolFields) {
  ModuleBytes B;
  B.build();
  B.le<uint8_t>(B.symbol(2) + 8, 9);
  EXPECT_THAT(errorOf(B.Bytes), HasSubstr(at(B.symbol(2) + 8) +
                                          "symbol[2].sym_type 9 of 'puts' is "
                                          "unknown"));
  B.build();
  B.le<uint8_t>(B.symbol(2) + 9, 5);
  EXPECT_THAT(errorOf(B.Bytes), HasSubstr(at(B.symbol(2) + 9) +
                                          "symbol[2].binding 5 of 'puts' is "
                                          "unknown"));
  B.build();
  B.le<uint64_t>(B.symbol(1) + 24, 17);
  EXPECT_EQ(errorOf(B.Bytes),
            at(B.symbol(1) + 16) +
                "symbol[1].value 0x8 + size 0x11 of function 'g' is outside "
                "the Code section (0x18 bytes); a function's value is its "
                "offset in the Code section");
  B.build();
  B.le<uint64_t>(B.symbol(1) + 16, ~uint64_t(0)); // value + size wraps
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.symbol(1) + 16) +
                        "symbol[1].value 0xffffffffffffffff + size 0x8 of "
                        "function 'g' is outside"));
}

TEST(SmfFormatErrors, Relocations) {
  ModuleBytes B;
  B.build();
  B.le<uint64_t>(B.section(1) + 16, 50);
  B.le<uint64_t>(B.section(1) + 24, 50);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.section(1) + 16) +
                        "section[1].size 0x32 of the Reloc section is not a "
                        "multiple of the 24-byte relocation entry"));
  B.build();
  B.le<uint64_t>(B.reloc(2), 20); // Abs64: 8 bytes from 20 > 24
  EXPECT_EQ(errorOf(B.Bytes),
            at(B.reloc(2)) + "relocation[2].offset 0x14 + 8 patched bytes is "
                             "outside the Code section (0x18 bytes); a "
                             "relocation's offset is into the Code section");
  B.build();
  B.le<uint32_t>(B.reloc(0) + 8, 3);
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.reloc(0) + 8) +
                        "relocation[0].symbol_index 3 is not below "
                        "symbol_count 3"));
  B.build();
  B.le<uint8_t>(B.reloc(1) + 12, 7);
  EXPECT_THAT(
      errorOf(B.Bytes),
      HasSubstr(at(B.reloc(1) + 12) + "relocation[1].reloc_type 7 is unknown"));
}

TEST(SmfFormatErrors, LocalTargetOutsideCode) {
  ModuleBytes B;
  B.Symbols.push_back(
      {"table", smf::SymbolData, smf::BindingLocal, 0, 0x40, 8});
  B.Relocs[2].SymbolIndex = 3;
  B.build();
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(B.symbol(3) + 16) +
                        "symbol[3].value 0x40 of local symbol 'table' "
                        "(target of relocation[2]) is outside the Code "
                        "section"));
}

TEST(SmfFormatErrors, EntryPoint) {
  ModuleBytes B;
  B.Entry = 24;
  B.build();
  EXPECT_THAT(errorOf(B.Bytes),
              HasSubstr(at(48) + "entry_point 0x18 of an executable module is "
                                 "outside the Code section (0x18 bytes)"));
  B.Flags = 0; // a library: entry_point is not used
  B.build();
  EXPECT_EQ(errorOf(B.Bytes), "");
}

TEST(SmfFormatErrors, Overlaps) {
  // The Code section placed over the header: each structure the writer
  // re-encodes needs its own bytes.
  ModuleBytes B;
  B.build();
  B.le<uint64_t>(B.section(0) + 8, 0);
  EXPECT_EQ(errorOf(B.Bytes),
            at(B.section(0) + 8) +
                "section[0].offset puts the Code section at 0x0..0x18, "
                "overlapping the header at 0x0..0x60; every structure needs "
                "its own bytes; rebuild the module");
}

} // namespace

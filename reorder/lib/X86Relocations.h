//===- X86Relocations.h - What an x86-64 relocation's field holds -*- C++
//-*-===//
//
// The rewriter patches fields by what they hold and the verifier checks
// them the same way; both ask here. The x86-64 specific relocation
// knowledge lives in this one place (AArch64 will add its own).
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_X86RELOCATIONS_H
#define PAGELAYOUT_REORDER_X86RELOCATIONS_H

#include "llvm/BinaryFormat/ELF.h"
#include <cstdint>

namespace pagelayout {

/// A 4-byte field relative to the place it is at (or, in code, to the end
/// of its instruction), as the relocation type says before relaxation.
inline bool isPcRelative32(uint32_t Type) {
  switch (Type) {
  case llvm::ELF::R_X86_64_PC32:
  case llvm::ELF::R_X86_64_PLT32:
  case llvm::ELF::R_X86_64_GOTPCREL:
  case llvm::ELF::R_X86_64_GOTPCRELX:
  case llvm::ELF::R_X86_64_REX_GOTPCRELX:
  case llvm::ELF::R_X86_64_GOTTPOFF:
  case llvm::ELF::R_X86_64_TLSGD:
  case llvm::ELF::R_X86_64_TLSLD:
  case llvm::ELF::R_X86_64_GOTPC32:
  case llvm::ELF::R_X86_64_GOTPC32_TLSDESC:
    return true;
  default:
    return false;
  }
}

/// A relocation of a TLS access sequence. The linker may relax the whole
/// sequence (general or local dynamic to initial or local exec) and keep
/// the relocation where its field was: the field then lies in other
/// instructions' bytes and holds no code address.
inline bool isTlsSequence(uint32_t Type) {
  switch (Type) {
  case llvm::ELF::R_X86_64_TLSGD:
  case llvm::ELF::R_X86_64_TLSLD:
  case llvm::ELF::R_X86_64_GOTTPOFF:
  case llvm::ELF::R_X86_64_GOTPC32_TLSDESC:
    return true;
  default:
    return false;
  }
}

/// Fields whose value does not depend on where code sits.
inline bool isPositionFree(uint32_t Type) {
  switch (Type) {
  case llvm::ELF::R_X86_64_NONE:
  case llvm::ELF::R_X86_64_TPOFF32:
  case llvm::ELF::R_X86_64_TPOFF64:
  case llvm::ELF::R_X86_64_DTPOFF32:
  case llvm::ELF::R_X86_64_DTPOFF64:
  case llvm::ELF::R_X86_64_TLSDESC_CALL:
  case llvm::ELF::R_X86_64_SIZE32:
  case llvm::ELF::R_X86_64_SIZE64:
    return true;
  default:
    return false;
  }
}

/// Bytes a relocation's field covers.
inline unsigned relocationFieldSize(uint32_t Type) {
  switch (Type) {
  case llvm::ELF::R_X86_64_NONE:
  case llvm::ELF::R_X86_64_TLSDESC_CALL:
    return 0;
  case llvm::ELF::R_X86_64_8:
  case llvm::ELF::R_X86_64_PC8:
    return 1;
  case llvm::ELF::R_X86_64_16:
  case llvm::ELF::R_X86_64_PC16:
    return 2;
  case llvm::ELF::R_X86_64_64:
  case llvm::ELF::R_X86_64_PC64:
  case llvm::ELF::R_X86_64_GOTOFF64:
  case llvm::ELF::R_X86_64_GOTPC64:
  case llvm::ELF::R_X86_64_GOT64:
  case llvm::ELF::R_X86_64_GOTPCREL64:
  case llvm::ELF::R_X86_64_GOTPLT64:
  case llvm::ELF::R_X86_64_PLTOFF64:
  case llvm::ELF::R_X86_64_SIZE64:
  case llvm::ELF::R_X86_64_DTPMOD64:
  case llvm::ELF::R_X86_64_DTPOFF64:
  case llvm::ELF::R_X86_64_TPOFF64:
  case llvm::ELF::R_X86_64_RELATIVE:
  case llvm::ELF::R_X86_64_IRELATIVE:
    return 8;
  default:
    return 4;
  }
}

} // namespace pagelayout

#endif

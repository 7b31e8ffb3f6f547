//===- ElfMachine.cpp - Names of ELF machines for messages ----------------===//

#include "pagelayout/reorder/ElfMachine.h"
#include "llvm/BinaryFormat/ELF.h"

using namespace llvm;

namespace pagelayout {

std::string elfMachineName(uint16_t Machine) {
  // The spellings of the architectures' manuals; LLVM's names (below) are
  // lowercase triple components ("aarch64").
  switch (Machine) {
  case ELF::EM_X86_64:
    return "x86-64";
  case ELF::EM_386:
    return "i386";
  case ELF::EM_AARCH64:
    return "AArch64";
  case ELF::EM_ARM:
    return "ARM";
  case ELF::EM_RISCV:
    return "RISC-V";
  case ELF::EM_PPC64:
    return "PowerPC64";
  case ELF::EM_PPC:
    return "PowerPC";
  case ELF::EM_S390:
    return "SystemZ";
  case ELF::EM_LOONGARCH:
    return "LoongArch";
  case ELF::EM_MIPS:
    return "MIPS";
  case ELF::EM_SPARCV9:
    return "SPARC V9";
  }
  StringRef Arch = ELF::convertEMachineToArchName(Machine);
  if (!Arch.empty() && Arch != "None")
    return Arch.str();
  return "machine " + std::to_string(Machine);
}

} // namespace pagelayout

//===- ElfMachine.h - Names of ELF machines for messages --------*- C++ -*-===//
//
// "machine 183" means nothing to a user; "AArch64" does. Messages about an
// unsupported binary name its machine the way the architecture's own
// documents spell it.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_ELFMACHINE_H
#define PAGELAYOUT_REORDER_ELFMACHINE_H

#include <cstdint>
#include <string>

namespace pagelayout {

/// "x86-64", "AArch64", "RISC-V", ...; for a machine without a common
/// name, LLVM's architecture name, or "machine <N>".
std::string elfMachineName(uint16_t Machine);

} // namespace pagelayout

#endif

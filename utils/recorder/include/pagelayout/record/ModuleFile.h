//===- ModuleFile.h - Open a module a recording names -----------*- C++ -*-===//

#ifndef PAGELAYOUT_RECORD_MODULEFILE_H
#define PAGELAYOUT_RECORD_MODULEFILE_H

#include "llvm/Object/ObjectFile.h"

namespace pagelayout {

/// Opens the module at \p Path, named by a raw file or a perf mmap record,
/// for its symbols: only a regular file (never a FIFO or a device, which
/// are not even opened) of a sane size whose header is that of an ELF
/// executable or shared object. The error says why, without the path; its
/// error code is of std::generic_category() when the file is gone or
/// unreadable (a system error), of another category when the path names
/// something that is not a module.
llvm::Expected<llvm::object::OwningBinary<llvm::object::ObjectFile>>
openModuleFile(llvm::StringRef Path);

} // namespace pagelayout

#endif

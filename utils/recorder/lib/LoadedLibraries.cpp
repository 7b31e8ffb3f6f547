//===- LoadedLibraries.cpp - A traced process's shared libraries ----------===//
//
// Libraries are loaded by the dynamic loader after the exec, where the
// tracer sets the program's breakpoints, and before the program's entry;
// their constructors run before main, and dlopen loads more at any time.
// The loader tells debuggers when its list of objects changed: it calls
// _dl_debug_state (r_debug.r_brk), an empty function, with the list
// consistent, after mapping new objects and before relocating them or
// running their constructors. A breakpoint there, kept for the whole run,
// is the moment to read /proc/PID/maps and put breakpoints into every new
// library before any of its code runs. _dl_debug_state is in the loader's
// dynamic symbol table (glibc exports it, GLIBC_PRIVATE), so a stripped
// loader has it too.
//
//===----------------------------------------------------------------------===//

#include "LoadedLibraries.h"
#include "pagelayout/record/ModuleFile.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/MemoryBuffer.h"
#include <cstring>
#include <map>
#include <set>

using namespace llvm;
using namespace llvm::object;

namespace pagelayout {

std::optional<uint64_t> auxvValue(pid_t Pid, uint64_t Type) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> B =
      MemoryBuffer::getFileAsStream("/proc/" + Twine(Pid) + "/auxv");
  if (!B)
    return std::nullopt;
  StringRef Data = (*B)->getBuffer();
  for (size_t I = 0; I + 16 <= Data.size(); I += 16) {
    uint64_t T, Value;
    memcpy(&T, Data.data() + I, 8);
    memcpy(&Value, Data.data() + I + 8, 8);
    if (T == Type)
      return Value;
  }
  return std::nullopt;
}

std::vector<MappedFile> mappedCodeFiles(pid_t Pid) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> B =
      MemoryBuffer::getFileAsStream("/proc/" + Twine(Pid) + "/maps");
  if (!B)
    return {};
  // "start-end perms offset dev inode   path"
  std::map<std::string, uint64_t> OffsetZero;
  std::set<std::string> WithCode;
  for (StringRef Line : split((*B)->getBuffer(), '\n')) {
    SmallVector<StringRef, 6> F;
    Line.split(F, ' ', 5, /*KeepEmpty=*/false);
    if (F.size() < 6)
      continue;
    StringRef Path = F[5].trim();
    if (!Path.starts_with("/") || Path.ends_with(" (deleted)"))
      continue;
    uint64_t Start = 0, Offset = 0;
    if (F[0].split('-').first.getAsInteger(16, Start) ||
        F[2].getAsInteger(16, Offset))
      continue;
    if (Offset == 0)
      OffsetZero.try_emplace(Path.str(), Start);
    if (F[1].contains('x'))
      WithCode.insert(Path.str());
  }
  std::vector<MappedFile> Files;
  for (const auto &[Path, Start] : OffsetZero)
    if (WithCode.count(Path))
      Files.push_back({Path, Start});
  llvm::sort(Files, [](const MappedFile &A, const MappedFile &B) {
    return A.Start < B.Start;
  });
  return Files;
}

Expected<uint64_t> loaderHookOffset(StringRef Path) {
  Expected<OwningBinary<ObjectFile>> Obj = openModuleFile(Path);
  if (!Obj)
    return Obj.takeError();
  auto *ELF = dyn_cast<ELF64LEObjectFile>(Obj->getBinary());
  if (!ELF)
    return createStringError("'" + Path + "' is not a 64-bit ELF file");
  // Offset 0 of the file is mapped where its first PT_LOAD's page is.
  std::optional<uint64_t> Base;
  Expected<ArrayRef<ELF64LE::Phdr>> Phdrs = ELF->getELFFile().program_headers();
  if (!Phdrs)
    return Phdrs.takeError();
  for (const ELF64LE::Phdr &P : *Phdrs)
    if (P.p_type == ELF::PT_LOAD && P.p_offset == 0)
      Base = P.p_vaddr;
  if (!Base)
    return createStringError("'" + Path + "' maps no segment at offset 0");
  for (const ELFSymbolRef &S : ELF->getDynamicSymbolIterators()) {
    Expected<StringRef> Name = S.getName();
    Expected<uint64_t> Addr = S.getAddress();
    if (Name && Addr && *Name == "_dl_debug_state" && *Addr >= *Base)
      return *Addr - *Base;
    consumeError(Name.takeError());
    consumeError(Addr.takeError());
  }
  return createStringError("'" + Path +
                           "' has no _dl_debug_state (not glibc's loader?)");
}

} // namespace pagelayout

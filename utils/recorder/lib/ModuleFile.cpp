//===- ModuleFile.cpp - Open a module a recording names -------------------===//
//
// A raw file names the modules of the process that wrote it, and a raw
// file can come from anywhere: another machine, a crashed or hostile
// process, a hand-edited copy. Its module paths are untrusted. Reading
// `/dev/zero` as a module grows memory without end, a FIFO blocks the open
// for ever, and opening some devices has effects of its own (a tape
// rewinds, a watchdog arms). So the path is checked with stat before it is
// opened, opened non-blocking, checked again on the descriptor (the file
// may have been replaced in between), and its ELF header is read before
// the object reader sees the file. The file is mapped, not read, so a
// large module costs address space, not memory.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/ModuleFile.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;
using namespace llvm::object;

namespace pagelayout {
namespace {

/// Larger than any linked program or library: a bigger "module" is not
/// one (/proc/kcore claims 128 TiB).
constexpr uint64_t MaxModuleBytes = uint64_t(1) << 36; // 64 GiB

const char *kindOf(mode_t Mode) {
  if (S_ISFIFO(Mode))
    return "a FIFO";
  if (S_ISCHR(Mode))
    return "a character device";
  if (S_ISBLK(Mode))
    return "a block device";
  if (S_ISDIR(Mode))
    return "a directory";
  if (S_ISSOCK(Mode))
    return "a socket";
  return "not a regular file";
}

Error notRegular(mode_t Mode) {
  return createStringError("not a regular file (it is " + Twine(kindOf(Mode)) +
                           ")");
}

/// A system error: the file is gone or unreadable (see openModuleFile).
Error fromErrno(int Err) {
  return createStringError(std::error_code(Err, std::generic_category()), "%s",
                           strerror(Err));
}

/// Checks the ELF identification and type in the first bytes.
Error checkHeader(const unsigned char *H, size_t Size) {
  if (Size < sizeof(ELF::Elf64_Ehdr) && Size < sizeof(ELF::Elf32_Ehdr))
    return createStringError("too small for an ELF header (" + Twine(Size) +
                             " bytes)");
  if (memcmp(H, ELF::ElfMagic, 4) != 0)
    return createStringError("not an ELF file (bad magic)");
  uint8_t Class = H[ELF::EI_CLASS], Data = H[ELF::EI_DATA];
  if ((Class != ELF::ELFCLASS32 && Class != ELF::ELFCLASS64) ||
      (Data != ELF::ELFDATA2LSB && Data != ELF::ELFDATA2MSB))
    return createStringError("not an ELF file (bad class or byte order)");
  if (Class == ELF::ELFCLASS64 && Size < sizeof(ELF::Elf64_Ehdr))
    return createStringError("too small for an ELF header (" + Twine(Size) +
                             " bytes)");
  uint16_t Type = Data == ELF::ELFDATA2LSB ? uint16_t(H[16] | H[17] << 8)
                                           : uint16_t(H[16] << 8 | H[17]);
  if (Type != ELF::ET_EXEC && Type != ELF::ET_DYN)
    return createStringError("an ELF file of type " + Twine(Type) +
                             ", not an executable or shared object");
  return Error::success();
}

} // namespace

Expected<OwningBinary<ObjectFile>> openModuleFile(StringRef Path) {
  std::string P = Path.str();
  struct stat St;
  if (stat(P.c_str(), &St) != 0)
    return fromErrno(errno);
  if (!S_ISREG(St.st_mode))
    return notRegular(St.st_mode);
  int Fd = open(P.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (Fd < 0)
    return fromErrno(errno);
  auto Close = make_scope_exit([&] { close(Fd); });
  if (fstat(Fd, &St) != 0)
    return fromErrno(errno);
  if (!S_ISREG(St.st_mode))
    return notRegular(St.st_mode);
  uint64_t Size = uint64_t(St.st_size);
  if (Size > MaxModuleBytes)
    return createStringError("is " + Twine(Size) +
                             " bytes, too large for a module");
  unsigned char Header[sizeof(ELF::Elf64_Ehdr)];
  ssize_t Got = pread(Fd, Header, std::min<uint64_t>(sizeof(Header), Size), 0);
  if (Got < 0)
    return fromErrno(errno);
  if (Error E = checkHeader(Header, size_t(Got)))
    return std::move(E);
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
      MemoryBuffer::getOpenFile(sys::fs::convertFDToNativeFile(Fd), Path, Size,
                                /*RequiresNullTerminator=*/false);
  if (!Buf)
    return createStringError(Buf.getError(), "%s",
                             Buf.getError().message().c_str());
  Expected<std::unique_ptr<ObjectFile>> Obj =
      ObjectFile::createObjectFile((*Buf)->getMemBufferRef());
  if (!Obj)
    return Obj.takeError();
  return OwningBinary<ObjectFile>(std::move(*Obj), std::move(*Buf));
}

} // namespace pagelayout

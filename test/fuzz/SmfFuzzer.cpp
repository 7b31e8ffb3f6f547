//===- SmfFuzzer.cpp - Fuzz the SMF reader, writer and rewrite ------------===//
//
// An input is one mode byte (FuzzProfile.h) followed by an SMF module.
// Checked, beyond "no crash, no sanitizer report, no hang":
//   - a module readModule accepts is written back byte-identical by
//     writeModule when nothing changed;
//   - the whole `pagelayout reorder` path on it (readSmfBinary ->
//     checkMoveSafety -> planRewrite -> rewriteBinary) writes a module the
//     reader accepts again, and an output the fast verification passes
//     passes the full one too.
//
//===----------------------------------------------------------------------===//

#include "FuzzProfile.h"
#include "pagelayout/reorder/BinaryRewriter.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/MoveSafety.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/reorder/ReorderPipeline.h"
#include "pagelayout/reorder/RewriteVerifier.h"
#include "pagelayout/reorder/SmfFormat.h"
#include <cstdio>
#include <cstdlib>

using namespace llvm;
using namespace pagelayout;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size < 1)
    return 0;
  uint8_t Mode = Data[0];
  StringRef Bytes(reinterpret_cast<const char *>(Data + 1), Size - 1);
  {
    Expected<smf::Module> M =
        smf::readModule(MemoryBufferRef(Bytes, "fuzz.smf"));
    if (!M) {
      consumeError(M.takeError());
      return 0;
    }
    if (smf::writeModule(*M) != Bytes) {
      fprintf(stderr, "an unchanged module was not written back as read\n");
      abort();
    }
  }
  Expected<LinkedBinary> In =
      readSmfBinary(MemoryBuffer::getMemBufferCopy(Bytes, "fuzz.smf"));
  if (!In) {
    consumeError(In.takeError());
    return 0;
  }
  rewriteAndVerify(*In, Mode, Mode & 4 ? 256 : 4096, /*OutputMustRead=*/true);
  return 0;
}

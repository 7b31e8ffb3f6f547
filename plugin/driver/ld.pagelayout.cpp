//===- ld.pagelayout.cpp - lld, laying out code by a layout profile -------===//
//
// ld.pagelayout is lld's ELF linker (embedded through liblld) plus the
// --layout-* options. Without --layout-profile it is exactly ld.lld: the
// command line goes to lld untouched and the output is byte-identical.
// Use it as `clang -fuse-ld=pagelayout`, `--ld-path=.../ld.pagelayout`, or
// (gcc) as `ld` in a -B directory.
//
//===----------------------------------------------------------------------===//

#include "DriverOptions.h"
#include "LayoutLink.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace pagelayout;

/// lld's version line, named as ours first so that `ld --version | head -1`
/// says what this is, while scripts that look for "LLD" or "compatible with
/// GNU linkers" in it still find them.
static int printVersion(ArrayRef<const char *> Args) {
  std::string Text;
  raw_string_ostream Captured(Text);
  int RC = runLld(Args, Captured, errs());
  if (!Text.empty())
    outs() << "ld.pagelayout (pagelayout " PAGELAYOUT_VERSION ") on ";
  outs() << Text;
  return RC;
}

int main(int Argc, char **Argv) {
  InitLLVM X(Argc, Argv);
  std::vector<const char *> Args(Argv + 1, Argv + Argc);
  BumpPtrAllocator Alloc;
  StringSaver Saver(Alloc);
  Expected<DriverOptions> Opts = parseDriverOptions(Args, Saver);
  if (!Opts) {
    errs() << "ld.pagelayout: error: " << toString(Opts.takeError()) << "\n";
    return 1;
  }
  // --help and --version are lld's, with ours added.
  if (isHelpRun(Opts->LldArgs)) {
    int RC = runLld(Opts->LldArgs, outs(), errs());
    printLayoutHelp(outs());
    return RC;
  }
  if (isInformationalRun(Opts->LldArgs))
    return printVersion(Opts->LldArgs);
  // No layout requested: be ld.lld, with the original command line.
  if (!Opts->AnyLayoutOption)
    exitFast(runLastLld(Args, outs(), errs()));
  if (Opts->ProfilePaths.empty()) {
    errs() << "ld.pagelayout: error: --layout-* options need "
              "--layout-profile=FILE\n";
    return 1;
  }
  // lld's --threads holds for ld.pagelayout's own parallel work too.
  applyLldThreads(*Opts);
  if (isRelocatableLink(Opts->LldArgs))
    return runRelocatableLink(*Opts, outs(), errs());
  exitFast(runLayoutLink(*Opts, outs(), errs()));
}

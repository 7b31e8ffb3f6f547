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
  // No layout requested: be ld.lld, with the original command line.
  if (!Opts->AnyLayoutOption)
    return runLld(Args, outs(), errs());
  if (!Opts->ProfilePath) {
    errs() << "ld.pagelayout: error: --layout-* options need "
              "--layout-profile=FILE\n";
    return 1;
  }
  if (isInformationalRun(Opts->LldArgs))
    return runLld(Opts->LldArgs, outs(), errs());
  if (isRelocatableLink(Opts->LldArgs)) {
    errs() << "ld.pagelayout: warning: -r keeps input sections apart, so "
              "there is nothing to lay out yet; the profile applies when "
              "the final link runs with --layout-profile\n";
    return runLld(Opts->LldArgs, outs(), errs());
  }
  return runLayoutLink(*Opts, outs(), errs());
}

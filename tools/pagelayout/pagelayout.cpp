//===- pagelayout.cpp - The pagelayout command-line driver ----------------===//
//
// Dispatches "pagelayout <command> [<verb>] ..." to one subcommand. Each
// subcommand registers its options lazily (function-local statics), so
// --help lists exactly the options of the command it was given to.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <vector>

using namespace llvm;
using namespace pagelayout;

namespace {

struct Command {
  const char *Group; // "profile", or nullptr for a top-level command
  const char *Name;
  int (*Run)(int, char **);
  const char *Help;
};

const Command Commands[] = {
    {nullptr, "plan", runPlan,
     "compute and print the phase/page layout for objects or a binary"},
    {nullptr, "reorder", runReorder,
     "post-link layout of an x86-64 binary (today: --dry-run analysis)"},
    {nullptr, "record", runRecord,
     "run an instrumented program and write its layout profile"},
    {"profile", "show", runProfileShow,
     "print markers and each function's resolved phase"},
    {"profile", "validate", runProfileValidate,
     "check profiles; errors name file:line:column"},
    {"profile", "merge", runProfileMerge, "merge profiles of many runs"},
    {"profile", "convert", runProfileConvert,
     "convert to and from lld ordering files"},
    {"profile", "import", runProfileImport,
     "import perf script text or a .profdata with temporal traces"},
};

void printUsage(raw_ostream &OS) {
  OS << "OVERVIEW: pagelayout lays out machine code so each phase of a run "
        "(startup, first frame, steady, cold) touches as few pages as "
        "possible\n\nUSAGE: pagelayout <command> [options]\n\nCOMMANDS:\n";
  for (const Command &C : Commands) {
    std::string Name = C.Group ? std::string(C.Group) + " " + C.Name : C.Name;
    OS << "  " << Name
       << std::string(18 - std::min<size_t>(17, Name.size()), ' ') << C.Help
       << "\n";
  }
  OS << "\nRun 'pagelayout <command> --help' for a command's options.\n";
}

} // namespace

int main(int Argc, char **Argv) {
  InitLLVM X(Argc, Argv);
  std::vector<char *> Args(Argv, Argv + Argc);
  if (Args.size() < 2 || StringRef(Args[1]) == "--help" ||
      StringRef(Args[1]) == "-h" || StringRef(Args[1]) == "help") {
    printUsage(Args.size() < 2 ? errs() : outs());
    return Args.size() < 2 ? 1 : 0;
  }
  if (StringRef(Args[1]) == "--version") {
    outs() << "pagelayout 0.1.0 (LLVM " LLVM_VERSION_STRING ")\n";
    return 0;
  }
  StringRef First = Args[1];
  StringRef Second = Args.size() > 2 ? StringRef(Args[2]) : StringRef();
  for (const Command &C : Commands) {
    bool Grouped = C.Group != nullptr;
    if (Grouped ? (First != C.Group || Second != C.Name) : First != C.Name)
      continue;
    // The command sees ("pagelayout profile", "show", options...): argv[1]
    // selects its cl::SubCommand and usage lines read right.
    size_t Consumed = Grouped ? 2 : 1;
    std::string Prog = Grouped ? "pagelayout " + First.str() : "pagelayout";
    std::vector<char *> Sub;
    Sub.push_back(Prog.data());
    Sub.insert(Sub.end(), Args.begin() + Consumed, Args.end());
    return C.Run(int(Sub.size()), Sub.data());
  }
  errs() << "pagelayout: error: unknown command '" << First
         << (First == "profile" && !Second.empty() ? " " + Second.str() : "")
         << "'\n";
  printUsage(errs());
  return 1;
}

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
#include <cstring>
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
     "rewrite a linked x86-64 binary into the profile's layout"},
    {nullptr, "report", runReport,
     "show a binary's code page by page, and the pages a run touches"},
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

bool isGroup(StringRef Name) {
  for (const Command &C : Commands)
    if (C.Group && Name == C.Group)
      return true;
  return false;
}

/// "pagelayout profile" alone or with --help: its verbs.
void printGroupUsage(StringRef Group, raw_ostream &OS) {
  OS << "USAGE: pagelayout " << Group << " <verb> [options]\n\nVERBS:\n";
  for (const Command &C : Commands)
    if (C.Group && Group == C.Group)
      OS << "  " << C.Name
         << std::string(10 - std::min<size_t>(9, strlen(C.Name)), ' ') << C.Help
         << "\n";
  OS << "\nRun 'pagelayout " << Group
     << " <verb> --help' for a verb's options.\n";
}

bool isHelp(StringRef Arg) {
  return Arg == "--help" || Arg == "-h" || Arg == "help";
}

} // namespace

int main(int Argc, char **Argv) {
  InitLLVM X(Argc, Argv);
  std::vector<char *> Args(Argv, Argv + Argc);
  if (Args.size() < 2 || isHelp(Args[1])) {
    printUsage(Args.size() < 2 ? errs() : outs());
    return Args.size() < 2 ? 1 : 0;
  }
  if (StringRef(Args[1]) == "--version") {
    outs() << "pagelayout 0.1.0 (LLVM " LLVM_VERSION_STRING ")\n";
    return 0;
  }
  StringRef First = Args[1];
  StringRef Second = Args.size() > 2 ? StringRef(Args[2]) : StringRef();
  if (isGroup(First) && (Second.empty() || isHelp(Second))) {
    printGroupUsage(First, Second.empty() ? errs() : outs());
    return Second.empty() ? 1 : 0;
  }
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
  bool InGroup = isGroup(First);
  errs() << "pagelayout: error: unknown command '" << First
         << (InGroup ? " " + Second.str() : "") << "'\n";
  if (InGroup)
    printGroupUsage(First, errs());
  else
    printUsage(errs());
  return 1;
}

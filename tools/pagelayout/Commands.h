//===- Commands.h - The pagelayout subcommands ------------------*- C++ -*-===//

#ifndef PAGELAYOUT_TOOLS_COMMANDS_H
#define PAGELAYOUT_TOOLS_COMMANDS_H

namespace pagelayout {

// Each takes argv as ("pagelayout [group]", command name, options...).
int runProfileShow(int Argc, char **Argv);
int runProfileValidate(int Argc, char **Argv);
int runProfileMerge(int Argc, char **Argv);
int runProfileConvert(int Argc, char **Argv);
int runProfileImport(int Argc, char **Argv);
int runPlan(int Argc, char **Argv);
int runRecord(int Argc, char **Argv);
int runReorder(int Argc, char **Argv);
int runReport(int Argc, char **Argv);

} // namespace pagelayout

#endif

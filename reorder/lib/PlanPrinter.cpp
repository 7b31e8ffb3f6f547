//===- PlanPrinter.cpp - Show a plan as a table, YAML or JSON -------------===//
//
// The table is for people (and FileCheck); YAML and JSON carry the same
// fields for scripts. All three print offsets relative to the start of the
// laid-out text and phases in layout order.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/PlanPrinter.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include <yaml-cpp/yaml.h>

using namespace llvm;

namespace pagelayout {
namespace {

void printAtomTable(const LayoutPlan &Plan, const std::vector<Atom> &Atoms,
                    raw_ostream &OS) {
  OS << "offset        size  page  phase        name\n";
  for (const PlacedAtom &PA : Plan.Placement) {
    const Atom &A = Atoms[PA.AtomIndex];
    std::string Phase = phaseName(PA.AtomPhase).str();
    if (PA.Filler)
      Phase += "*";
    else if (PA.Pinned)
      Phase += "!";
    OS << format_hex(PA.Offset, 10)
       << format(" %7llu %5llu  %-12s ", (unsigned long long)A.Size,
                 (unsigned long long)(PA.Offset / Plan.PageSize), Phase.c_str())
       << A.displayName() << "\n";
  }
  OS << "(* cold filler in a phase's last page, ! pinned)\n\n";
}

void printPhaseTable(const LayoutPlan &Plan, raw_ostream &OS) {
  OS << "phase        begin       end          atoms      bytes  pages  "
        "bound  padding  fillers  straddling\n";
  for (unsigned PI = 0; PI < NumPhases; ++PI) {
    const PhaseMetrics &M = Plan.Phases[PI];
    OS << format("%-12s ", phaseName(Phase(PI)).str().c_str());
    if (M.Atoms == 0) {
      OS << "(empty)\n";
      continue;
    }
    OS << format_hex(M.Begin, 10) << "  " << format_hex(M.End, 10)
       << format(" %6llu %10llu %6llu %6llu %8llu %8llu %11llu\n",
                 (unsigned long long)M.Atoms, (unsigned long long)M.Bytes,
                 (unsigned long long)M.Pages, (unsigned long long)M.LowerBound,
                 (unsigned long long)M.PaddingBytes,
                 (unsigned long long)M.FillerAtoms,
                 (unsigned long long)M.StraddlingAtoms);
  }
  OS << "total: " << Plan.TotalBytes << " bytes in " << Plan.TotalPages
     << " pages of " << Plan.PageSize << "; padding " << Plan.PaddingBytes
     << " bytes; " << Plan.StraddlingAtoms << " straddling atoms\n";
}

void printStartup(const LayoutPlan &Plan, raw_ostream &OS) {
  const StartupMetrics &S = Plan.Startup, &O = Plan.OriginalStartup;
  auto Input = [&](uint64_t V) {
    if (!Plan.IsMeasured)
      OS << " (input layout " << V << ")";
  };
  OS << "startup: " << S.FunctionsRun << " functions run; pages touched "
     << S.PagesTouched;
  Input(O.PagesTouched);
  OS << "\nstartup lower bounds: function " << S.FunctionBound << ", span "
     << S.SpanBound << ", instruction " << S.InstructionBound;
  if (S.HaveExecutedRanges) {
    OS << "; pages holding executed bytes " << S.ExecutedPagesTouched;
    Input(O.ExecutedPagesTouched);
  }
  OS << "\n";
  // The whole run, where the profile says which bytes ran: what an
  // instruction trace of the same run counts.
  const RunMetrics &R = Plan.Run;
  if (!R.HaveExecutedRanges)
    return;
  OS << "run: pages holding executed bytes " << R.PagesTouched;
  Input(Plan.OriginalRun.PagesTouched);
  OS << "; lower bounds: span " << R.SpanBound << ", instruction "
     << R.InstructionBound;
  if (R.OutsidePages)
    OS << "; " << R.OutsidePages
       << " of the pages hold code outside the layout that runs anyway";
  OS << "\n";
}

void printUnmatched(const LayoutPlan &Plan, const PlanPrintOptions &Opts,
                    raw_ostream &OS) {
  OS << "profile: " << Plan.MatchedProfileFunctions << " functions matched, "
     << Plan.UnmatchedProfileNames.size() << " unmatched";
  size_t N = std::min<size_t>(Opts.MaxUnmatchedListed,
                              Plan.UnmatchedProfileNames.size());
  for (size_t I = 0; I < N; ++I)
    OS << (I ? ", " : ": ") << Plan.UnmatchedProfileNames[I];
  if (N < Plan.UnmatchedProfileNames.size())
    OS << ", ...";
  OS << "\n";
  if (Plan.NameMatches.empty())
    return;
  OS << "profile names matched:";
  for (const auto &[Kind, Count] : Plan.NameMatches)
    OS << " " << Kind << " " << Count;
  OS << "\n";
}

json::Object startupJSON(const StartupMetrics &S) {
  return json::Object{{"functions_run", S.FunctionsRun},
                      {"pages_touched", S.PagesTouched},
                      {"executed_pages_touched", S.ExecutedPagesTouched},
                      {"function_bound", S.FunctionBound},
                      {"span_bound", S.SpanBound},
                      {"instruction_bound", S.InstructionBound},
                      {"have_executed_ranges", S.HaveExecutedRanges}};
}

json::Object runJSON(const RunMetrics &R) {
  return json::Object{{"pages_touched", R.PagesTouched},
                      {"span_bound", R.SpanBound},
                      {"instruction_bound", R.InstructionBound},
                      {"outside_pages", R.OutsidePages},
                      {"have_executed_ranges", R.HaveExecutedRanges}};
}

json::Value planJSON(const LayoutPlan &Plan, const std::vector<Atom> &Atoms,
                     const PlanPrintOptions &Opts) {
  json::Array Phases;
  for (unsigned PI = 0; PI < NumPhases; ++PI) {
    const PhaseMetrics &M = Plan.Phases[PI];
    Phases.push_back(json::Object{{"phase", phaseName(Phase(PI))},
                                  {"begin", M.Begin},
                                  {"end", M.End},
                                  {"atoms", M.Atoms},
                                  {"bytes", M.Bytes},
                                  {"pages", M.Pages},
                                  {"lower_bound", M.LowerBound},
                                  {"padding_bytes", M.PaddingBytes},
                                  {"filler_atoms", M.FillerAtoms},
                                  {"filler_bytes", M.FillerBytes},
                                  {"straddling_atoms", M.StraddlingAtoms}});
  }
  json::Object Root{
      {"page_size", Plan.PageSize},
      {"total_bytes", Plan.TotalBytes},
      {"total_pages", Plan.TotalPages},
      {"padding_bytes", Plan.PaddingBytes},
      {"straddling_atoms", Plan.StraddlingAtoms},
      {"phases", std::move(Phases)},
      {"startup", startupJSON(Plan.Startup)},
      {"run", runJSON(Plan.Run)},
      {"matched_profile_functions", Plan.MatchedProfileFunctions},
      {"unmatched_profile_functions", json::Array(Plan.UnmatchedProfileNames)}};
  if (!Plan.IsMeasured) {
    Root["input_startup"] = startupJSON(Plan.OriginalStartup);
    Root["input_run"] = runJSON(Plan.OriginalRun);
  }
  if (!Plan.NameMatches.empty()) {
    json::Object Matches;
    for (const auto &[Kind, Count] : Plan.NameMatches)
      Matches[Kind] = Count;
    Root["name_matches"] = std::move(Matches);
  }
  if (Opts.ListAtoms) {
    json::Array List;
    for (const PlacedAtom &PA : Plan.Placement) {
      const Atom &A = Atoms[PA.AtomIndex];
      List.push_back(json::Object{{"name", A.displayName()},
                                  {"offset", PA.Offset},
                                  {"size", A.Size},
                                  {"page", PA.Offset / Plan.PageSize},
                                  {"phase", phaseName(PA.AtomPhase)},
                                  {"filler", PA.Filler},
                                  {"pinned", PA.Pinned},
                                  {"origin", A.Origin}});
    }
    Root["atoms"] = std::move(List);
  }
  return json::Value(std::move(Root));
}

// YAML mirrors the JSON document exactly: convert the tree.
void emitYAML(YAML::Emitter &Out, const json::Value &V) {
  if (const json::Object *O = V.getAsObject()) {
    // json::Object is unordered; emit keys sorted for stable output.
    std::vector<std::string> Keys;
    for (const auto &KV : *O)
      Keys.push_back(KV.first.str());
    llvm::sort(Keys);
    Out << YAML::BeginMap;
    for (const std::string &K : Keys) {
      Out << YAML::Key << K << YAML::Value;
      emitYAML(Out, *O->get(K));
    }
    Out << YAML::EndMap;
  } else if (const json::Array *A = V.getAsArray()) {
    Out << YAML::BeginSeq;
    for (const json::Value &E : *A)
      emitYAML(Out, E);
    Out << YAML::EndSeq;
  } else if (std::optional<bool> B = V.getAsBoolean()) {
    Out << *B;
  } else if (std::optional<uint64_t> U = V.getAsUINT64()) {
    Out << *U;
  } else if (std::optional<int64_t> I = V.getAsInteger()) {
    Out << *I;
  } else if (std::optional<StringRef> S = V.getAsString()) {
    Out << S->str();
  } else {
    Out << YAML::Null;
  }
}

} // namespace

void printAsYAML(const json::Value &Document, raw_ostream &OS) {
  YAML::Emitter Out;
  Out.SetBoolFormat(YAML::TrueFalseBool);
  emitYAML(Out, Document);
  OS << Out.c_str() << "\n";
}

void printPlan(const LayoutPlan &Plan, const std::vector<Atom> &Atoms,
               const PlanPrintOptions &Opts, raw_ostream &OS) {
  switch (Opts.Format) {
  case PlanFormat::JSON:
    OS << formatv("{0:2}", planJSON(Plan, Atoms, Opts)) << "\n";
    return;
  case PlanFormat::YAML:
    printAsYAML(planJSON(Plan, Atoms, Opts), OS);
    return;
  case PlanFormat::Table:
    if (Opts.ListAtoms)
      printAtomTable(Plan, Atoms, OS);
    printPhaseTable(Plan, OS);
    printStartup(Plan, OS);
    printUnmatched(Plan, Opts, OS);
    return;
  }
}

} // namespace pagelayout

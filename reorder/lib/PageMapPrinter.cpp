//===- PageMapPrinter.cpp - A page map as text, YAML or JSON --------------===//
//
// The text form is for people (and FileCheck): the sections, the totals
// per layout phase and per run phase against their bounds, then one line
// per page. YAML and JSON are one document, the same tree (the YAML is
// printed from the JSON): version 1 of the "pagelayout-report" schema,
// documented in docs/user-guide.md. Two maps (--compare) print their
// totals side by side; the documents carry both maps and the comparison.
//
//===----------------------------------------------------------------------===//

#include "AddressText.h"
#include "pagelayout/reorder/PageMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

using namespace llvm;

namespace pagelayout {
namespace {

constexpr unsigned ReportSchemaVersion = 1;

StringRef runPhaseName(unsigned RI) { return phaseName(Phase(RI)); }

StringRef formatName(BinaryFormat F) {
  return F == BinaryFormat::SMF ? "smf" : "elf";
}

unsigned fillPercent(const MappedPage &P, uint64_t PageSize) {
  return unsigned(P.CodeBytes * 100 / PageSize);
}

/// "startup,steady" (and "anyway" for code that runs in every process);
/// "-" for an untouched page.
std::string touchedList(const MappedPage &P) {
  SmallVector<std::string, 4> Parts;
  for (unsigned RI = 0; RI < NumRunPhases; ++RI)
    if (P.touchedIn(RI))
      Parts.push_back(runPhaseName(RI).str());
  if (P.RunsAnyway)
    Parts.push_back("anyway");
  return Parts.empty() ? "-" : join(Parts, ",");
}

/// "startup 61%, cold 38%": the phases of the page's code by bytes, most
/// first; "no phase" for code without one.
std::string phaseList(const MappedPage &P) {
  SmallVector<std::pair<uint64_t, std::string>, 5> Parts;
  for (unsigned PI = 0; PI < NumPhases; ++PI)
    if (P.PhaseBytes[PI])
      Parts.push_back({P.PhaseBytes[PI], phaseName(Phase(PI)).str()});
  if (P.UnphasedBytes)
    Parts.push_back({P.UnphasedBytes, P.RunsAnyway ? "runs anyway"
                                                   : "no phase"});
  llvm::stable_sort(Parts, [](const auto &A, const auto &B) {
    return A.first > B.first;
  });
  uint64_t Total = 0;
  for (const auto &Pt : Parts)
    Total += Pt.first;
  SmallVector<std::string, 5> Out;
  for (const auto &[Bytes, Name] : Parts)
    Out.push_back(Name + " " + std::to_string(Bytes * 100 / Total) + "%");
  return join(Out, ", ");
}

std::string codePhase(const MappedCode &C) {
  if (C.RunsAnyway)
    return "anyway";
  return C.LayoutPhase ? phaseName(*C.LayoutPhase).str() : "-";
}

//===-- the document --------------------------------------------------===//

json::Value codeJSON(const MappedCode &C) {
  json::Object O{{"name", C.Name},
                 {"section", C.Section},
                 {"address", C.Address},
                 {"size", C.Size},
                 {"runs_anyway", C.RunsAnyway}};
  if (C.LayoutPhase)
    O["phase"] = phaseName(*C.LayoutPhase);
  return json::Value(std::move(O));
}

json::Value pageJSON(const PageMap &M, const MappedPage &P, bool Functions) {
  json::Object Phases;
  for (unsigned PI = 0; PI < NumPhases; ++PI)
    if (P.PhaseBytes[PI])
      Phases[phaseName(Phase(PI))] = P.PhaseBytes[PI];
  if (P.UnphasedBytes)
    Phases["none"] = P.UnphasedBytes;
  json::Array Touched;
  json::Object Executed;
  for (unsigned RI = 0; RI < NumRunPhases; ++RI)
    if (P.touchedIn(RI)) {
      Touched.push_back(runPhaseName(RI));
      Executed[runPhaseName(RI)] = P.ExecutedBytes[RI];
    }
  json::Object O{{"address", P.Address},
                 {"end", P.Address + M.PageSize},
                 {"code_bytes", P.CodeBytes},
                 {"fill_percent", fillPercent(P, M.PageSize)},
                 {"sections", json::Array(P.Sections)},
                 {"phase_bytes", std::move(Phases)},
                 {"runs_anyway", P.RunsAnyway},
                 {"code", P.Code.size()}};
  if (M.haveTouched()) {
    O["touched"] = std::move(Touched);
    O["executed_bytes"] = std::move(Executed);
  }
  if (Functions) {
    json::Array List;
    for (unsigned CI : P.Code)
      List.push_back(codeJSON(M.Code[CI]));
    O["functions"] = std::move(List);
  }
  return json::Value(std::move(O));
}

json::Value mapJSON(const PageMap &M, bool Functions) {
  json::Array Sections;
  for (const MappedSection &S : M.Sections)
    Sections.push_back(json::Object{{"name", S.Name},
                                    {"address", S.Address},
                                    {"size", S.Size},
                                    {"laid_out", S.LaidOut}});
  json::Object O{{"binary", M.Binary},
                 {"format", formatName(M.Format)},
                 {"page_size", M.PageSize},
                 {"touched_from", touchSourceName(M.Source)},
                 {"sections", std::move(Sections)},
                 {"code_bytes", M.CodeBytes},
                 {"code_pages", M.Pages.size()}};
  if (!M.SourceName.empty())
    O["source"] = M.SourceName;
  if (!M.havePhases())
    O["no_phases"] = M.NoPhases;
  if (M.havePhases()) {
    json::Array Phases;
    for (unsigned PI = 0; PI < NumPhases; ++PI) {
      const LayoutPhaseTotals &T = M.Phases[PI];
      Phases.push_back(json::Object{{"phase", phaseName(Phase(PI))},
                                    {"functions", T.Functions},
                                    {"bytes", T.Bytes},
                                    {"pages", T.Pages},
                                    {"lower_bound", T.LowerBound}});
    }
    O["phases"] = std::move(Phases);
    O["profile_functions"] = M.ProfileFunctions;
    O["matched_functions"] = M.MatchedFunctions;
  }
  if (M.haveTouched()) {
    json::Array Run;
    for (unsigned RI = 0; RI < NumRunPhases; ++RI) {
      const RunPhaseTotals &T = M.RunPhases[RI];
      Run.push_back(json::Object{{"phase", runPhaseName(RI)},
                                 {"functions", T.Functions},
                                 {"executed_bytes", T.ExecutedBytes},
                                 {"touched_pages", T.TouchedPages},
                                 {"new_pages", T.NewPages},
                                 {"function_bound", T.FunctionBound},
                                 {"span_bound", T.SpanBound},
                                 {"instruction_bound", T.InstructionBound}});
    }
    O["run_phases"] = std::move(Run);
    O["run"] = json::Object{{"touched_pages", M.Run.TouchedPages},
                            {"runs_anyway_pages", M.Run.RunsAnywayPages},
                            {"span_bound", M.Run.SpanBound},
                            {"instruction_bound", M.Run.InstructionBound}};
    O["executed_ranges"] = M.HaveExecutedRanges;
    O["startup_page_efficiency"] =
        std::round(M.startupPageEfficiency() * 1000) / 1000;
  }
  json::Array Pages;
  for (const MappedPage &P : M.Pages)
    Pages.push_back(pageJSON(M, P, Functions));
  O["pages"] = std::move(Pages);
  return json::Value(std::move(O));
}

/// The totals two maps are compared by, as (name, value) rows; the text
/// and the documents show the same rows.
std::vector<std::pair<std::string, json::Value>>
comparedTotals(const PageMap &M) {
  std::vector<std::pair<std::string, json::Value>> Rows;
  Rows.push_back({"code_pages", uint64_t(M.Pages.size())});
  Rows.push_back({"code_bytes", M.CodeBytes});
  if (M.havePhases())
    for (unsigned PI = 0; PI < NumPhases; ++PI)
      Rows.push_back(
          {phaseName(Phase(PI)).str() + "_pages", M.Phases[PI].Pages});
  if (M.haveTouched()) {
    for (unsigned RI = 0; RI < NumRunPhases; ++RI)
      Rows.push_back({runPhaseName(RI).str() + "_touched_pages",
                      M.RunPhases[RI].TouchedPages});
    Rows.push_back({"startup_span_bound", M.RunPhases[0].SpanBound});
    Rows.push_back({"run_touched_pages", M.Run.TouchedPages});
    Rows.push_back({"run_span_bound", M.Run.SpanBound});
    Rows.push_back({"startup_page_efficiency",
                    std::round(M.startupPageEfficiency() * 1000) / 1000});
  }
  return Rows;
}

/// The rows both maps have, as (name, before, after).
std::vector<std::tuple<std::string, json::Value, json::Value>>
commonTotals(const PageMap &Before, const PageMap &After) {
  std::vector<std::tuple<std::string, json::Value, json::Value>> Out;
  auto B = comparedTotals(After);
  for (auto &[Name, Value] : comparedTotals(Before))
    for (auto &[Name2, Value2] : B)
      if (Name == Name2)
        Out.emplace_back(Name, Value, Value2);
  return Out;
}

std::string totalText(const json::Value &V) {
  if (std::optional<uint64_t> U = V.getAsUINT64())
    return std::to_string(*U);
  return formatv("{0:F2}", V.getAsNumber().value_or(0)).str();
}

json::Value comparisonJSON(const PageMap &Before, const PageMap &After) {
  json::Object Totals;
  for (auto &[Name, B, A] : commonTotals(Before, After))
    Totals[Name] = json::Object{{"before", B}, {"after", A}};
  return json::Object{{"before", Before.Binary},
                      {"after", After.Binary},
                      {"totals", std::move(Totals)}};
}

json::Value documentJSON(ArrayRef<const PageMap *> Maps, bool Functions) {
  json::Array List;
  for (const PageMap *M : Maps)
    List.push_back(mapJSON(*M, Functions));
  json::Object Root{{"schema", "pagelayout-report"},
                    {"version", ReportSchemaVersion},
                    {"binaries", std::move(List)}};
  if (Maps.size() == 2)
    Root["comparison"] = comparisonJSON(*Maps[0], *Maps[1]);
  return json::Value(std::move(Root));
}

//===-- the text form -------------------------------------------------===//

void printHeader(const PageMap &M, raw_ostream &OS) {
  OS << "binary: " << M.Binary << " (" << (M.Format == BinaryFormat::SMF
                                               ? "SMF module"
                                               : "ELF")
     << ", " << M.PageSize << "-byte pages)\n";
  switch (M.Source) {
  case TouchSource::None:
    OS << "phases: none (" << M.NoPhases << ")\n";
    break;
  case TouchSource::Phases:
    OS << "phases: " << M.SourceName << " (no record of what ran)\n";
    break;
  case TouchSource::Profile:
  case TouchSource::Run:
    OS << "touched: " << (M.Source == TouchSource::Run ? "traced run " : "")
       << M.SourceName << ", "
       << (M.HaveExecutedRanges ? "executed byte ranges"
                                : "whole functions (no executed ranges)")
       << "; " << M.MatchedFunctions << " of " << M.ProfileFunctions
       << " profile functions found\n";
    break;
  }
  OS << "sections:\n";
  for (const MappedSection &S : M.Sections)
    OS << "  " << left_justify(S.Name, 18) << " " << hex(S.Address) << " "
       << format_decimal(S.Size, 9) << " bytes  "
       << (S.LaidOut ? "laid out" : "stays") << "\n";
  OS << "code: " << M.CodeBytes << " bytes on " << M.Pages.size()
     << (M.Pages.size() == 1 ? " page\n" : " pages\n");
}

void printTotals(const PageMap &M, raw_ostream &OS) {
  if (M.havePhases()) {
    OS << "\nphase          functions      bytes  pages  bound\n";
    for (unsigned PI = 0; PI < NumPhases; ++PI) {
      const LayoutPhaseTotals &T = M.Phases[PI];
      OS << left_justify(phaseName(Phase(PI)), 12)
         << format_decimal(T.Functions, 12) << format_decimal(T.Bytes, 11)
         << format_decimal(T.Pages, 7) << format_decimal(T.LowerBound, 7)
         << "\n";
    }
  }
  if (!M.haveTouched())
    return;
  OS << "\nrun phase      functions   executed  touched    new  "
        "function-bound  span-bound  instruction-bound\n";
  for (unsigned RI = 0; RI < NumRunPhases; ++RI) {
    const RunPhaseTotals &T = M.RunPhases[RI];
    OS << left_justify(runPhaseName(RI), 12) << format_decimal(T.Functions, 12)
       << format_decimal(T.ExecutedBytes, 11)
       << format_decimal(T.TouchedPages, 9) << format_decimal(T.NewPages, 7)
       << format_decimal(T.FunctionBound, 16)
       << format_decimal(T.SpanBound, 12)
       << format_decimal(T.InstructionBound, 19) << "\n";
  }
  OS << left_justify("whole run", 12) << std::string(23, ' ')
     << format_decimal(M.Run.TouchedPages, 9) << std::string(23, ' ')
     << format_decimal(M.Run.SpanBound, 12)
     << format_decimal(M.Run.InstructionBound, 19) << "\n";
  if (M.Run.RunsAnywayPages)
    OS << "  (the whole run counts " << M.Run.RunsAnywayPages
       << " pages of code that runs anyway: .init, .plt, .fini, code "
          "without a symbol)\n";
  OS << "startup page efficiency: " << M.RunPhases[0].TouchedPages
     << " pages touched / " << M.RunPhases[0].SpanBound << " span bound = "
     << formatv("{0:F2}", M.startupPageEfficiency())
     << " (1.00 is the best a layout keeping functions whole can do)\n";
}

void printPages(const PageMap &M, bool Functions, raw_ostream &OS) {
  // Addresses padded to one width (at least 6 digits), so columns line up.
  uint64_t Last = M.Pages.empty() ? 0 : M.Pages.back().Address + M.PageSize;
  unsigned Digits = 6;
  while (Digits < 16 && (Last >> (4 * Digits)))
    ++Digits;
  auto Addr = [&](uint64_t A) { return format_hex(A, Digits + 2); };
  unsigned Field = 2 * (Digits + 2) + 1;
  OS << "\npages:\n   page  address" << std::string(Field - 4, ' ') << "fill  "
     << (M.haveTouched() ? "touched               " : "")
     << (M.havePhases() ? "phases" : "sections") << "\n";
  for (size_t I = 0; I < M.Pages.size(); ++I) {
    const MappedPage &P = M.Pages[I];
    OS << format_decimal(I, 7) << "  " << Addr(P.Address) << "-"
       << Addr(P.Address + M.PageSize) << "  "
       << format_decimal(fillPercent(P, M.PageSize), 4) << "%  ";
    if (M.haveTouched())
      OS << left_justify(touchedList(P), 22);
    OS << (M.havePhases() ? phaseList(P) : join(P.Sections, ",")) << "\n";
    if (!Functions)
      continue;
    for (unsigned CI : P.Code) {
      const MappedCode &C = M.Code[CI];
      OS << "           " << Addr(C.Address) << " "
         << format_decimal(C.Size, 8) << "  " << left_justify(codePhase(C), 12)
         << C.Name << (C.Address < P.Address ? "  (continued)" : "") << "\n";
    }
  }
}

void printComparison(const PageMap &Before, const PageMap &After,
                     raw_ostream &OS) {
  OS << "\ncompared                        before      after\n";
  for (auto &[Name, B, A] : commonTotals(Before, After))
    OS << left_justify(Name, 28) << right_justify(totalText(B), 11)
       << right_justify(totalText(A), 11) << "\n";
}

} // namespace

void printPageMaps(ArrayRef<const PageMap *> Maps,
                   const PageMapPrintOptions &Opts, raw_ostream &OS) {
  switch (Opts.Format) {
  case PlanFormat::JSON:
    OS << formatv("{0:2}", documentJSON(Maps, Opts.ListFunctions)) << "\n";
    return;
  case PlanFormat::YAML:
    printAsYAML(documentJSON(Maps, Opts.ListFunctions), OS);
    return;
  case PlanFormat::Table:
    break;
  }
  for (size_t I = 0; I < Maps.size(); ++I) {
    if (I)
      OS << "\n";
    if (Maps.size() == 2)
      OS << (I ? "after" : "before") << ":\n";
    printHeader(*Maps[I], OS);
    printTotals(*Maps[I], OS);
    if (Maps.size() == 1)
      printPages(*Maps[I], Opts.ListFunctions, OS);
  }
  if (Maps.size() == 2)
    printComparison(*Maps[0], *Maps[1], OS);
}

} // namespace pagelayout

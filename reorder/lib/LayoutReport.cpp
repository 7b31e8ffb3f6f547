//===- LayoutReport.cpp - The achieved layout of a finished binary --------===//

#include "pagelayout/reorder/LayoutReport.h"
#include "pagelayout/reorder/AtomReader.h"
#include "pagelayout/reorder/LayoutEngine.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/reorder/PlanPrinter.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace llvm;

namespace pagelayout {

Error writeLayoutReport(StringRef Binary, const Profile &P, uint64_t PageSize,
                        StringRef ReportPath) {
  Expected<AtomSet> Linked = readAtoms({Binary.str()});
  if (!Linked)
    return Linked.takeError();
  return writeLayoutReport(Linked->Atoms, P, PageSize, ReportPath);
}

Error writeLayoutReport(const std::vector<Atom> &Functions, const Profile &P,
                        uint64_t PageSize, StringRef ReportPath) {
  NameMatchResult Achieved = matchProfileNames(P, Functions);
  ResolvedProfile RP = resolvePhases(Achieved.Renamed);
  LayoutPlan Measured = measureLayout(Functions, RP, PageSize);
  Measured.NameMatches = summarizeMatches(Achieved);
  PlanPrintOptions Print;
  Print.ListAtoms = false;
  Print.Format = ReportPath.ends_with(".json")  ? PlanFormat::JSON
                 : ReportPath.ends_with(".txt") ? PlanFormat::Table
                                                : PlanFormat::YAML;
  return writeToOutput(ReportPath, [&](raw_ostream &OS) {
    printPlan(Measured, Functions, Print, OS);
    return Error::success();
  });
}

} // namespace pagelayout

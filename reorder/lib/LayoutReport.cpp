//===- LayoutReport.cpp - The achieved layout of a finished binary --------===//

#include "pagelayout/reorder/LayoutReport.h"
#include "pagelayout/reorder/AtomReader.h"
#include "pagelayout/reorder/BlockClusters.h"
#include "pagelayout/reorder/LayoutEngine.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/reorder/PlanPrinter.h"
#include "pagelayout/reorder/ReorderPipeline.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace llvm;

namespace pagelayout {

Error writeLayoutReport(StringRef Binary, const Profile &P, uint64_t PageSize,
                        StringRef ReportPath) {
  Expected<AtomSet> Linked = readAtoms({Binary.str()});
  if (!Linked)
    return Linked.takeError();
  // The pages a run touches include code no profile names (.init, .plt,
  // the C runtime's); binaries the rewriter's reader refuses go without.
  std::vector<std::pair<uint64_t, uint64_t>> RunsAnyway;
  BlockRanges Ranges;
  LinkedReadOptions Read;
  Read.ForRewrite = false;
  if (Expected<LinkedBinary> B = readBinary(Binary, Read)) {
    RunsAnyway = codeThatRunsAnyway(*B);
    Ranges = readBlockRanges(B->Buffer->getMemBufferRef());
  } else {
    consumeError(B.takeError());
  }
  return writeLayoutReport(Linked->Atoms, P, PageSize, ReportPath, RunsAnyway,
                           &Ranges);
}

Error writeLayoutReport(
    const std::vector<Atom> &Functions, const Profile &P, uint64_t PageSize,
    StringRef ReportPath,
    ArrayRef<std::pair<uint64_t, uint64_t>> TouchedOutside,
    const BlockRanges *Ranges) {
  // Split functions' parts take their phase (a no-op for a profile that
  // has them already, as ld.pagelayout's has).
  Profile WithParts = P;
  applyBlockClusters(WithParts, Functions, Ranges);
  NameMatchResult Achieved = matchProfileNames(WithParts, Functions);
  ResolvedProfile RP = resolvePhases(Achieved.Renamed);
  LayoutPlan Measured = measureLayout(Functions, RP, PageSize, TouchedOutside);
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

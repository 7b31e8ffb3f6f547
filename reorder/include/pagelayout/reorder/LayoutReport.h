//===- LayoutReport.h - The achieved layout of a finished binary -*- C++
//-*-===//

#ifndef PAGELAYOUT_REORDER_LAYOUTREPORT_H
#define PAGELAYOUT_REORDER_LAYOUTREPORT_H

#include "pagelayout/schema/Profile.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include "pagelayout/reorder/Atom.h"
#include "pagelayout/reorder/BlockClusters.h"
#include <vector>

namespace pagelayout {

/// Reads \p Binary back, measures where the profile's phases ended up and
/// writes the report to \p ReportPath (.json: JSON, .txt: a table, else
/// YAML) through a temporary file. Shared by ld.pagelayout and
/// pagelayout reorder: a report is never taken from a plan.
llvm::Error writeLayoutReport(llvm::StringRef Binary, const Profile &P,
                              uint64_t PageSize, llvm::StringRef ReportPath);

/// The same from the functions of the output (as readAtoms would read
/// them), for a report of a plan before it is written; \p TouchedOutside
/// is the code that runs anyway (codeThatRunsAnyway()).
llvm::Error writeLayoutReport(
    const std::vector<Atom> &Functions, const Profile &P, uint64_t PageSize,
    llvm::StringRef ReportPath,
    llvm::ArrayRef<std::pair<uint64_t, uint64_t>> TouchedOutside = {},
    const BlockRanges *Ranges = nullptr);

} // namespace pagelayout

#endif

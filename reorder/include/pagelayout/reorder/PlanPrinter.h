//===- PlanPrinter.h - Show a plan as a table, YAML or JSON -----*- C++ -*-===//

#ifndef PAGELAYOUT_REORDER_PLANPRINTER_H
#define PAGELAYOUT_REORDER_PLANPRINTER_H

#include "pagelayout/reorder/Atom.h"
#include "pagelayout/reorder/LayoutPlan.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace pagelayout {

enum class PlanFormat { Table, YAML, JSON };

struct PlanPrintOptions {
  PlanFormat Format = PlanFormat::Table;
  /// List every placed atom, not just the metrics.
  bool ListAtoms = true;
  /// How many unmatched profile names to list (the count is always shown).
  unsigned MaxUnmatchedListed = 10;
};

/// Prints a JSON document as the YAML document with the same tree (keys
/// sorted): the YAML form of every printed document.
void printAsYAML(const llvm::json::Value &Document, llvm::raw_ostream &OS);

void printPlan(const LayoutPlan &Plan, const std::vector<Atom> &Atoms,
               const PlanPrintOptions &Options, llvm::raw_ostream &OS);

} // namespace pagelayout

#endif

//===- PageMap.h - Which code sits on which page of a binary ----*- C++ -*-===//
//
// `pagelayout report` looks at a finished binary the way the kernel pages
// it in: page by page. The page map is that view as data: every code
// section of the binary (the ones a layout places, and .init, .plt, .fini,
// which stay), the code on each page and the phase the profile gives it,
// and, when there is a profile (or a traced run), which pages each run
// phase touches.
//
// "Touched in a phase" means: holding a byte first executed in that phase.
// With executed byte ranges (the trace recorder's, or any profile with
// *_ranges) only those bytes count; a function listed without ranges
// counts whole, in the phase it first ran in. Code outside every function
// the profile can name (.init, .plt, the C runtime's helpers) runs in
// every process: it is marked "runs anyway" and counted in the whole run,
// as the layout engine counts it.
//
// The totals are the layout reports' (ld.pagelayout --layout-report,
// reorder --report): startup and the whole run are measured by the same
// functions, so the numbers agree by construction; first_frame and steady
// are measured the same way over their own bytes.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_PAGEMAP_H
#define PAGELAYOUT_REORDER_PAGEMAP_H

#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/PlanPrinter.h"
#include "pagelayout/schema/PhaseInference.h"
#include "pagelayout/schema/Profile.h"
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace pagelayout {

/// The phases of a run that touch code, in time order (cold code is, by
/// definition, what no phase touched).
constexpr unsigned NumRunPhases = 3;

/// Where a page map's "touched" information comes from.
enum class TouchSource {
  None,    ///< no profile: the map shows code and phases only
  Phases,  ///< the module's own phase bits (SMF): phases, nothing touched
  Profile, ///< a profile given with --profile
  Run,     ///< a run traced by the report itself (--run)
};
llvm::StringRef touchSourceName(TouchSource S);

/// An executable section of the binary.
struct MappedSection {
  std::string Name;
  uint64_t Address = 0;
  uint64_t Size = 0;
  /// A section layouts place functions in (.text and lld's .text.*
  /// output sections), else code that stays (.init, .plt, .fini).
  bool LaidOut = false;
};

/// One piece of code on the map: a function (aliases merged), a code
/// section outside the layout, or code without a function symbol.
struct MappedCode {
  std::string Name;
  std::string Section;
  uint64_t Address = 0;
  uint64_t Size = 0;
  /// The phase the layout gives it; none without phase information (and
  /// for code that runs anyway, which no layout places).
  std::optional<Phase> LayoutPhase;
  /// .init, .fini, the PLT, the C runtime's code without a symbol.
  bool RunsAnyway = false;
  /// Named by the profile.
  bool Profiled = false;
  /// Bytes first executed in startup, first_frame and steady, as absolute
  /// [begin, end) addresses: sorted, disjoint.
  std::array<std::vector<ByteRange>, NumRunPhases> Executed;
};

struct MappedPage {
  uint64_t Address = 0; ///< the page's first byte
  /// Bytes of code on the page (padding between functions excluded).
  uint64_t CodeBytes = 0;
  /// Sections with bytes on the page, in address order.
  std::vector<std::string> Sections;
  /// Bytes of the code on the page by its layout phase.
  std::array<uint64_t, NumPhases> PhaseBytes{};
  /// Bytes of code with no phase (no information, or code that runs
  /// anyway).
  uint64_t UnphasedBytes = 0;
  /// Bytes first executed on the page in each run phase.
  std::array<uint64_t, NumRunPhases> ExecutedBytes{};
  bool RunsAnyway = false;
  /// Indices into PageMap::Code of the code with bytes on the page.
  std::vector<unsigned> Code;

  bool touchedIn(unsigned RunPhase) const {
    return ExecutedBytes[RunPhase] != 0;
  }
  /// Touched by the run at all (a phase, or code that runs anyway).
  bool touched() const {
    return RunsAnyway || ExecutedBytes[0] || ExecutedBytes[1] ||
           ExecutedBytes[2];
  }
  /// The phase with the most bytes on the page, if any has bytes.
  std::optional<Phase> mainPhase() const;
};

/// The code of one layout phase.
struct LayoutPhaseTotals {
  uint64_t Functions = 0;
  uint64_t Bytes = 0;
  /// Pages holding any byte of it.
  uint64_t Pages = 0;
  /// ceil(Bytes / page).
  uint64_t LowerBound = 0;
};

/// What one run phase touched, with the bounds of the layout reports.
struct RunPhaseTotals {
  /// Functions with bytes first executed in the phase.
  uint64_t Functions = 0;
  uint64_t ExecutedBytes = 0;
  /// Pages holding a byte first executed in the phase.
  uint64_t TouchedPages = 0;
  /// Of those, pages no earlier phase touched: what the phase pages in.
  uint64_t NewPages = 0;
  /// ceil(bytes of those functions / page).
  uint64_t FunctionBound = 0;
  /// The best a layout keeping functions whole can do (see PlanMetrics).
  uint64_t SpanBound = 0;
  /// ceil(executed bytes / page).
  uint64_t InstructionBound = 0;
};

struct WholeRunTotals {
  /// Pages holding any executed byte, and the pages of code that runs
  /// anyway.
  uint64_t TouchedPages = 0;
  /// Pages of code that runs anyway (.init, .plt, ...).
  uint64_t RunsAnywayPages = 0;
  uint64_t SpanBound = 0;
  uint64_t InstructionBound = 0;
};

struct PageMap {
  std::string Binary;
  BinaryFormat Format = BinaryFormat::ELF;
  uint64_t PageSize = 4096;
  TouchSource Source = TouchSource::None;
  /// The profile files, or the traced command line.
  std::string SourceName;
  /// Why there are no phases (Source None), for the printed map.
  std::string NoPhases;
  /// The profile carried executed byte ranges (else functions count whole).
  bool HaveExecutedRanges = false;
  /// Profile functions (the C runtime's entry code added) and how many
  /// name code of the binary.
  uint64_t ProfileFunctions = 0;
  uint64_t MatchedFunctions = 0;

  std::vector<MappedSection> Sections;
  /// Every piece of code, by address.
  std::vector<MappedCode> Code;
  /// Every page holding code, by address.
  std::vector<MappedPage> Pages;
  uint64_t CodeBytes = 0;
  std::array<LayoutPhaseTotals, NumPhases> Phases;
  std::array<RunPhaseTotals, NumRunPhases> RunPhases;
  WholeRunTotals Run;

  bool havePhases() const { return Source != TouchSource::None; }
  bool haveTouched() const {
    return Source == TouchSource::Profile || Source == TouchSource::Run;
  }
  /// Startup pages touched ÷ startup's span bound: 1 is the best a layout
  /// keeping functions whole can do (0 when startup ran nothing).
  double startupPageEfficiency() const;
};

struct PageMapOptions {
  uint64_t PageSize = 4096;
  TouchSource Source = TouchSource::None;
  std::string SourceName;
  InferenceConfig Inference;
};

/// The page map of \p B (read with LinkedReadOptions::ForRewrite = false)
/// and, with \p P, the phases and touched pages the profile gives. Without
/// a profile the module's own phases are used (SMF's phase bits), if any.
/// \p P is not changed: the C runtime's entry code is added to a copy, as
/// the layout reports do.
PageMap buildPageMap(const LinkedBinary &B, const Profile *P,
                     const PageMapOptions &Opts);

struct PageMapPrintOptions {
  /// Table is the text form; YAML and JSON share one schema
  /// (docs/user-guide.md, "pagelayout report").
  PlanFormat Format = PlanFormat::Table;
  /// List the code on each page.
  bool ListFunctions = false;
};

/// Prints \p Maps: one binary, or two side by side (--compare: the first
/// is "before", the second "after").
void printPageMaps(llvm::ArrayRef<const PageMap *> Maps,
                   const PageMapPrintOptions &Opts, llvm::raw_ostream &OS);

/// The heat map: one square per code page, coloured by the phase of its
/// code and marked where startup touched it, the code on hover. Two maps
/// are drawn side by side with their totals.
void writePageMapSvg(llvm::ArrayRef<const PageMap *> Maps,
                     llvm::raw_ostream &OS);
/// The same heat map in a self-contained HTML page, with the totals and a
/// table of the pages.
void writePageMapHtml(llvm::ArrayRef<const PageMap *> Maps,
                      llvm::raw_ostream &OS);

} // namespace pagelayout

#endif

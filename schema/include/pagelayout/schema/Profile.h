//===- Profile.h - The layout profile model ---------------------*- C++ -*-===//
//
// A layout profile says, for one program, which functions run in which phase
// of its life (startup, first frame, steady state, cold), how often they are
// called, when they are first called, and who calls whom. Everything else in
// pagelayout reads this model: the YAML reader fills it, the engine consumes
// it, the recorder and importers produce it.
//
// The model keeps the source location of every function so that later checks
// (duplicate names, phase conflicts) can point back into the file.
//
// Call edges and traces name functions by StringRefs into the profile's
// name pool (NamePool.h): at a million functions and five million edges a
// std::string per name was most of the model. Whoever adds an edge or a
// trace entry interns its names first (Profile::intern); a name from
// another profile, or from a temporary, must be interned too, or it
// dangles when that one is gone. Copies of a profile share its pool.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_SCHEMA_PROFILE_H
#define PAGELAYOUT_SCHEMA_PROFILE_H

#include "pagelayout/schema/NamePool.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pagelayout {

/// The newest profile format version this build reads and writes. Version 2
/// adds first_frame_ranges and steady_ranges, version 3 the basic-block ids
/// of a binary with SHT_LLVM_BB_ADDR_MAP (startup_blocks, first_frame_blocks,
/// steady_blocks, block_hash). A profile is written with the lowest version
/// that holds its content, so older readers keep reading what they can.
constexpr uint64_t ProfileFormatVersion = 3;

/// Phases in layout order: the engine places them in this order.
enum class Phase : uint8_t {
  Startup = 0,
  FirstFrame = 1,
  Steady = 2,
  Cold = 3
};
constexpr unsigned NumPhases = 4;

/// The spelling used in YAML and in every printed plan.
llvm::StringRef phaseName(Phase P);
/// Parses "startup", "first_frame", "steady" or "cold".
std::optional<Phase> parsePhase(llvm::StringRef Name);
/// "startup, first_frame, steady or cold": for error messages.
llvm::StringRef phaseNameList();

/// Where something came from in a profile file (1-based; 0 = unknown).
struct SourceLoc {
  unsigned Line = 0;
  unsigned Column = 0;
};

/// A half-open byte range [Begin, End) relative to a function's start.
struct ByteRange {
  uint64_t Begin = 0;
  uint64_t End = 0;
  bool operator==(const ByteRange &O) const {
    return Begin == O.Begin && End == O.End;
  }
};

/// A named point on the run's timeline, e.g. startup_end.
struct Marker {
  std::string Name;
  uint64_t TimeNs = 0;
};

/// Well-known marker names the phase inference understands.
constexpr llvm::StringLiteral StartupEndMarker = "startup_end";
constexpr llvm::StringLiteral FirstFrameMarker = "first_frame";

struct FunctionProfile {
  std::string Name;
  std::optional<Phase> ExplicitPhase;
  uint64_t Calls = 0;
  std::optional<uint64_t> FirstCallNs;
  std::optional<uint64_t> LastCallNs;
  std::optional<uint64_t> Samples;
  std::optional<uint64_t> SelfNs;
  bool Pinned = false;
  /// Byte ranges of the function that ran during startup (block coverage);
  /// empty when the recorder captured none. Sorted and disjoint.
  std::vector<ByteRange> StartupRanges;
  /// The same for the bytes first executed during the first frame and
  /// after it (version 2; an exact trace records them).
  std::vector<ByteRange> FirstFrameRanges;
  std::vector<ByteRange> SteadyRanges;
  /// Version 3: the ids (SHT_LLVM_BB_ADDR_MAP's) of the function's basic
  /// blocks that first ran in each phase, in first-execution order. A block
  /// is in at most one of the three lists: the earliest phase it ran in.
  std::vector<uint32_t> StartupBlocks;
  std::vector<uint32_t> FirstFrameBlocks;
  std::vector<uint32_t> SteadyBlocks;
  /// Version 3: blockSizesHash of the function's address map in the
  /// recorded binary; a consumer compares it with the binary it lays out
  /// and ignores the block ids of a function whose blocks changed.
  std::optional<uint64_t> BlockHash;
  SourceLoc Loc;

  /// True when the profile says this function ran at all.
  bool wasExecuted() const {
    return Calls > 0 || FirstCallNs.has_value() || Samples.value_or(0) > 0 ||
           !StartupRanges.empty() || !FirstFrameRanges.empty() ||
           !SteadyRanges.empty() || !StartupBlocks.empty() ||
           !FirstFrameBlocks.empty() || !SteadyBlocks.empty();
  }
  /// True when the entry carries a field of format version 2.
  bool needsVersion2() const {
    return !FirstFrameRanges.empty() || !SteadyRanges.empty();
  }
  /// True when the entry carries a field of format version 3.
  bool needsVersion3() const {
    return !StartupBlocks.empty() || !FirstFrameBlocks.empty() ||
           !SteadyBlocks.empty() || BlockHash.has_value();
  }
};

/// One basic block of a function's SHT_LLVM_BB_ADDR_MAP entry.
struct BlockShape {
  uint32_t Id = 0;
  uint32_t Size = 0;
};

/// The staleness hash of a function's blocks (block_hash): FNV-1a 64 over
/// each block's id and size, as two little-endian 32-bit words, in the
/// order of the address map (its ranges in order, each range's blocks in
/// order). Any added, removed, renumbered, reordered or resized block
/// changes it.
uint64_t blockSizesHash(llvm::ArrayRef<BlockShape> Blocks);

/// Sorts \p Ranges and merges overlapping or touching ones: the canonical
/// form of every *_ranges field.
void normalizeRanges(std::vector<ByteRange> &Ranges);

/// Caller and Callee point into the owning profile's name pool (or at
/// string literals, which outlive everything).
struct CallEdge {
  llvm::StringRef Caller;
  llvm::StringRef Callee;
  uint64_t Count = 0;
};

/// A glob over function names mapping to a phase; the first match wins.
struct PhaseRule {
  std::string Pattern;
  Phase RulePhase = Phase::Cold;
  SourceLoc Loc;
};

/// One run's temporal order: functions in the order they were first called.
/// The names point into the owning profile's name pool, as CallEdge's.
struct Trace {
  std::vector<llvm::StringRef> Functions;
  uint64_t Weight = 1;
};

struct ProfileMetadata {
  std::string BinaryPath;
  std::string BuildId;
  std::string Tool;
  std::string Created;
  /// Length of the recorded run; lets the inference compute call rates.
  std::optional<uint64_t> DurationNs;
  /// How many runs were merged into this profile (1 for a single run).
  uint64_t Runs = 1;
};

struct Profile {
  uint64_t Version = ProfileFormatVersion;
  ProfileMetadata Metadata;
  std::vector<Marker> Markers;
  std::vector<FunctionProfile> Functions;
  std::vector<CallEdge> Edges;
  std::vector<PhaseRule> Rules;
  std::vector<Trace> Traces;
  /// The bytes of the names in Edges and Traces; shared by copies, created
  /// by the first intern().
  std::shared_ptr<NamePool> Names;

  /// \p S as a name that lives as long as this profile (and its copies).
  llvm::StringRef intern(llvm::StringRef S);
  /// The pool, created if the profile has none yet: for a reader that
  /// interns many names.
  NamePool &namePool();

  const Marker *findMarker(llvm::StringRef Name) const;
  /// The format version the profile's content needs: 3 when a function
  /// has a version-3 field, else 2 when one has a version-2 field, else 1.
  /// The writer writes this.
  uint64_t neededVersion() const;
  /// The latest time anything in the profile happened (0 if untimed).
  uint64_t latestTimeNs() const;
};

} // namespace pagelayout

#endif

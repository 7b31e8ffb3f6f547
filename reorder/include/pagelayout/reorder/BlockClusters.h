//===- BlockClusters.h - Split functions by phase, with basic-block sections -*- C++ -*-===//
//
// A function whose startup runs a few of its blocks and leaves the rest for
// later (or never) costs startup every page its body spans. Clang can cut a
// function into sections at block boundaries (-fbasic-block-sections=
// list=FILE, the mechanism Propeller uses): per function, clusters of
// basic-block ids; the first cluster stays in the function's own section,
// each later cluster gets a section of its own (symbol NAME.__part.N), and
// blocks in no cluster go to NAME.cold in .text.split.NAME.
//
// pagelayout makes one cluster per phase, from the block ids a trace
// recorded (`record --mode=trace` on a build with -fbasic-block-address-
// map): the blocks first run at startup, entry first, then those first run
// in the first frame, then in steady state; never-run blocks are left to
// the cold part. So NAME holds the function's earliest phase, NAME.__part.N
// the N-th of its later phases in that order, NAME.cold its cold blocks:
// the names say which phase each part belongs to, given the profile, and
// ld.pagelayout places every part with the other code of its phase.
//
// A function whose blocks changed since the trace (its block_hash differs
// from the binary's address map) gets no clusters: it stays whole, and
// that is reported. Never a wrong split.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_BLOCKCLUSTERS_H
#define PAGELAYOUT_REORDER_BLOCKCLUSTERS_H

#include "pagelayout/reorder/Atom.h"
#include "pagelayout/schema/Profile.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <vector>

namespace pagelayout {

/// One function's clusters: Clusters[0] starts with the entry block.
struct FunctionClusters {
  std::string Name;
  std::vector<std::vector<uint32_t>> Clusters;
  /// Parallel to Clusters: the phase each cluster's section belongs to.
  std::vector<Phase> Phases;
};

struct BlockClusterList {
  std::vector<FunctionClusters> Functions;
  /// Functions of the profile with block ids that get no clusters, and why
  /// ("its blocks changed since the profile was recorded", ...).
  std::vector<std::pair<std::string, std::string>> Skipped;
  /// Functions whose blocks all ran in one phase: nothing to split (their
  /// never-run blocks still go to the cold part).
  unsigned SinglePhase = 0;
};

/// The phases, in layout order, in which \p F first ran some block: the
/// phases of its clusters (and so of NAME, NAME.__part.1, ...).
std::vector<Phase> blockPhases(const FunctionProfile &F);

/// Computes the cluster list for the binary at \p BinaryPath (built with
/// -fbasic-block-address-map; the binary the profile was recorded from, or
/// one with the same blocks) from \p P's block ids. Errors: the binary
/// cannot be read, has no SHT_LLVM_BB_ADDR_MAP, or \p P has no block ids.
llvm::Expected<BlockClusterList>
computeBlockClusters(const Profile &P, llvm::StringRef BinaryPath);

/// Writes \p L in clang's cluster-list format (version 1: "v1", then per
/// function "f NAME" and one "c ID..." line per cluster).
void writeBlockClusterList(const BlockClusterList &L, llvm::raw_ostream &OS);

/// The phase of the section of a split function's part named \p Symbol
/// (NAME, NAME.__part.N or NAME.cold) when \p P says how NAME was split;
/// std::nullopt for a symbol that is no part of a function with block ids.
/// \p NameOf finds the profile function by name (an index into
/// P.Functions, or -1).
std::optional<Phase>
clusterPartPhase(const Profile &P, llvm::StringRef Symbol,
                 llvm::function_ref<int(llvm::StringRef)> NameOf);

/// What applyBlockClusters found.
struct SplitFunctions {
  /// Functions of the profile whose parts the atoms hold.
  unsigned Functions = 0;
  /// Parts given a phase (NAME.__part.N and NAME.cold).
  unsigned Parts = 0;
};

/// The basic-block ids of each address range of a binary's
/// SHT_LLVM_BB_ADDR_MAP, by the range's start address. A function compiled
/// with basic-block sections has one range per part, so the map says which
/// blocks each part holds, whoever wrote the cluster list.
struct BlockRanges {
  llvm::DenseMap<uint64_t, std::vector<uint32_t>> IdsAt;
};
/// Reads \p Binary's address map (ELF); empty when it has none or it
/// cannot be read (parts then take their phase by name, as below).
BlockRanges readBlockRanges(llvm::MemoryBufferRef Binary);

/// For a link of code compiled with a cluster list: gives every part of a
/// split function (an atom symbol NAME.__part.N or NAME.cold, NAME with
/// block ids in \p P) a profile entry of its own with its phase, and drops
/// the split function's byte ranges, which are offsets in the unsplit
/// function (its parts hold only blocks that ran: each counts whole).
/// A part's phase is the earliest phase any of its blocks ran in (cold if
/// none ran) when \p Ranges has its address (atom addresses are
/// OriginalOffset); otherwise its name says it, for a list written by
/// `profile convert --to=bb-clusters` from the same profile: NAME.__part.N
/// the N-th phase NAME ran blocks in, NAME.cold cold. Functions without
/// parts are left alone.
SplitFunctions applyBlockClusters(Profile &P, const std::vector<Atom> &Atoms,
                                  const BlockRanges *Ranges = nullptr);

} // namespace pagelayout

#endif

//===- BlockFinder.h - Basic-block starts of a release binary ---*- C++ -*-===//
//
// `record --mode=trace` puts a one-shot breakpoint at the start of every
// basic block of the program's functions. This finds those starts with
// LLVM MC, from the executable alone (no instrumentation, no relocations).
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_RECORD_BLOCKFINDER_H
#define PAGELAYOUT_RECORD_BLOCKFINDER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pagelayout {

/// One basic block: [Begin, End) as offsets from the function start. A
/// block that starts to run runs to its end unless an instruction inside
/// it faults.
struct TraceBlock {
  uint64_t Begin = 0;
  uint64_t End = 0;
  bool operator==(const TraceBlock &O) const {
    return Begin == O.Begin && End == O.End;
  }
};

/// The blocks of one function and what could not be observed.
struct FunctionBlocks {
  std::vector<TraceBlock> Blocks; ///< sorted, disjoint
  /// Bytes from the first byte that does not decode to the function end:
  /// no breakpoint goes there (a linear sweep is lost after it).
  uint64_t UndecodedBytes = 0;
  /// int3 instructions (padding after a noreturn call): a breakpoint
  /// cannot be told apart from them, so they are not observed.
  uint64_t TrapBytes = 0;
  /// Branch targets inside the function that are not on a decoded
  /// instruction start: ignored (no breakpoint in the middle of an
  /// instruction).
  uint64_t OffBoundaryTargets = 0;
  /// The function has an indirect jump (a jump table, a computed goto):
  /// control may enter mid-block, so every instruction is its own block
  /// (unless the binary's address map gives the exact block starts).
  bool PerInstruction = false;
  /// Block starts given by the address map that are not on a decoded
  /// instruction start: the map does not describe this code.
  uint64_t MapStartsOffBoundary = 0;
};

/// LLVM MC's x86-64 decoder and instruction analysis, set up once.
class BlockFinder {
public:
  static llvm::Expected<BlockFinder> create();
  BlockFinder(BlockFinder &&);
  ~BlockFinder();

  /// The blocks of the function whose code is \p Code, loaded at
  /// \p Address: leaders are the entry, every direct branch target inside
  /// the function and the instruction after each branch, call, return,
  /// trap or syscall; every instruction when the function has an indirect
  /// jump.
  ///
  /// With \p MapStarts (offsets of the block starts SHT_LLVM_BB_ADDR_MAP
  /// gives, and of the padding after its blocks) those are leaders too and
  /// an indirect jump does not make the function per instruction: every
  /// target of an indirect jump (a jump-table case, a computed goto's
  /// label) is a machine basic block of its own, so control enters blocks
  /// only at their start.
  FunctionBlocks find(llvm::ArrayRef<uint8_t> Code, uint64_t Address,
                      llvm::ArrayRef<uint64_t> MapStarts = {}) const;

private:
  struct Impl;
  explicit BlockFinder(std::unique_ptr<Impl> I);
  std::unique_ptr<Impl> I;
};

/// No address-map block: padding between map blocks, or no map at all.
constexpr uint32_t NoBlockId = UINT32_MAX;

/// A function of the traced executable with its blocks.
struct TracedFunction {
  std::string Name;
  uint64_t Address = 0; ///< link-time address
  uint64_t Size = 0;
  FunctionBlocks Blocks;
  /// With SHT_LLVM_BB_ADDR_MAP: the map's block id of each of
  /// Blocks.Blocks (a map block split at calls gives several), NoBlockId
  /// for padding; empty without a map for this function.
  std::vector<uint32_t> BlockIds;
  /// The function (index into TraceImage::Functions) whose map the ids
  /// are of: itself, or the function whose basic-block section this is.
  uint32_t IdOwner = 0;
  /// blockSizesHash of the function's own map, when it has one.
  std::optional<uint64_t> BlockHash;
};

/// What the tracer needs to know of the executable.
struct TraceImage {
  std::string Path;
  std::string BuildId;
  uint64_t Entry = 0; ///< e_entry
  bool PositionIndependent = false;
  /// The address of the page where the file's offset 0 is loaded (the
  /// first PT_LOAD's): a library's load bias is where that page is mapped
  /// minus this.
  uint64_t LoadBase = 0;
  /// Sorted by address, non-overlapping (aliases and nested symbols
  /// dropped).
  std::vector<TracedFunction> Functions;
  /// __pagelayout_mark when the program defines it (its markers).
  std::optional<uint64_t> MarkFunction;
  /// SHT_LLVM_BB_ADDR_MAP: functions whose blocks come from it, functions
  /// of the map that do not match the code (traced by decoding alone), and
  /// why the map could not be read at all (empty: read, or none).
  uint64_t MapFunctions = 0;
  uint64_t MapRejected = 0;
  std::string MapProblem;

  /// The function named \p Name, or null.
  const TracedFunction *find(llvm::StringRef Name) const;

  /// Every block of every function, numbered in address order: the block
  /// ids the tracer records.
  struct BlockRef {
    uint32_t Function = 0; ///< index into Functions
    uint32_t Block = 0;    ///< index into that function's blocks
  };
  std::vector<BlockRef> allBlocks() const;
};

/// Reads the x86-64 ELF executable at \p Path and finds its functions'
/// blocks, with the exact boundaries and ids of its SHT_LLVM_BB_ADDR_MAP
/// where it has one (clang -fbasic-block-address-map). Errors say what is
/// missing (not ELF, not x86-64, no symbols). With \p DynamicSymbols, a
/// file without a symbol table (a system library) is read by its dynamic
/// symbols: its exported functions.
llvm::Expected<TraceImage> readTraceImage(llvm::StringRef Path,
                                          const BlockFinder &Finder,
                                          bool DynamicSymbols = false);

} // namespace pagelayout

#endif

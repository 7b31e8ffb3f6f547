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
  /// control may enter mid-block, so every instruction is its own block.
  bool PerInstruction = false;
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
  FunctionBlocks find(llvm::ArrayRef<uint8_t> Code, uint64_t Address) const;

private:
  struct Impl;
  explicit BlockFinder(std::unique_ptr<Impl> I);
  std::unique_ptr<Impl> I;
};

/// A function of the traced executable with its blocks.
struct TracedFunction {
  std::string Name;
  uint64_t Address = 0; ///< link-time address
  uint64_t Size = 0;
  FunctionBlocks Blocks;
};

/// What the tracer needs to know of the executable.
struct TraceImage {
  std::string Path;
  std::string BuildId;
  uint64_t Entry = 0; ///< e_entry
  bool PositionIndependent = false;
  /// Sorted by address, non-overlapping (aliases and nested symbols
  /// dropped).
  std::vector<TracedFunction> Functions;
  /// __pagelayout_mark when the program defines it (its markers).
  std::optional<uint64_t> MarkFunction;

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
/// blocks. Errors say what is missing (not ELF, not x86-64, no symbols).
llvm::Expected<TraceImage> readTraceImage(llvm::StringRef Path,
                                          const BlockFinder &Finder);

} // namespace pagelayout

#endif

//===- RawFormat.h - The recorder's raw per-process file --------*- C++ -*-===//
//
// Shared by the runtime (writer) and `pagelayout record` (reader). All
// integers little-endian. A file is a header followed by tagged chunks:
//
//   Header  { char Magic[8] = "PLRAW01\0"; u32 Version; u32 Pid; u32 ParentPid;
//             u32 Flags; u64 DurationNs; }
//   Chunk   { u32 Tag; u32 Count; u64 Bytes; payload[Bytes] }
//
// Addresses are raw runtime addresses; the Modules chunk maps them to
// files and load biases, and symbolisation happens offline.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_RECORD_RAWFORMAT_H
#define PAGELAYOUT_RECORD_RAWFORMAT_H

#include <cstdint>

namespace pagelayout {
namespace raw {

constexpr char Magic[8] = {'P', 'L', 'R', 'A', 'W', '0', '1', '\0'};
constexpr uint32_t Version = 1;

/// Header flags: which instrumentation produced the data.
enum : uint32_t {
  FlagFirstCall = 1u << 0, ///< trace-pc-guard first hits
  FlagBlocks = 1u << 1,    ///< guards are basic blocks (pc-table present)
  FlagFull = 1u << 2,      ///< -finstrument-functions counts and edges
  FlagTruncated = 1u << 3, ///< a bounded buffer filled up; data is partial
  FlagScanned = 1u << 4,   ///< inline-bool-flag: times are scan times
};

enum Tag : uint32_t {
  /// Count x { u64 Base; u64 Begin; u64 End; u16 PathLen; char Path[] }:
  /// an executable mapping [Begin, End) of the file at Path, loaded at Base.
  TagModules = 1,
  /// Count x { u64 TimeNs; u16 NameLen; char Name[] }.
  TagMarkers = 2,
  /// Count x { u64 Pc; u64 TimeNs }: first executions in time order. Pc is
  /// a return address inside the function or block that ran (scanned
  /// flags store the block start + 1, which reads the same way).
  TagFirstHits = 3,
  /// Count x { u64 Pc; u64 Flags }: the pc-table (block starts; Flags bit 0
  /// marks a function entry), when built with -fsanitize-coverage=pc-table.
  TagPcTable = 4,
  /// Count x { u64 Function; u64 Calls; u64 FirstNs; u64 LastNs; u32 Thread;
  /// u32 Reserved }.
  TagFunctions = 5,
  /// Count x { u64 Caller; u64 Callee; u64 Calls }.
  TagEdges = 6,
};

} // namespace raw
} // namespace pagelayout

#endif

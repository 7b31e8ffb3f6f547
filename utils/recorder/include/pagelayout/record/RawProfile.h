//===- RawProfile.h - Read the recorder's raw files -------------*- C++ -*-===//

#ifndef PAGELAYOUT_RECORD_RAWPROFILE_H
#define PAGELAYOUT_RECORD_RAWPROFILE_H

#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>
#include <vector>

namespace pagelayout {

/// One executable mapping of a loaded file.
struct RawModule {
  uint64_t Base = 0, Begin = 0, End = 0;
  std::string Path;
};

struct RawMarker {
  uint64_t TimeNs = 0;
  std::string Name;
};

struct RawFirstHit {
  uint64_t Pc = 0, TimeNs = 0;
};

struct RawPcEntry {
  uint64_t Pc = 0, Flags = 0;
};

struct RawFunctionCount {
  uint64_t Function = 0, Calls = 0, FirstNs = 0, LastNs = 0;
  uint32_t Thread = 0;
};

struct RawEdge {
  uint64_t Site = 0, Callee = 0, Calls = 0;
};

/// Everything one process recorded.
struct RawProcess {
  std::string FileName;
  uint32_t Pid = 0, ParentPid = 0, Flags = 0;
  uint64_t DurationNs = 0;
  std::vector<RawModule> Modules;
  std::vector<RawMarker> Markers;
  std::vector<RawFirstHit> FirstHits;
  std::vector<RawPcEntry> PcTable;
  std::vector<RawFunctionCount> Functions;
  std::vector<RawEdge> Edges;
};

/// Parses a raw file; every count and length is checked against the
/// file's size first. Unknown chunk tags are skipped (newer runtimes).
llvm::Expected<RawProcess> readRawProcess(llvm::StringRef Path);

} // namespace pagelayout

#endif

//===- CompactProfileFormat.h - The compact form's layout -------*- C++ -*-===//
//
// The byte layout the compact reader and writer share; docs/profile-format.md
// ("The compact form") is its reference. All integers are little-endian.
//
//   header (32 bytes)      magic "\x89PLPROF\n", u32 compact version,
//                          u32 profile format version (YAML's 'version'),
//                          u64 file size, u32 section count, u32 zero
//   section table          one 32-byte entry per section: u32 kind, u32 zero,
//                          u64 offset, u64 size in bytes, u64 entry count
//   sections               each at an 8-byte aligned offset, in table order,
//                          none overlapping another or the table
//
// Every record has a fixed size, so a section of N entries is N times the
// record size and a reader can check the count against the file before it
// allocates. Names are u32 indices into the string table, which holds each
// distinct string once. A function's ranges and block ids are runs of the
// Ranges and Blocks sections, in function order (startup, first frame,
// steady); the function record gives the length of each run. Everything
// optional has a flag bit, and the value field of an absent one is zero:
// one profile has exactly one compact form.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_SCHEMA_COMPACTPROFILEFORMAT_H
#define PAGELAYOUT_SCHEMA_COMPACTPROFILEFORMAT_H

#include "llvm/ADT/StringRef.h"
#include <cstddef>
#include <cstdint>

namespace pagelayout {
namespace compact {

/// 0x89 is not ASCII (no text file starts so; a text-mode transfer that
/// strips the high bit shows), '\n' catches a line-ending conversion.
constexpr llvm::StringLiteral Magic = "\x89PLPROF\n";
/// What detection compares: a file that starts so is a compact profile,
/// damaged or not.
constexpr size_t MagicPrefixSize = 4;

constexpr size_t HeaderSize = 32;
constexpr size_t SectionEntrySize = 32;
/// Sections start at multiples of this, so mapped records are aligned.
constexpr size_t SectionAlignment = 8;

enum class SectionKind : uint32_t {
  Strings = 1,    ///< u64 offsets[count + 1], then the bytes
  Metadata = 2,   ///< one MetadataRecord
  Markers = 3,    ///< MarkerRecord each
  Functions = 4,  ///< FunctionRecord each
  Ranges = 5,     ///< RangeRecord each, the functions' runs in order
  Blocks = 6,     ///< u32 block id each, the functions' runs in order
  Edges = 7,      ///< EdgeRecord each
  Rules = 8,      ///< RuleRecord each
  Traces = 9,     ///< TraceRecord each
  TraceNames = 10 ///< u32 string index each, the traces' runs in order
};
constexpr uint32_t FirstSectionKind = 1, LastSectionKind = 10;

// Record sizes and field offsets.
constexpr size_t MetadataRecordSize = 40; // u32 binary, build_id, tool,
                                          // created; u64 duration_ns, runs;
                                          // u32 flags, u32 zero
constexpr uint32_t MetadataHasDuration = 1;

constexpr size_t MarkerRecordSize = 16; // u32 name, u32 zero, u64 time_ns

constexpr size_t FunctionRecordSize = 80;
// u32 name; u8 phase; u8 flags; u16 zero; u64 calls, first_call_ns,
// last_call_ns, samples, self_ns, block_hash; u32 range counts[3];
// u32 block counts[3].
constexpr size_t FnName = 0, FnPhase = 4, FnFlags = 5, FnZero = 6,
                 FnCalls = 8, FnFirstCall = 16, FnLastCall = 24,
                 FnSamples = 32, FnSelf = 40, FnBlockHash = 48,
                 FnRangeCounts = 56, FnBlockCounts = 68;
enum FunctionFlag : uint8_t {
  HasFirstCall = 1,
  HasLastCall = 2,
  HasSamples = 4,
  HasSelfNs = 8,
  IsPinned = 16,
  HasBlockHash = 32,
  AllFunctionFlags = 63
};
/// The phase byte of a function without an explicit phase.
constexpr uint8_t NoPhase = 0xff;

constexpr size_t RangeRecordSize = 16; // u64 begin, u64 end
constexpr size_t BlockRecordSize = 4;  // u32 id
constexpr size_t EdgeRecordSize = 16;  // u32 caller, u32 callee, u64 count
constexpr size_t RuleRecordSize = 8;   // u32 pattern, u8 phase, u8 zero[3]
constexpr size_t TraceRecordSize = 16; // u64 weight, u32 length, u32 zero
constexpr size_t TraceNameRecordSize = 4; // u32 string index

/// The three phases that have range and block lists, in record order.
constexpr const char *ListPhaseNames[3] = {"startup", "first_frame",
                                           "steady"};

} // namespace compact
} // namespace pagelayout

#endif

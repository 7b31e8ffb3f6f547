//===- CompactProfileReader.cpp - Read a compact layout profile -----------===//
//
// A compact profile is as untrusted as a YAML one, and a binary file has
// more ways to lie: a count can claim more records than the file holds, an
// index can point past a table, an offset can point into another section.
// The reader therefore checks the container before it looks at a record —
// the header, then every section's bounds, alignment, order and size
// against its entry count — so that nothing is allocated for a count the
// file cannot back, and then every record against the same rules as the
// YAML reader (ProfileReader.cpp): names present and unique, phases in
// range, last call not before first, ranges non-empty, block ids once per
// function, globs that compile, runs at least 1.
//
// What YAML cannot say wrongly the compact form can, and it is refused
// rather than repaired: strings that are not UTF-8 (YAML text is), a
// string stored twice, ranges not in the sorted, merged form the writer
// writes, non-zero padding or a value under an absent flag. One profile
// thus has exactly one compact form, and a damaged file does not pass for
// another profile.
//
// Every message names the file, the byte offset of the offending field and
// the field ("functions[3].phase"), since a binary file has no lines.
//
//===----------------------------------------------------------------------===//

#include "CompactProfileFormat.h"
#include "Utf8Text.h"
#include "pagelayout/schema/CompactProfile.h"
#include "pagelayout/schema/ProfileReader.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Parallel.h"
#include <algorithm>
#include <optional>

using namespace llvm;

namespace pagelayout {

using namespace compact;

bool looksLikeCompactProfile(StringRef Contents) {
  return Contents.starts_with(Magic.take_front(MagicPrefixSize));
}

namespace {

/// One section as its table entry gives it, checked against the file.
struct SectionSpan {
  bool Present = false;
  uint64_t EntryOffset = 0; ///< where its table entry is
  uint64_t Offset = 0;
  uint64_t Size = 0;
  uint64_t Count = 0;
};

StringRef sectionName(uint32_t Kind) {
  static const char *const Names[] = {
      "", "strings", "metadata", "markers", "functions", "ranges",
      "blocks", "edges", "rules", "traces", "trace names"};
  return Kind >= FirstSectionKind && Kind <= LastSectionKind ? Names[Kind]
                                                            : "unknown";
}

/// The fixed record size of a section kind (the string table has none).
uint64_t recordSize(SectionKind K) {
  switch (K) {
  case SectionKind::Strings:
    return 0;
  case SectionKind::Metadata:
    return MetadataRecordSize;
  case SectionKind::Markers:
    return MarkerRecordSize;
  case SectionKind::Functions:
    return FunctionRecordSize;
  case SectionKind::Ranges:
    return RangeRecordSize;
  case SectionKind::Blocks:
    return BlockRecordSize;
  case SectionKind::Edges:
    return EdgeRecordSize;
  case SectionKind::Rules:
    return RuleRecordSize;
  case SectionKind::Traces:
    return TraceRecordSize;
  case SectionKind::TraceNames:
    return TraceNameRecordSize;
  }
  return 0;
}

/// The edges seen so far, as (caller, callee) string-index pairs, for the
/// duplicate check. At millions of edges every probe of a hash set is a
/// cache miss; this one is open-addressed in one array (linear probing, at
/// most 2/3 full) so that the reader can prefetch the slot of an edge a
/// few records ahead while it checks this one.
class EdgeKeySet {
public:
  explicit EdgeKeySet(uint64_t N)
      : Bits(Log2_64_Ceil(std::max<uint64_t>(16, N + N / 2))),
        Slots(uint64_t(1) << Bits, Empty) {}
  void prefetch(uint64_t Key) const { __builtin_prefetch(&Slots[slot(Key)]); }
  /// False when \p Key is in the set already.
  bool insert(uint64_t Key) {
    uint64_t Mask = Slots.size() - 1;
    for (uint64_t I = slot(Key);; I = (I + 1) & Mask) {
      if (Slots[I] == Key)
        return false;
      if (Slots[I] == Empty) {
        Slots[I] = Key;
        return true;
      }
    }
  }

private:
  /// No key is this: string indices are below UINT32_MAX.
  static constexpr uint64_t Empty = ~uint64_t(0);
  /// Fibonacci hashing: the top bits of the key times 2^64 / phi.
  uint64_t slot(uint64_t Key) const {
    return (Key * 0x9e3779b97f4a7c15ull) >> (64 - Bits);
  }
  unsigned Bits;
  std::vector<uint64_t> Slots;
};

/// Which edge first repeats a (caller, callee) pair of string indices. A
/// pair can only repeat among its caller's edges, and the writers list
/// edges grouped by caller: while the callers come in runs, each run's
/// callees are checked among themselves when the run ends (sorted; a
/// caller has a few), with no table of every pair, which for 5,000,000
/// edges is 64 MB and a cache miss per edge. A caller met again after its
/// run switches to that table, filled with the pairs before it.
class EdgeRepeatCheck {
public:
  EdgeRepeatCheck(uint64_t NumStrings, uint64_t NumEdges,
                  function_ref<uint64_t(uint64_t)> KeyOf)
      : RunDone(NumStrings), NumEdges(NumEdges), KeyOf(KeyOf) {}

  /// Adds edge \p I; the first edge known to repeat an earlier one, if
  /// any (an edge before \p I when a run ends with a repeat in it).
  std::optional<uint64_t> add(uint64_t I, uint32_t Caller, uint32_t Callee) {
    if (Table)
      return Table->insert(key(Caller, Callee)) ? std::nullopt
                                                : std::optional(I);
    if (InRun && Caller == RunCaller) {
      Run.push_back({Callee, I});
      return std::nullopt;
    }
    if (std::optional<uint64_t> R = endRun())
      return R;
    if (RunDone.test(Caller)) {
      Table.emplace(NumEdges);
      for (uint64_t J = 0; J < I; ++J)
        Table->insert(KeyOf(J)); // distinct: every run was checked
      return add(I, Caller, Callee);
    }
    InRun = true;
    RunCaller = Caller;
    Run.assign(1, {Callee, I});
    return std::nullopt;
  }
  /// Fetches the table's slot for an edge added soon (no table: nothing).
  void prefetch(uint64_t Key) const {
    if (Table)
      Table->prefetch(Key);
  }
  /// The edges are all added (or reading stops): the last run's repeat.
  std::optional<uint64_t> finish() { return endRun(); }

private:
  static uint64_t key(uint32_t Caller, uint32_t Callee) {
    return uint64_t(Caller) << 32 | Callee;
  }
  /// The run's repeat found first in edge order: the least second
  /// occurrence of any callee.
  std::optional<uint64_t> endRun() {
    if (!InRun)
      return std::nullopt;
    InRun = false;
    RunDone.set(RunCaller);
    llvm::sort(Run);
    std::optional<uint64_t> First;
    for (size_t K = 1; K < Run.size(); ++K)
      if (Run[K].first == Run[K - 1].first &&
          (!First || Run[K].second < *First))
        First = Run[K].second;
    return First;
  }

  BitVector RunDone; ///< callers whose run has ended
  uint64_t NumEdges;
  function_ref<uint64_t(uint64_t)> KeyOf;
  bool InRun = false;
  uint32_t RunCaller = 0;
  SmallVector<std::pair<uint32_t, uint64_t>, 16> Run; ///< (callee, edge)
  std::optional<EdgeKeySet> Table;
};

/// From this many edges on, functions and edges are read on two threads
/// (below it, starting them costs more than it saves).
constexpr uint64_t ParallelEdges = 100000;

class CompactReader {
public:
  CompactReader(StringRef Data, StringRef FileName, const WarningHandler &Warn)
      : Data(Data), FileName(FileName), Warn(Warn) {}

  Expected<Profile> read();

private:
  Error error(uint64_t Offset, const Twine &Msg) const {
    return makeLocatedError(FileName, {},
                            "byte offset " + Twine(Offset) + ": " + Msg);
  }
  void warn(uint64_t Offset, const Twine &Msg) const {
    warnAt(Warn, FileName, {}, "byte offset " + Twine(Offset) + ": " + Msg);
  }
  const uint8_t *at(uint64_t Offset) const {
    return reinterpret_cast<const uint8_t *>(Data.data()) + Offset;
  }
  uint8_t u8(uint64_t Offset) const { return *at(Offset); }
  uint16_t u16(uint64_t Offset) const {
    return support::endian::read16le(at(Offset));
  }
  uint32_t u32(uint64_t Offset) const {
    return support::endian::read32le(at(Offset));
  }
  uint64_t u64(uint64_t Offset) const {
    return support::endian::read64le(at(Offset));
  }
  SectionSpan &section(SectionKind K) { return Sections[unsigned(K)]; }

  Error checkZero(uint64_t Offset, uint64_t Value, const Twine &Field) const {
    if (Value == 0)
      return Error::success();
    return error(Offset, Field + " is " + Twine(Value) +
                             "; it is reserved and must be 0");
  }
  /// The string whose u32 index is at \p Offset.
  Expected<StringRef> string(uint64_t Offset, const Twine &Field) const;
  Expected<std::string> nonEmptyString(uint64_t Offset,
                                       const Twine &Field) const;
  /// The phase byte at \p Offset; 255 is none where \p NoneAllowed.
  Expected<std::optional<Phase>> phase(uint64_t Offset, const Twine &Field,
                                       bool NoneAllowed) const;

  Error readHeader();
  Error readSectionTable();
  Error readStrings(Profile &P);
  Error readMetadata(Profile &P);
  Error readMarkers(Profile &P);
  Error readFunctions(Profile &P);
  Error readFunction(uint64_t Index, Profile &P);
  Error readEdges(Profile &P);
  Error readRules(Profile &P);
  Error readTraces(Profile &P);

  StringRef Data;
  StringRef FileName;
  const WarningHandler &Warn;
  uint32_t ProfileVersion = 0;
  SectionSpan Sections[LastSectionKind + 1];
  uint64_t NumStrings = 0;
  uint64_t StringBytesOffset = 0;
  /// The string table, interned in the profile's name pool once: every
  /// name field is an index into it, so a record costs no hashing and no
  /// allocation.
  std::vector<StringRef> Strings;
  /// The function that first used each string as its name (~0u: none).
  std::vector<uint32_t> NameOwner;
  uint64_t RangesUsed = 0, BlocksUsed = 0;
};

Expected<StringRef> CompactReader::string(uint64_t Offset,
                                          const Twine &Field) const {
  uint32_t Index = u32(Offset);
  if (Index >= NumStrings)
    return error(Offset, Field + " is string " + Twine(Index) +
                             ", past the string table (" + Twine(NumStrings) +
                             " strings)");
  return Strings[Index];
}

Expected<std::string> CompactReader::nonEmptyString(uint64_t Offset,
                                                    const Twine &Field) const {
  Expected<StringRef> S = string(Offset, Field);
  if (!S)
    return S.takeError();
  if (S->empty())
    return error(Offset, Field + " must not be empty");
  return S->str();
}

Expected<std::optional<Phase>>
CompactReader::phase(uint64_t Offset, const Twine &Field,
                     bool NoneAllowed) const {
  uint8_t V = u8(Offset);
  if (V < NumPhases)
    return Phase(V);
  if (V == NoPhase && NoneAllowed)
    return std::nullopt;
  return error(Offset, Field + " is " + Twine(unsigned(V)) + "; expected 0 to 3 (" +
                           phaseNameList() + ")" +
                           (NoneAllowed ? " or 255 (none)" : ""));
}

Error CompactReader::readHeader() {
  // The magic first, on whatever bytes there are: a short file that is not
  // compact at all should hear that, not that it is truncated.
  for (size_t I = 0; I < Magic.size() && I < Data.size(); ++I)
    if (Data[I] != Magic[I])
      return error(I, "not a compact profile: bad magic (expected the bytes "
                      "89 50 4c 50 52 4f 46 0a, \"\\x89PLPROF\\n\")");
  if (Data.size() < HeaderSize)
    return error(Data.size(), "truncated: the file has " +
                                  Twine(Data.size()) +
                                  " bytes, a compact profile's header " +
                                  Twine(HeaderSize));
  uint32_t Version = u32(8);
  if (Version == 0 || Version > CompactProfileFormatVersion)
    return error(8, "compact format version " + Twine(Version) +
                        (Version == 0 ? " is not one (versions start at 1)"
                                      : " is newer than this pagelayout "
                                        "reads (up to " +
                                            Twine(CompactProfileFormatVersion) +
                                            "); upgrade pagelayout or convert "
                                            "the profile to YAML where it "
                                            "was written"));
  ProfileVersion = u32(12);
  if (ProfileVersion == 0)
    return error(12, "profile format version must be at least 1");
  if (ProfileVersion > ProfileFormatVersion)
    return error(12, "profile format version " + Twine(ProfileVersion) +
                         " is newer than this pagelayout reads (up to " +
                         Twine(ProfileFormatVersion) +
                         "); upgrade pagelayout or re-record the profile");
  uint64_t FileSize = u64(16);
  if (FileSize != Data.size())
    return error(16, "the header gives the file size as " + Twine(FileSize) +
                         " bytes but the file has " + Twine(Data.size()) +
                         (FileSize > Data.size() ? "; it is truncated"
                                                 : "; bytes follow the "
                                                   "profile"));
  return checkZero(28, u32(28), "header field at byte 28");
}

Error CompactReader::readSectionTable() {
  uint64_t Count = u32(24);
  if (Count > (Data.size() - HeaderSize) / SectionEntrySize)
    return error(24, "the section count " + Twine(Count) +
                         " runs past the end of the file (" +
                         Twine(Data.size()) + " bytes hold at most " +
                         Twine((Data.size() - HeaderSize) / SectionEntrySize) +
                         " section entries)");
  uint64_t End = HeaderSize + Count * SectionEntrySize;
  for (uint64_t I = 0; I < Count; ++I) {
    uint64_t Entry = HeaderSize + I * SectionEntrySize;
    uint32_t Kind = u32(Entry);
    uint64_t Offset = u64(Entry + 8), Size = u64(Entry + 16),
             Entries = u64(Entry + 24);
    std::string What = ("section " + Twine(I) + " (" + sectionName(Kind) + ")")
                           .str();
    if (Error E = checkZero(Entry + 4, u32(Entry + 4), What + " field 2"))
      return E;
    if (Offset % SectionAlignment)
      return error(Entry + 8, What + " starts at " + Twine(Offset) +
                                  ", not a multiple of 8");
    if (Offset < End)
      return error(Entry + 8, What + " starts at " + Twine(Offset) +
                                  ", inside the header, the section table "
                                  "or the section before it (which end at " +
                                  Twine(End) + ")");
    if (Offset > Data.size() || Size > Data.size() - Offset)
      return error(Entry + 16, What + " of " + Twine(Size) + " bytes at " +
                                   Twine(Offset) +
                                   " runs past the end of the file (" +
                                   Twine(Data.size()) + " bytes)");
    End = Offset + Size;
    if (Kind < FirstSectionKind || Kind > LastSectionKind) {
      // A newer writer's section: skipped, as unknown YAML keys are.
      warn(Entry, "unknown section kind " + Twine(Kind) + " ignored");
      continue;
    }
    SectionSpan &S = Sections[Kind];
    if (S.Present)
      return error(Entry, What + " repeats section kind " + Twine(Kind) +
                              " (at table entry " +
                              Twine((S.EntryOffset - HeaderSize) /
                                    SectionEntrySize) +
                              ")");
    SectionKind K = SectionKind(Kind);
    if (uint64_t Record = recordSize(K)) {
      if (Entries > Size / Record || Entries * Record != Size)
        return error(Entry + 24,
                     What + " has " + Twine(Entries) + " entries of " +
                         Twine(Record) + " bytes, which is not its size of " +
                         Twine(Size) + " bytes");
    } else if (Size < 8 || Entries > Size / 8 - 1) {
      return error(Entry + 24, What + " of " + Twine(Size) +
                                   " bytes cannot hold the offsets of " +
                                   Twine(Entries) + " strings");
    }
    if (K == SectionKind::Metadata && Entries != 1)
      return error(Entry + 24, What + " has " + Twine(Entries) +
                                   " entries; it has exactly 1");
    S = {true, Entry, Offset, Size, Entries};
  }
  return Error::success();
}

Error CompactReader::readStrings(Profile &P) {
  const SectionSpan &S = section(SectionKind::Strings);
  if (!S.Present)
    return Error::success();
  NumStrings = S.Count;
  if (NumStrings >= UINT32_MAX)
    return error(S.EntryOffset + 24, "the string table has " +
                                         Twine(NumStrings) +
                                         " strings; indices are 32-bit");
  StringBytesOffset = S.Offset + 8 * (NumStrings + 1);
  uint64_t Bytes = S.Size - 8 * (NumStrings + 1);
  if (u64(S.Offset) != 0)
    return error(S.Offset, "strings[0] starts at " + Twine(u64(S.Offset)) +
                               "; the first string starts at 0");
  // The pool is the profile's own, fresh: whether a string is new to it is
  // whether the table repeats it.
  NamePool &Pool = P.namePool();
  Pool.reserve(NumStrings);
  Strings.reserve(NumStrings);
  // A batch of strings is checked, then interned together (the pool
  // overlaps the batch's cache misses); an error is still the first in
  // table order: a repeat within the checked strings comes before a bad
  // string after them. (1,024 strings' buckets stay in the cache until
  // they are inserted.)
  constexpr uint64_t StringsPerBatch = 1024;
  SmallVector<StringRef, 0> Batch;
  SmallVector<std::pair<StringRef, bool>, 0> Inserted;
  uint64_t Previous = 0;
  for (uint64_t Begin = 0; Begin < NumStrings; Begin += StringsPerBatch) {
    Batch.clear();
    std::optional<Error> Bad; // the first bad string of the batch
    for (uint64_t I = Begin; I < std::min(NumStrings, Begin + StringsPerBatch);
         ++I) {
      uint64_t EndOffset = S.Offset + 8 * (I + 1);
      uint64_t End = u64(EndOffset);
      if (End < Previous || End > Bytes) {
        Bad.emplace(error(EndOffset, "strings[" + Twine(I) + "] ends at " +
                                   Twine(End) + ", " +
                                   (End < Previous
                                        ? "before it starts (" +
                                              Twine(Previous) + ")"
                                        : "past the string bytes (" +
                                              Twine(Bytes) + ")")));
        break;
      }
      StringRef Str =
          Data.substr(StringBytesOffset + Previous, End - Previous);
      if (size_t BadByte = firstNonUtf8(Str); BadByte != StringRef::npos) {
        Bad.emplace(error(StringBytesOffset + Previous + BadByte,
                          "strings[" + Twine(I) +
                              "] is not UTF-8; profile names are UTF-8 "
                              "text"));
        break;
      }
      Batch.push_back(Str);
      Previous = End;
    }
    Inserted.resize(Batch.size());
    Pool.insertAll(Batch, Inserted);
    for (size_t K = 0; K < Batch.size(); ++K) {
      if (!Inserted[K].second) {
        if (Bad)
          consumeError(std::move(*Bad));
        uint64_t I = Begin + K;
        return error(S.Offset + 8 * (I + 1),
                     "strings[" + Twine(I) + "] repeats strings[" +
                         Twine(find(Strings, Batch[K]) - Strings.begin()) +
                         "]; the table holds each string once");
      }
      Strings.push_back(Inserted[K].first);
    }
    if (Bad)
      return std::move(*Bad);
  }
  if (Previous != Bytes)
    return error(S.Offset + 8 * NumStrings,
                 "the last string ends at " + Twine(Previous) + " but the "
                 "string bytes are " + Twine(Bytes) + " long");
  return Error::success();
}

Error CompactReader::readMetadata(Profile &P) {
  const SectionSpan &S = section(SectionKind::Metadata);
  if (!S.Present)
    return Error::success();
  ProfileMetadata &M = P.Metadata;
  uint64_t O = S.Offset;
  struct StringField {
    const char *Key;
    std::string &Out;
  } Strings[] = {{"binary", M.BinaryPath},
                 {"build_id", M.BuildId},
                 {"tool", M.Tool},
                 {"created", M.Created}};
  for (unsigned I = 0; I < 4; ++I) {
    Expected<StringRef> Str =
        string(O + 4 * I, Twine("metadata.") + Strings[I].Key);
    if (!Str)
      return Str.takeError();
    Strings[I].Out = Str->str();
  }
  uint32_t Flags = u32(O + 32);
  if (Flags & ~MetadataHasDuration)
    return error(O + 32, "metadata flags are 0x" + utohexstr(Flags) +
                             "; only bit 0 (duration_ns) is defined");
  if (Flags & MetadataHasDuration)
    M.DurationNs = u64(O + 16);
  else if (Error E = checkZero(O + 16, u64(O + 16),
                               "metadata.duration_ns, absent,"))
    return E;
  M.Runs = u64(O + 24);
  if (M.Runs == 0)
    return error(O + 24, "metadata.runs must be at least 1");
  return checkZero(O + 36, u32(O + 36), "metadata field at byte 36");
}

Error CompactReader::readMarkers(Profile &P) {
  const SectionSpan &S = section(SectionKind::Markers);
  P.Markers.reserve(S.Count);
  DenseMap<uint32_t, uint64_t> Seen;
  for (uint64_t I = 0; I < S.Count; ++I) {
    uint64_t O = S.Offset + I * MarkerRecordSize;
    std::string Field = ("markers[" + Twine(I) + "]").str();
    Expected<std::string> Name = nonEmptyString(O, Field + ".name");
    if (!Name)
      return Name.takeError();
    auto [It, New] = Seen.try_emplace(u32(O), I);
    if (!New)
      return error(O, "duplicate marker '" + *Name + "' (markers[" +
                          Twine(It->second) + "] and " + Field + ")");
    if (std::string W = unknownMarkerWarning(*Name); !W.empty())
      warn(O, W);
    if (Error E = checkZero(O + 4, u32(O + 4), Field + " field 2"))
      return E;
    P.Markers.push_back({std::move(*Name), u64(O + 8)});
  }
  return Error::success();
}

Error CompactReader::readFunction(uint64_t Index, Profile &P) {
  uint64_t O = section(SectionKind::Functions).Offset +
               Index * FunctionRecordSize;
  auto Field = [&](const char *Name) {
    return ("functions[" + Twine(Index) + "]." + Name).str();
  };
  P.Functions.emplace_back();
  FunctionProfile &F = P.Functions.back();
  Expected<std::string> Name =
      nonEmptyString(O + FnName, "functions[" + Twine(Index) + "].name");
  if (!Name)
    return Name.takeError();
  F.Name = std::move(*Name);
  uint32_t &Owner = NameOwner[u32(O + FnName)];
  if (Owner != ~0u)
    return error(O + FnName, "duplicate function '" + F.Name +
                                 "' (functions[" + Twine(Owner) + "] and [" +
                                 Twine(Index) +
                                 "]); merge the entries or use 'profile "
                                 "merge'");
  Owner = uint32_t(Index);
  Expected<std::optional<Phase>> Ph =
      phase(O + FnPhase, "functions[" + Twine(Index) + "].phase",
            /*NoneAllowed=*/true);
  if (!Ph)
    return Ph.takeError();
  F.ExplicitPhase = *Ph;
  uint8_t Flags = u8(O + FnFlags);
  if (Flags & ~AllFunctionFlags)
    return error(O + FnFlags, Field("flags") + " are 0x" + utohexstr(Flags) +
                                  "; bits 6 and 7 are not defined");
  if (Error E = checkZero(O + FnZero, u16(O + FnZero),
                          "functions[" + Twine(Index) + "].reserved"))
    return E;
  F.Calls = u64(O + FnCalls);
  F.Pinned = Flags & IsPinned;
  struct OptionalField {
    uint8_t Flag;
    size_t At;
    const char *Name;
    std::optional<uint64_t> &Out;
  } Optionals[] = {{HasFirstCall, FnFirstCall, "first_call_ns", F.FirstCallNs},
                   {HasLastCall, FnLastCall, "last_call_ns", F.LastCallNs},
                   {HasSamples, FnSamples, "samples", F.Samples},
                   {HasSelfNs, FnSelf, "self_ns", F.SelfNs},
                   {HasBlockHash, FnBlockHash, "block_hash", F.BlockHash}};
  for (OptionalField &Opt : Optionals) {
    uint64_t V = u64(O + Opt.At);
    if (Flags & Opt.Flag)
      Opt.Out = V;
    else if (V)
      return error(O + Opt.At, Field(Opt.Name) + " is " + Twine(V) +
                                   " but its flag says it is absent; an "
                                   "absent value is 0");
  }
  if (F.FirstCallNs && F.LastCallNs && *F.LastCallNs < *F.FirstCallNs)
    return error(O + FnLastCall, "last_call_ns (" + Twine(*F.LastCallNs) +
                                     ") is before first_call_ns (" +
                                     Twine(*F.FirstCallNs) + ") for '" +
                                     F.Name + "'");

  const SectionSpan &Ranges = section(SectionKind::Ranges);
  std::vector<ByteRange> *RangeLists[] = {&F.StartupRanges,
                                          &F.FirstFrameRanges, &F.SteadyRanges};
  for (unsigned L = 0; L < 3; ++L) {
    uint64_t At = O + FnRangeCounts + 4 * L;
    uint64_t N = u32(At);
    auto Key = [&] { return (Twine(ListPhaseNames[L]) + "_ranges").str(); };
    if (N > Ranges.Count - RangesUsed)
      return error(At, Field(Key().c_str()) + " has " + Twine(N) +
                           " ranges, past the end of the ranges section (" +
                           Twine(Ranges.Count - RangesUsed) + " of " +
                           Twine(Ranges.Count) + " left)");
    RangeLists[L]->reserve(N);
    for (uint64_t R = 0; R < N; ++R, ++RangesUsed) {
      uint64_t RO = Ranges.Offset + RangesUsed * RangeRecordSize;
      ByteRange BR{u64(RO), u64(RO + 8)};
      auto What = [&] {
        return ("ranges[" + Twine(RangesUsed) + "], " + ListPhaseNames[L] +
                " range " + Twine(R) + " of '" + F.Name + "',")
            .str();
      };
      if (BR.Begin >= BR.End)
        return error(RO, What() + " [" + Twine(BR.Begin) + ", " +
                             Twine(BR.End) +
                             "] is empty or reversed; end must exceed begin");
      if (!RangeLists[L]->empty() && BR.Begin <= RangeLists[L]->back().End)
        return error(RO, What() + " [" + Twine(BR.Begin) + ", " +
                             Twine(BR.End) +
                             "] does not start after the "
                             "one before it ends (" +
                             Twine(RangeLists[L]->back().End) +
                             "); ranges are sorted, disjoint and merged");
      RangeLists[L]->push_back(BR);
    }
  }

  const SectionSpan &Blocks = section(SectionKind::Blocks);
  std::vector<uint32_t> *BlockLists[] = {&F.StartupBlocks, &F.FirstFrameBlocks,
                                         &F.SteadyBlocks};
  uint64_t AnyBlocks = uint64_t(u32(O + FnBlockCounts)) +
                       u32(O + FnBlockCounts + 4) + u32(O + FnBlockCounts + 8);
  if (!AnyBlocks)
    return Error::success();
  SmallDenseMap<uint32_t, unsigned, 16> Seen;
  for (unsigned L = 0; L < 3; ++L) {
    uint64_t At = O + FnBlockCounts + 4 * L;
    uint64_t N = u32(At);
    auto Key = [&] { return (Twine(ListPhaseNames[L]) + "_blocks").str(); };
    if (N > Blocks.Count - BlocksUsed)
      return error(At, Field(Key().c_str()) + " has " + Twine(N) +
                           " block ids, past the end of the blocks section (" +
                           Twine(Blocks.Count - BlocksUsed) + " of " +
                           Twine(Blocks.Count) + " left)");
    BlockLists[L]->reserve(N);
    for (uint64_t B = 0; B < N; ++B, ++BlocksUsed) {
      uint64_t BO = Blocks.Offset + BlocksUsed * BlockRecordSize;
      uint32_t Id = u32(BO);
      auto [It, New] = Seen.try_emplace(Id, L);
      if (!New)
        return error(
            BO, "blocks[" + Twine(BlocksUsed) + "]: " +
                    (It->second == L
                         ? "block " + Twine(Id) + " is listed twice in '" +
                               Key() + "' of '" + F.Name + "'"
                         : "block " + Twine(Id) + " of '" + F.Name +
                               "' is in both '" + ListPhaseNames[It->second] +
                               "_blocks' and '" + Key() +
                               "'; a block belongs to the phase in which it "
                               "first ran"));
      BlockLists[L]->push_back(Id);
    }
  }
  return Error::success();
}

Error CompactReader::readFunctions(Profile &P) {
  const SectionSpan &S = section(SectionKind::Functions);
  NameOwner.assign(NumStrings, ~0u);
  P.Functions.reserve(S.Count);
  for (uint64_t I = 0; I < S.Count; ++I)
    if (Error E = readFunction(I, P))
      return E;
  for (auto [Kind, Used, What] :
       {std::tuple(SectionKind::Ranges, RangesUsed, "ranges"),
        std::tuple(SectionKind::Blocks, BlocksUsed, "block ids")}) {
    const SectionSpan &Pool = section(Kind);
    if (Used != Pool.Count)
      return error(Pool.EntryOffset + 24,
                   "the " + sectionName(uint32_t(Kind)) + " section has " +
                       Twine(Pool.Count) + " entries but the functions use " +
                       Twine(Used) + " " + What);
  }
  NameOwner = {};
  return Error::success();
}

Error CompactReader::readEdges(Profile &P) {
  const SectionSpan &S = section(SectionKind::Edges);
  P.Edges.reserve(S.Count);
  auto Key = [&](uint64_t I) {
    uint64_t O = S.Offset + I * EdgeRecordSize;
    return uint64_t(u32(O)) << 32 | u32(O + 4);
  };
  EdgeRepeatCheck Repeats(NumStrings, S.Count, Key);
  auto Repeated = [&](uint64_t I) {
    uint64_t O = S.Offset + I * EdgeRecordSize;
    return error(O, "duplicate edge " + Strings[u32(O)] + " -> " +
                        Strings[u32(O + 4)] + " (edges[" + Twine(I) +
                        "]); list each caller/callee pair once");
  };
  // An error in edge I comes after a repeat found before it.
  auto Fail = [&](Error E) {
    if (std::optional<uint64_t> R = Repeats.finish()) {
      consumeError(std::move(E));
      return Repeated(*R);
    }
    return E;
  };
  // The records are read in order, but the names (and table slots) they
  // lead to are anywhere: fetch those of the record this far ahead, so
  // that the misses overlap instead of coming one after another.
  constexpr uint64_t Ahead = 16;
  for (uint64_t I = 0; I < S.Count; ++I) {
    uint64_t O = S.Offset + I * EdgeRecordSize;
    if (I + Ahead < S.Count && NumStrings) {
      uint64_t OA = O + Ahead * EdgeRecordSize;
      __builtin_prefetch(Strings.data() +
                         std::min<uint64_t>(u32(OA), NumStrings - 1));
      __builtin_prefetch(Strings.data() +
                         std::min<uint64_t>(u32(OA + 4), NumStrings - 1));
      Repeats.prefetch(Key(I + Ahead));
    }
    Expected<StringRef> Caller =
        string(O, "edges[" + Twine(I) + "].caller");
    if (!Caller)
      return Fail(Caller.takeError());
    Expected<StringRef> Callee =
        string(O + 4, "edges[" + Twine(I) + "].callee");
    if (!Callee)
      return Fail(Callee.takeError());
    if (Caller->empty() || Callee->empty())
      return Fail(error(Caller->empty() ? O : O + 4,
                        "edges[" + Twine(I) + "]." +
                            (Caller->empty() ? "caller" : "callee") +
                            " must not be empty"));
    // Strings are unique, so a pair of indices is a pair of names.
    if (std::optional<uint64_t> R = Repeats.add(I, u32(O), u32(O + 4)))
      return Repeated(*R);
    P.Edges.push_back({*Caller, *Callee, u64(O + 8)});
  }
  if (std::optional<uint64_t> R = Repeats.finish())
    return Repeated(*R);
  return Error::success();
}

Error CompactReader::readRules(Profile &P) {
  const SectionSpan &S = section(SectionKind::Rules);
  P.Rules.reserve(S.Count);
  for (uint64_t I = 0; I < S.Count; ++I) {
    uint64_t O = S.Offset + I * RuleRecordSize;
    std::string Field = ("rules[" + Twine(I) + "]").str();
    Expected<std::string> Pattern = nonEmptyString(O, Field + ".pattern");
    if (!Pattern)
      return Pattern.takeError();
    if (Expected<GlobPattern> G = GlobPattern::create(*Pattern); !G)
      return error(O, "invalid glob '" + *Pattern +
                          "': " + toString(G.takeError()));
    Expected<std::optional<Phase>> Ph =
        phase(O + 4, Field + ".phase", /*NoneAllowed=*/false);
    if (!Ph)
      return Ph.takeError();
    if (Error E = checkZero(O + 5, u8(O + 5) | u16(O + 6), Field + " padding"))
      return E;
    P.Rules.push_back({std::move(*Pattern), **Ph, {}});
  }
  return Error::success();
}

Error CompactReader::readTraces(Profile &P) {
  const SectionSpan &S = section(SectionKind::Traces);
  const SectionSpan &Names = section(SectionKind::TraceNames);
  P.Traces.reserve(S.Count);
  uint64_t Used = 0;
  for (uint64_t I = 0; I < S.Count; ++I) {
    uint64_t O = S.Offset + I * TraceRecordSize;
    std::string Field = ("traces[" + Twine(I) + "]").str();
    uint64_t N = u32(O + 8);
    if (N > Names.Count - Used)
      return error(O + 8, Field + " has " + Twine(N) +
                              " names, past the end of the trace names "
                              "section (" +
                              Twine(Names.Count - Used) + " of " +
                              Twine(Names.Count) + " left)");
    if (Error E = checkZero(O + 12, u32(O + 12), Field + " field 4"))
      return E;
    Trace T;
    T.Weight = u64(O);
    T.Functions.reserve(N);
    for (uint64_t K = 0; K < N; ++K, ++Used) {
      Expected<StringRef> Name =
          string(Names.Offset + Used * TraceNameRecordSize,
                 "trace names[" + Twine(Used) + "] (" + Field + " entry " +
                     Twine(K) + ")");
      if (!Name)
        return Name.takeError();
      T.Functions.push_back(*Name);
    }
    P.Traces.push_back(std::move(T));
  }
  if (Used != Names.Count)
    return error(Names.EntryOffset + 24,
                 "the trace names section has " + Twine(Names.Count) +
                     " entries but the traces use " + Twine(Used));
  return Error::success();
}

Expected<Profile> CompactReader::read() {
  if (Error E = readHeader())
    return std::move(E);
  if (Error E = readSectionTable())
    return std::move(E);
  Profile P;
  P.Version = ProfileVersion;
  if (Error E = readStrings(P))
    return std::move(E);
  using Step = Error (CompactReader::*)(Profile &);
  for (Step S : {&CompactReader::readMetadata, &CompactReader::readMarkers})
    if (Error E = (this->*S)(P))
      return std::move(E);
  // Functions and edges are independent once the strings are read:
  // readFunctions owns P.Functions, NameOwner, RangesUsed and BlocksUsed
  // (and reads the ranges and blocks sections), readEdges owns P.Edges;
  // both only read the string table. So a large profile reads them on two
  // threads (a warning from either would need a lock: neither warns). An
  // error is the first in section order, as when read one after the other.
  Error FunctionsError = Error::success(), EdgesError = Error::success();
  // Both are assigned below: their successes are checked now.
  (void)!!FunctionsError;
  (void)!!EdgesError;
  if (section(SectionKind::Edges).Count >= ParallelEdges) {
    parallel::TaskGroup Tasks;
    Tasks.spawn([&] { FunctionsError = readFunctions(P); });
    Tasks.spawn([&] { EdgesError = readEdges(P); });
  } else {
    FunctionsError = readFunctions(P);
    if (!FunctionsError)
      EdgesError = readEdges(P);
  }
  if (FunctionsError) {
    consumeError(std::move(EdgesError));
    return std::move(FunctionsError);
  }
  if (EdgesError)
    return std::move(EdgesError);
  for (Step S : {&CompactReader::readRules, &CompactReader::readTraces})
    if (Error E = (this->*S)(P))
      return std::move(E);
  return P;
}

} // namespace

Expected<Profile> parseCompactProfile(StringRef Contents, StringRef FileName,
                                      const WarningHandler &Warn) {
  return CompactReader(Contents, FileName, Warn).read();
}

} // namespace pagelayout

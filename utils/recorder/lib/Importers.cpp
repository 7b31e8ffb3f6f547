//===- Importers.cpp - Profiles from other tools' formats -----------------===//
//
// perf script: a sample is a header line ("comm pid [cpu] time: period
// event:") followed, with call chains, by one indented frame per line
// ("addr symbol+0xoff (dso)"), leaf first; without call chains the single
// frame ends the header line. Sampling sees where time goes, so it finds
// steady and cold code and the call graph; it cannot see short startup
// functions (they are over between two samples) and says so. Samples need
// not come in time order (perf script --no-ordering, several CPUs, files
// concatenated): the run spans the earliest to the latest sample time.
//
// .profdata: records carry per-function counters; with
// -pgo-temporal-instrumentation the profile also holds traces of function
// name hashes in first-call order, which are exactly what the layout
// engine's startup ordering consumes. A function's calls are its entry
// count, which only some profiles record:
//
//   - front-end profiles (clang -fprofile-instr-generate): counter 0 is the
//     function body's region, the entry count;
//   - IR profiles with entry instrumentation (-mllvm -pgo-instrument-entry,
//     the header's FunctionEntryInstrumentation): CFGMST moves the entry
//     edge's counter to the front, so counter 0 again;
//   - default IR profiles (-fprofile-generate): counters sit on the edges
//     left out of a spanning tree of the CFG, ordered by estimated weight,
//     and the entry count is only recoverable with that CFG. A function with
//     a single counter is the exception: its CFG has one cycle, through the
//     function's entry and exit, so every edge carries the entry count.
//     Otherwise the estimate is the smallest non-zero counter: exact when
//     the entry edge has a counter and every other counted edge runs at
//     least as often (loops), low when a counted branch is taken less often,
//     but never a loop body's count, which the largest counter would be. The
//     import says how many functions were estimated and how to avoid it;
//   - coverage profiles (-pgo-function-entry-coverage, block coverage)
//     record only whether a function ran: calls 1.
//
// Context-sensitive records (CSIR PGO) repeat the non-CS ones per calling
// context after inlining; they are skipped so that no call is counted
// twice.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/Importers.h"
#include "pagelayout/schema/OrderedMap.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ProfileData/InstrProf.h"
#include "llvm/ProfileData/InstrProfReader.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/VirtualFileSystem.h"

using namespace llvm;

namespace pagelayout {
namespace {

struct Frame {
  std::string Function;
  StringRef Dso;
};

/// "addr sym+0x1f (dso)" -> {sym, dso}; "[unknown]" functions are dropped.
std::optional<Frame> parseFrame(StringRef Line) {
  Line = Line.trim();
  auto [Addr, Rest] = Line.split(' ');
  uint64_t Unused;
  if (Addr.getAsInteger(16, Unused))
    return std::nullopt;
  Rest = Rest.trim();
  size_t Open = Rest.rfind(" (");
  StringRef Symbol = Open == StringRef::npos ? Rest : Rest.take_front(Open);
  StringRef Dso = Open == StringRef::npos
                      ? StringRef()
                      : Rest.drop_front(Open + 2).rtrim(')');
  size_t Plus = Symbol.rfind("+0x");
  if (Plus != StringRef::npos)
    Symbol = Symbol.take_front(Plus);
  if (Symbol.empty() || Symbol == "[unknown]")
    return std::nullopt;
  return Frame{Symbol.str(), Dso};
}

bool dsoMatches(StringRef Dso, StringRef Only) {
  return Only.empty() || Dso == Only || Dso.ends_with(("/" + Only).str());
}

/// A sample header: "comm pid [cpu] secs.frac: period event: [frame]".
struct Header {
  uint64_t TimeNs = 0;
  /// The time field ("123.000100:") when its seconds do not fit 64-bit
  /// nanoseconds; TimeNs is then meaningless.
  StringRef OverflowingTime;
  uint64_t Period = 0;
  StringRef Event;
  StringRef Rest;
};

/// Parses a header line; std::nullopt when \p Line is not one.
std::optional<Header> parseHeader(StringRef Line) {
  SmallVector<StringRef, 8> Fields;
  Line.split(Fields, ' ', -1, /*KeepEmpty=*/false);
  for (size_t I = 0; I + 2 < Fields.size(); ++I) {
    StringRef T = Fields[I];
    if (!T.consume_back(":"))
      continue;
    auto [Secs, Frac] = T.split('.');
    uint64_t S, F;
    if (Frac.size() != 6 && Frac.size() != 9)
      continue;
    if (Secs.empty() || !all_of(Secs, isDigit) || Frac.getAsInteger(10, F))
      continue;
    Header H;
    uint64_t FracNs = Frac.size() == 6 ? F * 1000 : F;
    // S * 1e9 + FracNs must not wrap around.
    if (Secs.getAsInteger(10, S) || S > (UINT64_MAX - FracNs) / 1000000000ull)
      H.OverflowingTime = Fields[I];
    else
      H.TimeNs = S * 1000000000ull + FracNs;
    if (Fields[I + 1].getAsInteger(10, H.Period))
      return std::nullopt;
    H.Event = Fields[I + 2].rtrim(':');
    size_t EventPos = Line.find(Fields[I + 2]);
    H.Rest = Line.drop_front(EventPos + Fields[I + 2].size()).trim();
    return H;
  }
  return std::nullopt;
}

} // namespace

bool looksLikePerfScript(StringRef Text) {
  return parseHeader(Text.split('\n').first).has_value();
}

Expected<Profile> importPerfScript(StringRef Text, StringRef FileName,
                                   StringRef OnlyDso,
                                   const WarningHandler &Warn) {
  OrderedMap<std::string, FunctionProfile> Functions;
  EdgeCountMap Edges;
  // Earliest and latest sample time: perf need not print them in order.
  std::optional<uint64_t> First;
  uint64_t Last = 0;
  bool TimeIsNs = false;
  unsigned LineNo = 0, Samples = 0;
  std::vector<Frame> Stack;
  uint64_t SampleTime = 0, Period = 0;

  auto Flush = [&]() {
    if (Stack.empty())
      return;
    ++Samples;
    FunctionProfile &Leaf = Functions[Stack.front().Function];
    Leaf.Name = Stack.front().Function;
    Leaf.Samples = Leaf.Samples.value_or(0) + 1;
    if (TimeIsNs)
      Leaf.SelfNs = SaturatingAdd(Leaf.SelfNs.value_or(0), Period);
    // Callers on the stack ran too; sample times are not first calls (they
    // count from the first sample, not from process start), so none are set.
    for (const Frame &F : Stack)
      Functions[F.Function].Name = F.Function;
    for (size_t I = 0; I + 1 < Stack.size(); ++I)
      if (Stack[I + 1].Function != Stack[I].Function)
        ++Edges[{Stack[I + 1].Function, Stack[I].Function}];
    Stack.clear();
  };

  while (!Text.empty()) {
    auto [Line, Rest] = Text.split('\n');
    Text = Rest;
    ++LineNo;
    if (Line.trim().empty()) {
      Flush();
      continue;
    }
    if (!isSpace(Line.front())) {
      Flush();
      std::optional<Header> H = parseHeader(Line);
      if (!H)
        return makeLocatedError(FileName, {LineNo, 1},
                                "not a perf script sample header; expected "
                                "'comm pid time: period event:' (use the "
                                "default 'perf script' output)");
      if (!H->OverflowingTime.empty())
        return makeLocatedError(
            FileName,
            {LineNo, unsigned(H->OverflowingTime.data() - Line.data() + 1)},
            "sample time " + H->OverflowingTime.drop_back() +
                " s does not fit in 64-bit nanoseconds (at most "
                "18446744073.709551615 s); the perf script output is "
                "corrupt");
      SampleTime = H->TimeNs;
      Period = H->Period;
      TimeIsNs = H->Event.starts_with("cpu-clock") ||
                 H->Event.starts_with("task-clock");
      First = std::min(First.value_or(SampleTime), SampleTime);
      Last = std::max(Last, SampleTime);
      // Without call chains the one frame ends the header line.
      if (!H->Rest.empty())
        if (std::optional<Frame> F = parseFrame(H->Rest))
          if (dsoMatches(F->Dso, OnlyDso))
            Stack.push_back(*F);
      continue;
    }
    if (std::optional<Frame> F = parseFrame(Line))
      if (dsoMatches(F->Dso, OnlyDso))
        Stack.push_back(*F);
  }
  Flush();
  if (!Samples)
    return makeLocatedError(FileName, {}, "no samples found");
  Profile P;
  for (auto &[Name, F] : Functions)
    P.Functions.push_back(std::move(F));
  for (auto &[Key, Count] : Edges)
    P.Edges.push_back({P.intern(Key.first), P.intern(Key.second), Count});
  P.Metadata.Tool = "pagelayout profile import (perf script)";
  P.Metadata.DurationNs = Last - *First;
  if (Warn)
    Warn("note: " + FileName + ": " + Twine(Samples) +
         " samples; sampling cannot see short startup functions: merge with "
         "an instrumented recording for startup");
  return P;
}

Expected<Profile> importProfData(StringRef Path, const WarningHandler &Warn) {
  auto FS = vfs::getRealFileSystem();
  Expected<std::unique_ptr<IndexedInstrProfReader>> Reader =
      IndexedInstrProfReader::create(Path, *FS);
  if (!Reader)
    return createStringError(Path + ": not an indexed LLVM profile (" +
                             toString(Reader.takeError()) +
                             "); run 'llvm-profdata merge' on .profraw files "
                             "first");
  Profile P;
  IndexedInstrProfReader &In = **Reader;
  bool Coverage = In.hasSingleByteCoverage() || In.functionEntryOnly();
  bool EntryFirst = !In.isIRLevelProfile() || In.instrEntryBBEnabled();
  unsigned Estimated = 0, Records = 0;
  DenseMap<uint64_t, std::string> ByHash;
  OrderedMap<std::string, unsigned> Index;
  for (const NamedInstrProfRecord &R : In) {
    if (NamedInstrProfRecord::hasCSFlagInHash(R.Hash))
      continue;
    // IR PGO names of local functions are "file;name": keep the name.
    StringRef Name = getParsedIRPGOName(R.Name).second;
    ByHash[IndexedInstrProf::ComputeHash(R.Name)] = Name.str();
    auto [It, Inserted] = Index.try_emplace(Name.str(), P.Functions.size());
    if (Inserted) {
      FunctionProfile F;
      F.Name = Name.str();
      P.Functions.push_back(F);
    }
    FunctionProfile &F = P.Functions[It->second];
    ++Records;
    uint64_t Count = 0;
    if (R.Counts.empty()) {
      Count = 0;
    } else if (Coverage) {
      Count = any_of(R.Counts, [](uint64_t C) { return C != 0; });
    } else if (EntryFirst || R.Counts.size() == 1) {
      Count = R.Counts.front();
    } else {
      ++Estimated;
      for (uint64_t C : R.Counts)
        if (C && (!Count || C < Count))
          Count = C;
    }
    F.Calls = SaturatingAdd(F.Calls, Count);
  }
  if (Error E = (*Reader)->getError())
    return createStringError(Path + ": " + toString(std::move(E)));
  unsigned Unnamed = 0;
  for (const TemporalProfTraceTy &T : (*Reader)->getTemporalProfTraces()) {
    Trace Out;
    Out.Weight = T.Weight;
    StringSet<> Seen; // a trace names each function once, at its first call
    for (uint64_t H : T.FunctionNameRefs) {
      auto It = ByHash.find(H);
      if (It == ByHash.end())
        ++Unnamed;
      else if (Seen.insert(It->second).second)
        Out.Functions.push_back(P.intern(It->second));
    }
    if (!Out.Functions.empty())
      P.Traces.push_back(std::move(Out));
  }
  if (Estimated && Warn)
    Warn("warning: " + Path + ": " + Twine(Estimated) + " of " +
         Twine(Records) +
         " functions have no entry count in this IR profile, so their calls "
         "are estimated (the smallest non-zero block count); for exact "
         "counts build with -fprofile-generate -mllvm -pgo-instrument-entry");
  if (Coverage && Warn)
    Warn("warning: " + Path +
         " is a coverage profile: it records which functions ran, not how "
         "often (calls: 1 each)");
  if (Unnamed && Warn)
    Warn("warning: " + Path + ": " + Twine(Unnamed) +
         " trace entries name functions without a profile record");
  if (P.Traces.empty() && Warn)
    Warn("warning: " + Path +
         " has no temporal traces; build with "
         "-mllvm -pgo-temporal-instrumentation for first-call order");
  P.Metadata.Tool = "pagelayout profile import (profdata)";
  return P;
}

} // namespace pagelayout

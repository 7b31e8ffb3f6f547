//===- Importers.cpp - Profiles from other tools' formats -----------------===//
//
// perf script: a sample is a header line ("comm pid [cpu] time: period
// event:") followed, with call chains, by one indented frame per line
// ("addr symbol+0xoff (dso)"), leaf first; without call chains the single
// frame ends the header line. Sampling sees where time goes, so it finds
// steady and cold code and the call graph; it cannot see short startup
// functions (they are over between two samples) and says so.
//
// .profdata: IR PGO records carry per-function counters; with
// -pgo-temporal-instrumentation the profile also holds traces of function
// name hashes in first-call order, which are exactly what the layout
// engine's startup ordering consumes.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/Importers.h"
#include "pagelayout/schema/OrderedMap.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ProfileData/InstrProf.h"
#include "llvm/ProfileData/InstrProfReader.h"
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

/// Parses a header line: returns (time in ns, period, event, rest).
bool parseHeader(StringRef Line, uint64_t &TimeNs, uint64_t &Period,
                 StringRef &Event, StringRef &Rest) {
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
    if (Secs.getAsInteger(10, S) || Frac.getAsInteger(10, F))
      continue;
    TimeNs = S * 1000000000ull + (Frac.size() == 6 ? F * 1000 : F);
    if (Fields[I + 1].getAsInteger(10, Period))
      return false;
    Event = Fields[I + 2].rtrim(':');
    size_t EventPos = Line.find(Fields[I + 2]);
    Rest = Line.drop_front(EventPos + Fields[I + 2].size()).trim();
    return true;
  }
  return false;
}

} // namespace

bool looksLikePerfScript(StringRef Text) {
  StringRef First = Text.split('\n').first;
  uint64_t T, P;
  StringRef E, R;
  return parseHeader(First, T, P, E, R);
}

Expected<Profile> importPerfScript(StringRef Text, StringRef FileName,
                                   StringRef OnlyDso,
                                   const WarningHandler &Warn) {
  OrderedMap<std::string, FunctionProfile> Functions;
  EdgeCountMap Edges;
  std::optional<uint64_t> Start;
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
      Leaf.SelfNs = Leaf.SelfNs.value_or(0) + Period;
    // Callers on the stack ran too; sample times are not first calls (they
    // count from the first sample, not from process start), so none are set.
    for (const Frame &F : Stack)
      Functions[F.Function].Name = F.Function;
    Last = SampleTime;
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
      StringRef Event, Tail;
      if (!parseHeader(Line, SampleTime, Period, Event, Tail))
        return makeLocatedError(FileName, {LineNo, 1},
                                "not a perf script sample header; expected "
                                "'comm pid time: period event:' (use the "
                                "default 'perf script' output)");
      TimeIsNs =
          Event.starts_with("cpu-clock") || Event.starts_with("task-clock");
      if (!Start)
        Start = SampleTime;
      // Without call chains the one frame ends the header line.
      if (!Tail.empty())
        if (std::optional<Frame> F = parseFrame(Tail))
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
    P.Edges.push_back({Key.first, Key.second, Count});
  P.Metadata.Tool = "pagelayout profile import (perf script)";
  P.Metadata.DurationNs = Last - *Start;
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
  bool EntryCounted = (*Reader)->instrEntryBBEnabled();
  DenseMap<uint64_t, std::string> ByHash;
  OrderedMap<std::string, unsigned> Index;
  for (const NamedInstrProfRecord &R : **Reader) {
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
    // The first counter is the entry count only when the entry block is
    // instrumented; otherwise the largest counter measures activity.
    uint64_t Count = 0;
    if (!R.Counts.empty())
      Count = EntryCounted
                  ? R.Counts.front()
                  : *std::max_element(R.Counts.begin(), R.Counts.end());
    F.Calls += Count;
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
        Out.Functions.push_back(It->second);
    }
    if (!Out.Functions.empty())
      P.Traces.push_back(std::move(Out));
  }
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

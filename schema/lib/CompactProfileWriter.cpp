//===- CompactProfileWriter.cpp - Write a layout profile compactly --------===//
//
// Two passes over the profile: the first gives every distinct string its
// index (in the order the profile first uses it) and counts each section,
// which fixes every offset; the second streams the header, the section
// table and the sections. Nothing depends on hashing or addresses, so the
// same profile always gives the same bytes, and the written form is the
// one canonical form the reader accepts: ranges sorted and merged (as the
// YAML reader leaves them), absent optional values zero, padding zero.
//
//===----------------------------------------------------------------------===//

#include "CompactProfileFormat.h"
#include "pagelayout/schema/CompactProfile.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/EndianStream.h"

using namespace llvm;

namespace pagelayout {
namespace {

using namespace compact;

/// Strings in first-use order, each once.
class StringTable {
public:
  uint32_t add(StringRef S) {
    auto [It, New] = Index.try_emplace(S, uint32_t(Strings.size()));
    if (New) {
      Strings.push_back(S);
      Bytes += S.size();
    }
    return It->second;
  }
  std::vector<StringRef> Strings;
  uint64_t Bytes = 0;

private:
  DenseMap<StringRef, uint32_t> Index;
};

/// \p Ranges as the YAML reader would leave them: sorted, disjoint.
std::vector<ByteRange> canonicalRanges(const std::vector<ByteRange> &Ranges) {
  std::vector<ByteRange> Copy = Ranges;
  normalizeRanges(Copy);
  return Copy;
}

bool isCanonical(const std::vector<ByteRange> &Ranges) {
  for (size_t I = 1; I < Ranges.size(); ++I)
    if (Ranges[I].Begin <= Ranges[I - 1].End)
      return false;
  return true;
}

/// How many ranges \p Ranges has in the canonical form.
size_t canonicalSize(const std::vector<ByteRange> &Ranges) {
  return isCanonical(Ranges) ? Ranges.size() : canonicalRanges(Ranges).size();
}

class Writer {
public:
  Writer(const Profile &P, raw_ostream &OS) : P(P), OS(OS), W(OS, endianness::little) {}
  Error write();

private:
  Error collect();
  void header();
  void pad(uint64_t To);
  void strings();
  void metadata();
  void functions();
  void writeRanges(const std::vector<ByteRange> &Ranges) {
    for (const ByteRange &R : Ranges) {
      W.write<uint64_t>(R.Begin);
      W.write<uint64_t>(R.End);
    }
  }

  struct Section {
    SectionKind Kind;
    uint64_t Count;
    uint64_t Size;
    uint64_t Offset = 0;
  };

  const Profile &P;
  raw_ostream &OS;
  support::endian::Writer W;
  StringTable Strings;
  std::vector<Section> Sections;
  uint64_t Written = 0;
  uint64_t NumRanges = 0, NumBlocks = 0, NumTraceNames = 0;
};

Error Writer::collect() {
  const ProfileMetadata &M = P.Metadata;
  for (const std::string *S : {&M.BinaryPath, &M.BuildId, &M.Tool, &M.Created})
    Strings.add(*S);
  for (const Marker &Mk : P.Markers)
    Strings.add(Mk.Name);
  for (const FunctionProfile &F : P.Functions) {
    Strings.add(F.Name);
    for (const std::vector<ByteRange> *R :
         {&F.StartupRanges, &F.FirstFrameRanges, &F.SteadyRanges}) {
      if (R->size() > UINT32_MAX)
        return createStringError("function '" + F.Name +
                                 "' has more ranges than the compact form "
                                 "holds (4294967295 per phase)");
      NumRanges += canonicalSize(*R);
    }
    for (const std::vector<uint32_t> *B :
         {&F.StartupBlocks, &F.FirstFrameBlocks, &F.SteadyBlocks}) {
      if (B->size() > UINT32_MAX)
        return createStringError("function '" + F.Name +
                                 "' has more block ids than the compact form "
                                 "holds (4294967295 per phase)");
      NumBlocks += B->size();
    }
  }
  for (const CallEdge &E : P.Edges) {
    Strings.add(E.Caller);
    Strings.add(E.Callee);
  }
  for (const PhaseRule &R : P.Rules)
    Strings.add(R.Pattern);
  for (const Trace &T : P.Traces) {
    if (T.Functions.size() > UINT32_MAX)
      return createStringError("a trace has more names than the compact "
                               "form holds (4294967295)");
    for (StringRef Name : T.Functions)
      Strings.add(Name);
    NumTraceNames += T.Functions.size();
  }
  // The index of the last string must stay below the u32 limit.
  if (Strings.Strings.size() >= UINT32_MAX)
    return createStringError("the profile has more distinct strings than the "
                             "compact form holds (4294967294)");
  uint64_t NumStrings = Strings.Strings.size();
  Sections = {
      {SectionKind::Strings, NumStrings, 8 * (NumStrings + 1) + Strings.Bytes},
      {SectionKind::Metadata, 1, MetadataRecordSize},
      {SectionKind::Markers, P.Markers.size(),
       P.Markers.size() * MarkerRecordSize},
      {SectionKind::Functions, P.Functions.size(),
       P.Functions.size() * FunctionRecordSize},
      {SectionKind::Ranges, NumRanges, NumRanges * RangeRecordSize},
      {SectionKind::Blocks, NumBlocks, NumBlocks * BlockRecordSize},
      {SectionKind::Edges, P.Edges.size(), P.Edges.size() * EdgeRecordSize},
      {SectionKind::Rules, P.Rules.size(), P.Rules.size() * RuleRecordSize},
      {SectionKind::Traces, P.Traces.size(), P.Traces.size() * TraceRecordSize},
      {SectionKind::TraceNames, NumTraceNames,
       NumTraceNames * TraceNameRecordSize}};
  uint64_t Offset = HeaderSize + Sections.size() * SectionEntrySize;
  for (Section &S : Sections) {
    S.Offset = alignTo(Offset, SectionAlignment);
    Offset = S.Offset + S.Size;
  }
  return Error::success();
}

void Writer::header() {
  const Section &Last = Sections.back();
  OS << Magic;
  W.write<uint32_t>(CompactProfileFormatVersion);
  W.write<uint32_t>(uint32_t(P.neededVersion()));
  W.write<uint64_t>(alignTo(Last.Offset + Last.Size, SectionAlignment));
  W.write<uint32_t>(uint32_t(Sections.size()));
  W.write<uint32_t>(0);
  for (const Section &S : Sections) {
    W.write<uint32_t>(uint32_t(S.Kind));
    W.write<uint32_t>(0);
    W.write<uint64_t>(S.Offset);
    W.write<uint64_t>(S.Size);
    W.write<uint64_t>(S.Count);
  }
  Written = HeaderSize + Sections.size() * SectionEntrySize;
}

void Writer::pad(uint64_t To) {
  for (; Written < To; ++Written)
    OS << '\0';
}

void Writer::strings() {
  uint64_t Offset = 0;
  W.write<uint64_t>(0);
  for (StringRef S : Strings.Strings)
    W.write<uint64_t>(Offset += S.size());
  for (StringRef S : Strings.Strings)
    OS << S;
}

void Writer::metadata() {
  const ProfileMetadata &M = P.Metadata;
  for (const std::string *S : {&M.BinaryPath, &M.BuildId, &M.Tool, &M.Created})
    W.write<uint32_t>(Strings.add(*S));
  W.write<uint64_t>(M.DurationNs.value_or(0));
  W.write<uint64_t>(M.Runs);
  W.write<uint32_t>(M.DurationNs ? MetadataHasDuration : 0);
  W.write<uint32_t>(0);
}

void Writer::functions() {
  for (const FunctionProfile &F : P.Functions) {
    W.write<uint32_t>(Strings.add(F.Name));
    W.write<uint8_t>(F.ExplicitPhase ? uint8_t(*F.ExplicitPhase) : NoPhase);
    uint8_t Flags = (F.FirstCallNs ? HasFirstCall : 0) |
                    (F.LastCallNs ? HasLastCall : 0) |
                    (F.Samples ? HasSamples : 0) | (F.SelfNs ? HasSelfNs : 0) |
                    (F.Pinned ? IsPinned : 0) |
                    (F.BlockHash ? HasBlockHash : 0);
    W.write<uint8_t>(Flags);
    W.write<uint16_t>(0);
    for (uint64_t V : {F.Calls, F.FirstCallNs.value_or(0),
                       F.LastCallNs.value_or(0), F.Samples.value_or(0),
                       F.SelfNs.value_or(0), F.BlockHash.value_or(0)})
      W.write<uint64_t>(V);
    for (const std::vector<ByteRange> *R :
         {&F.StartupRanges, &F.FirstFrameRanges, &F.SteadyRanges})
      W.write<uint32_t>(uint32_t(canonicalSize(*R)));
    for (const std::vector<uint32_t> *B :
         {&F.StartupBlocks, &F.FirstFrameBlocks, &F.SteadyBlocks})
      W.write<uint32_t>(uint32_t(B->size()));
  }
}

Error Writer::write() {
  if (Error E = collect())
    return E;
  header();
  for (const Section &S : Sections) {
    pad(S.Offset);
    switch (S.Kind) {
    case SectionKind::Strings:
      strings();
      break;
    case SectionKind::Metadata:
      metadata();
      break;
    case SectionKind::Markers:
      for (const Marker &M : P.Markers) {
        W.write<uint32_t>(Strings.add(M.Name));
        W.write<uint32_t>(0);
        W.write<uint64_t>(M.TimeNs);
      }
      break;
    case SectionKind::Functions:
      functions();
      break;
    case SectionKind::Ranges:
      for (const FunctionProfile &F : P.Functions)
        for (const std::vector<ByteRange> *R :
             {&F.StartupRanges, &F.FirstFrameRanges, &F.SteadyRanges})
          if (isCanonical(*R))
            writeRanges(*R);
          else
            writeRanges(canonicalRanges(*R));
      break;
    case SectionKind::Blocks:
      for (const FunctionProfile &F : P.Functions)
        for (const std::vector<uint32_t> *B :
             {&F.StartupBlocks, &F.FirstFrameBlocks, &F.SteadyBlocks})
          for (uint32_t Id : *B)
            W.write<uint32_t>(Id);
      break;
    case SectionKind::Edges:
      for (const CallEdge &E : P.Edges) {
        W.write<uint32_t>(Strings.add(E.Caller));
        W.write<uint32_t>(Strings.add(E.Callee));
        W.write<uint64_t>(E.Count);
      }
      break;
    case SectionKind::Rules:
      for (const PhaseRule &R : P.Rules) {
        W.write<uint32_t>(Strings.add(R.Pattern));
        W.write<uint8_t>(uint8_t(R.RulePhase));
        W.write<uint8_t>(0);
        W.write<uint16_t>(0);
      }
      break;
    case SectionKind::Traces:
      for (const Trace &T : P.Traces) {
        W.write<uint64_t>(T.Weight);
        W.write<uint32_t>(uint32_t(T.Functions.size()));
        W.write<uint32_t>(0);
      }
      break;
    case SectionKind::TraceNames:
      for (const Trace &T : P.Traces)
        for (StringRef Name : T.Functions)
          W.write<uint32_t>(Strings.add(Name));
      break;
    }
    Written = S.Offset + S.Size;
  }
  pad(alignTo(Written, SectionAlignment));
  return Error::success();
}

} // namespace

Error writeCompactProfile(const Profile &P, raw_ostream &OS) {
  return Writer(P, OS).write();
}

} // namespace pagelayout

//===- OrderFile.cpp - lld ordering files <-> layout profiles -------------===//

#include "pagelayout/schema/OrderFile.h"
#include "pagelayout/schema/CompactProfile.h"
#include "pagelayout/schema/OrderedMap.h"
#include "pagelayout/schema/PhaseInference.h"
#include "pagelayout/schema/ProfileReader.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace pagelayout {

StringRef profileFormatName(ProfileFormat F) {
  switch (F) {
  case ProfileFormat::YAML:
    return "yaml";
  case ProfileFormat::Compact:
    return "compact";
  case ProfileFormat::OrderFile:
    return "orderfile";
  case ProfileFormat::CallGraph:
    return "callgraph";
  }
  return "yaml";
}

std::optional<ProfileFormat> parseProfileFormat(StringRef Name) {
  for (ProfileFormat F : {ProfileFormat::YAML, ProfileFormat::Compact,
                          ProfileFormat::OrderFile, ProfileFormat::CallGraph})
    if (Name == profileFormatName(F))
      return F;
  return std::nullopt;
}

namespace {

/// One meaningful line: comment stripped, trimmed, with its line number.
struct TextLine {
  StringRef Text;
  unsigned Number;
};

std::vector<TextLine> meaningfulLines(StringRef Contents) {
  std::vector<TextLine> Lines;
  unsigned Number = 0;
  while (!Contents.empty()) {
    auto [Line, Rest] = Contents.split('\n');
    Contents = Rest;
    ++Number;
    Line = Line.split('#').first.trim();
    if (!Line.empty())
      Lines.push_back({Line, Number});
  }
  return Lines;
}

bool looksLikeCallGraphLine(StringRef Line) {
  SmallVector<StringRef, 4> Fields;
  Line.split(Fields, ' ', -1, /*KeepEmpty=*/false);
  uint64_t W;
  return Fields.size() == 3 && !Fields[2].getAsInteger(10, W);
}

Error checkNoBinary(StringRef Contents, StringRef FileName) {
  size_t Nul = Contents.find('\0');
  if (Nul == StringRef::npos)
    return Error::success();
  return makeLocatedError(FileName, {},
                          "binary data at byte offset " + Twine(Nul) +
                              "; expected a text ordering file");
}

} // namespace

ProfileFormat detectProfileFormat(StringRef Contents) {
  if (looksLikeCompactProfile(Contents))
    return ProfileFormat::Compact;
  // Empty or binary input goes to the YAML reader, whose messages for both
  // are the most helpful.
  if (Contents.contains('\0'))
    return ProfileFormat::YAML;
  std::vector<TextLine> Lines = meaningfulLines(Contents);
  if (Lines.empty())
    return ProfileFormat::YAML;
  for (const TextLine &L : Lines)
    for (StringRef Key : {"version:", "functions:", "metadata:", "markers:",
                          "edges:", "rules:", "traces:", "---", "{"})
      if (L.Text.starts_with(Key))
        return ProfileFormat::YAML;
  if (!Lines.empty() && all_of(Lines, [](const TextLine &L) {
        return looksLikeCallGraphLine(L.Text);
      }))
    return ProfileFormat::CallGraph;
  return ProfileFormat::OrderFile;
}

Expected<Profile> parseSymbolOrderFile(StringRef Contents, StringRef FileName,
                                       Phase AssignedPhase,
                                       const WarningHandler &Warn) {
  if (Error E = checkNoBinary(Contents, FileName))
    return std::move(E);
  Profile P;
  Trace T;
  StringSet<> Seen;
  for (const TextLine &L : meaningfulLines(Contents)) {
    if (L.Text.contains(' ') || L.Text.contains('\t'))
      return makeLocatedError(FileName, {L.Number, 1},
                              "expected one symbol per line, got '" + L.Text +
                                  "'");
    // lld warns and keeps the first position of a repeated symbol; so do we.
    if (!Seen.insert(L.Text).second) {
      warnAt(Warn, FileName, {L.Number, 1},
             "symbol '" + L.Text + "' listed twice; keeping the first");
      continue;
    }
    FunctionProfile F;
    F.Name = L.Text.str();
    F.ExplicitPhase = AssignedPhase;
    F.Loc = {L.Number, 1};
    P.Functions.push_back(F);
    T.Functions.push_back(P.intern(F.Name));
  }
  if (!T.Functions.empty())
    P.Traces.push_back(std::move(T));
  P.Metadata.Tool = "pagelayout profile convert (from symbol ordering file)";
  return P;
}

Expected<Profile> parseCallGraphFile(StringRef Contents, StringRef FileName,
                                     const WarningHandler &Warn) {
  if (Error E = checkNoBinary(Contents, FileName))
    return std::move(E);
  Profile P;
  EdgeCountMap Edges;
  OrderedMap<std::string, uint64_t> Calls;
  for (const TextLine &L : meaningfulLines(Contents)) {
    SmallVector<StringRef, 4> Fields;
    L.Text.split(Fields, ' ', -1, /*KeepEmpty=*/false);
    if (Fields.size() != 3)
      return makeLocatedError(FileName, {L.Number, 1},
                              "expected 'caller callee weight', got '" +
                                  L.Text + "'");
    uint64_t W;
    if (Fields[2].starts_with("-"))
      return makeLocatedError(FileName, {L.Number, 1},
                              "weight must not be negative (got " + Fields[2] +
                                  ")");
    if (Fields[2].getAsInteger(10, W))
      return makeLocatedError(FileName, {L.Number, 1},
                              "weight '" + Fields[2] +
                                  "' is not an unsigned 64-bit integer");
    uint64_t &E = Edges[{Fields[0].str(), Fields[1].str()}];
    if (__builtin_add_overflow(E, W, &E))
      E = UINT64_MAX;
    Calls.try_emplace(Fields[0].str(), 0);
    uint64_t &C = Calls[Fields[1].str()];
    if (__builtin_add_overflow(C, W, &C))
      C = UINT64_MAX;
  }
  for (auto &[Name, Count] : Calls) {
    FunctionProfile F;
    F.Name = Name;
    F.Calls = Count;
    P.Functions.push_back(std::move(F));
  }
  for (auto &[Key, Count] : Edges)
    P.Edges.push_back({P.intern(Key.first), P.intern(Key.second), Count});
  P.Metadata.Tool = "pagelayout profile convert (from call graph file)";
  return P;
}

void writeSymbolOrderFile(const Profile &P, raw_ostream &OS, bool IncludeCold,
                          const InferenceConfig &Inference) {
  ResolvedProfile RP = resolvePhases(P, Inference);
  std::vector<unsigned> Order;
  for (unsigned I = 0; I < P.Functions.size(); ++I)
    if (IncludeCold || RP.Functions[I].ResolvedPhase != Phase::Cold)
      Order.push_back(I);
  llvm::stable_sort(Order, [&](unsigned A, unsigned B) {
    const FunctionProfile &FA = P.Functions[A], &FB = P.Functions[B];
    Phase PA = RP.Functions[A].ResolvedPhase,
          PB = RP.Functions[B].ResolvedPhase;
    if (PA != PB)
      return PA < PB;
    uint64_t TA = FA.FirstCallNs.value_or(UINT64_MAX);
    uint64_t TB = FB.FirstCallNs.value_or(UINT64_MAX);
    if (TA != TB)
      return TA < TB;
    return FA.Calls > FB.Calls;
  });
  for (unsigned I : Order)
    OS << P.Functions[I].Name << "\n";
}

void writeCallGraphFile(const Profile &P, raw_ostream &OS) {
  for (const CallEdge &E : P.Edges)
    OS << E.Caller << " " << E.Callee << " " << E.Count << "\n";
}

Expected<Profile> readAnyProfileFile(StringRef Path,
                                     std::optional<ProfileFormat> Format,
                                     const WarningHandler &Warn) {
  Expected<std::unique_ptr<MemoryBuffer>> Buf = readFileBuffer(Path);
  if (!Buf)
    return Buf.takeError();
  StringRef Text = (*Buf)->getBuffer();
  StringRef Name = Path == "-" ? "<stdin>" : Path;
  // The content decides between the two forms of a layout profile: a
  // compact profile may well be called app.yaml.
  if ((!Format || Format == ProfileFormat::YAML) &&
      looksLikeCompactProfile(Text))
    Format = ProfileFormat::Compact;
  if (!Format && (Path.ends_with(".yaml") || Path.ends_with(".yml")))
    Format = ProfileFormat::YAML;
  switch (Format.value_or(detectProfileFormat(Text))) {
  case ProfileFormat::YAML:
    return parseProfile(Text, Name, Warn);
  case ProfileFormat::Compact:
    return parseCompactProfile(Text, Name, Warn);
  case ProfileFormat::OrderFile:
    return parseSymbolOrderFile(Text, Name, Phase::Startup, Warn);
  case ProfileFormat::CallGraph:
    return parseCallGraphFile(Text, Name, Warn);
  }
  llvm_unreachable("unknown profile format");
}

} // namespace pagelayout

//===- ProfileReader.cpp - Read a layout profile from YAML ----------------===//
//
// The profile is untrusted input: hand-written configs, files from other
// machines, truncated recordings. The reader therefore validates every value
// before it enters the model and reports the first problem with its exact
// location. llvm::yaml does the tokenising (YamlTree.h turns it into a tree
// with locations); this file owns the schema:
//
//   - scalars are parsed here so that negative numbers, overflow and junk
//     get distinct, precise messages. Integers are YAML 1.2's: decimal
//     (leading zeros too: 010 is ten), 0x hex, 0o octal; C's 010 = 8 and
//     0b binary are not YAML and would silently change a count;
//   - duplicate mapping keys, which YAML forbids but parsers accept, are
//     rejected;
//   - unknown keys only warn, so newer recorders stay readable by older
//     tools as long as the version number allows it. A near miss of a known
//     key is named ("did you mean 'functions'?"), and a profile that lacks
//     'functions' but has an unknown top-level key is an error: that is
//     almost always a misspelt 'functions' that would drop every function;
//   - marker names other than those the phase inference reads warn the
//     same way: a misspelt startup_end would quietly become a time window.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/schema/ProfileReader.h"
#include "Utf8Text.h"
#include "YamlTree.h"
#include "pagelayout/schema/CompactProfile.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/MemoryBuffer.h"
#include <algorithm>

using namespace llvm;

namespace pagelayout {
namespace {

class ProfileParser {
public:
  ProfileParser(const YamlDocument &Doc, StringRef FileName,
                const WarningHandler &Warn)
      : Doc(Doc), FileName(FileName), Warn(Warn) {}

  Expected<Profile> parseDocument(const YamlNode *Root);

private:
  SourceLoc loc(const YamlNode &N) const { return Doc.location(N); }
  Error error(const YamlNode &N, const Twine &Msg) const {
    return makeLocatedError(FileName, loc(N), Msg);
  }
  void warn(const YamlNode &N, const Twine &Msg) const {
    warnAt(Warn, FileName, loc(N), Msg);
  }

  Error expectMap(const YamlNode &N, StringRef What) const;
  Error expectSequence(const YamlNode &N, StringRef What) const;
  Error checkKeys(const YamlNode &Map, ArrayRef<StringRef> Known,
                  StringRef What,
                  SmallVectorImpl<const YamlNode *> *Unknown = nullptr) const;
  Expected<uint64_t> parseUnsigned(const YamlNode &N, StringRef Key) const;
  /// The scalar's text, which lives as long as the document.
  Expected<StringRef> parseString(const YamlNode &N, StringRef Key) const;
  Expected<bool> parseBool(const YamlNode &N, StringRef Key) const;
  Expected<Phase> parsePhaseNode(const YamlNode &N) const;
  Expected<StringRef> requiredString(const YamlNode &Map, StringRef Key,
                                     StringRef What) const;
  Error parseOptionalUnsigned(const YamlNode &Map, StringRef Key,
                              std::optional<uint64_t> &Out) const;

  Error parseVersion(const YamlNode &Root, Profile &P) const;
  Error parseMetadata(const YamlNode &N, ProfileMetadata &M) const;
  Error parseMarkers(const YamlNode &N, Profile &P) const;
  Error parseFunctions(const YamlNode &N, Profile &P) const;
  Expected<FunctionProfile> parseFunction(const YamlNode &N) const;
  Error parseRanges(const YamlNode &N, StringRef Key,
                    std::vector<ByteRange> &Out) const;
  Error parseBlocks(const YamlNode &Entry, FunctionProfile &F) const;
  Error parseEdges(const YamlNode &N, Profile &P) const;
  Error parseRules(const YamlNode &N, Profile &P) const;
  Error parseTraces(const YamlNode &N, Profile &P) const;
  Expected<std::vector<StringRef>> parseNameList(const YamlNode &N,
                                                 Profile &P) const;

  const YamlDocument &Doc;
  StringRef FileName;
  const WarningHandler &Warn;
};

StringRef nodeKind(const YamlNode &N) {
  switch (N.NodeKind) {
  case YamlNode::Kind::Mapping:
    return "a mapping";
  case YamlNode::Kind::Sequence:
    return "a sequence";
  case YamlNode::Kind::Scalar:
    return "a scalar";
  case YamlNode::Kind::Null:
    return "nothing";
  }
  llvm_unreachable("unknown YAML node kind");
}

Error ProfileParser::expectMap(const YamlNode &N, StringRef What) const {
  if (N.isMapping())
    return Error::success();
  return error(N, What + " must be a mapping, not " + nodeKind(N));
}

Error ProfileParser::expectSequence(const YamlNode &N, StringRef What) const {
  if (N.isSequence())
    return Error::success();
  return error(N, "'" + What + "' must be a sequence, not " + nodeKind(N));
}

/// The entry of \p Known that \p Got is a near miss of (a typo, two letters
/// swapped, a letter missing, a different case), or empty.
StringRef nearestName(StringRef Got, ArrayRef<StringRef> Known) {
  StringRef Best;
  unsigned BestDistance = ~0u;
  for (StringRef K : Known) {
    unsigned D = Got.edit_distance_insensitive(K);
    if (D < BestDistance) {
      Best = K;
      BestDistance = D;
    }
  }
  // Two edits (a swapped pair is two) or a third of the name may differ:
  // 'cuont' is 'count' and 'fucntions' 'functions', but 'colour' is not
  // 'calls'.
  size_t Allowed = std::max<size_t>(2, std::max(Got.size(), Best.size()) / 3);
  return BestDistance <= Allowed && BestDistance < Got.size() ? Best
                                                              : StringRef();
}

/// "; did you mean 'functions'?" for a near miss, else nothing.
std::string didYouMean(StringRef Got, ArrayRef<StringRef> Known) {
  StringRef Near = nearestName(Got, Known);
  return Near.empty() ? std::string()
                      : ("; did you mean '" + Near + "'?").str();
}

// Rejects duplicate keys (an error: which one would win is a guess) and
// warns about unknown ones (tolerated for forward compatibility), naming the
// known key they are a near miss of. With \p Unknown the caller decides:
// unknown keys are collected there instead.
Error ProfileParser::checkKeys(
    const YamlNode &Map, ArrayRef<StringRef> Known, StringRef What,
    SmallVectorImpl<const YamlNode *> *Unknown) const {
  StringSet<> Seen;
  for (const YamlEntry &Entry : Map.Entries) {
    const YamlNode &Key = *Entry.Key;
    if (!Key.isScalar())
      return error(Key, "keys of " + What + " must be plain names");
    StringRef K = Key.Scalar;
    if (!Seen.insert(K).second)
      return error(Key, "duplicate key '" + K + "' in " + What);
    if (is_contained(Known, StringRef(K)))
      continue;
    if (Unknown)
      Unknown->push_back(&Key);
    else
      warn(Key, "unknown key '" + K + "' in " + What + " ignored" +
                    didYouMean(K, Known));
  }
  return Error::success();
}

Expected<uint64_t> ProfileParser::parseUnsigned(const YamlNode &N,
                                                StringRef Key) const {
  if (!N.isScalar())
    return error(N, "'" + Key + "' must be an unsigned integer, not " +
                        nodeKind(N));
  StringRef S = N.Scalar;
  S = S.trim();
  if (S.starts_with("-"))
    return error(N, "'" + Key + "' must not be negative (got " + S + ")");
  if (S.starts_with("+"))
    S = S.drop_front();
  if (S.starts_with("0b") || S.starts_with("0B"))
    return error(N, "'" + Key + "' value " + S +
                        " is binary, which YAML does not have; write it in "
                        "decimal, 0x hex or 0o octal");
  // YAML 1.2: 0x hex, 0o octal, else decimal, leading zeros included (C's
  // octal 010 would be 8; getAsInteger's radix 0 follows C).
  unsigned Radix = 10;
  StringRef Digits = S;
  if (Digits.consume_front("0x"))
    Radix = 16;
  else if (Digits.consume_front("0o"))
    Radix = 8;
  bool AllDigits = !Digits.empty() && all_of(Digits, [&](char C) {
    unsigned V = hexDigitValue(C);
    return V < Radix;
  });
  if (!AllDigits)
    return error(N, "'" + Key +
                        "' must be an unsigned integer (decimal, 0x "
                        "hex or 0o octal), got '" +
                        S + "'");
  uint64_t V;
  if (Digits.getAsInteger(Radix, V))
    return error(N, "'" + Key + "' value " + S +
                        " overflows 64 bits (maximum 18446744073709551615)");
  return V;
}

Expected<StringRef> ProfileParser::parseString(const YamlNode &N,
                                               StringRef Key) const {
  if (!N.isScalar())
    return error(N, "'" + Key + "' must be a string, not " + nodeKind(N));
  return N.Scalar;
}

Expected<bool> ProfileParser::parseBool(const YamlNode &N,
                                        StringRef Key) const {
  if (N.isScalar()) {
    StringRef S = N.Scalar;
    if (S == "true")
      return true;
    if (S == "false")
      return false;
  }
  return error(N, "'" + Key + "' must be true or false");
}

Expected<Phase> ProfileParser::parsePhaseNode(const YamlNode &N) const {
  if (N.isScalar())
    if (std::optional<Phase> P = parsePhase(N.Scalar))
      return *P;
  std::string Got =
      N.isScalar() ? ("'" + N.Scalar + "'").str() : nodeKind(N).str();
  return error(N, "unknown phase " + Got + "; expected " + phaseNameList());
}

Expected<StringRef> ProfileParser::requiredString(const YamlNode &Map,
                                                  StringRef Key,
                                                  StringRef What) const {
  const YamlNode *N = Map.get(Key);
  if (!N)
    return error(Map, What + " has no '" + Key + "'");
  Expected<StringRef> S = parseString(*N, Key);
  if (S && S->empty())
    return error(*N, "'" + Key + "' must not be empty");
  return S;
}

Error ProfileParser::parseOptionalUnsigned(const YamlNode &Map, StringRef Key,
                                           std::optional<uint64_t> &Out) const {
  const YamlNode *N = Map.get(Key);
  if (!N)
    return Error::success();
  Expected<uint64_t> V = parseUnsigned(*N, Key);
  if (!V)
    return V.takeError();
  Out = *V;
  return Error::success();
}

Error ProfileParser::parseVersion(const YamlNode &Root, Profile &P) const {
  const YamlNode *Version = Root.get("version");
  if (!Version)
    return error(Root, "missing 'version'; add 'version: " +
                           Twine(ProfileFormatVersion) + "' at the top");
  Expected<uint64_t> V = parseUnsigned(*Version, "version");
  if (!V)
    return V.takeError();
  if (*V == 0)
    return error(*Version, "'version' must be at least 1");
  if (*V > ProfileFormatVersion)
    return error(*Version,
                 "profile format version " + Twine(*V) +
                     " is newer than this pagelayout reads (up to " +
                     Twine(ProfileFormatVersion) +
                     "); upgrade pagelayout or re-record the profile");
  P.Version = *V;
  return Error::success();
}

Error ProfileParser::parseMetadata(const YamlNode &N,
                                   ProfileMetadata &M) const {
  if (Error E = expectMap(N, "'metadata'"))
    return E;
  if (Error E = checkKeys(
          N, {"binary", "build_id", "tool", "created", "duration_ns", "runs"},
          "metadata"))
    return E;
  struct StringField {
    const char *Key;
    std::string &Out;
  } Strings[] = {{"binary", M.BinaryPath},
                 {"build_id", M.BuildId},
                 {"tool", M.Tool},
                 {"created", M.Created}};
  for (StringField &F : Strings) {
    if (const YamlNode *V = N.get(F.Key)) {
      Expected<StringRef> S = parseString(*V, F.Key);
      if (!S)
        return S.takeError();
      F.Out = S->str();
    }
  }
  if (Error E = parseOptionalUnsigned(N, "duration_ns", M.DurationNs))
    return E;
  std::optional<uint64_t> Runs;
  if (Error E = parseOptionalUnsigned(N, "runs", Runs))
    return E;
  if (Runs && *Runs == 0)
    return error(*N.get("runs"), "'runs' must be at least 1");
  M.Runs = Runs.value_or(1);
  return Error::success();
}

Error ProfileParser::parseMarkers(const YamlNode &N, Profile &P) const {
  if (Error E = expectSequence(N, "markers"))
    return E;
  StringSet<> Seen;
  for (const YamlNode *ItemPtr : N.Items) {
    const YamlNode &Item = *ItemPtr;
    if (Error E = expectMap(Item, "a marker"))
      return E;
    if (Error E = checkKeys(Item, {"name", "time_ns"}, "a marker"))
      return E;
    Expected<StringRef> Name = requiredString(Item, "name", "marker");
    if (!Name)
      return Name.takeError();
    if (!Seen.insert(*Name).second)
      return error(Item, "duplicate marker '" + *Name + "'");
    if (std::string W = unknownMarkerWarning(*Name); !W.empty())
      warn(*Item.get("name"), W);
    const YamlNode *Time = Item.get("time_ns");
    if (!Time)
      return error(Item, "marker '" + *Name + "' has no 'time_ns'");
    Expected<uint64_t> T = parseUnsigned(*Time, "time_ns");
    if (!T)
      return T.takeError();
    P.Markers.push_back({Name->str(), *T});
  }
  return Error::success();
}

Error ProfileParser::parseRanges(const YamlNode &N, StringRef Key,
                                 std::vector<ByteRange> &Out) const {
  if (Error E = expectSequence(N, Key))
    return E;
  StringRef What = Key.drop_back(strlen("_ranges"));
  for (const YamlNode *RangePtr : N.Items) {
    const YamlNode &R = *RangePtr;
    if (!R.isSequence() || R.Items.size() != 2)
      return error(R, "each " + What +
                          " range must be [begin, end] (byte "
                          "offsets from the function start)");
    Expected<uint64_t> B = parseUnsigned(*R.Items[0], "begin");
    if (!B)
      return B.takeError();
    Expected<uint64_t> E = parseUnsigned(*R.Items[1], "end");
    if (!E)
      return E.takeError();
    if (*B >= *E)
      return error(R, What + " range [" + Twine(*B) + ", " + Twine(*E) +
                          "] is empty or reversed; end must exceed begin");
    Out.push_back({*B, *E});
  }
  // Normalise to sorted, disjoint ranges: recorders may emit overlaps.
  normalizeRanges(Out);
  return Error::success();
}

Expected<FunctionProfile>
ProfileParser::parseFunction(const YamlNode &N) const {
  if (Error E = expectMap(N, "a function entry"))
    return std::move(E);
  if (Error E =
          checkKeys(N,
                    {"name", "phase", "calls", "first_call_ns", "last_call_ns",
                     "samples", "self_ns", "pinned", "startup_ranges",
                     "first_frame_ranges", "steady_ranges", "startup_blocks",
                     "first_frame_blocks", "steady_blocks", "block_hash"},
                    "a function entry"))
    return std::move(E);
  FunctionProfile F;
  F.Loc = loc(N);
  Expected<StringRef> Name = requiredString(N, "name", "function entry");
  if (!Name)
    return Name.takeError();
  F.Name = Name->str();
  if (const YamlNode *Ph = N.get("phase")) {
    Expected<Phase> P = parsePhaseNode(*Ph);
    if (!P)
      return P.takeError();
    F.ExplicitPhase = *P;
  }
  std::optional<uint64_t> Calls;
  if (Error E = parseOptionalUnsigned(N, "calls", Calls))
    return std::move(E);
  F.Calls = Calls.value_or(0);
  if (Error E = parseOptionalUnsigned(N, "first_call_ns", F.FirstCallNs))
    return std::move(E);
  if (Error E = parseOptionalUnsigned(N, "last_call_ns", F.LastCallNs))
    return std::move(E);
  if (Error E = parseOptionalUnsigned(N, "samples", F.Samples))
    return std::move(E);
  if (Error E = parseOptionalUnsigned(N, "self_ns", F.SelfNs))
    return std::move(E);
  if (F.FirstCallNs && F.LastCallNs && *F.LastCallNs < *F.FirstCallNs)
    return error(*N.get("last_call_ns"),
                 "last_call_ns (" + Twine(*F.LastCallNs) +
                     ") is before first_call_ns (" + Twine(*F.FirstCallNs) +
                     ") for '" + F.Name + "'");
  if (const YamlNode *Pin = N.get("pinned")) {
    Expected<bool> B = parseBool(*Pin, "pinned");
    if (!B)
      return B.takeError();
    F.Pinned = *B;
  }
  // Version-2 fields in a profile that says version 1 are read all the
  // same: the data is unambiguous, and dropping it would lose coverage.
  for (auto [Key, Out] : {std::pair("startup_ranges", &F.StartupRanges),
                          std::pair("first_frame_ranges", &F.FirstFrameRanges),
                          std::pair("steady_ranges", &F.SteadyRanges)})
    if (const YamlNode *R = N.get(Key))
      if (Error E = parseRanges(*R, Key, *Out))
        return std::move(E);
  if (Error E = parseBlocks(N, F))
    return std::move(E);
  return F;
}

// Version 3's block ids: 32-bit (as SHT_LLVM_BB_ADDR_MAP's), each listed
// once per function, in the one phase in which it first ran. Like the
// version-2 fields, they are read whatever the version says.
Error ProfileParser::parseBlocks(const YamlNode &Entry,
                                 FunctionProfile &F) const {
  DenseMap<uint32_t, StringRef> Seen;
  for (auto [Key, Out] : {std::pair("startup_blocks", &F.StartupBlocks),
                          std::pair("first_frame_blocks", &F.FirstFrameBlocks),
                          std::pair("steady_blocks", &F.SteadyBlocks)}) {
    const YamlNode *N = Entry.get(Key);
    if (!N)
      continue;
    if (Error E = expectSequence(*N, Key))
      return E;
    for (const YamlNode *Item : N->Items) {
      Expected<uint64_t> Id = parseUnsigned(*Item, Key);
      if (!Id)
        return Id.takeError();
      if (*Id > UINT32_MAX)
        return error(*Item, "block id " + Twine(*Id) + " in '" + Key +
                                "' does not fit 32 bits (SHT_LLVM_BB_ADDR_MAP "
                                "ids are at most 4294967295)");
      auto [It, New] = Seen.try_emplace(uint32_t(*Id), Key);
      if (!New)
        return error(*Item,
                     It->second == Key
                         ? "block " + Twine(*Id) + " is listed twice in '" +
                               Key + "' of '" + F.Name + "'"
                         : "block " + Twine(*Id) + " of '" + F.Name +
                               "' is in both '" + It->second + "' and '" +
                               Key +
                               "'; a block belongs to the phase in which it "
                               "first ran");
      Out->push_back(uint32_t(*Id));
    }
  }
  if (Error E = parseOptionalUnsigned(Entry, "block_hash", F.BlockHash))
    return E;
  return Error::success();
}

Error ProfileParser::parseFunctions(const YamlNode &N, Profile &P) const {
  if (Error E = expectSequence(N, "functions"))
    return E;
  StringMap<SourceLoc> Seen;
  for (const YamlNode *ItemPtr : N.Items) {
    const YamlNode &Item = *ItemPtr;
    Expected<FunctionProfile> F = parseFunction(Item);
    if (!F)
      return F.takeError();
    auto [It, Inserted] = Seen.try_emplace(F->Name, F->Loc);
    if (!Inserted)
      return error(Item, "duplicate function '" + F->Name +
                             "' (first listed at line " +
                             Twine(It->second.Line) +
                             "); merge the entries or use 'profile merge'");
    P.Functions.push_back(std::move(*F));
  }
  return Error::success();
}

Error ProfileParser::parseEdges(const YamlNode &N, Profile &P) const {
  if (Error E = expectSequence(N, "edges"))
    return E;
  // Interned names are equal exactly when their bytes are the same bytes.
  DenseSet<std::pair<const char *, const char *>> Seen;
  NamePool &Names = P.namePool();
  for (const YamlNode *ItemPtr : N.Items) {
    const YamlNode &Item = *ItemPtr;
    if (Error E = expectMap(Item, "an edge"))
      return E;
    if (Error E = checkKeys(Item, {"caller", "callee", "count"}, "an edge"))
      return E;
    Expected<StringRef> Caller = requiredString(Item, "caller", "edge");
    if (!Caller)
      return Caller.takeError();
    Expected<StringRef> Callee = requiredString(Item, "callee", "edge");
    if (!Callee)
      return Callee.takeError();
    *Caller = Names.intern(*Caller);
    *Callee = Names.intern(*Callee);
    std::optional<uint64_t> Count;
    if (Error E = parseOptionalUnsigned(Item, "count", Count))
      return E;
    if (!Seen.insert({Caller->data(), Callee->data()}).second)
      return error(Item, "duplicate edge " + *Caller + " -> " + *Callee +
                             "; list each caller/callee pair once");
    P.Edges.push_back({*Caller, *Callee, Count.value_or(1)});
  }
  return Error::success();
}

Error ProfileParser::parseRules(const YamlNode &N, Profile &P) const {
  if (Error E = expectSequence(N, "rules"))
    return E;
  for (const YamlNode *ItemPtr : N.Items) {
    const YamlNode &Item = *ItemPtr;
    if (Error E = expectMap(Item, "a rule"))
      return E;
    if (Error E = checkKeys(Item, {"pattern", "phase"}, "a rule"))
      return E;
    Expected<StringRef> Pattern = requiredString(Item, "pattern", "rule");
    if (!Pattern)
      return Pattern.takeError();
    if (Expected<GlobPattern> G = GlobPattern::create(*Pattern); !G)
      return error(*Item.get("pattern"), "invalid glob '" + *Pattern +
                                             "': " + toString(G.takeError()));
    const YamlNode *PhaseNode = Item.get("phase");
    if (!PhaseNode)
      return error(Item, "rule '" + *Pattern + "' has no 'phase'");
    Expected<Phase> Ph = parsePhaseNode(*PhaseNode);
    if (!Ph)
      return Ph.takeError();
    P.Rules.push_back({Pattern->str(), *Ph, loc(Item)});
  }
  return Error::success();
}

Expected<std::vector<StringRef>>
ProfileParser::parseNameList(const YamlNode &N, Profile &P) const {
  if (Error E = expectSequence(N, "functions"))
    return std::move(E);
  std::vector<StringRef> Names;
  Names.reserve(N.Items.size());
  NamePool &Pool = P.namePool();
  for (const YamlNode *ItemPtr : N.Items) {
    const YamlNode &Item = *ItemPtr;
    Expected<StringRef> S = parseString(Item, "trace entry");
    if (!S)
      return S.takeError();
    Names.push_back(Pool.intern(*S));
  }
  return Names;
}

// A trace is either a plain list of names or {weight: N, functions: [...]}.
Error ProfileParser::parseTraces(const YamlNode &N, Profile &P) const {
  if (Error E = expectSequence(N, "traces"))
    return E;
  for (const YamlNode *ItemPtr : N.Items) {
    const YamlNode &Item = *ItemPtr;
    Trace T;
    const YamlNode *List = &Item;
    if (Item.isMapping()) {
      if (Error E = checkKeys(Item, {"weight", "functions"}, "a trace"))
        return E;
      std::optional<uint64_t> W;
      if (Error E = parseOptionalUnsigned(Item, "weight", W))
        return E;
      T.Weight = W.value_or(1);
      List = Item.get("functions");
      if (!List)
        return error(Item, "trace has no 'functions'");
    } else if (!Item.isSequence()) {
      return error(Item, "a trace must be a list of function names or a "
                         "mapping with 'functions'");
    }
    Expected<std::vector<StringRef>> Names = parseNameList(*List, P);
    if (!Names)
      return Names.takeError();
    T.Functions = std::move(*Names);
    P.Traces.push_back(std::move(T));
  }
  return Error::success();
}

Expected<Profile> ProfileParser::parseDocument(const YamlNode *RootPtr) {
  if (!RootPtr)
    return makeLocatedError(FileName, {},
                            "empty profile; expected a YAML mapping that "
                            "starts with 'version: " +
                                Twine(ProfileFormatVersion) + "'");
  const YamlNode &Root = *RootPtr;
  if (!Root.isMapping())
    return error(Root, "a profile must be a YAML mapping with 'version', "
                       "'functions', ..., not " +
                           nodeKind(Root));
  Profile P;
  const StringRef TopKeys[] = {"version", "metadata", "markers", "functions",
                               "edges",   "rules",    "traces"};
  SmallVector<const YamlNode *, 4> Unknown;
  if (Error E = checkKeys(Root, TopKeys, "the profile", &Unknown))
    return std::move(E);
  if (Error E = parseVersion(Root, P))
    return std::move(E);
  // Without 'functions', an unknown key is most likely a misspelt one, and
  // accepting the profile would drop every function without a word.
  if (!Unknown.empty() && !Root.get("functions")) {
    StringRef K = Unknown.front()->Scalar;
    std::string Near = didYouMean(K, TopKeys);
    return error(
        *Unknown.front(),
        "unknown key '" + K + "' in a profile without 'functions'" +
            (Near.empty() ? ": fix or remove it" : ":" + Near.substr(1)) +
            " (write 'functions: []' if the profile lists none)");
  }
  for (const YamlNode *Key : Unknown)
    warn(*Key, "unknown key '" + Key->Scalar + "' in the profile ignored" +
                   didYouMean(Key->Scalar, TopKeys));
  using Section = Error (ProfileParser::*)(const YamlNode &, Profile &) const;
  const std::pair<const char *, Section> Sections[] = {
      {"markers", &ProfileParser::parseMarkers},
      {"functions", &ProfileParser::parseFunctions},
      {"edges", &ProfileParser::parseEdges},
      {"rules", &ProfileParser::parseRules},
      {"traces", &ProfileParser::parseTraces}};
  if (const YamlNode *M = Root.get("metadata"))
    if (Error E = parseMetadata(*M, P.Metadata))
      return std::move(E);
  for (const auto &[Key, Parse] : Sections)
    if (const YamlNode *N = Root.get(Key); N && !N->isNull())
      if (Error E = (this->*Parse)(*N, P))
        return std::move(E);
  return P;
}

// Rejects what is plainly not text before the YAML scanner sees it: its
// messages for binary junk are confusing.
Error checkIsText(StringRef Contents, StringRef FileName) {
  size_t Nul = Contents.find('\0');
  size_t Bad = firstNonUtf8(Contents.take_front(Nul));
  if (Nul == StringRef::npos && Bad == StringRef::npos)
    return Error::success();
  size_t Offset = Bad == StringRef::npos ? Nul : Bad;
  StringRef Before = Contents.take_front(Offset);
  SourceLoc L{unsigned(Before.count('\n') + 1),
              unsigned(Offset - (Before.rfind('\n') + 1) + 1)};
  return makeLocatedError(FileName, L,
                          "binary data at byte offset " + Twine(Offset) +
                              "; a layout profile is YAML text (convert "
                              "other formats with 'pagelayout profile "
                              "convert')");
}

} // namespace

std::string unknownMarkerWarning(StringRef Name) {
  const StringRef KnownMarkers[] = {StartupEndMarker, FirstFrameMarker};
  if (is_contained(KnownMarkers, Name))
    return "";
  return ("marker '" + Name + "' is not one the phase inference reads (" +
          StartupEndMarker + ", " + FirstFrameMarker + ")" +
          (nearestName(Name, KnownMarkers).empty()
               ? "; it is kept but does not affect the layout"
               : didYouMean(Name, KnownMarkers)))
      .str();
}

Expected<Profile> parseProfile(StringRef Contents, StringRef FileName,
                               const WarningHandler &Warn) {
  if (Error E = checkIsText(Contents, FileName))
    return std::move(E);
  Expected<std::unique_ptr<YamlDocument>> Doc =
      YamlDocument::parse(Contents, FileName);
  if (!Doc)
    return Doc.takeError();
  return ProfileParser(**Doc, FileName, Warn).parseDocument((*Doc)->root());
}

Expected<std::string> readWholeFile(StringRef Path) {
  Expected<std::unique_ptr<MemoryBuffer>> Buf = readFileBuffer(Path);
  if (!Buf)
    return Buf.takeError();
  return (*Buf)->getBuffer().str();
}

Expected<std::unique_ptr<MemoryBuffer>> readFileBuffer(StringRef Path) {
  // A large file is mapped, not copied: a compact profile of a million
  // functions is read in place.
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
      Path == "-" ? MemoryBuffer::getSTDIN()
                  : MemoryBuffer::getFile(Path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!Buf)
    return createStringError(Buf.getError(), "cannot read '" + Path + "': " +
                                                 Buf.getError().message());
  return std::move(*Buf);
}

Expected<Profile> parseProfileOfAnyForm(StringRef Contents, StringRef FileName,
                                        const WarningHandler &Warn) {
  if (looksLikeCompactProfile(Contents))
    return parseCompactProfile(Contents, FileName, Warn);
  return parseProfile(Contents, FileName, Warn);
}

Expected<Profile> readProfileFile(StringRef Path, const WarningHandler &Warn) {
  Expected<std::unique_ptr<MemoryBuffer>> Buf = readFileBuffer(Path);
  if (!Buf)
    return Buf.takeError();
  return parseProfileOfAnyForm((*Buf)->getBuffer(),
                               Path == "-" ? "<stdin>" : Path, Warn);
}

} // namespace pagelayout

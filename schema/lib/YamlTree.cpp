//===- YamlTree.cpp - Build a YamlNode tree with llvm::yaml::Stream -------===//

#include "YamlTree.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/YAMLParser.h"

using namespace llvm;

namespace pagelayout {

const YamlNode *YamlNode::get(StringRef Key) const {
  for (const YamlEntry &E : Entries)
    if (E.Key->isScalar() && E.Key->Scalar == Key)
      return E.Value;
  return nullptr;
}

// A profile written out in full stands for about its own size (a scalar
// counts its bytes, a collection one more); 64 times that leaves room for
// any sensible use of anchors while keeping the model a few hundred bytes
// per byte of text at worst.
constexpr uint64_t ExpansionPerByte = 64;
// Small files may still share a list a few thousand times: a million
// entries is a few tens of MB of model, harmless.
constexpr uint64_t MinExpansionLimit = 1'000'000;

uint64_t YamlDocument::expansionLimit(size_t TextSize) {
  return std::max(SaturatingMultiply(uint64_t(TextSize), ExpansionPerByte),
                  MinExpansionLimit);
}

SourceLoc YamlDocument::location(const YamlNode &N) const {
  if (!N.Position)
    return {};
  auto [Line, Column] =
      Sources.getLineAndColumn(SMLoc::getFromPointer(N.Position));
  return {Line, Column};
}

// Converts llvm::yaml nodes, which must be visited in document order, into
// arena-allocated YamlNodes. Problems of its own (unknown alias, nesting too
// deep, aliases expanding too far) are kept as the first error and stop the
// walk. llvm::yaml frees a document's nodes and token strings when the
// stream moves on, so every string that does not point into the text is
// copied into the arena.
class YamlDocument::Builder {
public:
  Builder(YamlDocument &Doc, StringRef Text)
      : Doc(Doc), TextBegin(Text.data()),
        ExpansionLimit(expansionLimit(Text.size())) {}

  const YamlNode *build(yaml::Node &N, unsigned Depth);

  const char *ErrorPosition = nullptr;
  std::string ErrorMessage;

private:
  // Deeper input is junk or an attack; recursion must not exhaust the stack.
  static constexpr unsigned MaxDepth = 200;

  YamlNode *make(YamlNode::Kind Kind, yaml::Node &N);
  bool fail(const char *Position, const Twine &Message);
  StringRef copy(StringRef S);
  StringRef keep(StringRef S, const SmallVectorImpl<char> &Storage);
  const YamlNode *resolveAlias(yaml::AliasNode &Alias);
  void buildScalar(YamlNode &Out, yaml::ScalarNode &N);
  void buildSequence(YamlNode &Out, yaml::SequenceNode &N, unsigned Depth);
  void buildMapping(YamlNode &Out, yaml::MappingNode &N, unsigned Depth);

  YamlDocument &Doc;
  const char *TextBegin;
  StringMap<const YamlNode *> Anchors;
  /// ExpandedSize of everything built so far, aliases expanded.
  uint64_t Expanded = 0;
  const uint64_t ExpansionLimit;
};

// llvm::yaml starts a flow collection at its first element; errors read
// better pointing at the '[' or '{' that opens it. (A block collection
// after a comment that ends in its bracket moves there too: the fast path
// does the same.)
const char *YamlDocument::openingBracket(const char *Start,
                                         const char *TextBegin,
                                         YamlNode::Kind Kind) {
  char Opener = Kind == YamlNode::Kind::Sequence ? '[' : '{';
  const char *P = Start;
  while (P > TextBegin &&
         (P[-1] == ' ' || P[-1] == '\t' || P[-1] == '\n' || P[-1] == '\r'))
    --P;
  return P > TextBegin && P[-1] == Opener ? P - 1 : Start;
}

YamlNode *YamlDocument::Builder::make(YamlNode::Kind Kind, yaml::Node &N) {
  YamlNode *Out = new (Doc.Arena.Allocate<YamlNode>()) YamlNode();
  Out->NodeKind = Kind;
  Out->Position = N.getSourceRange().Start.getPointer();
  if (Out->Position &&
      (Kind == YamlNode::Kind::Sequence || Kind == YamlNode::Kind::Mapping))
    Out->Position = openingBracket(Out->Position, TextBegin, Kind);
  return Out;
}

bool YamlDocument::Builder::fail(const char *Position, const Twine &Message) {
  if (!ErrorPosition) {
    ErrorPosition = Position;
    ErrorMessage = Message.str();
  }
  return false;
}

StringRef YamlDocument::Builder::copy(StringRef S) {
  if (S.empty())
    return StringRef();
  char *Copy = Doc.Arena.Allocate<char>(S.size());
  std::copy(S.begin(), S.end(), Copy);
  return StringRef(Copy, S.size());
}

// Escaped scalars are unescaped into Storage, which is reused: copy those.
StringRef YamlDocument::Builder::keep(StringRef S,
                                      const SmallVectorImpl<char> &Storage) {
  bool InStorage = S.data() >= Storage.begin() && S.data() < Storage.end();
  return InStorage ? copy(S) : S;
}

// An alias is its anchor's node, shared; what it adds to the document is
// that node's whole expanded size.
const YamlNode *YamlDocument::Builder::resolveAlias(yaml::AliasNode &Alias) {
  auto It = Anchors.find(Alias.getName());
  // The name follows the '*'.
  const char *Star = Alias.getName().data() - 1;
  if (It == Anchors.end()) {
    fail(Star, "malformed YAML: alias '*" + Alias.getName() +
                   "' names no earlier anchor");
    return nullptr;
  }
  Expanded = SaturatingAdd(Expanded, It->second->ExpandedSize);
  if (Expanded > ExpansionLimit) {
    fail(Star, "aliases expand this profile beyond " + Twine(ExpansionLimit) +
                   " entries (" + Twine(ExpansionPerByte) +
                   " per byte of the file, at least " +
                   Twine(MinExpansionLimit) +
                   "); write the entries out or drop the aliases");
    return nullptr;
  }
  return It->second;
}

void YamlDocument::Builder::buildScalar(YamlNode &Out, yaml::ScalarNode &N) {
  SmallString<64> Storage;
  StringRef Value = N.getValue(Storage);
  StringRef Raw = N.getRawValue();
  bool Plain = !Raw.starts_with("'") && !Raw.starts_with("\"");
  if (Plain &&
      (Value == "~" || Value == "null" || Value == "Null" || Value == "NULL")) {
    Out.NodeKind = YamlNode::Kind::Null;
    return;
  }
  Out.Scalar = keep(Value, Storage);
}

void YamlDocument::Builder::buildSequence(YamlNode &Out, yaml::SequenceNode &N,
                                          unsigned Depth) {
  SmallVector<const YamlNode *, 16> Items;
  for (yaml::Node &Item : N) {
    const YamlNode *Child = build(Item, Depth + 1);
    if (!Child)
      return;
    Items.push_back(Child);
  }
  const YamlNode **Copy = Doc.Arena.Allocate<const YamlNode *>(Items.size());
  std::copy(Items.begin(), Items.end(), Copy);
  Out.Items = ArrayRef(Copy, Items.size());
  for (const YamlNode *Item : Items)
    Out.ExpandedSize = SaturatingAdd(Out.ExpandedSize, Item->ExpandedSize);
}

void YamlDocument::Builder::buildMapping(YamlNode &Out, yaml::MappingNode &N,
                                         unsigned Depth) {
  SmallVector<YamlEntry, 16> Entries;
  for (yaml::KeyValueNode &KV : N) {
    yaml::Node *Key = KV.getKey();
    const YamlNode *K = Key ? build(*Key, Depth + 1) : nullptr;
    if (!K)
      return;
    yaml::Node *Value = KV.getValue();
    const YamlNode *V = Value ? build(*Value, Depth + 1) : nullptr;
    if (!V)
      return;
    Entries.push_back({K, V});
  }
  YamlEntry *Copy = Doc.Arena.Allocate<YamlEntry>(Entries.size());
  std::copy(Entries.begin(), Entries.end(), Copy);
  Out.Entries = ArrayRef(Copy, Entries.size());
  for (const YamlEntry &E : Entries)
    Out.ExpandedSize = SaturatingAdd(Out.ExpandedSize, E.Key->ExpandedSize,
                                     E.Value->ExpandedSize);
}

const YamlNode *YamlDocument::Builder::build(yaml::Node &N, unsigned Depth) {
  if (ErrorPosition)
    return nullptr;
  if (Depth > MaxDepth) {
    fail(N.getSourceRange().Start.getPointer(),
         "malformed YAML: nested deeper than " + Twine(MaxDepth) + " levels");
    return nullptr;
  }
  YamlNode *Out = nullptr;
  if (auto *Alias = dyn_cast<yaml::AliasNode>(&N))
    return resolveAlias(*Alias);
  if (auto *S = dyn_cast<yaml::ScalarNode>(&N)) {
    Out = make(YamlNode::Kind::Scalar, N);
    buildScalar(*Out, *S);
  } else if (auto *B = dyn_cast<yaml::BlockScalarNode>(&N)) {
    Out = make(YamlNode::Kind::Scalar, N);
    // The value is the scanner's, not the text's: it dies with the
    // document's nodes.
    Out->Scalar = copy(B->getValue());
  } else if (auto *Seq = dyn_cast<yaml::SequenceNode>(&N)) {
    Out = make(YamlNode::Kind::Sequence, N);
    buildSequence(*Out, *Seq, Depth);
  } else if (auto *Map = dyn_cast<yaml::MappingNode>(&N)) {
    Out = make(YamlNode::Kind::Mapping, N);
    buildMapping(*Out, *Map, Depth);
  } else {
    Out = make(YamlNode::Kind::Null, N);
  }
  if (ErrorPosition)
    return nullptr;
  // Children already added themselves; this node adds only its own part.
  uint64_t Own = 1 + Out->Scalar.size();
  Out->ExpandedSize = SaturatingAdd(Out->ExpandedSize, Own);
  Expanded = SaturatingAdd(Expanded, Own);
  if (!N.getAnchor().empty())
    Anchors[N.getAnchor()] = Out;
  return Out;
}

namespace {

// The scanner reports through the SourceMgr; keep only the first message.
struct FirstDiagnostic {
  bool Seen = false;
  SourceLoc Loc;
  std::string Message;

  static void record(const SMDiagnostic &D, void *Context) {
    auto *Self = static_cast<FirstDiagnostic *>(Context);
    if (Self->Seen)
      return;
    Self->Seen = true;
    Self->Loc = {unsigned(D.getLineNo()), unsigned(D.getColumnNo() + 1)};
    Self->Message = D.getMessage().str();
  }
};

} // namespace

Expected<std::unique_ptr<YamlDocument>>
YamlDocument::parse(StringRef Text, StringRef FileName) {
  if (std::unique_ptr<YamlDocument> Doc = parseFast(Text))
    return std::move(Doc);
  return parseGeneral(Text, FileName);
}

Expected<std::unique_ptr<YamlDocument>>
YamlDocument::parseGeneral(StringRef Text, StringRef FileName) {
  auto Doc = std::make_unique<YamlDocument>();
  FirstDiagnostic Diag;
  Doc->Sources.setDiagHandler(&FirstDiagnostic::record, &Diag);
  yaml::Stream Stream(Text, Doc->Sources, /*ShowColors=*/false);
  Builder B(*Doc, Text);
  yaml::document_iterator It = Stream.begin();
  if (It != Stream.end())
    if (yaml::Node *Root = It->getRoot())
      Doc->Root = B.build(*Root, 0);
  const char *SecondDocument = nullptr;
  if (!Diag.Seen && !B.ErrorPosition && It != Stream.end() &&
      ++It != Stream.end())
    if (yaml::Node *Root = It->getRoot())
      SecondDocument = Root->getSourceRange().Start.getPointer();
  if (Diag.Seen)
    return makeLocatedError(FileName, Diag.Loc,
                            "malformed YAML: " + Diag.Message);
  if (B.ErrorPosition) {
    YamlNode At;
    At.Position = B.ErrorPosition;
    return makeLocatedError(FileName, Doc->location(At), B.ErrorMessage);
  }
  if (SecondDocument) {
    YamlNode At;
    At.Position = SecondDocument;
    return makeLocatedError(FileName, Doc->location(At),
                            "a second YAML document; a profile is one "
                            "document (remove the '---' separator)");
  }
  if (Doc->Root && Doc->Root->isNull())
    Doc->Root = nullptr;
  return std::move(Doc);
}

} // namespace pagelayout

//===- YamlFastPath.cpp - Read the YAML that profiles are made of, fast ---===//
//
// llvm::yaml is a general YAML scanner: a queue of tokens, simple-key
// bookkeeping, UTF-8 decoding of every character, a node object per token.
// Reading a 64 KB profile that way costs milliseconds and a 64 MB one
// seconds, on the critical path of `pagelayout reorder`. Yet profiles are
// nearly always the one shape ProfileWriter writes, or a hand-written file
// of the same kind: block mappings and sequences laid out by indentation,
// one-line flow collections ({name: f, time_ns: 5}, [a, b]), plain and
// quoted scalars, comments.
//
// This file reads exactly that shape, and nothing else, in one pass over
// the text with a cursor, building the same YamlNode tree as
// YamlDocument::Builder over llvm::yaml: same kinds, strings, positions and
// expanded sizes. The subset, strictly:
//
//   - ASCII text: bytes 0x20-0x7e and '\n' (no tab, CR, NUL or UTF-8);
//   - an optional `---` line first and `...` line last, one document;
//   - block mappings of one-line keys (plain or quoted scalars, `key: v`),
//     block sequences (`- item`, the item on the dash's line), a mapping's
//     sequence at the mapping's own indentation, `- key: v` and `- - x`;
//   - flow sequences and mappings on one line, nested, without empty or
//     trailing entries; plain, single-quoted, and double-quoted scalars on
//     one line, the latter with one-character escapes only;
//   - comments after a space or at the start of a line; blank lines.
//
// Where llvm::yaml's reading is surprising it gives up too: a plain scalar
// followed by a more indented line (llvm::yaml folds it in), a key longer
// than its simple-key limit, nesting deeper than the builder allows, a root
// that is a scalar. Anything outside the subset, or any doubt, makes
// parseFast return null with nothing reported, and parse() reads the text
// with llvm::yaml as before: every error message, and its location, is
// llvm::yaml's or the builder's. The fuzz target YamlTreeFuzzer.cpp holds
// the two paths to the same tree on every input the fast path takes.
//
//===----------------------------------------------------------------------===//

#include "YamlTree.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;

namespace pagelayout {

namespace {

// What a byte may be: the subset is ASCII, printable or '\n'.
enum CharFlags : uint8_t {
  Printable = 1,  // 0x20-0x7e
  PlainStart = 2, // may start a plain scalar (besides "-x")
  BlockStop = 4,  // ends a plain scalar's run in block context: ' ' ':'
  FlowStop = 8,   // ...in flow context: ' ' ':' ',' '?' '[' ']' '{' '}'
};

struct CharTable {
  uint8_t Flags[256] = {};
  constexpr CharTable() {
    for (int C = 0x20; C <= 0x7e; ++C)
      Flags[C] = Printable | PlainStart;
    // llvm::yaml's indicators, which cannot start a plain scalar.
    for (const char *C = "-?:,[]{}#&*!|>'\"%@` "; *C; ++C)
      Flags[uint8_t(*C)] &= uint8_t(~PlainStart);
    for (const char *C = " :"; *C; ++C)
      Flags[uint8_t(*C)] |= BlockStop | FlowStop;
    for (const char *C = ",?[]{}"; *C; ++C)
      Flags[uint8_t(*C)] |= FlowStop;
  }
};
constexpr CharTable Chars;

bool has(char C, CharFlags F) { return Chars.Flags[uint8_t(C)] & F; }

} // namespace

class YamlDocument::FastParser {
public:
  FastParser(YamlDocument &Doc, StringRef Text)
      : Doc(Doc), Begin(Text.data()), End(Text.data() + Text.size()), P(Begin),
        LineStart(Begin), DocEnd(End) {}

  /// The document's root (null for an empty one) in \p Root; false when
  /// the text is outside the subset.
  bool parse(const YamlNode *&Root);

private:
  // The builder's limit: deeper trees are its error to report.
  static constexpr unsigned MaxDepth = 200;
  // llvm::yaml drops a simple-key candidate 1024 columns before its ':'.
  static constexpr size_t MaxKeyColumns = 1000;

  /// A scalar token, not yet a node.
  struct Scalar {
    const char *Start;
    StringRef Value;
    bool Plain;
  };

  unsigned column() const { return unsigned(P - LineStart); }
  bool atDocEnd() const { return P == DocEnd; }
  bool at(char C) const { return P != End && *P == C; }
  /// At C followed by a space or a line break (not the end of the text).
  bool atIndicator(char C) const {
    return P != End && *P == C && P + 1 != End && (P[1] == ' ' || P[1] == '\n');
  }
  void skipSpaces() {
    while (P != End && *P == ' ')
      ++P;
  }

  bool skipComment();
  bool endOfLine();
  bool nextContentLine();
  bool skipBlankLines();

  bool scanPlain(Scalar &S, bool Flow);
  bool scanSingleQuoted(Scalar &S);
  bool scanDoubleQuoted(Scalar &S);
  bool scanScalar(Scalar &S, bool Flow);
  bool plainEndsCleanly(int Indent);

  YamlNode *make(YamlNode::Kind Kind, const char *Position);
  const YamlNode *scalarNode(const Scalar &S);
  const YamlNode *finishSequence(YamlNode *Seq, size_t Base);
  const YamlNode *finishMapping(YamlNode *Map, size_t Base);

  const YamlNode *parseFlow(unsigned Depth);
  const YamlNode *parseFlowNode(unsigned Depth);
  const YamlNode *parseBlockNode(int Indent, unsigned Depth);
  const YamlNode *parseInlineValue(int Indent, unsigned Depth);
  const YamlNode *parseBlockSequence(unsigned Depth);
  const YamlNode *parseBlockMapping(const Scalar &FirstKey, unsigned Depth);

  YamlDocument &Doc;
  const char *const Begin;
  const char *const End;
  const char *P;                  ///< The cursor.
  const char *LineStart;          ///< Start of the cursor's line.
  const char *DocEnd;             ///< End of the text, or a closing `...`.
  bool AllowDocumentStart = true; ///< No content and no `---` yet.
  /// Children of the collections being read, innermost last.
  SmallVector<const YamlNode *, 64> Items;
  SmallVector<YamlEntry, 64> Entries;
};

//===-- Lines, blanks and comments ----------------------------------------===//

// A comment runs to the end of its line.
bool YamlDocument::FastParser::skipComment() {
  if (!at('#'))
    return true;
  while (P != End && has(*P, Printable))
    ++P;
  return P == End || *P == '\n';
}

// After a token: spaces, a comment (a '#' after a space or at the start
// of the line), then the line's end.
bool YamlDocument::FastParser::endOfLine() {
  skipSpaces();
  if (at('#') && (P == LineStart || P[-1] == ' ') && !skipComment())
    return false;
  return P == End || *P == '\n';
}

// From the start of a line: past blank and comment lines to the next
// content, or to the end of the text.
bool YamlDocument::FastParser::skipBlankLines() {
  while (true) {
    skipSpaces();
    if (!skipComment())
      return false;
    if (P == End)
      return true;
    if (*P != '\n')
      break;
    LineStart = ++P;
  }
  // `---` and `...` at the start of a line are document markers (for
  // llvm::yaml only with a fourth character after them). In the subset are
  // a `---` before any content and a last `...` followed by nothing but
  // blanks and comments.
  if (P != LineStart || End - P < 3 ||
      !(StringRef(P, 3) == "---" || StringRef(P, 3) == "..."))
    return true;
  if (End - P < 4 || (P[3] != ' ' && P[3] != '\n'))
    return false;
  const char *Marker = P;
  bool Start = *P == '-';
  if (Start && !AllowDocumentStart)
    return false;
  AllowDocumentStart = false;
  P += 3;
  if (!endOfLine())
    return false;
  if (Start)
    return skipBlankLines(); // the document's content follows
  while (P != End) {
    LineStart = ++P;
    skipSpaces();
    if (!skipComment() || (P != End && *P != '\n'))
      return false;
  }
  DocEnd = P = LineStart = Marker;
  return true;
}

// From the end of a line (its '\n' or the text's end) to the next content.
bool YamlDocument::FastParser::nextContentLine() {
  if (P == End)
    return true;
  if (atDocEnd())
    return true;
  LineStart = ++P;
  return skipBlankLines();
}

//===-- Scalars -----------------------------------------------------------===//

// A plain scalar on one line. In block context it ends at ": ", " #" or
// the line's end; in flow context also at ",[]{}". llvm::yaml calls a ':'
// in flow context followed by anything but a space an error, and '?' an
// explicit key: both are left to it.
bool YamlDocument::FastParser::scanPlain(Scalar &S, bool Flow) {
  S.Start = P;
  S.Plain = true;
  // "-x" is a plain scalar, "- x" an item; llvm::yaml calls "-," in flow
  // context an error.
  if (!(has(*P, PlainStart) || (*P == '-' && P + 1 != End &&
                                has(P[1], Printable) && !has(P[1], FlowStop))))
    return false;
  CharFlags Stop = Flow ? FlowStop : BlockStop;
  const char *Last = P; // one past the last non-space character
  while (true) {
    const char *Run = P;
    while (P != End && has(*P, Printable) && !has(*P, Stop))
      ++P;
    if (P != Run)
      Last = P;
    if (P == End || *P == '\n')
      break;
    if (*P == ' ') {
      skipSpaces();
      if (P == End || *P == '\n' || *P == '#')
        break;
      continue;
    }
    if (*P == ':') {
      if (P + 1 == End)
        return false;
      if (P[1] == ' ' || (!Flow && P[1] == '\n'))
        break;
      if (Flow)
        return false;
      Last = ++P;
      continue;
    }
    if (!has(*P, Printable) || *P == '?')
      return false;
    break; // a flow indicator
  }
  if (Flow && (P == End || *P == '\n' || *P == '#'))
    return false; // flow collections stay on one line, without comments
  S.Value = StringRef(S.Start, Last - S.Start);
  return true;
}

// 'text', with '' for a quote, on one line.
bool YamlDocument::FastParser::scanSingleQuoted(Scalar &S) {
  S.Start = P++;
  S.Plain = false;
  bool Escaped = false;
  while (true) {
    while (P != End && has(*P, Printable) && *P != '\'')
      ++P;
    if (P == End || *P != '\'')
      return false;
    if (P + 1 != End && P[1] == '\'') {
      Escaped = true;
      P += 2;
      continue;
    }
    break;
  }
  StringRef Body(S.Start + 1, P - S.Start - 1);
  ++P;
  if (!Escaped) {
    S.Value = Body;
    return true;
  }
  char *Out = Doc.Arena.Allocate<char>(Body.size());
  size_t N = 0;
  for (size_t I = 0; I < Body.size(); ++I) {
    Out[N++] = Body[I];
    if (Body[I] == '\'')
      ++I;
  }
  S.Value = StringRef(Out, N);
  return true;
}

// The escapes of llvm::yaml's unescapeDoubleQuoted that stand for one
// ASCII byte; the others (\x, \u, \N, a line break...) are left to it.
static int unescapeOne(char C) {
  static constexpr char Escapes[] = "0abtnvfre \"/\\";
  static constexpr char Bytes[] = {0x00, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
                                   0x0d, 0x1b, 0x20, 0x22, 0x2f, 0x5c};
  size_t I = StringRef(Escapes).find(C);
  return I == StringRef::npos ? -1 : Bytes[I];
}

// "text", with one-byte escapes, on one line.
bool YamlDocument::FastParser::scanDoubleQuoted(Scalar &S) {
  S.Start = P++;
  S.Plain = false;
  bool Escaped = false;
  while (true) {
    while (P != End && has(*P, Printable) && *P != '"' && *P != '\\')
      ++P;
    if (P == End || !has(*P, Printable))
      return false;
    if (*P == '"')
      break;
    if (P + 1 == End || unescapeOne(P[1]) < 0)
      return false;
    Escaped = true;
    P += 2;
  }
  StringRef Body(S.Start + 1, P - S.Start - 1);
  ++P;
  if (!Escaped) {
    S.Value = Body;
    return true;
  }
  char *Out = Doc.Arena.Allocate<char>(Body.size());
  size_t N = 0;
  for (size_t I = 0; I < Body.size(); ++I)
    Out[N++] = Body[I] == '\\' ? char(unescapeOne(Body[++I])) : Body[I];
  S.Value = StringRef(Out, N);
  return true;
}

bool YamlDocument::FastParser::scanScalar(Scalar &S, bool Flow) {
  if (P == End)
    return false;
  if (*P == '\'')
    return scanSingleQuoted(S);
  if (*P == '"')
    return scanDoubleQuoted(S);
  return scanPlain(S, Flow);
}

// llvm::yaml goes on reading a plain scalar on the next line that is
// indented past the enclosing block collection (\p Indent), and keeps the
// line break in it when that line holds only a comment or spaces. A plain
// scalar that ended at its line's end is the subset only without such a
// line after it.
bool YamlDocument::FastParser::plainEndsCleanly(int Indent) {
  const char *Q = P;
  while (Q != End && *Q == ' ')
    ++Q;
  if (Q == End || *Q != '\n')
    return true; // a comment on the scalar's own line, or the text's end
  const char *Line = Q;
  while (Q != End && (*Q == ' ' || *Q == '\n'))
    if (*Q++ == '\n')
      Line = Q;
  return int(Q - Line) <= Indent;
}

//===-- Nodes -------------------------------------------------------------===//

YamlNode *YamlDocument::FastParser::make(YamlNode::Kind Kind,
                                         const char *Position) {
  YamlNode *N = new (Doc.Arena.Allocate<YamlNode>()) YamlNode();
  N->NodeKind = Kind;
  N->Position = Position;
  N->ExpandedSize = 1;
  return N;
}

// As YamlDocument::Builder::buildScalar: plain ~, null, Null and NULL are
// null; any other scalar counts 1 + its length.
const YamlNode *YamlDocument::FastParser::scalarNode(const Scalar &S) {
  StringRef V = S.Value;
  if (S.Plain && (V == "~" || V == "null" || V == "Null" || V == "NULL"))
    return make(YamlNode::Kind::Null, S.Start);
  YamlNode *N = make(YamlNode::Kind::Scalar, S.Start);
  N->Scalar = V;
  N->ExpandedSize = 1 + V.size();
  return N;
}

// The items from Base on are the collection's: move them to the arena.
const YamlNode *YamlDocument::FastParser::finishSequence(YamlNode *Seq,
                                                         size_t Base) {
  size_t Count = Items.size() - Base;
  const YamlNode **Copy = Doc.Arena.Allocate<const YamlNode *>(Count);
  std::copy(Items.begin() + Base, Items.end(), Copy);
  Items.truncate(Base);
  Seq->Items = ArrayRef(Copy, Count);
  for (const YamlNode *Item : Seq->Items)
    Seq->ExpandedSize += Item->ExpandedSize;
  return Seq;
}

const YamlNode *YamlDocument::FastParser::finishMapping(YamlNode *Map,
                                                        size_t Base) {
  size_t Count = Entries.size() - Base;
  YamlEntry *Copy = Doc.Arena.Allocate<YamlEntry>(Count);
  std::copy(Entries.begin() + Base, Entries.end(), Copy);
  Entries.truncate(Base);
  Map->Entries = ArrayRef(Copy, Count);
  for (const YamlEntry &E : Map->Entries)
    Map->ExpandedSize += E.Key->ExpandedSize + E.Value->ExpandedSize;
  return Map;
}

//===-- Flow collections --------------------------------------------------===//

// [a, b] or {k: v, ...}, on one line. Its position is the bracket, as the
// builder moves it there.
const YamlNode *YamlDocument::FastParser::parseFlow(unsigned Depth) {
  if (Depth > MaxDepth)
    return nullptr;
  bool IsSequence = *P == '[';
  char Close = IsSequence ? ']' : '}';
  YamlNode *N =
      make(IsSequence ? YamlNode::Kind::Sequence : YamlNode::Kind::Mapping, P);
  size_t Base = IsSequence ? Items.size() : Entries.size();
  ++P;
  skipSpaces();
  if (at(Close)) {
    ++P;
    return IsSequence ? finishSequence(N, Base) : finishMapping(N, Base);
  }
  while (true) {
    if (IsSequence) {
      const YamlNode *Item = parseFlowNode(Depth + 1);
      if (!Item)
        return nullptr;
      Items.push_back(Item);
    } else {
      if (Depth + 1 > MaxDepth)
        return nullptr;
      Scalar K;
      const char *KeyColumn = P;
      if (!scanScalar(K, /*Flow=*/true))
        return nullptr;
      skipSpaces();
      if (!atIndicator(':') || size_t(P - KeyColumn) > MaxKeyColumns)
        return nullptr;
      const YamlNode *Key = scalarNode(K);
      ++P;
      skipSpaces();
      const YamlNode *Value = parseFlowNode(Depth + 1);
      if (!Value)
        return nullptr;
      Entries.push_back({Key, Value});
    }
    skipSpaces();
    if (at(Close)) {
      ++P;
      break;
    }
    if (!at(','))
      return nullptr;
    ++P;
    skipSpaces();
    if (at(']') || at('}'))
      return nullptr; // a trailing comma
  }
  return IsSequence ? finishSequence(N, Base) : finishMapping(N, Base);
}

const YamlNode *YamlDocument::FastParser::parseFlowNode(unsigned Depth) {
  if (Depth > MaxDepth || P == End)
    return nullptr;
  if (*P == '[' || *P == '{')
    return parseFlow(Depth);
  Scalar S;
  if (!scanScalar(S, /*Flow=*/true))
    return nullptr;
  return scalarNode(S);
}

//===-- Block collections -------------------------------------------------===//

// A scalar or flow collection that is the rest of its line, then on to
// the next content line.
const YamlNode *YamlDocument::FastParser::parseInlineValue(int Indent,
                                                           unsigned Depth) {
  if (Depth > MaxDepth || P == End)
    return nullptr;
  const YamlNode *N;
  if (*P == '[' || *P == '{') {
    N = parseFlow(Depth);
  } else {
    Scalar S;
    if (!scanScalar(S, /*Flow=*/false) ||
        (S.Plain && !plainEndsCleanly(Indent)))
      return nullptr;
    N = scalarNode(S);
  }
  if (!N || !endOfLine() || !nextContentLine())
    return nullptr;
  return N;
}

// The node at the cursor, the first content of its line or after "- ";
// \p Indent is the column of the block collection it is in (-1 for the
// root). Returns with the cursor at the next content line.
const YamlNode *YamlDocument::FastParser::parseBlockNode(int Indent,
                                                         unsigned Depth) {
  if (Depth > MaxDepth || P == End)
    return nullptr;
  if (atIndicator('-'))
    return parseBlockSequence(Depth);
  if (*P == '[' || *P == '{')
    return parseInlineValue(Indent, Depth);
  const char *Start = P;
  Scalar S;
  if (!scanScalar(S, /*Flow=*/false))
    return nullptr;
  skipSpaces();
  if (atIndicator(':'))
    return parseBlockMapping(S, Depth);
  if (Indent < 0)
    return nullptr; // a scalar root: llvm::yaml reads it oddly
  P = Start;
  return parseInlineValue(Indent, Depth);
}

// "- item" lines at one column. Each item starts on its dash's line. The
// sequence's position is its first dash, as llvm::yaml has it, moved as
// the builder moves it.
const YamlNode *YamlDocument::FastParser::parseBlockSequence(unsigned Depth) {
  unsigned Column = column();
  YamlNode *Seq = make(YamlNode::Kind::Sequence,
                       openingBracket(P, Begin, YamlNode::Kind::Sequence));
  size_t Base = Items.size();
  while (true) {
    ++P;
    skipSpaces();
    if (P == End || *P == '\n' || *P == '#')
      return nullptr; // an empty item, or one on the next line
    const YamlNode *Item = parseBlockNode(int(Column), Depth + 1);
    if (!Item)
      return nullptr;
    Items.push_back(Item);
    if (atDocEnd() || column() < Column)
      break;
    if (column() > Column)
      return nullptr;
    if (!atIndicator('-'))
      break; // the key after a mapping's sequence (checked by the mapping)
  }
  return finishSequence(Seq, Base);
}

// "key: value" lines at one column, from the first key, already scanned.
// The mapping's position is its first key, moved as the builder moves it.
const YamlNode *
YamlDocument::FastParser::parseBlockMapping(const Scalar &FirstKey,
                                            unsigned Depth) {
  unsigned Column = unsigned(FirstKey.Start - LineStart);
  YamlNode *Map =
      make(YamlNode::Kind::Mapping,
           openingBracket(FirstKey.Start, Begin, YamlNode::Kind::Mapping));
  size_t Base = Entries.size();
  Scalar K = FirstKey;
  while (true) {
    // At the ':' after key K.
    if (Depth + 1 > MaxDepth || size_t(P - K.Start) > MaxKeyColumns)
      return nullptr;
    const YamlNode *Key = scalarNode(K);
    ++P;
    skipSpaces();
    const YamlNode *Value;
    if (P != End && *P != '\n' && *P != '#') {
      if (atIndicator('-'))
        return nullptr; // a block sequence on the key's line
      Value = parseInlineValue(int(Column), Depth + 1);
    } else {
      // The value is on the next content lines, or null.
      if (!skipComment() || !nextContentLine())
        return nullptr;
      if (!atDocEnd() &&
          (column() > Column || (column() == Column && atIndicator('-'))))
        Value = parseBlockNode(int(Column), Depth + 1);
      else // llvm::yaml places a null where the next token starts
        Value = make(YamlNode::Kind::Null, P);
    }
    if (!Value)
      return nullptr;
    Entries.push_back({Key, Value});
    if (atDocEnd() || column() < Column)
      break;
    if (column() > Column || !scanScalar(K, /*Flow=*/false))
      return nullptr;
    skipSpaces();
    if (!atIndicator(':'))
      return nullptr;
  }
  return finishMapping(Map, Base);
}

//===-- The document ------------------------------------------------------===//

bool YamlDocument::FastParser::parse(const YamlNode *&Root) {
  Root = nullptr;
  if (!skipBlankLines())
    return false;
  AllowDocumentStart = false;
  if (atDocEnd())
    return true; // empty: the builder's null root
  Root = parseBlockNode(-1, 0);
  return Root && atDocEnd();
}

std::unique_ptr<YamlDocument> YamlDocument::parseFast(StringRef Text) {
  auto Doc = std::make_unique<YamlDocument>();
  FastParser Parser(*Doc, Text);
  if (!Parser.parse(Doc->Root))
    return nullptr;
  // As llvm::yaml::Stream does, so that location() finds the text.
  Doc->Sources.AddNewSourceBuffer(
      MemoryBuffer::getMemBuffer(MemoryBufferRef(Text, "YAML"),
                                 /*RequiresNullTerminator=*/false),
      SMLoc());
  return Doc;
}

} // namespace pagelayout

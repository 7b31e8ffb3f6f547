//===- YamlTree.h - A YAML document as a tree with locations ----*- C++ -*-===//
//
// llvm::yaml::Stream parses lazily and lets each node be walked once, in
// document order. The profile reader wants more: look up keys by name, see
// a node again to point an error at it. This tree is that: built in one
// pass over the stream, immutable, with every string and array in one arena.
//
// An alias is the node of its anchor, shared, not a copy, so the tree stays
// as small as the text. Whoever reads the tree expands the aliases again,
// though: ten thousand aliases of a ten-thousand-name list are 10^8 names
// in the model from 100 KB of text. The builder therefore counts what the
// document stands for with every alias expanded and refuses a document
// that would grow past a fixed multiple of its size.
//
// Profiles are mostly the one shape ProfileWriter writes; YamlFastPath.cpp
// reads that shape (a strict subset of YAML) in one pass and gives up on
// anything else, which llvm::yaml then reads as before. Both give the same
// tree, positions included.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_SCHEMA_YAMLTREE_H
#define PAGELAYOUT_SCHEMA_YAMLTREE_H

#include "pagelayout/schema/Profile.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Allocator.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/SourceMgr.h"
#include <memory>

namespace pagelayout {

struct YamlEntry;

/// One node. Plain `~`, `null`, `Null`, `NULL` and empty values are Null,
/// as in YAML's core schema; aliases are resolved to their anchor's node.
struct YamlNode {
  enum class Kind { Null, Scalar, Sequence, Mapping };

  Kind NodeKind = Kind::Null;
  const char *Position = nullptr; ///< Where the node starts in the text.
  llvm::StringRef Scalar;         ///< Unescaped value of a scalar.
  llvm::ArrayRef<const YamlNode *> Items; ///< A sequence's elements.
  llvm::ArrayRef<YamlEntry> Entries;      ///< A mapping's pairs, in order.
  /// What the node stands for with aliases expanded: a scalar or null
  /// counts 1 + its length, a collection 1 + its children.
  uint64_t ExpandedSize = 0;

  bool isNull() const { return NodeKind == Kind::Null; }
  bool isScalar() const { return NodeKind == Kind::Scalar; }
  bool isSequence() const { return NodeKind == Kind::Sequence; }
  bool isMapping() const { return NodeKind == Kind::Mapping; }

  /// The value of the first entry whose key is the scalar \p Key, or null.
  const YamlNode *get(llvm::StringRef Key) const;
};

struct YamlEntry {
  const YamlNode *Key;
  const YamlNode *Value;
};

/// A parsed document; owns all nodes. Scalars may point into the text, which
/// must outlive the document; those the parser rewrote (escapes, block
/// scalars) live in the document's arena.
class YamlDocument {
public:
  /// Parses the first document of \p Text. Malformed YAML, an unknown alias,
  /// aliases expanding past expansionLimit() or a second document are
  /// LocatedErrors in \p FileName.
  static llvm::Expected<std::unique_ptr<YamlDocument>>
  parse(llvm::StringRef Text, llvm::StringRef FileName);

  /// The two ways parse() reads, apart, for tests: parseGeneral() is
  /// llvm::yaml alone; parseFast() is the fast path alone, null when the
  /// text is outside its subset (it never reports an error of its own).
  static llvm::Expected<std::unique_ptr<YamlDocument>>
  parseGeneral(llvm::StringRef Text, llvm::StringRef FileName);
  static std::unique_ptr<YamlDocument> parseFast(llvm::StringRef Text);

  /// The largest ExpandedSize a document of \p TextSize bytes may have.
  static uint64_t expansionLimit(size_t TextSize);

  /// The root, or null for an empty document.
  const YamlNode *root() const { return Root; }

  /// Line and column (1-based) of a node in the text.
  SourceLoc location(const YamlNode &N) const;

private:
  class Builder;
  class FastParser;

  /// Where a collection llvm::yaml starts at \p Start is placed.
  static const char *openingBracket(const char *Start, const char *TextBegin,
                                    YamlNode::Kind Kind);

  llvm::SourceMgr Sources;
  llvm::BumpPtrAllocator Arena;
  const YamlNode *Root = nullptr;
};

} // namespace pagelayout

#endif

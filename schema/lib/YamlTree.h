//===- YamlTree.h - A YAML document as a tree with locations ----*- C++ -*-===//
//
// llvm::yaml::Stream parses lazily and lets each node be walked once, in
// document order. The profile reader wants more: look up keys by name, see
// a node again to point an error at it. This tree is that: built in one
// pass over the stream, immutable, with every string and array in one arena.
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
/// must outlive the document.
class YamlDocument {
public:
  /// Parses the first document of \p Text. Malformed YAML, an unknown alias
  /// or a second document are LocatedErrors in \p FileName.
  static llvm::Expected<std::unique_ptr<YamlDocument>>
  parse(llvm::StringRef Text, llvm::StringRef FileName);

  /// The root, or null for an empty document.
  const YamlNode *root() const { return Root; }

  /// Line and column (1-based) of a node in the text.
  SourceLoc location(const YamlNode &N) const;

private:
  class Builder;

  llvm::SourceMgr Sources;
  llvm::BumpPtrAllocator Arena;
  const YamlNode *Root = nullptr;
};

} // namespace pagelayout

#endif

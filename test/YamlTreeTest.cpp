//===- YamlTreeTest.cpp - The YAML fast path gives llvm::yaml's tree ------===//
//
// Each construct of the fast path's subset (YamlFastPath.cpp) reads to the
// tree the general llvm::yaml path builds, positions included; each thing
// outside it is left to the general path.
//
//===----------------------------------------------------------------------===//

#include "YamlTreeCompare.h"
#include "gtest/gtest.h"

using namespace pagelayout;
using namespace llvm;

namespace {

/// Both paths read \p Text and give the same tree; returns the fast one.
std::unique_ptr<YamlDocument> sameBothWays(StringRef Text) {
  std::unique_ptr<YamlDocument> Fast = YamlDocument::parseFast(Text);
  EXPECT_TRUE(Fast) << "the fast path gave up on:\n" << Text.str();
  Expected<std::unique_ptr<YamlDocument>> General =
      YamlDocument::parseGeneral(Text, "t.yaml");
  EXPECT_TRUE(bool(General)) << toString(General.takeError());
  if (!Fast || !General)
    return nullptr;
  EXPECT_EQ(yamlTreeDifference(Fast->root(), (*General)->root(), Text.data()),
            "")
      << Text.str();
  return Fast;
}

TEST(YamlFastPath, ProfileWriterShape) {
  const char *Text = R"(version: 1
metadata:
  binary: /work/app
  duration_ns: 65812599
markers:
  - {name: startup_end, time_ns: 1381771}
functions:
  - name: main
    calls: 1
    startup_ranges: [[16, 32], [0, 8]]
  - name: "ns::Widget::draw(int) const"
    pinned: true
edges:
  - {caller: main, callee: "ns::Widget::draw(int) const", count: 12}
traces:
  - [main, f]
  - {weight: 3, functions: [main]}
)";
  std::unique_ptr<YamlDocument> Doc = sameBothWays(Text);
  ASSERT_TRUE(Doc && Doc->root());
  const YamlNode *Markers = Doc->root()->get("markers");
  ASSERT_TRUE(Markers && Markers->isSequence());
  // A flow mapping is placed at its brace, a block sequence at its dash.
  EXPECT_EQ(*Markers->Position, '-');
  EXPECT_EQ(*Markers->Items[0]->Position, '{');
  SourceLoc L = Doc->location(*Markers->Items[0]);
  EXPECT_EQ(L.Line, 6u);
  EXPECT_EQ(L.Column, 5u);
}

TEST(YamlFastPath, BlockCollections) {
  sameBothWays("a: 1\nb: two words\n");
  sameBothWays("  a: 1\n  b: 2\n");           // indented root
  sameBothWays("a:\n  b:\n    c: d\ne: f\n"); // nested by indentation
  sameBothWays("a:\n- x\n- y\nb: 1\n");       // a mapping's sequence
  sameBothWays("- a: 1\n  b: 2\n- c: 3\n");   // compact mappings
  sameBothWays("- - x\n  - y\n- z\n");        // compact sequences
  sameBothWays("a:\n  - x\n  -  y\n");
  sameBothWays("a:\n  scalar on its own line\nb: 1\n");
  sameBothWays("a:\n    [1, 2]\nb: 1\n");
  sameBothWays("a: 1\nb: 2"); // no final newline
  // The builder moves a collection to a '{' or '[' just before it, even
  // one that ends a comment.
  sameBothWays("a: # {\n  b: 1\n");
  sameBothWays("# [\n- a\n");
}

TEST(YamlFastPath, NullsAndEmptyValues) {
  // An empty value is null where llvm::yaml's next token starts.
  sameBothWays("a:\nb: 1\n");
  sameBothWays("a:\n  b:\nc: 1\n");
  sameBothWays("- a:\n- b\n");
  sameBothWays("a:\n");
  sameBothWays("a:   # comment\n\n# more\n");
  sameBothWays("a: ~\nb: null\nc: Null\nd: NULL\ne: 'null'\nf: nULL\n");
  sameBothWays("~: 1\n");
  sameBothWays("");
  sameBothWays("# only a comment\n\n");
  std::unique_ptr<YamlDocument> Doc = YamlDocument::parseFast("\n");
  ASSERT_TRUE(Doc);
  EXPECT_EQ(Doc->root(), nullptr);
}

TEST(YamlFastPath, FlowCollections) {
  sameBothWays("a: []\nb: {}\nc: [ ]\nd: { }\n");
  sameBothWays("a: [1, 2 , 3]\n");
  sameBothWays("a: [[1, [2]], {b: [c, d]}, {}]\n");
  sameBothWays("a: {b: 1, 'c' : 2, \"d\": x y}\n");
  sameBothWays("a: [x#y, -1, -x-, a b]\n");
  sameBothWays("{a: 1, b: [2]}\n"); // a flow root
  sameBothWays("[a, b] # comment\n");
}

TEST(YamlFastPath, Scalars) {
  sameBothWays("a: plain with spaces   \n");
  sameBothWays("a: std::vector<int>::push_back(int const&)\n");
  sameBothWays("a: x:y\nb: http://h/p?q=1#frag\nc: a#b\n");
  sameBothWays("a: 'it''s'\nb: ''\nc: '# not a comment'\n");
  sameBothWays("a: \"q\"\nb: \"\"\nc: \"x\\\"y\\\\z\\n\\t\\0\\/\\ \"\n");
  sameBothWays("'quoted key': 1\n\"other\" : 2\n");
  sameBothWays("a: b # comment\nc: 'd' # comment\n");
  sameBothWays("a: -1\nb: .5\nc: ---\nd: ~x\n");
}

TEST(YamlFastPath, DocumentMarkers) {
  sameBothWays("---\na: 1\n");
  sameBothWays("# header\n--- # c\na: 1\n...\n# trailer\n");
  sameBothWays("a: 1\n...\n");
  sameBothWays("---\n");
}

TEST(YamlFastPath, GivesUpOutsideTheSubset) {
  const char *Outside[] = {
      "a:\tb\n",          // a tab
      "a: b\r\nc: d\r\n", // CRLF
      "a: caf\xc3\xa9\n", // UTF-8
      "a: &x 1\nb: *x\n", // anchors and aliases
      "a: !tag 1\n",      // a tag
      "a: |\n  text\n",   // block scalars
      "a: >\n  text\n",
      "? a\n: b\n",                   // an explicit key
      "a: b\n  c\n",                  // a multi-line plain scalar
      "a: 'b\n  c'\n",                // a multi-line quoted scalar
      "a: b\n  # indented comment\n", // llvm::yaml keeps the line break
      "a: [1,\n  2]\n",               // a flow collection over two lines
      "a: [1, 2,]\n",                 // a trailing comma
      "a: {b}\n",                     // a flow key without a value
      "a: {b: }\n",
      "a: \"\\x41\"\n",         // escapes beyond one byte
      "a: 1\n---\nb: 2\n",      // a second document
      "%YAML 1.2\n---\na: 1\n", // a directive
      "scalar\n",               // a scalar root
      "-\n  a: 1\n",            // an item on the next line
      "- \n- a\n",
      "a: - b\n", // a block sequence on the key's line
      "a: b: c\n",
      "a: 1\n b: 2\n", // inconsistent indentation
      "a:",            // ':' as the last byte
      "a: [x]y\n",
      "a: 'x'#c\n",
      "a: @x\n",
      "a: {b:c}\n",
      "a: [-, x]\n", // llvm::yaml calls this "-" an error
  };
  for (const char *Text : Outside)
    EXPECT_FALSE(YamlDocument::parseFast(Text)) << Text;
  std::string LongKey(1100, 'k');
  EXPECT_FALSE(YamlDocument::parseFast(LongKey + ": 1\n"));
  std::string Deep;
  for (int I = 0; I < 300; ++I)
    Deep += "[";
  EXPECT_FALSE(YamlDocument::parseFast("a: " + Deep + "\n"));
}

// The builder's limits are the fast path's: nesting to depth 200 reads
// both ways, one more level is left to the builder's error; a key just
// inside llvm::yaml's simple-key limit reads both ways.
TEST(YamlFastPath, Limits) {
  auto Nested = [](int Levels) {
    return "a: " + std::string(Levels, '[') + std::string(Levels, ']') + "\n";
  };
  sameBothWays(Nested(200));
  EXPECT_FALSE(YamlDocument::parseFast(Nested(201)));
  EXPECT_FALSE(bool(YamlDocument::parseGeneral(Nested(201), "t.yaml")));
  sameBothWays(std::string(1000, 'k') + ": 1\n");
}

// parse() is the fast path when it takes the text: same tree, same errors.
TEST(YamlFastPath, ParseFallsBackWithTheSameErrors) {
  Expected<std::unique_ptr<YamlDocument>> Bad =
      YamlDocument::parse("a: 1\n b: 2\n", "bad.yaml");
  ASSERT_FALSE(bool(Bad));
  Expected<std::unique_ptr<YamlDocument>> General =
      YamlDocument::parseGeneral("a: 1\n b: 2\n", "bad.yaml");
  ASSERT_FALSE(bool(General));
  EXPECT_EQ(toString(Bad.takeError()), toString(General.takeError()));
}

} // namespace

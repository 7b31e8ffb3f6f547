//===- YamlTreeFuzzer.cpp - The YAML fast path against llvm::yaml ---------===//
//
// A differential target: YamlFastPath.cpp must build, for every text it
// takes, the tree YamlDocument's builder builds over llvm::yaml, positions
// and expanded sizes included, and the location of every node must read
// the same. When the general path rejects a text the fast path took, that
// is a finding too: the fast path would have hidden an error. A text the
// fast path gives up on is not checked (parse() reads it the general way).
//
//===----------------------------------------------------------------------===//

#include "../YamlTreeCompare.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdlib>

using namespace llvm;
using namespace pagelayout;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  StringRef Text(reinterpret_cast<const char *>(Data), Size);
  std::unique_ptr<YamlDocument> Fast = YamlDocument::parseFast(Text);
  if (!Fast)
    return 0;
  Expected<std::unique_ptr<YamlDocument>> General =
      YamlDocument::parseGeneral(Text, "fuzz.yaml");
  if (!General) {
    errs() << "the fast path took a text llvm::yaml rejects: "
           << toString(General.takeError()) << "\n";
    abort();
  }
  std::string Difference =
      yamlTreeDifference(Fast->root(), (*General)->root(), Text.data());
  if (!Difference.empty()) {
    errs() << "the fast path's tree differs from llvm::yaml's at " << Difference
           << "\n";
    abort();
  }
  if (const YamlNode *Root = Fast->root()) {
    SourceLoc A = Fast->location(*Root), B = (*General)->location(*Root);
    if (A.Line != B.Line || A.Column != B.Column) {
      errs() << "the root's location differs\n";
      abort();
    }
  }
  return 0;
}

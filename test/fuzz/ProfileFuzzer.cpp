//===- ProfileFuzzer.cpp - Fuzz the YAML profile reader -------------------===//
//
// Feeds each input as a YAML layout profile to parseProfile (schema/lib/
// ProfileReader.cpp over YamlTree.cpp). A profile that reads is then
// resolved (PhaseInference.cpp), merged with itself (ProfileMerge.cpp) and
// written back (ProfileWriter.cpp); the written text must read again and
// write the same bytes, since `profile convert --to=yaml` promises a
// canonical, stable form. Crashes, sanitizer reports, hangs and a broken
// round trip are findings; a rejected input is not.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/schema/PhaseInference.h"
#include "pagelayout/schema/ProfileMerge.h"
#include "pagelayout/schema/ProfileReader.h"
#include "pagelayout/schema/ProfileWriter.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdlib>

using namespace llvm;
using namespace pagelayout;

static std::string written(const Profile &P) {
  std::string S;
  raw_string_ostream OS(S);
  writeProfileYAML(P, OS);
  return S;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  StringRef Text(reinterpret_cast<const char *>(Data), Size);
  auto Ignore = [](const Twine &) {};
  Expected<Profile> P = parseProfile(Text, "fuzz.yaml", Ignore);
  if (!P) {
    consumeError(P.takeError());
    return 0;
  }
  ResolvedProfile RP = resolvePhases(*P);
  (void)RP;
  Profile Merged;
  NamedProfile Inputs[] = {{"a.yaml", &*P}, {"b.yaml", &*P}};
  mergeProfiles(Inputs, Merged, Ignore);

  std::string Once = written(*P);
  Expected<Profile> Again = parseProfile(Once, "written.yaml", Ignore);
  if (!Again) {
    errs() << "the written profile does not read back: "
           << toString(Again.takeError()) << "\n--- written:\n"
           << Once;
    abort();
  }
  if (written(*Again) != Once) {
    errs() << "writing the profile read back gives other bytes\n--- once:\n"
           << Once << "--- twice:\n"
           << written(*Again);
    abort();
  }
  return 0;
}

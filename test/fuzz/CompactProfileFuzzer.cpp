//===- CompactProfileFuzzer.cpp - Fuzz the compact profile reader ---------===//
//
// Feeds each input as a compact profile to parseCompactProfile (schema/lib/
// CompactProfileReader.cpp). A profile that reads must convert without
// loss: its YAML must read back and give the same YAML, and the compact
// form written from either must be the same bytes (one profile, one
// compact form). Crashes, sanitizer reports, hangs, allocations beyond
// -rss_limit_mb and a broken round trip are findings; a rejected input is
// not.
//
// The seeds are the YAML seeds of the profile target written compactly:
// with PAGELAYOUT_FUZZ_COMPACT_SEEDS=DIR, each input that reads as YAML is
// also written to DIR in the compact form (utils/fuzz.sh runs the target
// once over the YAML seeds that way before fuzzing).
//
//===----------------------------------------------------------------------===//

#include "pagelayout/schema/CompactProfile.h"
#include "pagelayout/schema/PhaseInference.h"
#include "pagelayout/schema/ProfileReader.h"
#include "pagelayout/schema/ProfileWriter.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdlib>

using namespace llvm;
using namespace pagelayout;

static std::string yamlOf(const Profile &P) {
  std::string S;
  raw_string_ostream OS(S);
  writeProfileYAML(P, OS);
  return S;
}

static std::string compactOf(const Profile &P) {
  std::string S;
  raw_string_ostream OS(S);
  if (Error E = writeCompactProfile(P, OS)) {
    errs() << "the compact writer failed: " << toString(std::move(E)) << "\n";
    abort();
  }
  return S;
}

/// Seed making: a YAML input that reads is written compactly to \p Dir.
static void writeSeed(StringRef Text, StringRef Dir) {
  auto Ignore = [](const Twine &) {};
  Expected<Profile> P = parseProfile(Text, "seed.yaml", Ignore);
  if (!P) {
    consumeError(P.takeError());
    return;
  }
  SmallString<256> Path(Dir);
  sys::path::append(Path, "compact-" + utohexstr(xxh3_64bits(Text)));
  std::error_code EC;
  raw_fd_ostream OS(Path, EC);
  if (!EC)
    OS << compactOf(*P);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  StringRef Bytes(reinterpret_cast<const char *>(Data), Size);
  if (const char *SeedDir = getenv("PAGELAYOUT_FUZZ_COMPACT_SEEDS")) {
    writeSeed(Bytes, SeedDir);
    return 0;
  }
  auto Ignore = [](const Twine &) {};
  Expected<Profile> P = parseCompactProfile(Bytes, "fuzz.prof", Ignore);
  if (!P) {
    consumeError(P.takeError());
    return 0;
  }
  ResolvedProfile RP = resolvePhases(*P);
  (void)RP;
  std::string Yaml = yamlOf(*P);
  Expected<Profile> FromYaml = parseProfile(Yaml, "written.yaml", Ignore);
  if (!FromYaml) {
    errs() << "the YAML of a compact profile does not read back: "
           << toString(FromYaml.takeError()) << "\n--- written:\n"
           << Yaml;
    abort();
  }
  if (yamlOf(*FromYaml) != Yaml) {
    errs() << "the YAML read back writes other bytes\n--- once:\n"
           << Yaml << "--- twice:\n"
           << yamlOf(*FromYaml);
    abort();
  }
  std::string Compact = compactOf(*P);
  if (compactOf(*FromYaml) != Compact) {
    errs() << "the compact forms of a profile and of its YAML differ\n"
           << Yaml;
    abort();
  }
  Expected<Profile> Again = parseCompactProfile(Compact, "again.prof", Ignore);
  if (!Again || yamlOf(*Again) != Yaml) {
    errs() << "the written compact profile does not read back the same"
           << (Again ? std::string() : ": " + toString(Again.takeError()))
           << "\n";
    abort();
  }
  return 0;
}

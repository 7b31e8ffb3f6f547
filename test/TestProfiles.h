//===- TestProfiles.h - Helpers shared by the unit tests --------*- C++ -*-===//

#ifndef PAGELAYOUT_TEST_TESTPROFILES_H
#define PAGELAYOUT_TEST_TESTPROFILES_H

#include "pagelayout/schema/ProfileReader.h"
#include "gtest/gtest.h"

namespace pagelayout {

/// Parses a profile that the test expects to be valid.
inline Profile parseValid(const char *Text) {
  llvm::Expected<Profile> P = parseProfile(Text, "t.yaml");
  EXPECT_TRUE(bool(P)) << (P ? "" : llvm::toString(P.takeError()));
  return P ? std::move(*P) : Profile();
}

} // namespace pagelayout

#endif

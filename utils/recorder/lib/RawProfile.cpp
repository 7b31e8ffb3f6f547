//===- RawProfile.cpp - Read the recorder's raw files ---------------------===//
//
// Raw files come from crashed or killed processes too, so the reader trusts
// nothing: each chunk's declared size must fit the file, each record must
// fit its chunk, and errors name the file and the byte offset.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/RawProfile.h"
#include "pagelayout/record/RawFormat.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include <cstring>

using namespace llvm;

namespace pagelayout {
namespace {

/// Bounds-checked little-endian reads over a byte range.
class Cursor {
public:
  Cursor(StringRef Data, uint64_t Base) : Data(Data), Base(Base) {}
  bool has(uint64_t N) const { return Data.size() - Pos >= N; }
  template <typename T> T get() {
    T V = support::endian::read<T, llvm::endianness::little>(Data.data() + Pos);
    Pos += sizeof(T);
    return V;
  }
  StringRef bytes(uint64_t N) {
    StringRef S = Data.substr(Pos, N);
    Pos += N;
    return S;
  }
  uint64_t offset() const { return Base + Pos; }
  bool atEnd() const { return Pos == Data.size(); }

private:
  StringRef Data;
  uint64_t Base;
  size_t Pos = 0;
};

class RawReader {
public:
  RawReader(StringRef Path, StringRef Data) : Path(Path), Data(Data) {}
  Expected<RawProcess> read();

private:
  Error error(uint64_t Offset, const Twine &Msg) const {
    return createStringError(Path + ": offset " + Twine(Offset) + ": " + Msg +
                             " (a truncated or foreign raw file)");
  }
  Error readChunk(uint32_t Tag, uint32_t Count, Cursor &C, RawProcess &P);
  template <typename Fn>
  Error records(Cursor &C, uint32_t Count, uint64_t MinSize, Fn Each);

  StringRef Path, Data;
};

template <typename Fn>
Error RawReader::records(Cursor &C, uint32_t Count, uint64_t MinSize, Fn Each) {
  for (uint32_t I = 0; I < Count; ++I) {
    if (!C.has(MinSize))
      return error(C.offset(), "record " + Twine(I) + " runs past its chunk");
    if (Error E = Each(C))
      return E;
  }
  return Error::success();
}

Error RawReader::readChunk(uint32_t Tag, uint32_t Count, Cursor &C,
                           RawProcess &P) {
  auto String = [&](Cursor &C, std::string &Out) -> Error {
    uint16_t Len = C.get<uint16_t>();
    if (!C.has(Len))
      return error(C.offset(), "string runs past its chunk");
    Out = C.bytes(Len).str();
    return Error::success();
  };
  switch (Tag) {
  case raw::TagModules:
    return records(C, Count, 26, [&](Cursor &C) -> Error {
      RawModule M;
      M.Base = C.get<uint64_t>(), M.Begin = C.get<uint64_t>();
      M.End = C.get<uint64_t>();
      if (Error E = String(C, M.Path))
        return E;
      P.Modules.push_back(std::move(M));
      return Error::success();
    });
  case raw::TagMarkers:
    return records(C, Count, 10, [&](Cursor &C) -> Error {
      RawMarker M;
      M.TimeNs = C.get<uint64_t>();
      if (Error E = String(C, M.Name))
        return E;
      P.Markers.push_back(std::move(M));
      return Error::success();
    });
  case raw::TagFirstHits:
    return records(C, Count, 16, [&](Cursor &C) {
      P.FirstHits.push_back({C.get<uint64_t>(), C.get<uint64_t>()});
      return Error::success();
    });
  case raw::TagPcTable:
    return records(C, Count, 16, [&](Cursor &C) {
      P.PcTable.push_back({C.get<uint64_t>(), C.get<uint64_t>()});
      return Error::success();
    });
  case raw::TagFunctions:
    return records(C, Count, 40, [&](Cursor &C) {
      RawFunctionCount F;
      F.Function = C.get<uint64_t>(), F.Calls = C.get<uint64_t>();
      F.FirstNs = C.get<uint64_t>(), F.LastNs = C.get<uint64_t>();
      F.Thread = C.get<uint32_t>();
      C.get<uint32_t>();
      P.Functions.push_back(F);
      return Error::success();
    });
  case raw::TagEdges:
    return records(C, Count, 24, [&](Cursor &C) {
      P.Edges.push_back(
          {C.get<uint64_t>(), C.get<uint64_t>(), C.get<uint64_t>()});
      return Error::success();
    });
  default:
    return Error::success(); // a newer runtime's chunk: skip it
  }
}

Expected<RawProcess> RawReader::read() {
  constexpr uint64_t HeaderSize = 8 + 4 * 4 + 8;
  if (Data.size() < HeaderSize || memcmp(Data.data(), raw::Magic, 8) != 0)
    return createStringError(Path + ": not a pagelayout raw profile (bad "
                                    "magic); expected a file written by "
                                    "the recorder runtime");
  Cursor H(Data.substr(8, HeaderSize - 8), 8);
  RawProcess P;
  P.FileName = Path.str();
  uint32_t Version = H.get<uint32_t>();
  if (Version != raw::Version)
    return error(8, "raw format version " + Twine(Version) +
                        " is not the supported " + Twine(raw::Version) +
                        "; record again with this pagelayout's runtime");
  P.Pid = H.get<uint32_t>(), P.ParentPid = H.get<uint32_t>();
  P.Flags = H.get<uint32_t>(), P.DurationNs = H.get<uint64_t>();
  uint64_t Pos = HeaderSize;
  while (Pos < Data.size()) {
    if (Data.size() - Pos < 16)
      return error(Pos, "chunk header runs past the end");
    Cursor C(Data.substr(Pos, 16), Pos);
    uint32_t Tag = C.get<uint32_t>(), Count = C.get<uint32_t>();
    uint64_t Bytes = C.get<uint64_t>();
    if (Bytes > Data.size() - Pos - 16)
      return error(Pos,
                   "chunk of " + Twine(Bytes) + " bytes runs past the end");
    Cursor Body(Data.substr(Pos + 16, Bytes), Pos + 16);
    if (Error E = readChunk(Tag, Count, Body, P))
      return std::move(E);
    Pos += 16 + Bytes;
  }
  return P;
}

} // namespace

Expected<RawProcess> readRawProcess(StringRef Path) {
  // Only regular files: a FIFO would block and a device never end.
  sys::fs::file_status St;
  if (std::error_code EC = sys::fs::status(Path, St))
    return createStringError(EC, "cannot read '" + Path + "': " + EC.message());
  if (St.type() != sys::fs::file_type::regular_file)
    return createStringError("cannot read '" + Path +
                             "': not a regular file; give the raw file the "
                             "recorder wrote");
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
      MemoryBuffer::getFile(Path, false, false);
  if (!Buf)
    return createStringError(Buf.getError(), "cannot read '" + Path + "': " +
                                                 Buf.getError().message());
  return RawReader(Path, (*Buf)->getBuffer()).read();
}

} // namespace pagelayout

//===- BlockClusters.cpp - Split functions by phase, with basic-block sections -===//
//
// See BlockClusters.h. The binary's SHT_LLVM_BB_ADDR_MAP (LLVM's reader)
// gives each function's blocks in address order; the profile's block_hash
// must equal the hash of that list (blockSizesHash) before its ids are
// trusted.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/BlockClusters.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;
using namespace llvm::object;

namespace pagelayout {

namespace {

const std::vector<uint32_t> &blocksOf(const FunctionProfile &F, Phase P) {
  switch (P) {
  case Phase::Startup:
    return F.StartupBlocks;
  case Phase::FirstFrame:
    return F.FirstFrameBlocks;
  default:
    return F.SteadyBlocks;
  }
}

bool hasBlocks(const FunctionProfile &F) {
  return !F.StartupBlocks.empty() || !F.FirstFrameBlocks.empty() ||
         !F.SteadyBlocks.empty();
}

} // namespace

std::vector<Phase> blockPhases(const FunctionProfile &F) {
  std::vector<Phase> Out;
  for (Phase P : {Phase::Startup, Phase::FirstFrame, Phase::Steady})
    if (!blocksOf(F, P).empty())
      Out.push_back(P);
  return Out;
}

Expected<BlockClusterList> computeBlockClusters(const Profile &P,
                                                StringRef BinaryPath) {
  if (!any_of(P.Functions, hasBlocks))
    return createStringError(
        "the profile has no basic-block ids (startup_blocks, ...): record it "
        "with 'pagelayout record --mode=trace' from a build with "
        "-fbasic-block-address-map");
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf = MemoryBuffer::getFile(
      BinaryPath, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!Buf)
    return makeLocatedError(BinaryPath, {},
                            "cannot open: " + Buf.getError().message());
  Expected<std::unique_ptr<ObjectFile>> Obj =
      ObjectFile::createObjectFile((*Buf)->getMemBufferRef());
  if (!Obj)
    return makeLocatedError(BinaryPath, {},
                            "not an ELF binary (" +
                                toString(Obj.takeError()) + ")");
  auto *ELF = dyn_cast<ELFObjectFileBase>(Obj->get());
  if (!ELF)
    return makeLocatedError(BinaryPath, {}, "not an ELF binary");
  Expected<std::vector<BBAddrMap>> Maps = ELF->readBBAddrMap();
  if (!Maps)
    return makeLocatedError(BinaryPath, {},
                            "cannot read its SHT_LLVM_BB_ADDR_MAP: " +
                                toString(Maps.takeError()));
  if (Maps->empty())
    return makeLocatedError(
        BinaryPath, {},
        "has no basic-block address map (SHT_LLVM_BB_ADDR_MAP): build it "
        "with -fbasic-block-address-map, as the traced binary was");
  DenseMap<uint64_t, const BBAddrMap *> MapAt;
  for (const BBAddrMap &M : *Maps)
    MapAt.try_emplace(M.getFunctionAddress(), &M);

  // Function names to addresses; a name at two addresses (static functions
  // of two files) cannot be told apart in a cluster list without modules.
  StringMap<SmallVector<uint64_t, 1>> AddressesOf;
  for (const ELFSymbolRef &S : ELF->symbols()) {
    Expected<SymbolRef::Type> Type = S.getType();
    Expected<uint64_t> Addr = S.getAddress();
    Expected<StringRef> Name = S.getName();
    if (Type && Addr && Name && *Type == SymbolRef::ST_Function &&
        !Name->empty()) {
      SmallVector<uint64_t, 1> &A = AddressesOf[*Name];
      if (!is_contained(A, *Addr))
        A.push_back(*Addr);
    }
    consumeError(Type.takeError());
    consumeError(Addr.takeError());
    consumeError(Name.takeError());
  }

  BlockClusterList Out;
  for (const FunctionProfile &F : P.Functions) {
    if (!hasBlocks(F))
      continue;
    auto Skip = [&](const Twine &Why) {
      Out.Skipped.push_back({F.Name, Why.str()});
    };
    auto It = AddressesOf.find(F.Name);
    if (It == AddressesOf.end()) {
      Skip("not a function of " + BinaryPath);
      continue;
    }
    if (It->second.size() > 1) {
      Skip(Twine(It->second.size()) + " functions of " + BinaryPath +
           " have this name");
      continue;
    }
    const BBAddrMap *M = MapAt.lookup(It->second.front());
    if (!M) {
      Skip("it has no basic-block address map (compiled without "
           "-fbasic-block-address-map)");
      continue;
    }
    std::vector<BlockShape> Shapes;
    DenseSet<uint32_t> Ids;
    for (const BBAddrMap::BBRangeEntry &R : M->BBRanges)
      for (const BBAddrMap::BBEntry &E : R.BBEntries) {
        Shapes.push_back({E.ID, E.Size});
        Ids.insert(E.ID);
      }
    if (Shapes.empty() || M->BBRanges.front().BBEntries.empty()) {
      Skip("its address map has no blocks where the function starts");
      continue;
    }
    if (!F.BlockHash) {
      Skip("the profile has no block_hash to check its blocks against");
      continue;
    }
    uint64_t Hash = blockSizesHash(Shapes);
    if (*F.BlockHash != Hash) {
      Skip(formatv("its blocks changed since the profile was recorded "
                   "(block_hash {0:x} in the profile, {1:x} in {2})",
                   *F.BlockHash, Hash, BinaryPath));
      continue;
    }
    uint32_t Entry = M->BBRanges.front().BBEntries.front().ID;
    std::vector<Phase> Phases = blockPhases(F);
    // The entry runs first: it is among the blocks of the function's
    // first phase, or the profile does not describe this code.
    if (!is_contained(blocksOf(F, Phases.front()), Entry)) {
      Skip(formatv("its entry block ({0}) is not among the blocks it ran "
                   "first, in {1}",
                   Entry, phaseName(Phases.front())));
      continue;
    }
    FunctionClusters C;
    C.Name = F.Name;
    DenseSet<uint32_t> Placed{Entry};
    bool Unknown = false;
    for (Phase Ph : Phases) {
      std::vector<uint32_t> Cluster;
      if (C.Clusters.empty())
        Cluster.push_back(Entry);
      for (uint32_t Id : blocksOf(F, Ph)) {
        if (!Ids.contains(Id)) {
          Unknown = true;
          break;
        }
        if (Placed.insert(Id).second)
          Cluster.push_back(Id);
      }
      if (Unknown || Cluster.empty())
        break;
      C.Clusters.push_back(std::move(Cluster));
      C.Phases.push_back(Ph);
    }
    Unknown |= C.Clusters.size() != Phases.size();
    if (Unknown) {
      Skip("the profile names a block its address map does not have, or "
           "one block in two phases");
      continue;
    }
    if (C.Clusters.size() == 1 && Placed.size() == Ids.size()) {
      ++Out.SinglePhase; // every block ran, in one phase: nothing to split
      continue;
    }
    Out.Functions.push_back(std::move(C));
  }
  return std::move(Out);
}

void writeBlockClusterList(const BlockClusterList &L, raw_ostream &OS) {
  OS << "v1\n";
  for (const FunctionClusters &F : L.Functions) {
    OS << "f " << F.Name << "\n";
    for (const std::vector<uint32_t> &C : F.Clusters) {
      OS << "c";
      for (uint32_t Id : C)
        OS << " " << Id;
      OS << "\n";
    }
  }
}

std::optional<Phase>
clusterPartPhase(const Profile &P, StringRef Symbol,
                 function_ref<int(StringRef)> NameOf) {
  auto Blocks = [&](StringRef Name) -> const FunctionProfile * {
    int I = NameOf(Name);
    if (I < 0 || !hasBlocks(P.Functions[I]))
      return nullptr;
    return &P.Functions[I];
  };
  if (Symbol.ends_with(".cold"))
    if (Blocks(Symbol.drop_back(5)))
      return Phase::Cold;
  size_t Part = Symbol.rfind(".__part.");
  if (Part != StringRef::npos) {
    unsigned N = 0;
    if (Symbol.substr(Part + 8).getAsInteger(10, N))
      return std::nullopt;
    const FunctionProfile *F = Blocks(Symbol.take_front(Part));
    if (!F)
      return std::nullopt;
    std::vector<Phase> Phases = blockPhases(*F);
    return N < Phases.size() ? Phases[N] : Phase::Cold;
  }
  if (const FunctionProfile *F = Blocks(Symbol))
    return blockPhases(*F).front();
  return std::nullopt;
}

BlockRanges readBlockRanges(MemoryBufferRef Binary) {
  BlockRanges Out;
  Expected<std::unique_ptr<ObjectFile>> Obj =
      ObjectFile::createObjectFile(Binary);
  if (!Obj) {
    consumeError(Obj.takeError());
    return Out;
  }
  auto *ELF = dyn_cast<ELFObjectFileBase>(Obj->get());
  if (!ELF)
    return Out;
  Expected<std::vector<BBAddrMap>> Maps = ELF->readBBAddrMap();
  if (!Maps) {
    consumeError(Maps.takeError());
    return Out;
  }
  for (const BBAddrMap &M : *Maps)
    for (const BBAddrMap::BBRangeEntry &R : M.BBRanges) {
      // The map's two reserved keys (a damaged file may hold them).
      if (R.BaseAddress >= UINT64_MAX - 1)
        continue;
      std::vector<uint32_t> &Ids = Out.IdsAt[R.BaseAddress];
      for (const BBAddrMap::BBEntry &B : R.BBEntries)
        Ids.push_back(B.ID);
    }
  return Out;
}

namespace {

/// The earliest phase in which \p F ran any of \p Ids; cold when none.
Phase phaseOfBlocks(const FunctionProfile &F, ArrayRef<uint32_t> Ids) {
  DenseSet<uint32_t> Held(Ids.begin(), Ids.end());
  for (Phase P : {Phase::Startup, Phase::FirstFrame, Phase::Steady})
    for (uint32_t Id : blocksOf(F, P))
      if (Held.contains(Id))
        return P;
  return Phase::Cold;
}

} // namespace

SplitFunctions applyBlockClusters(Profile &P, const std::vector<Atom> &Atoms,
                                  const BlockRanges *Ranges) {
  StringMap<int> Index;
  for (size_t I = 0; I < P.Functions.size(); ++I)
    Index.try_emplace(P.Functions[I].Name, int(I));
  auto NameOf = [&](StringRef N) {
    auto It = Index.find(N);
    return It == Index.end() ? -1 : It->second;
  };
  SplitFunctions Out;
  std::vector<FunctionProfile> Parts;
  DenseSet<int> Split;
  for (const Atom &A : Atoms)
    for (const AtomSymbol &S : A.Symbols) {
      StringRef Name = S.Name;
      if ((!Name.contains(".__part.") && !Name.ends_with(".cold")) ||
          Index.contains(Name))
        continue;
      std::optional<Phase> Ph = clusterPartPhase(P, Name, NameOf);
      if (!Ph)
        continue;
      StringRef Base = Name.ends_with(".cold")
                           ? Name.drop_back(5)
                           : Name.take_front(Name.rfind(".__part."));
      const FunctionProfile &F = P.Functions[NameOf(Base)];
      // The blocks the part holds, where the address map says (and the
      // profile has the function's blocks to compare them with).
      if (Ranges && hasBlocks(F))
        if (auto It = Ranges->IdsAt.find(A.OriginalOffset + S.Offset);
            It != Ranges->IdsAt.end())
          Ph = phaseOfBlocks(F, It->second);
      FunctionProfile Part;
      Part.Name = Name.str();
      Part.ExplicitPhase = *Ph;
      // A part ran (in its phase), but not when the function was first
      // called: only a startup part shares the function's first call.
      if (*Ph != Phase::Cold)
        Part.Calls = std::max<uint64_t>(F.Calls, 1);
      if (*Ph == Phase::Startup)
        Part.FirstCallNs = F.FirstCallNs;
      Index.try_emplace(Part.Name, -2); // listed once
      Parts.push_back(std::move(Part));
      Split.insert(NameOf(Base));
      ++Out.Parts;
    }
  for (int I : Split) {
    FunctionProfile &F = P.Functions[I];
    F.StartupRanges.clear();
    F.FirstFrameRanges.clear();
    F.SteadyRanges.clear();
  }
  Out.Functions = Split.size();
  append_range(P.Functions, std::move(Parts));
  return Out;
}

} // namespace pagelayout

//===- BlockFinder.cpp - Basic-block starts of a release binary -----------===//
//
// A breakpoint at an address that is not an instruction start corrupts the
// instruction it lands in, and one in data changes what the program reads:
// so breakpoints go only where the decoder is sure. Each function (an
// STT_FUNC symbol with a size, in an executable section) is decoded by a
// linear sweep from its entry, which is exact for compiler output on
// x86-64 ELF (jump tables live in .rodata). The sweep stops at the first
// byte that does not decode: everything from there to the function end is
// left without breakpoints and counted as not observed, never guessed.
//
// The leaders of the classic basic-block construction are the entry, every
// direct branch target inside the function (a target off an instruction
// start is counted and ignored), and the instruction after every branch,
// call, return, trap or syscall: so a call that never returns (exit) leaves
// no unexecuted tail in its block, and the block ranges the tracer records
// are exactly the bytes that ran, as long as control enters blocks only at
// their start. An indirect jump breaks that: a jump-table case that falls
// through from the previous one starts in the middle of a block, and the
// tables are not decoded here. So a function with an indirect jump (not a
// call or return) is traced per instruction: every instruction is a block.
// That costs more traps in switch-heavy functions, never a wrong byte.
// (Landing pads and setjmp returns are entered indirectly too, but a
// landing pad is never reached by falling through, so it follows a jump,
// a return or a call, and a setjmp return follows its call: both are
// leaders. Alignment nops after a block's end are padding, not code that
// falls into what follows: the first instruction after them is a leader
// too.)
//
// int3 instructions (padding after a noreturn call) are not observed: a
// breakpoint on them could not be told from the program's own trap.
//
// A binary built with clang -fbasic-block-address-map carries each
// function's machine basic blocks (SHT_LLVM_BB_ADDR_MAP: id, offset,
// size). Their starts are leaders too, and they make the per-instruction
// fallback unnecessary: a jump-table case or a computed goto's label is a
// block of its own, so control enters the map's blocks only at their
// start. The decoder's leaders stay (a map block runs on past a call that
// may never return), so a map block can be several traced blocks, each
// tagged with the map block's id; the padding between map blocks (alignment
// nops, run when the block before falls through) is a traced block without
// an id. The map is untrusted: a function whose map blocks do not start on
// decoded instructions, overlap, or leave the function is traced by
// decoding alone and counted.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/BlockFinder.h"
#include "pagelayout/record/ModuleFile.h"
#include "pagelayout/schema/Profile.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/MC/MCAsmInfo.h"
#include "llvm/MC/MCContext.h"
#include "llvm/MC/MCDisassembler/MCDisassembler.h"
#include "llvm/MC/MCInst.h"
#include "llvm/MC/MCInstrAnalysis.h"
#include "llvm/MC/MCInstrInfo.h"
#include "llvm/MC/MCRegisterInfo.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/MCTargetOptions.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/BuildID.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

extern "C" {
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86Disassembler();
}

using namespace llvm;
using namespace llvm::object;

namespace pagelayout {

struct BlockFinder::Impl {
  std::unique_ptr<MCRegisterInfo> MRI;
  std::unique_ptr<MCAsmInfo> MAI;
  std::unique_ptr<MCSubtargetInfo> STI;
  std::unique_ptr<MCInstrInfo> MII;
  std::unique_ptr<MCContext> Ctx;
  std::unique_ptr<MCDisassembler> DisAsm;
  std::unique_ptr<MCInstrAnalysis> MIA;
  unsigned SyscallOpcode = ~0u, Int3Opcode = ~0u;
};

BlockFinder::BlockFinder(std::unique_ptr<Impl> I) : I(std::move(I)) {}
BlockFinder::BlockFinder(BlockFinder &&) = default;
BlockFinder::~BlockFinder() = default;

Expected<BlockFinder> BlockFinder::create() {
  // Only x86-64: the only target the tracer supports.
  static bool Registered = [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86Disassembler();
    return true;
  }();
  (void)Registered;
  Triple TT("x86_64-unknown-linux-gnu");
  std::string Err;
  const Target *T = TargetRegistry::lookupTarget(TT, Err);
  if (!T)
    return createStringError("no x86-64 target in LLVM: " + Err);
  auto I = std::make_unique<Impl>();
  I->MRI.reset(T->createMCRegInfo(TT));
  MCTargetOptions Options;
  if (I->MRI)
    I->MAI.reset(T->createMCAsmInfo(*I->MRI, TT, Options));
  I->STI.reset(T->createMCSubtargetInfo(TT, "", ""));
  I->MII.reset(T->createMCInstrInfo());
  if (!I->MRI || !I->MAI || !I->STI || !I->MII)
    return createStringError("cannot set up the x86-64 decoder");
  I->Ctx =
      std::make_unique<MCContext>(TT, I->MAI.get(), I->MRI.get(), I->STI.get());
  I->DisAsm.reset(T->createMCDisassembler(*I->STI, *I->Ctx));
  I->MIA.reset(T->createMCInstrAnalysis(I->MII.get()));
  if (!I->DisAsm || !I->MIA)
    return createStringError("cannot set up the x86-64 decoder");
  for (unsigned Op = 0; Op < I->MII->getNumOpcodes(); ++Op) {
    StringRef Name = I->MII->getName(Op);
    if (Name == "SYSCALL")
      I->SyscallOpcode = Op;
    else if (Name == "INT3")
      I->Int3Opcode = Op;
  }
  return BlockFinder(std::move(I));
}

FunctionBlocks BlockFinder::find(ArrayRef<uint8_t> Code, uint64_t Address,
                                 ArrayRef<uint64_t> MapStarts) const {
  FunctionBlocks R;
  uint64_t Size = Code.size();
  BitVector InsnStart(Size + 1), Leader(Size + 1), Trap(Size + 1);
  std::vector<uint64_t> Targets;
  uint64_t Off = 0;
  while (Off < Size) {
    MCInst Inst;
    uint64_t Len = 0;
    if (I->DisAsm->getInstruction(Inst, Len, Code.slice(Off), Address + Off,
                                  nulls()) != MCDisassembler::Success ||
        Len == 0 || Off + Len > Size)
      break;
    InsnStart.set(Off);
    const MCInstrDesc &D = I->MII->get(Inst.getOpcode());
    bool Ends = D.isBranch() || D.isCall() || D.isReturn() || D.isBarrier() ||
                D.isTrap() || D.isIndirectBranch() ||
                Inst.getOpcode() == I->SyscallOpcode;
    if (Inst.getOpcode() == I->Int3Opcode) {
      Trap.set(Off);
      R.TrapBytes += Len;
      Ends = true;
    }
    uint64_t Target = 0;
    if ((D.isBranch() || D.isCall()) &&
        I->MIA->evaluateBranch(Inst, Address + Off, Len, Target) &&
        Target >= Address && Target < Address + Size)
      Targets.push_back(Target - Address);
    if (D.isIndirectBranch() && !D.isCall() && !D.isReturn())
      R.PerInstruction = true;
    // Padding after a block end: what follows it starts a block too.
    bool Padding = Leader.test(Off) && Off != 0 &&
                   I->MII->getName(Inst.getOpcode()).starts_with("NOOP");
    if (Ends || Padding)
      Leader.set(Off + Len);
    Off += Len;
  }
  uint64_t Decoded = Off;
  R.UndecodedBytes = Size - Decoded;
  Leader.set(0);
  for (uint64_t S : MapStarts) {
    if (S < Decoded && InsnStart.test(S))
      Leader.set(S);
    else if (S != Size)
      ++R.MapStartsOffBoundary;
  }
  if (R.PerInstruction && MapStarts.empty())
    Leader |= InsnStart;
  for (uint64_t T : Targets) {
    if (T < Decoded && InsnStart.test(T))
      Leader.set(T);
    else
      ++R.OffBoundaryTargets;
  }
  // Blocks: runs of instructions from a leader to the next leader, the
  // first int3 or the end of the decoded bytes.
  std::optional<uint64_t> Open;
  auto Close = [&](uint64_t At) {
    if (Open && At > *Open)
      R.Blocks.push_back({*Open, At});
    Open.reset();
  };
  for (uint64_t O = 0; O < Decoded; ++O) {
    if (!InsnStart.test(O))
      continue;
    if (Leader.test(O) || Trap.test(O))
      Close(O);
    if (!Trap.test(O) && !Open)
      Open = O;
  }
  Close(Decoded);
  return R;
}

const TracedFunction *TraceImage::find(StringRef Name) const {
  for (const TracedFunction &F : Functions)
    if (F.Name == Name)
      return &F;
  return nullptr;
}

std::vector<TraceImage::BlockRef> TraceImage::allBlocks() const {
  std::vector<BlockRef> All;
  for (uint32_t F = 0; F < Functions.size(); ++F)
    for (uint32_t B = 0; B < Functions[F].Blocks.Blocks.size(); ++B)
      All.push_back({F, B});
  return All;
}

namespace {

/// One block of the address map, placed in the traced function it lies in.
struct MapBlock {
  uint64_t Begin = 0, End = 0; ///< offsets from that function's start
  uint32_t Id = 0;
  uint32_t Owner = 0; ///< the function whose map this is
};

/// The traced function that starts at or contains \p Address.
std::optional<uint32_t> functionAt(const TraceImage &Image, uint64_t Address) {
  auto It = llvm::upper_bound(Image.Functions, Address,
                              [](uint64_t A, const TracedFunction &F) {
                                return A < F.Address;
                              });
  if (It == Image.Functions.begin())
    return std::nullopt;
  --It;
  if (Address - It->Address >= It->Size)
    return std::nullopt;
  return uint32_t(It - Image.Functions.begin());
}

/// The map's blocks in each traced function (SHT_LLVM_BB_ADDR_MAP), and
/// each map's hash on the function it starts. A map whose entry is no
/// traced function's start, or a range outside every function, is
/// counted as rejected.
std::vector<std::vector<MapBlock>> placeBlockMap(ArrayRef<BBAddrMap> Maps,
                                                TraceImage &Image) {
  std::vector<std::vector<MapBlock>> Map(Image.Functions.size());
  for (const BBAddrMap &M : Maps) {
    if (M.BBRanges.empty())
      continue;
    std::optional<uint32_t> Owner = functionAt(Image, M.getFunctionAddress());
    if (!Owner || Image.Functions[*Owner].Address != M.getFunctionAddress()) {
      ++Image.MapRejected;
      continue;
    }
    std::vector<BlockShape> Shapes;
    std::vector<std::pair<uint32_t, MapBlock>> Placed;
    bool Fits = true;
    for (const BBAddrMap::BBRangeEntry &R : M.BBRanges) {
      std::optional<uint32_t> In = functionAt(Image, R.BaseAddress);
      for (const BBAddrMap::BBEntry &E : R.BBEntries) {
        Shapes.push_back({E.ID, E.Size});
        if (!In) {
          Fits = false;
          continue;
        }
        uint64_t Begin = R.BaseAddress - Image.Functions[*In].Address +
                         uint64_t(E.Offset);
        if (E.Size)
          Placed.push_back({*In, {Begin, Begin + E.Size, E.ID, *Owner}});
      }
    }
    if (!Fits) {
      ++Image.MapRejected;
      continue;
    }
    Image.Functions[*Owner].BlockHash = blockSizesHash(Shapes);
    for (auto &[In, B] : Placed)
      Map[In].push_back(B);
  }
  for (std::vector<MapBlock> &Blocks : Map)
    llvm::stable_sort(Blocks, [](const MapBlock &A, const MapBlock &B) {
      return A.Begin < B.Begin;
    });
  return Map;
}

/// The map blocks in one function are disjoint, inside it and of one map.
bool mapFits(ArrayRef<MapBlock> Blocks, uint64_t Size) {
  uint64_t End = 0;
  for (const MapBlock &B : Blocks) {
    if (B.Begin < End || B.End > Size || B.Owner != Blocks.front().Owner)
      return false;
    End = B.End;
  }
  return true;
}

} // namespace

Expected<TraceImage> readTraceImage(StringRef Path, const BlockFinder &Finder,
                                    bool DynamicSymbols) {
  Expected<OwningBinary<ObjectFile>> Obj = openModuleFile(Path);
  if (!Obj)
    return createStringError("'" + Path + "': " + toString(Obj.takeError()));
  auto *ELF = dyn_cast<ELF64LEObjectFile>(Obj->getBinary());
  if (!ELF || ELF->getArch() != Triple::x86_64)
    return createStringError("'" + Path +
                             "' is not an x86-64 ELF file; --mode=trace "
                             "traces x86-64 executables only (a script? "
                             "trace the program it runs)");
  const auto &Header = ELF->getELFFile().getHeader();
  if (Header.e_type != ELF::ET_EXEC && Header.e_type != ELF::ET_DYN)
    return createStringError("'" + Path + "' is not an executable");
  TraceImage Image;
  Image.Path = Path.str();
  Image.BuildId = toHex(getBuildID(ELF), /*LowerCase=*/true);
  Image.Entry = Header.e_entry;
  Image.PositionIndependent = Header.e_type == ELF::ET_DYN;
  if (Expected<ArrayRef<ELF64LE::Phdr>> Phdrs =
          ELF->getELFFile().program_headers()) {
    for (const ELF64LE::Phdr &Ph : *Phdrs)
      if (Ph.p_type == ELF::PT_LOAD && Ph.p_offset == 0) {
        Image.LoadBase = Ph.p_vaddr & ~uint64_t(0xfff);
        break;
      }
  } else {
    consumeError(Phdrs.takeError());
  }
  struct Symbol {
    uint64_t Address, Size;
    std::string Name;
    SectionRef Section;
  };
  // The address map, read first: the later ranges of a function split by
  // basic-block sections start at local NOTYPE symbols (foo.cold,
  // foo.__part.1), traced as functions of their own.
  std::vector<BBAddrMap> Maps;
  DenseSet<uint64_t> PartStarts;
  if (Expected<std::vector<BBAddrMap>> M = ELF->readBBAddrMap())
    Maps = std::move(*M);
  else
    Image.MapProblem = toString(M.takeError());
  for (const BBAddrMap &M : Maps)
    for (size_t R = 1; R < M.BBRanges.size(); ++R)
      PartStarts.insert(M.BBRanges[R].BaseAddress);
  std::vector<Symbol> Symbols;
  auto Collect = [&](auto Range) {
    for (const ELFSymbolRef &S : Range) {
      Expected<SymbolRef::Type> Type = S.getType();
      Expected<uint64_t> Addr = S.getAddress();
      Expected<StringRef> Name = S.getName();
      Expected<section_iterator> Sec = S.getSection();
      bool Part = S.getELFType() == ELF::STT_NOTYPE && Addr &&
                  PartStarts.contains(*Addr);
      if (Type && Addr && Name && Sec &&
          (*Type == SymbolRef::ST_Function || Part) && S.getSize() &&
          !Name->empty() && *Sec != ELF->section_end() && (*Sec)->isText())
        Symbols.push_back({*Addr, S.getSize(), Name->str(), **Sec});
      consumeError(Type.takeError());
      consumeError(Addr.takeError());
      consumeError(Name.takeError());
      consumeError(Sec.takeError());
      if (Name && *Name == "__pagelayout_mark" && Addr && *Addr && S.getSize())
        Image.MarkFunction = *Addr;
    }
  };
  Collect(ELF->symbols());
  if (Symbols.empty() && DynamicSymbols)
    Collect(ELF->getDynamicSymbolIterators());
  if (Symbols.empty())
    return createStringError(
        "'" + Path +
        "' has no function symbols; --mode=trace needs the symbol table "
        "(record an unstripped build, or use --mode=perf)");
  // Aliases share an address: keep the first name in symbol table order,
  // as the symboliser does. Nested or overlapping symbols are dropped.
  llvm::stable_sort(Symbols, [](const Symbol &A, const Symbol &B) {
    return A.Address < B.Address;
  });
  std::vector<ArrayRef<uint8_t>> Code;
  uint64_t End = 0;
  for (Symbol &S : Symbols) {
    if (S.Address < End)
      continue;
    uint64_t SecAddr = S.Section.getAddress();
    Expected<StringRef> Contents = S.Section.getContents();
    if (!Contents) {
      consumeError(Contents.takeError());
      continue;
    }
    if (S.Address < SecAddr || S.Address - SecAddr > Contents->size() ||
        S.Size > Contents->size() - (S.Address - SecAddr))
      continue; // a symbol outside its section: not observed
    Code.push_back(
        ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(Contents->data()) +
                              (S.Address - SecAddr),
                          S.Size));
    TracedFunction F;
    F.Name = std::move(S.Name);
    F.Address = S.Address;
    F.Size = S.Size;
    End = S.Address + S.Size;
    Image.Functions.push_back(std::move(F));
  }
  std::vector<std::vector<MapBlock>> Map = placeBlockMap(Maps, Image);
  // A map that does not fit the code in one of its functions' parts is
  // not trusted for any of them: they are traced by decoding alone.
  size_t N = Image.Functions.size();
  std::vector<bool> Rejected(N, false);
  std::vector<FunctionBlocks> WithMap(N);
  for (size_t I = 0; I < N; ++I) {
    const std::vector<MapBlock> &Mine = Map[I];
    if (Mine.empty())
      continue;
    std::vector<uint64_t> Starts;
    for (const MapBlock &B : Mine) {
      Starts.push_back(B.Begin);
      Starts.push_back(B.End); // the padding after it, or the next block
    }
    WithMap[I] = Finder.find(Code[I], Image.Functions[I].Address, Starts);
    if (!mapFits(Mine, Image.Functions[I].Size) ||
        WithMap[I].MapStartsOffBoundary)
      for (const MapBlock &B : Mine)
        Rejected[B.Owner] = true;
  }
  for (size_t I = 0; I < N; ++I) {
    TracedFunction &F = Image.Functions[I];
    if (Rejected[I]) {
      ++Image.MapRejected;
      F.BlockHash.reset();
    }
    const std::vector<MapBlock> &Mine = Map[I];
    if (Mine.empty() || Rejected[Mine.front().Owner]) {
      F.Blocks = Finder.find(Code[I], F.Address);
      continue;
    }
    F.Blocks = std::move(WithMap[I]);
    ++Image.MapFunctions;
    F.IdOwner = Mine.front().Owner;
    // Each traced block lies in one map block (its starts are leaders) or
    // in the padding between two.
    size_t M = 0;
    for (const TraceBlock &B : F.Blocks.Blocks) {
      while (M < Mine.size() && Mine[M].End <= B.Begin)
        ++M;
      F.BlockIds.push_back(M < Mine.size() && Mine[M].Begin <= B.Begin
                               ? Mine[M].Id
                               : NoBlockId);
    }
  }
  return Image;
}

} // namespace pagelayout

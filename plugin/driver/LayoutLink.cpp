//===- LayoutLink.cpp - A link laid out by a profile ----------------------===//
//
// The pipeline of one laid-out link:
//
//   read          -> the profile (several --layout-profile are merged) and,
//                    on another thread, the inputs as lld will find them
//                    (LinkInputs.cpp) and their code (InputText.cpp); a bad
//                    profile stops here, before lld writes anything;
//   what lld will -> from the inputs' section and symbol tables wherever
//   place            they tell it (whyPlanFromLink says where they do not:
//                    LTO, split functions, placing scripts and options, a
//                    plan by executed bytes under --gc-sections or --icf);
//                    else from a first lld pass: the user's arguments plus
//                    -Map, diagnostics held back, no output written (only
//                    where split code's address map is read from it, or the
//                    machine cannot be told from the inputs), with full LTO
//                    the generated code kept (--lto-obj-path);
//   plan          -> names matched across compiler renamings, the profile
//                    checked to fit the link (ProfileFit.cpp), the layout
//                    engine; with --fatal-warnings any warning so far stops
//                    here;
//   link          -> the user's arguments plus --symbol-ordering-file
//                    listing every atom in plan order, and an object of
//                    empty page-aligned sections that put page boundaries
//                    between phases (MarkerObject.cpp); after a first pass
//                    with full LTO, its code in place of the bitcode files,
//                    so code is generated once (ThinLTO's back ends come
//                    from a cache the passes share);
//   report        -> the output read back, the achieved placement measured.
//
// lld runs in this process through liblld; nothing else is executed. lld
// writes its output through a temporary file and renames it, so a failed
// link leaves no partial output.
//
//===----------------------------------------------------------------------===//

#include "LayoutLink.h"
#include "InputText.h"
#include "LinkInputs.h"
#include "LinkMap.h"
#include "pagelayout/reorder/BlockClusters.h"
#include "MarkerObject.h"
#include "lld/Common/Driver.h"
#include "lld/Common/ErrorHandler.h"
#include "pagelayout/reorder/AtomReader.h"
#include "pagelayout/reorder/LayoutEngine.h"
#include "pagelayout/reorder/LayoutReport.h"
#include "pagelayout/reorder/NameMatcher.h"
#include "pagelayout/reorder/PlanPrinter.h"
#include "pagelayout/reorder/ProfileFit.h"
#include "pagelayout/reorder/RuntimeStartup.h"
#include "pagelayout/schema/ProfileMerge.h"
#include "pagelayout/schema/ProfileReader.h"
#include "pagelayout/schema/ProfileWriter.h"
#include "llvm/ADT/CachedHashString.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Parallel.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"
#include <thread>
#include "llvm/Support/Format.h"
#include <chrono>

LLD_HAS_DRIVER(elf)


using namespace llvm;

namespace pagelayout {

namespace {
/// lld's ELF driver with the output file left unwritten: it reads,
/// resolves, collects garbage, folds and lays out as always (and writes
/// -Map), but neither relocates nor writes the sections, and prints no
/// diagnostics.
bool linkWithoutOutput(ArrayRef<const char *> Args, raw_ostream &Out,
                       raw_ostream &Err, bool ExitEarly, bool) {
  return lld::elf::link(Args, Out, Err, ExitEarly, /*disableOutput=*/true);
}
} // namespace

int runLld(ArrayRef<const char *> Args, raw_ostream &Out, raw_ostream &Err,
           bool WriteOutput) {
  // lldMain's crash recovery returns fatal errors to us only when enabled.
  CrashRecoveryContext::Enable();
  std::vector<const char *> Argv = {"ld.lld"};
  Argv.insert(Argv.end(), Args.begin(), Args.end());
  lld::Result R = lld::lldMain(
      Argv, Out, Err,
      {{lld::Gnu, WriteOutput ? &lld::elf::link : &linkWithoutOutput}});
  Out.flush();
  Err.flush();
  return R.retCode;
}

int runLastLld(ArrayRef<const char *> Args, raw_ostream &Out,
               raw_ostream &Err) {
  std::vector<const char *> Argv = {"ld.lld"};
  Argv.insert(Argv.end(), Args.begin(), Args.end());
  // lld's fatal errors (and crashes) return here: the scratch directory
  // is removed and the note printed all the same.
  CrashRecoveryContext::Enable();
  int RC = 1;
  CrashRecoveryContext CRC;
  if (!CRC.RunSafely([&] {
        RC = lld::elf::link(Argv, Out, Err, /*exitEarly=*/false,
                            /*disableOutput=*/false)
                 ? 0
                 : 1;
      }))
    RC = CRC.RetCode;
  Out.flush();
  Err.flush();
  return RC;
}

void exitFast(int RC) {
  outs().flush();
  errs().flush();
  lld::exitLld(RC);
}

namespace {

/// A scratch directory removed when the link is done.
class ScratchDir {
public:
  Error create() {
    SmallString<128> P;
    if (std::error_code EC = sys::fs::createUniqueDirectory("ld.pagelayout", P))
      return createStringError(EC, "cannot create a scratch directory: " +
                                       EC.message());
    Path = std::string(P);
    return Error::success();
  }
  ~ScratchDir() { remove(); }
  void remove() {
    if (!Path.empty())
      sys::fs::remove_directories(Path);
    Path.clear();
  }
  std::string file(StringRef Name) const {
    SmallString<128> P(Path);
    sys::path::append(P, Name);
    return std::string(P);
  }

private:
  std::string Path;
};

Error writeFile(StringRef Path, StringRef Data) {
  std::error_code EC;
  raw_fd_ostream OS(Path, EC);
  if (EC)
    return createStringError(EC,
                             "cannot write '" + Path + "': " + EC.message());
  OS << Data;
  return Error::success();
}

Expected<uint16_t> machineOf(StringRef Path) {
  Expected<object::OwningBinary<object::ObjectFile>> Obj =
      object::ObjectFile::createObjectFile(Path);
  if (!Obj)
    return Obj.takeError();
  auto *ELF = dyn_cast<object::ELFObjectFileBase>(Obj->getBinary());
  if (!ELF)
    return createStringError("the first link's output is not ELF");
  if (!ELF->is64Bit() || !ELF->isLittleEndian())
    return createStringError(
        "ld.pagelayout lays out 64-bit little-endian ELF (x86-64, AArch64) "
        "only; link without --layout-profile");
  return ELF->getEMachine();
}

/// What the link's inputs hold of LLVM bitcode: whether any input (or an
/// archive member) is bitcode (the link runs LTO, and the pass plugin should
/// see the profile), whether any of it is for ThinLTO, and which arguments
/// are bitcode files themselves (not archives).
struct BitcodeInputs {
  bool Any = false;
  bool AnyThin = false;
  /// Some of it is an archive member (or a file no argument names): the
  /// final pass cannot put generated code in its place.
  bool InArchive = false;
  std::vector<size_t> FileArgs;
};

BitcodeInputs scanBitcodeInputs(const LinkInputs &In) {
  BitcodeInputs R;
  auto See = [&](MemoryBufferRef M) {
    R.Any = true;
    Expected<BitcodeLTOInfo> Info = getBitcodeLTOInfo(M);
    if (!Info) {
      consumeError(Info.takeError());
      R.AnyThin = true; // unknown: treated as the case that reuses less
      return;
    }
    R.AnyThin |= Info->IsThinLTO;
  };
  for (const LinkInputFile &F : In.Files) {
    if (F.ArgIndex == LinkInputFile::NotAnArgument)
      continue;
    if (F.Magic == file_magic::bitcode) {
      See(F.Buffer);
      R.FileArgs.push_back(F.ArgIndex);
      continue;
    }
    if (F.Magic != file_magic::archive)
      continue;
    Expected<std::unique_ptr<object::Archive>> Ar =
        object::Archive::create(F.Buffer);
    if (!Ar) {
      consumeError(Ar.takeError());
      continue;
    }
    Error Err = Error::success();
    for (const object::Archive::Child &C : (*Ar)->children(Err)) {
      Expected<MemoryBufferRef> M = C.getMemoryBufferRef();
      if (!M) {
        consumeError(M.takeError());
        continue;
      }
      if (identify_magic(M->getBuffer()) == file_magic::bitcode) {
        See(*M);
        R.InArchive = true;
      }
    }
    consumeError(std::move(Err));
  }
  return R;
}

/// Calls \p Visit on each input file that is an object file, in order,
/// until it returns true.
void visitInputObjects(
    ArrayRef<const char *> Args,
    function_ref<bool(StringRef Path, const object::ObjectFile &)> Visit) {
  for (StringRef A : Args) {
    if (A.starts_with("-") || !sys::fs::is_regular_file(A))
      continue;
    Expected<object::OwningBinary<object::ObjectFile>> Obj =
        object::ObjectFile::createObjectFile(A);
    if (!Obj) {
      consumeError(Obj.takeError());
      continue;
    }
    if (Visit(A, *Obj->getBinary()))
      return;
  }
}

/// The target machine of the link without reading its output: from the
/// emulation the compiler driver passes (-m elf_x86_64), else from the
/// first ELF object among the inputs. None when neither says (the first
/// pass then writes its output, and the machine is read from it).
std::optional<uint16_t> machineOfInputs(ArrayRef<const char *> Args) {
  for (size_t I = 0; I < Args.size(); ++I) {
    StringRef A = Args[I], Emulation;
    if (A == "-m" && I + 1 < Args.size())
      Emulation = Args[I + 1];
    else if (A.starts_with("-m") && A.size() > 2 && !A.starts_with("-mllvm"))
      Emulation = A.drop_front(2);
    if (Emulation.empty())
      continue;
    if (Emulation.starts_with("elf_x86_64"))
      return ELF::EM_X86_64;
    if (Emulation == "aarch64linux" || Emulation == "aarch64elf")
      return ELF::EM_AARCH64;
    return std::nullopt; // another target: the output says what it is
  }
  std::optional<uint16_t> Machine;
  visitInputObjects(Args, [&](StringRef, const object::ObjectFile &O) {
    auto *E = dyn_cast<object::ELFObjectFileBase>(&O);
    if (!E)
      return false;
    if (E->is64Bit() && E->isLittleEndian())
      Machine = E->getEMachine();
    return true;
  });
  return Machine;
}

/// The first input that is a slim GCC LTO object (GIMPLE only): lld cannot
/// compile those, and its error ("undefined symbol") hides why.
std::optional<std::string> findSlimGccLto(ArrayRef<const char *> Args) {
  std::optional<std::string> Slim;
  visitInputObjects(Args, [&](StringRef Path, const object::ObjectFile &O) {
    for (const object::SymbolRef &Sym : O.symbols()) {
      Expected<StringRef> Name = Sym.getName();
      if (Name && *Name == "__gnu_lto_slim") {
        Slim = Path.str();
        return true;
      }
      if (!Name)
        consumeError(Name.takeError());
    }
    return false;
  });
  return Slim;
}

/// libPageLayoutLTO.so next to this executable (build tree) or in ../lib
/// (installed); PAGELAYOUT_LTO_PLUGIN overrides.
std::optional<std::string> findPassPlugin() {
  if (std::optional<std::string> Env =
          sys::Process::GetEnv("PAGELAYOUT_LTO_PLUGIN"))
    return Env;
  static int Anchor;
  std::string Exe = sys::fs::getMainExecutable("ld.pagelayout", &Anchor);
  SmallString<256> Dir(sys::path::parent_path(Exe));
  for (const char *Rel :
       {"libPageLayoutLTO.so", "../lib/libPageLayoutLTO.so"}) {
    SmallString<256> P(Dir);
    sys::path::append(P, Rel);
    if (sys::fs::exists(P))
      return std::string(P);
  }
  return std::nullopt;
}

/// The symbol ordering file and the markers for a plan: every atom in plan
/// order by its first symbol, a marker before each phase's first atom.
struct OrderingInputs {
  std::string OrderFile;
  std::vector<PhaseMarker> Markers;
  /// Atoms that have no symbol to name them: lld places them after all
  /// listed ones.
  unsigned Unnamed = 0;
  /// Cold atoms after the last one that runs, not listed (listedPrefix).
  size_t ColdLeftToLld = 0;
  /// Planned from the inputs, by executed bytes: where the listed code
  /// ends, from __pagelayout_start to __pagelayout_end.
  std::optional<uint64_t> PlannedEnd;
};

/// How many of the plan's atoms, in address order, the ordering lists: up
/// to the last one that is not cold. The cold code after it never runs,
/// so where it goes costs no page; lld places what is not listed after
/// what is, in input order, which is the cold phase's own order (and,
/// with a list of 5,000 cold names more, a link of vim takes 10% longer).
size_t listedPrefix(const LayoutPlan &Plan) {
  for (size_t I = Plan.Placement.size(); I > 0; --I)
    if (Plan.Placement[I - 1].AtomPhase != Phase::Cold ||
        Plan.Placement[I - 1].Pinned)
      return I;
  return 0;
}

OrderingInputs buildOrdering(const LayoutPlan &Plan,
                             const std::vector<Atom> &Atoms, bool PhaseAlign,
                             ArrayRef<std::string> Unlisted) {
  // A name an unlisted section defines too would move that section along:
  // another of the atom's names is listed where it has one.
  DenseSet<CachedHashStringRef> Elsewhere;
  for (const std::string &N : Unlisted)
    Elsewhere.insert(CachedHashStringRef(N));
  OrderingInputs R;
  std::optional<Phase> Current;
  StringSet<> Listed;
  size_t Listing = listedPrefix(Plan);
  for (size_t I = 0; I < Plan.Placement.size(); ++I) {
    const PlacedAtom &PA = Plan.Placement[I];
    const Atom &A = Atoms[PA.AtomIndex];
    if (!PA.Filler && PA.AtomPhase != Current) {
      Current = PA.AtomPhase;
      if (PhaseAlign) {
        PhaseMarker M{phaseName(*Current).str()};
        R.OrderFile += M.symbol() + "\n";
        R.Markers.push_back(M);
      }
    }
    // The cold phase's start is marked; what follows it is lld's to place.
    if (I >= Listing) {
      R.ColdLeftToLld = Plan.Placement.size() - Listing;
      break;
    }
    if (A.Symbols.empty()) {
      ++R.Unnamed;
      continue;
    }
    const AtomSymbol *Name = &A.Symbols.front();
    for (const AtomSymbol &S : A.Symbols)
      if (!Elsewhere.contains(CachedHashStringRef(S.Name))) {
        Name = &S;
        break;
      }
    // A name listed twice would only repeat its first position.
    if (Listed.insert(Name->Name).second)
      R.OrderFile += Name->Name + "\n";
  }
  return R;
}

/// What lld can order exactly, and by which name. A name in the ordering
/// file places every section that defines it (every file's local symbol
/// of that name, and the section of the global's winning definition), and
/// lld sorts sections of one priority in no order it promises. So a
/// section is placed by a name only it defines, among every section lld
/// places (\p Unlisted: the names of those the plan does not list); a
/// section without such a name is left to lld, which puts it after all
/// listed code, where no function of it ran (\p Ran), and makes an exact
/// plan impossible where one did.
struct OrderableUnits {
  /// The units where sections were left to lld, moved out of the atoms
  /// (no copy) until restore(); empty when every atom is a unit.
  std::vector<Atom> Kept;
  std::vector<unsigned> KeptFrom; ///< Kept[I] is atom KeptFrom[I]
  std::vector<Atom> *Atoms = nullptr;
  /// Each unit's own name, as the index of its symbol.
  std::vector<unsigned> OrderSymbol;
  std::vector<uint64_t> LeadAlignment; ///< the section's alignment
  /// Some sections are left to lld: code follows the listed sections.
  bool LeftToLld = false;
  const std::vector<Atom> &units() const {
    return LeftToLld ? Kept : *Atoms;
  }
  StringRef orderName(unsigned U) const {
    return units()[U].Symbols[OrderSymbol[U]].Name;
  }
  /// The atoms moved into Kept, back where they were.
  void restore() {
    for (size_t I = 0; I < Kept.size(); ++I)
      (*Atoms)[KeptFrom[I]] = std::move(Kept[I]);
    Kept.clear();
    KeptFrom.clear();
  }
};

std::optional<OrderableUnits>
orderableUnits(std::vector<Atom> &Atoms, ArrayRef<std::string> Unlisted,
               function_ref<bool(StringRef)> Ran) {
  // Name -> sections defining it (each section counted once).
  DenseMap<CachedHashStringRef, unsigned> Defining;
  Defining.reserve(Atoms.size() + Unlisted.size());
  for (const Atom &A : Atoms)
    for (size_t I = 0; I < A.Symbols.size(); ++I) {
      StringRef Name = A.Symbols[I].Name;
      bool Again = any_of(ArrayRef(A.Symbols).take_front(I),
                          [&](const AtomSymbol &S) { return S.Name == Name; });
      if (!Again)
        ++Defining[CachedHashStringRef(Name)];
    }
  for (const std::string &Name : Unlisted)
    ++Defining[CachedHashStringRef(Name)];
  OrderableUnits R;
  R.Atoms = &Atoms;
  // Decided first, moved after: the map's keys point into the names.
  std::vector<unsigned> KeptAtoms;
  for (unsigned I = 0; I < Atoms.size(); ++I) {
    const Atom &A = Atoms[I];
    auto Unique = find_if(A.Symbols, [&](const AtomSymbol &S) {
      return Defining.lookup(CachedHashStringRef(S.Name)) == 1;
    });
    if (Unique == A.Symbols.end()) {
      if (any_of(A.Symbols, [&](const AtomSymbol &S) { return Ran(S.Name); }))
        return std::nullopt; // code that ran, and no name of its own
      R.LeftToLld = true;
      continue;
    }
    KeptAtoms.push_back(I);
    R.OrderSymbol.push_back(unsigned(Unique - A.Symbols.begin()));
    R.LeadAlignment.push_back(A.Alignment);
  }
  if (R.LeftToLld) {
    R.Kept.reserve(KeptAtoms.size());
    for (unsigned I : KeptAtoms)
      R.Kept.push_back(std::move(Atoms[I]));
    R.KeptFrom = std::move(KeptAtoms);
  }
  return R;
}

/// The ordering that makes lld reproduce a plan by executed bytes exactly:
/// every atom in address order, and before each one the plan places past
/// where lld would (its predecessor's end, aligned), a gap section of the
/// missing bytes; one more gap, where needed, keeps .text ending where it
/// ended in the first link (or where the inputs' code ends), so the code
/// after it (.init, .plt) keeps its addresses and pages. Each gap costs
/// its own bytes (int3) and a local symbol in the output's symbol table.
/// lld places input sections in order, each at its alignment, as the
/// packer does. Where code left to lld follows the listed code anyway
/// (End is 0), the cold code after the last atom that runs is not listed
/// either (listedPrefix). None when an atom cannot be named uniquely.
std::optional<OrderingInputs> buildExactOrdering(const LayoutPlan &Plan,
                                                 const OrderableUnits &U,
                                                 uint64_t Begin, uint64_t End,
                                                 bool StartOnPage) {
  const std::vector<Atom> &Atoms = U.units();
  OrderingInputs R;
  // Planned from the inputs, the code starts on a page of its own: .text
  // does not start on a page, and where it starts is known only after the
  // link.
  if (StartOnPage) {
    PhaseMarker M{"start"};
    R.OrderFile += M.symbol() + "\n";
    R.Markers.push_back(M);
  }
  DenseSet<CachedHashStringRef> Listed;
  Listed.reserve(Plan.Placement.size());
  R.OrderFile.reserve(Plan.Placement.size() * 24);
  uint64_t At = Begin;
  auto Gap = [&](uint64_t Bytes) {
    PhaseMarker M{"gap." + std::to_string(R.Markers.size()), Bytes};
    R.OrderFile += M.symbol() + "\n";
    R.Markers.push_back(M);
  };
  size_t Listing = End ? Plan.Placement.size() : listedPrefix(Plan);
  R.ColdLeftToLld = Plan.Placement.size() - Listing;
  for (const PlacedAtom &PA : ArrayRef(Plan.Placement).take_front(Listing)) {
    const Atom &A = Atoms[PA.AtomIndex];
    StringRef Name = U.orderName(PA.AtomIndex);
    // lld aligns the unit's first section to its own alignment.
    uint64_t Natural = alignTo(At, U.LeadAlignment[PA.AtomIndex]);
    if (PA.Pinned || !Listed.insert(CachedHashStringRef(Name)).second ||
        PA.Offset < Natural)
      return std::nullopt;
    if (PA.Offset > Natural)
      Gap(PA.Offset - At);
    R.OrderFile.append(Name.data(), Name.size()).push_back('\n');
    At = PA.Offset + A.Size;
  }
  if (StartOnPage) {
    PhaseMarker M{"end", 0, /*PageAligned=*/false};
    R.OrderFile += M.symbol() + "\n";
    R.Markers.push_back(M);
    R.PlannedEnd = At - Begin;
  }
  if (At < End)
    Gap(End - At);
  return R;
}

/// ld.pagelayout's own warnings: printed, counted, and with lld's
/// --fatal-warnings an error before anything is written.
class Warnings {
public:
  Warnings(const DriverOptions &Opts, raw_ostream &Err)
      : Opts(Opts), Err(Err) {}
  void warn(const Twine &Msg) { handler()("ld.pagelayout: warning: " + Msg); }
  /// For complete messages ("p.yaml:3:5: warning: ...").
  WarningHandler handler() {
    return [this](const Twine &W) {
      ++Count;
      Err << W << "\n";
    };
  }
  /// True (and said) when warnings were given and are fatal.
  bool fatal() {
    if (!Opts.FatalWarnings || !Count)
      return false;
    Err << "ld.pagelayout: error: " << Count
        << " warning(s) treated as errors (--fatal-warnings); nothing was "
           "written\n";
    return true;
  }

private:
  const DriverOptions &Opts;
  raw_ostream &Err;
  unsigned Count = 0;
};

/// With --verbose, how long each step of the link took (as mold's --perf
/// and lld's --time-trace tell), so a slow link says where its time went.
class StepTimes {
public:
  StepTimes(bool Verbose, raw_ostream &Err) : Verbose(Verbose), Err(Err) {}
  void done(StringRef Step) {
    auto Now = std::chrono::steady_clock::now();
    if (Verbose)
      Err << "ld.pagelayout: " << Step << " in "
          << format("%.1f", std::chrono::duration<double, std::milli>(
                                Now - Last)
                                .count())
          << " ms\n";
    Last = Now;
  }

private:
  bool Verbose;
  raw_ostream &Err;
  std::chrono::steady_clock::time_point Last = std::chrono::steady_clock::now();
};

/// Prints \p E as lld prints errors; returns the exit code 1.
int reportError(Error E, raw_ostream &Err) {
  handleAllErrors(
      std::move(E),
      [&](const LocatedError &LE) {
        LE.log(Err);
        Err << "\n";
      },
      [&](const ErrorInfoBase &EI) {
        Err << "ld.pagelayout: error: " << EI.message() << "\n";
      });
  return 1;
}

class LayoutLink {
public:
  LayoutLink(const DriverOptions &Opts, raw_ostream &Out, raw_ostream &Err)
      : Opts(Opts), Out(Out), Err(Err), Diags(Opts, Err),
        Steps(Opts.Verbose, Err) {}
  int run();
  void removeScratch() { Scratch.remove(); }

private:
  void warn(const Twine &Msg) { Diags.warn(Msg); }
  int fail(const Twine &Msg) {
    Err << "ld.pagelayout: error: " << Msg << "\n";
    return 1;
  }
  int fail(Error E) { return reportError(std::move(E), Err); }
  void setUpPassPlugin();
  std::vector<const char *> lldArgs() const;
  int firstPass();
  void checkPlacement();
  std::string whyPlanFromLink() const;
  int planFromInputs();
  Error plan();
  Error checkFit();
  void reportMatching();
  int secondPass();
  Error writeReport();

  const DriverOptions &Opts;
  raw_ostream &Out, &Err;
  Warnings Diags;
  StepTimes Steps;
  ScratchDir Scratch;
  Profile Input;
  LinkMap Map;
  NameMatchResult Names;
  LayoutPlan Plan;
  OrderingInputs Ordering;
  uint16_t Machine = 0;
  std::string PluginArg;
  /// A ThinLTO cache shared by both passes, so the second reuses the
  /// first's back-end compiles instead of repeating them.
  std::string CacheArg;
  size_t UserFunctions = 0;
  /// --lto-basic-block-* options of both passes (LTO with block ids).
  std::vector<std::string> BlockArgs;
  /// Full LTO: the first pass keeps the code it generates
  /// (--lto-obj-path), and the final pass links that in place of the
  /// bitcode files, so code is generated once. Empty otherwise.
  std::string LtoObjectPath;
  /// What the inputs hold of bitcode (every input file read once).
  BitcodeInputs Bitcode;
  /// The argument indices of the bitcode files the final pass drops.
  std::vector<size_t> BitcodeFileArgs;
  void setUpLtoReuse();
  std::vector<std::string> ltoObjects() const;
  /// The first pass must write its output: the machine is read from it,
  /// or the address map of split code is.
  bool FirstPassWrites = true;
  bool profileHasBlocks() const;
  int splitLtoCode();
  /// Functions compiled split by phase (basic-block sections) and their
  /// parts, placed by the phase of each.
  SplitFunctions Split;
  /// The profile does not fit the link (said once, in place of the
  /// count of missing names).
  bool Misfit = false;
  /// The link's inputs as lld will read them, and the machine they say.
  LinkInputs Inputs;
  std::optional<uint16_t> InputMachine;
  /// The inputs' code, read while the profile is (where the link may be
  /// planned from it).
  std::optional<Expected<InputText>> Text;
  /// Planned from the inputs (InputText.cpp): lld runs once.
  bool OnePass = false;
  bool profileHasRanges() const;
  void note(const Twine &Msg) {
    if (Opts.Verbose)
      Err << "ld.pagelayout: " << Msg << "\n";
  }
  void noteColdLeftToLld() {
    if (Ordering.ColdLeftToLld)
      note(Twine(Ordering.ColdLeftToLld) +
           " cold section(s) after the code that runs are not listed: lld "
           "places them after the listed ones, in input order");
  }
};

// LTO runs inside lld in this process: the plugin reads the profile named
// by PAGELAYOUT_PROFILE when lld loads it.
void LayoutLink::setUpPassPlugin() {
  if (!Bitcode.Any)
    return;
  bool UserCache = any_of(Opts.LldArgs, [](StringRef A) {
    return A.contains("thinlto-cache-dir") || A.contains("cache-dir=");
  });
  if (!UserCache)
    CacheArg = "--thinlto-cache-dir=" + Scratch.file("thinlto-cache");
  if (Opts.LtoPlugin == "none")
    return;
  std::optional<std::string> Plugin =
      Opts.LtoPlugin ? Opts.LtoPlugin : findPassPlugin();
  if (!Plugin) {
    warn("LTO inputs, but libPageLayoutLTO.so was not found next to "
         "ld.pagelayout or in ../lib (set PAGELAYOUT_LTO_PLUGIN); phases are "
         "still ordered, but the optimizer does not see them");
    return;
  }
  // The plugin reads one file: several profiles go to it merged.
  SmallString<256> Profile(Opts.ProfilePaths.front());
  if (Opts.ProfilePaths.size() > 1) {
    std::string Merged;
    raw_string_ostream OS(Merged);
    writeProfileYAML(Input, OS);
    Profile = Scratch.file("merged-profile.yaml");
    if (Error E = writeFile(Profile, Merged)) {
      warn(toString(std::move(E)) + "; the optimizer does not see the phases");
      return;
    }
  }
  sys::fs::make_absolute(Profile);
  setenv("PAGELAYOUT_PROFILE", Profile.c_str(), /*overwrite=*/1);
  PluginArg = "--load-pass-plugin=" + *Plugin;
}

std::vector<const char *> LayoutLink::lldArgs() const {
  std::vector<const char *> Args(Opts.LldArgs.begin(), Opts.LldArgs.end());
  if (!PluginArg.empty())
    Args.push_back(PluginArg.c_str());
  if (!CacheArg.empty())
    Args.push_back(CacheArg.c_str());
  for (const std::string &A : BlockArgs)
    Args.push_back(A.c_str());
  return Args;
}

bool LayoutLink::profileHasBlocks() const {
  return any_of(Input.Functions, [](const FunctionProfile &F) {
    return !F.StartupBlocks.empty() || !F.FirstFrameBlocks.empty() ||
           !F.SteadyBlocks.empty();
  });
}

int LayoutLink::splitLtoCode() {
  // LTO generates the code in the link: it gets the address map in the
  // first pass, the profile's block ids are checked against that output
  // (block_hash) and become the cluster list, and code generation then
  // splits by it. The first pass runs again on the split code, so the
  // plan sees every part; the ThinLTO cache keeps its back-end compiles
  // for the final pass.
  std::string Clusters = Scratch.file("clusters.txt");
  Expected<BlockClusterList> L =
      computeBlockClusters(Input, Scratch.file("pass1.out"));
  if (!L) {
    Diags.warn("no functions split by phase: " + toString(L.takeError()));
    return 0;
  }
  for (const auto &[Name, Why] : L->Skipped)
    Diags.warn("'" + Name + "' stays whole: " + Why);
  if (L->Functions.empty())
    return 0;
  std::string Text;
  raw_string_ostream OS(Text);
  writeBlockClusterList(*L, OS);
  if (Error E = writeFile(Clusters, Text))
    return fail(std::move(E));
  BlockArgs.push_back("--lto-basic-block-sections=" + Clusters);
  // lld's ThinLTO cache key leaves the cluster list out: a cache shared
  // with the unsplit first pass would hand back its unsplit objects.
  if (!CacheArg.empty())
    CacheArg = "--thinlto-cache-dir=" + Scratch.file("thinlto-cache-split");
  return firstPass();
}

// Full LTO only: ThinLTO's back ends already come from the cache both
// passes share, and a cached back end leaves lld nothing to write to
// --lto-obj-path. Options that change what LTO writes, or where, are the
// user's: then code is generated twice, as without this.
void LayoutLink::setUpLtoReuse() {
  const BitcodeInputs &B = Bitcode;
  // Code generated for an archive's members would be linked beside the
  // members, which lld then loads again: generated twice instead.
  if (!B.Any || B.AnyThin || B.InArchive)
    return;
  for (StringRef A : Opts.LldArgs)
    if (A.contains("lto-obj-path") || A.contains("save-temps") ||
        A.contains("emit-asm") || A.contains("emit-llvm") ||
        A.contains("thinlto-index-only") || A == "-r" ||
        A == "--relocatable" || A.ends_with("start-lib"))
      return;
  LtoObjectPath = Scratch.file("lto.o");
  BitcodeFileArgs = B.FileArgs;
}

// What --lto-obj-path=P wrote: P for the first partition, P1, P2, ... for
// more (--lto-partitions), in that order.
std::vector<std::string> LayoutLink::ltoObjects() const {
  std::vector<std::string> Files;
  for (unsigned I = 0;; ++I) {
    std::string F = I ? LtoObjectPath + std::to_string(I) : LtoObjectPath;
    uint64_t Size = 0;
    if (sys::fs::file_size(F, Size) || !Size)
      break;
    Files.push_back(F);
  }
  return Files;
}

bool LayoutLink::profileHasRanges() const {
  return any_of(Input.Functions, [](const FunctionProfile &F) {
    return !F.StartupRanges.empty() || !F.FirstFrameRanges.empty() ||
           !F.SteadyRanges.empty();
  });
}

// What a plan from the inputs cannot know: the code LTO generates, split
// functions' block addresses (read from a linked output), the machine,
// where a linker script or an option places code, and, for a plan by
// executed bytes (exact offsets), which sections --gc-sections or ICF
// remove. A plan of whole functions only orders: a listed section the
// link does not have costs it nothing.
std::string LayoutLink::whyPlanFromLink() const {
  if (Opts.PlanFromLink)
    return "--layout-plan-from=link";
  if (Bitcode.Any)
    return "LTO generates the code in the link";
  if (profileHasBlocks())
    return "the blocks of functions split by phase are read from a linked "
           "output";
  if (!InputMachine)
    return "the target machine is not known from the inputs";
  // Other targets relax code in the link (RISC-V, LoongArch): sections
  // change size.
  if (*InputMachine != ELF::EM_X86_64 && *InputMachine != ELF::EM_AARCH64)
    return "only x86-64 and AArch64 links are planned from the inputs";
  if (!Inputs.NotFromInputs.empty())
    return Inputs.NotFromInputs;
  if (profileHasRanges() && Opts.PhaseAlign) {
    if (Inputs.GcSections)
      return "with --gc-sections, which sections remain is known only after "
             "a link (a plan by executed bytes places each at an exact "
             "offset)";
    if (Inputs.FoldsCode)
      return "with --icf, which sections remain is known only after a link "
             "(a plan by executed bytes places each at an exact offset)";
  }
  return "";
}

int LayoutLink::planFromInputs() {
  // Inputs this reader cannot read (lld may still link them, or says
  // why it cannot): lld's first pass tells what it places.
  if (!*Text) {
    note("planned from a first lld pass: the inputs could not be read (" +
         toString(Text->takeError()) + ")");
    return firstPass();
  }
  if (!(*Text)->NotFromInputs.empty()) {
    // Bitcode in an archive member lld loads (found through -l or a
    // linker script): LTO generates code in the link after all.
    note("planned from a first lld pass: " + (*Text)->NotFromInputs);
    Bitcode.Any = Bitcode.AnyThin = Bitcode.InArchive = true;
    setUpPassPlugin();
    return firstPass();
  }
  note("planned from the inputs' section and symbol tables; lld runs once");
  StringSet<> Profiled;
  for (const FunctionProfile &F : Input.Functions) {
    Profiled.insert(F.Name);
    Profiled.insert(StringRef(F.Name).split('.').first);
  }
  CertainText Certain = certainText(std::move(**Text), Profiled);
  Map = std::move(Certain.Map);
  Machine = *InputMachine;
  OnePass = true;
  FirstPassWrites = false;
  return 0;
}

int LayoutLink::firstPass() {
  std::vector<const char *> Args = lldArgs();
  std::string Output = Scratch.file("pass1.out");
  std::string MapArg = "-Map=" + Scratch.file("pass1.map");
  for (const char *A : {"-o", Output.c_str(), MapArg.c_str(), "--no-demangle"})
    Args.push_back(A);
  std::string LtoObjArg = "--lto-obj-path=" + LtoObjectPath;
  if (!LtoObjectPath.empty())
    Args.push_back(LtoObjArg.c_str());
  // Only the map is needed, unless the machine cannot be told from the
  // inputs or split code's address map is read from the output: lld then
  // neither relocates nor writes, which is most of a large link's time.
  FirstPassWrites = !InputMachine || profileHasBlocks();
  // Diagnostics of the first pass are held back: the second pass repeats
  // them, and they must not be printed twice.
  std::string Held;
  raw_string_ostream HeldOut(Held);
  int RC = runLld(Args, HeldOut, HeldOut, FirstPassWrites);
  // lld without output says nothing either: a failed link is run again,
  // writing, for its diagnostics.
  if (RC != 0 && !FirstPassWrites)
    RC = runLld(Args, HeldOut, HeldOut, /*WriteOutput=*/true);
  if (RC != 0) {
    Err << Held;
    if (std::optional<std::string> Slim = findSlimGccLto(Opts.LldArgs))
      Err << "ld.pagelayout: note: " << *Slim
          << " is a GCC LTO object without machine code, which lld cannot "
             "link; compile with -ffat-lto-objects or without -flto\n";
    return RC;
  }
  Expected<std::string> MapText = readWholeFile(Scratch.file("pass1.map"));
  if (!MapText)
    return fail(MapText.takeError());
  Expected<LinkMap> Parsed = parseLinkMap(*MapText, "lld map");
  if (!Parsed)
    return fail(Parsed.takeError());
  Map = std::move(*Parsed);
  if (!FirstPassWrites) {
    Machine = *InputMachine;
    return 0;
  }
  Expected<uint16_t> M = machineOf(Output);
  if (!M)
    return fail(M.takeError());
  Machine = *M;
  return 0;
}

Error LayoutLink::plan() {
  UserFunctions = Input.Functions.size();
  bool ByExecuted = profileHasRanges();
  // Code compiled with a cluster list (profile convert --to=bb-clusters):
  // each part of a split function goes with the code of its phase.
  // The parts' blocks, from the first pass's address map where it has one.
  BlockRanges Ranges;
  if (FirstPassWrites)
    if (ErrorOr<std::unique_ptr<MemoryBuffer>> Pass1 = MemoryBuffer::getFile(
            Scratch.file("pass1.out"), /*IsText=*/false,
            /*RequiresNullTerminator=*/false))
      Ranges = readBlockRanges((*Pass1)->getMemBufferRef());
  Split = applyBlockClusters(Input, Map.Atoms, &Ranges);
  addRuntimeStartup(Input, Map.Atoms, std::nullopt,
                    /*WithCrtHelpers=*/ByExecuted);
  Names = matchProfileNames(Input, Map.Atoms);
  ResolvedProfile RP = resolvePhases(Names.Renamed);
  // With executed ranges: the rewriter's packer, on the output's own
  // address grid (.text where the first link put it, the pages .init and
  // .plt touch after it), reproduced exactly by gap sections.
  // A new order of sections of different alignments may need a few bytes
  // more than the first link's: .text may grow by a little, never by a
  // page (the code after it then moves by as much).
  std::optional<OrderableUnits> Units;
  if (ByExecuted && Opts.PhaseAlign && Map.TextSize)
    Units = orderableUnits(Map.Atoms, Map.UnlistedNames, [&](StringRef Name) {
      int F = RP.find(Name);
      return F >= 0 && RP.Functions[F].ResolvedPhase != Phase::Cold;
    });
  // The first slack whose plan packs by executed bytes as planned (no
  // fallback note) is taken; where every slack needs a fallback (first-fit
  // around pinned code is the last), the one touching fewest pages.
  auto Restore = make_scope_exit([&] {
    if (Units)
      Units->restore();
  });
  if (Units) {
    uint64_t End = Map.TextAddress + Map.TextSize;
    std::optional<std::pair<LayoutPlan, OrderingInputs>> Fallback;
    for (uint64_t Slack : {0, 64, 256}) {
      LayoutRegion Text{".text", Map.TextAddress, End + Slack};
      std::vector<unsigned> RegionOf(Units->units().size(), 0);
      FitOptions O;
      O.PageSize = Opts.PageSize;
      O.MinimumAlignment = UINT64_MAX; // lld keeps each section's alignment
      O.Threads = Opts.threads();
      // Code left to lld follows the listed code: what follows .text is
      // not where the plan ends.
      if (!Units->LeftToLld)
        O.TouchedOutside = Map.RunsAnyway;
      FittedLayout Fitted = fitLayout(Units->units(), RegionOf, {Text}, RP, O);
      std::optional<OrderingInputs> Exact = buildExactOrdering(
          Fitted.Plan, *Units, Text.Begin, Units->LeftToLld ? 0 : End,
          /*StartOnPage=*/OnePass);
      if (!Exact)
        continue;
      if (Fitted.Notes.empty()) {
        Plan = std::move(Fitted.Plan);
        Ordering = std::move(*Exact);
        noteColdLeftToLld();
        return Error::success();
      }
      if (!Fallback || Fitted.Plan.Run.PagesTouched <
                           Fallback->first.Run.PagesTouched)
        Fallback.emplace(std::move(Fitted.Plan), std::move(*Exact));
    }
    if (Fallback) {
      Plan = std::move(Fallback->first);
      Ordering = std::move(Fallback->second);
      noteColdLeftToLld();
      return Error::success();
    }
  }
  if (Units)
    Units->restore();
  LayoutConfig Config;
  Config.PageSize = Opts.PageSize;
  Config.AlignPhases = Opts.PhaseAlign;
  Config.FillWithCold = Opts.PhaseAlign;
  Plan = computeLayout(Map.Atoms, RP, Config);
  Ordering = buildOrdering(Plan, Map.Atoms, Opts.PhaseAlign, Map.UnlistedNames);
  noteColdLeftToLld();
  return Error::success();
}

// The output's build-id is not known before it is written, and a laid-out
// link changes it anyway (it hashes the output): only names are compared.
Error LayoutLink::checkFit() {
  ProfileFit Fit =
      checkProfileFit(Input, ArrayRef(Names.Kinds).take_front(UserFunctions),
                      Map.Atoms, {"the link", ""});
  Misfit = !Fit.fits();
  return reportProfileFit(Fit, "ld.pagelayout",
                          Opts.Strict || Opts.FatalWarnings, Diags.handler());
}

void LayoutLink::reportMatching() {
  size_t Missing = Plan.UnmatchedProfileNames.size();
  // Only sections holding profiled functions matter (crt files always
  // have multi-function .text sections).
  // The user's functions only: _start (added by default, or in a trace,
  // which sees it run) sits in crt1's multi-function .text, the C
  // runtime's, and is no reason to warn; nor are crtbegin's helpers.
  // (A program of its own _start, -nostartfiles, is not warned about
  // that one either: rare, and its other functions still are.)
  StringSet<> Profiled;
  for (size_t I = 0; I < UserFunctions; ++I)
    if (StringRef Name = Names.Renamed.Functions[I].Name;
        !isRuntimeStartupName(Name))
      Profiled.insert(Name);
  unsigned Multi = 0;
  std::string FirstMulti;
  for (unsigned I : Map.MultiFunctionSections)
    if (any_of(Map.Atoms[I].Symbols,
               [&](const AtomSymbol &S) { return Profiled.contains(S.Name); }))
      if (Multi++ == 0)
        FirstMulti = Map.Atoms[I].Origin;
  if (Multi)
    warn(Twine(Multi) +
         " input section(s) with profiled functions hold "
         "several functions and move as one (first: " +
         FirstMulti +
         "); compile with -ffunction-sections to order functions "
         "individually");
  if (!Map.OtherTextSections.empty())
    warn("output section " + Map.OtherTextSections.front() + " (and " +
         Twine(Map.OtherTextSections.size() - 1) +
         " more) is not .text and was not laid out; drop -z "
         "keep-text-section-prefix to order all code");
  if (Missing && !Opts.Strict && !Misfit)
    warn(Twine(Missing) + " of " + Twine(UserFunctions) +
         " profile functions are not in the link (first: " +
         Plan.UnmatchedProfileNames.front() +
         "); --layout-strict makes this an error");
}

int LayoutLink::secondPass() {
  std::string OrderPath = Scratch.file("order.txt");
  std::string MarkerPath = Scratch.file("phases.o");
  if (Error E = writeFile(OrderPath, Ordering.OrderFile))
    return fail(std::move(E));
  if (Error E =
          writeFile(MarkerPath, buildMarkerObject(Ordering.Markers, Machine,
                                                  Opts.PageSize)))
    return fail(std::move(E));
  std::vector<const char *> Args = lldArgs();
  // Full LTO: the code the first pass generated, in place of the bitcode
  // files, where the first of them was (so symbols meet lld in the order
  // they did, and .text and the PLT come out as they would from the
  // bitcode; only the dynamic symbol table's order may differ). Archives'
  // bitcode members stay: what they define is defined already, so none is
  // loaded again.
  std::vector<std::string> LtoObjects;
  if (!LtoObjectPath.empty())
    LtoObjects = ltoObjects();
  if (!LtoObjects.empty()) {
    size_t At = BitcodeFileArgs.empty() ? Args.size() : BitcodeFileArgs.front();
    for (size_t I : llvm::reverse(BitcodeFileArgs))
      Args.erase(Args.begin() + I);
    for (const std::string &F : LtoObjects)
      Args.insert(Args.begin() + At++, F.c_str());
  }
  std::string OrderArg = "--symbol-ordering-file=" + OrderPath;
  Args.push_back(OrderArg.c_str());
  Args.push_back("--no-warn-symbol-ordering");
  // Gaps are ordered by temporary (.L) symbols, which lld drops with
  // --discard-locals, so they cost no symbol table bytes. Assemblers drop
  // every other .L symbol already; a discard option of the user's stands.
  bool UserDiscards = any_of(Opts.LldArgs, [](StringRef A) {
    return A == "-x" || A == "-X" || A.starts_with("--discard-") ||
           A.starts_with("-discard-");
  });
  if (!UserDiscards && any_of(Ordering.Markers, [](const PhaseMarker &M) {
        return M.Size != 0;
      }))
    Args.push_back("--discard-locals");
  if (!Ordering.Markers.empty())
    Args.push_back(MarkerPath.c_str());
  int RC = runLastLld(Args, Out, Err);
  if (RC != 0 && OnePass)
    if (std::optional<std::string> Slim = findSlimGccLto(Opts.LldArgs))
      Err << "ld.pagelayout: note: " << *Slim
          << " is a GCC LTO object without machine code, which lld cannot "
             "link; compile with -ffat-lto-objects or without -flto\n";
  return RC;
}

// Planned from the inputs, the listed code must end where the plan ends
// it: a listed section lld did not place, or one it placed among them,
// would have moved every later one. The output is correct either way;
// only its pages may be more than planned. Two symbols are read back.
void LayoutLink::checkPlacement() {
  if (!Ordering.PlannedEnd)
    return;
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
      MemoryBuffer::getFile(outputPath(Opts.LldArgs), /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!Buf)
    return;
  // The raw table, scanned once: thousands of symbols, two wanted.
  Expected<object::ELFFile<object::ELF64LE>> File =
      object::ELFFile<object::ELF64LE>::create((*Buf)->getBuffer());
  if (!File) {
    consumeError(File.takeError());
    return;
  }
  Expected<ArrayRef<object::ELF64LE::Shdr>> Sections = File->sections();
  if (!Sections) {
    consumeError(Sections.takeError());
    return;
  }
  std::optional<uint64_t> Start, End;
  for (const object::ELF64LE::Shdr &Sec : *Sections) {
    if (Sec.sh_type != ELF::SHT_SYMTAB)
      continue;
    Expected<ArrayRef<object::ELF64LE::Sym>> Syms = File->symbols(&Sec);
    Expected<StringRef> Str = File->getStringTableForSymtab(Sec, *Sections);
    if (!Syms || !Str) {
      consumeError(Syms.takeError());
      consumeError(Str.takeError());
      return;
    }
    for (const object::ELF64LE::Sym &S : *Syms) {
      if (S.st_name >= Str->size() || (*Str)[S.st_name] != '_')
        continue;
      StringRef Name = Str->drop_front(S.st_name).data();
      if (Name == "__pagelayout_start")
        Start = S.st_value;
      else if (Name == "__pagelayout_end")
        End = S.st_value;
    }
  }
  if (!Start || !End || *End - *Start == *Ordering.PlannedEnd)
    return; // stripped, or as planned
  warn("the laid-out code ends " + Twine(*End - *Start) +
       " bytes after its start, not " + Twine(*Ordering.PlannedEnd) +
       " as planned from the inputs: lld placed other sections than the "
       "plan listed; the output is correct, but may touch more pages than "
       "planned (link with --layout-plan-from=link to plan from lld's own "
       "layout)");
}

Error LayoutLink::writeReport() {
  // crtbegin's helpers were added for the plan; in the output they are
  // symbols without a size, code the report counts as running anyway.
  Profile Reported = Input;
  erase_if(Reported.Functions, [](const FunctionProfile &F) {
    return isCrtHelperName(F.Name);
  });
  return writeLayoutReport(outputPath(Opts.LldArgs), Reported, Opts.PageSize,
                           *Opts.ReportPath);
}

int LayoutLink::run() {
  // The profile and the inputs are read at once (neither needs the
  // other) where the profile is large.
  // What the inputs' code is, is read ahead on the chance that the link
  // is planned from it (most links without LTO are).
  std::optional<Expected<Profile>> P;
  auto ReadProfile = [&] {
    P.emplace(readMergedProfiles(Opts.ProfilePaths, Diags.handler()));
  };
  // A small one is read sooner than a thread starts and warms up.
  uint64_t ProfileBytes = 0;
  for (const std::string &Path : Opts.ProfilePaths) {
    uint64_t Size = 0;
    if (!sys::fs::file_size(Path, Size))
      ProfileBytes += Size;
  }
  std::thread Reader;
  if (Opts.threads() && ProfileBytes >= (1 << 20))
    Reader = std::thread(ReadProfile);
  Inputs = findLinkInputs(Opts.LldArgs);
  Bitcode = scanBitcodeInputs(Inputs);
  InputMachine = machineOfInputs(Opts.LldArgs);
  if (!Bitcode.Any && Inputs.NotFromInputs.empty() && !Opts.PlanFromLink &&
      InputMachine)
    Text.emplace(readInputText(Inputs, Opts.threads()));
  if (Reader.joinable())
    Reader.join();
  else
    ReadProfile();
  // The inputs' code is not needed where the link stops here or is
  // planned from a first pass.
  auto DropText = [&] {
    if (Text && !*Text)
      consumeError(Text->takeError());
    Text.reset();
  };
  if (!*P) {
    DropText();
    return fail(P->takeError());
  }
  if (Diags.fatal()) {
    DropText();
    return 1;
  }
  Input = std::move(**P);
  Steps.done("read the profile and the inputs");
  if (Error E = Scratch.create())
    return fail(std::move(E));
  setUpPassPlugin();
  setUpLtoReuse();
  bool SplitInLto = profileHasBlocks() && Bitcode.Any;
  if (SplitInLto)
    BlockArgs.push_back("--lto-basic-block-address-map");
  std::string Why = whyPlanFromLink();
  if (!Why.empty())
    DropText();
  if (Why.empty()) {
    if (int RC = planFromInputs())
      return RC;
  } else {
    note("planned from a first lld pass: " + Why);
    if (int RC = firstPass())
      return RC;
    if (SplitInLto)
      if (int RC = splitLtoCode())
        return RC;
  }
  Steps.done("read what lld will place");
  if (Error E = plan())
    return fail(std::move(E));
  Steps.done("planned");
  if (Error E = checkFit())
    return fail(std::move(E));
  if (Opts.Strict && !Plan.UnmatchedProfileNames.empty())
    return fail(Twine(Plan.UnmatchedProfileNames.size()) +
                " profile function(s) are not in the link (first: " +
                Plan.UnmatchedProfileNames.front() +
                "); drop --layout-strict to link anyway");
  reportMatching();
  if (Diags.fatal())
    return 1;
  Steps.done("checked the fit");
  if (int RC = secondPass())
    return RC;
  checkPlacement();
  Steps.done("linked");
  if (Opts.ReportPath)
    if (Error E = writeReport())
      return fail(std::move(E));
  return 0;
}

} // namespace

int runRelocatableLink(const DriverOptions &Opts, raw_ostream &Out,
                       raw_ostream &Err) {
  Warnings Diags(Opts, Err);
  Expected<Profile> P = readMergedProfiles(Opts.ProfilePaths, Diags.handler());
  if (!P)
    return reportError(P.takeError(), Err);
  if (Diags.fatal())
    return 1;
  Err << "ld.pagelayout: note: -r keeps input sections apart, so there is "
         "nothing to lay out yet; the profile was read and applies when the "
         "final link runs with --layout-profile\n";
  return runLld(Opts.LldArgs, Out, Err);
}

int runLayoutLink(const DriverOptions &Opts, raw_ostream &Out,
                  raw_ostream &Err) {
  // The process ends right after (exitFast), so the plan's memory (the
  // inputs' tables, the atoms and their names) is left to the exit, as
  // lld's is: freeing it object by object takes a link of vim 1.3 ms.
  // The scratch directory is removed all the same.
  auto *Link = new LayoutLink(Opts, Out, Err);
  int RC = Link->run();
  Link->removeScratch();
  return RC;
}

} // namespace pagelayout

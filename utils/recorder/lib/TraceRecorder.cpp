//===- TraceRecorder.cpp - Exact traces of a release binary under ptrace --===//
//
// `record --mode=trace` runs the unmodified program under ptrace with an
// int3 at the start of every block BlockFinder found. A trap is a block's
// first execution: the tracer notes the block and the time, writes the
// original byte back, moves the thread's rip back onto it and lets it go.
// Each distinct block costs one trap and the run then goes at full speed.
// The program computes what it would without us: its bytes are restored
// before a block runs, and only code the decoder is sure of gets a trap.
//
// The run itself is ProgramRunner's (so signals sent to `record` reach the
// program as in the other modes): the tracer seizes the child while it
// waits to exec, and its wait loop replaces the plain wait.
//
//  * Signals: every stop that is not one of our traps is a signal for the
//    program and is passed on at PTRACE_CONT, so its handlers run as
//    without us; a SIGTRAP is ours only when the kernel raised it for an
//    int3 (SI_KERNEL) at an address we patched. Group stops (SIGSTOP,
//    SIGTSTP) are kept with PTRACE_LISTEN.
//  * Threads (PTRACE_O_TRACECLONE) share the breakpoints: two threads can
//    trap at one address before the first trap is handled. A trap at a
//    patched address therefore restores the byte only if it is still an
//    int3 in that process's memory, and always rewinds the thread.
//  * fork/vfork children (PTRACE_O_TRACEFORK, VFORK) keep running the
//    program: they are traced and recorded as processes of their own (the
//    caller merges them, as raw files of forked children are merged). A
//    child inherits its parent's pending breakpoints. Whether its memory is
//    a copy or shared (vfork) does not matter: any trap at a patched
//    address restores the byte if it is still there, so no process ever
//    runs a stale int3. record waits for every traced process.
//  * exec: a process that execs (a child, or the program itself) starts a
//    new recording at the exec: if the new program is an x86-64 ELF
//    executable with symbols, its blocks get breakpoints as the program's
//    did and it is recorded as a process of its own (its times from its
//    exec, its own markers; --startup-end and --first-frame name functions
//    of the traced program only). A program that cannot be traced (no
//    symbols, not x86-64 ELF; for a script, its interpreter is what runs)
//    is detached at the exec and runs unchanged, with a note. Images are
//    read once per path.
//  * Libraries (--libs): each process is a list of modules, the program
//    first, then its libraries in load order, each with its load bias and
//    pending blocks. A breakpoint on the loader's _dl_debug_state, kept
//    all run, is where new libraries get theirs (LoadedLibraries.cpp).
//  * Markers: if the program defines __pagelayout_mark (it links the
//    recorder runtime or defines its own; with --libs, a library may),
//    its entry keeps a breakpoint: each hit reads the name (rdi), steps
//    the original instruction and puts the int3 back, until startup_end
//    and first_frame are both seen. The loader hook is stepped over the
//    same way.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/TraceRecorder.h"
#include "LoadedLibraries.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <climits>
#include <fcntl.h>
#include <map>
#include <memory>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace llvm;

namespace pagelayout {

Error ptraceRefused(StringRef Program, int Errno, int YamaScope) {
  std::string Why;
  if (YamaScope >= 2)
    Why = "Yama's kernel.yama.ptrace_scope is " + std::to_string(YamaScope) +
          (YamaScope == 2 ? " (only CAP_SYS_PTRACE may trace)"
                          : " (no process may trace)");
  else
    Why = "the system forbids ptrace here (a seccomp filter or a container "
          "without CAP_SYS_PTRACE)";
  return createStringError(
      std::error_code(Errno, std::generic_category()),
      "cannot trace '" + Program + "': " + strerror(Errno) + "; " + Why +
          ". Record with --mode=perf (sampling) or build the program for "
          "an instrumented mode (--print-flags=first-call)");
}

namespace {

constexpr uint8_t Int3 = 0xcc;
constexpr long TraceOptionsMask = PTRACE_O_TRACEEXEC | PTRACE_O_TRACECLONE |
                                  PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                                  PTRACE_O_EXITKILL;

int yamaScope() {
  ErrorOr<std::unique_ptr<MemoryBuffer>> B =
      MemoryBuffer::getFileAsStream("/proc/sys/kernel/yama/ptrace_scope");
  int Scope = -1;
  if (B && !(*B)->getBuffer().trim().getAsInteger(10, Scope))
    return Scope;
  return -1;
}

/// The program a process runs now (after an exec).
std::string exePath(pid_t Pid) {
  SmallString<256> Link;
  Link.resize(PATH_MAX);
  ssize_t N = readlink(("/proc/" + Twine(Pid) + "/exe").str().c_str(),
                       Link.data(), Link.size());
  return N > 0 ? std::string(Link.data(), N) : std::string();
}

/// What the executable's SHT_LLVM_BB_ADDR_MAP gave: a note when its
/// blocks were used, a warning for a map that does not fit the code.
void reportBlockMap(const TraceImage &Image, std::vector<std::string> &Notes,
                    const WarningHandler &Warn) {
  if (!Image.MapProblem.empty() && Warn)
    Warn("warning: cannot read the SHT_LLVM_BB_ADDR_MAP of '" + Image.Path +
         "': " + Image.MapProblem + "; its blocks are found by decoding");
  if (Image.MapRejected && Warn)
    Warn("warning: " + Twine(Image.MapRejected) +
         " function(s) in the SHT_LLVM_BB_ADDR_MAP of '" + Image.Path +
         "' do not match its code (a block off an instruction start, "
         "overlapping or outside the function); their blocks are found by "
         "decoding and get no ids");
  if (Image.MapFunctions)
    Notes.push_back("'" + Image.Path + "': the blocks and block ids of " +
                    std::to_string(Image.MapFunctions) +
                    " function(s) come from its SHT_LLVM_BB_ADDR_MAP");
}

/// A traced executable: its blocks and where their breakpoints go.
struct ImageState {
  TraceImage Image;
  std::vector<TraceImage::BlockRef> Blocks;
  std::vector<uint64_t> AddressOf; ///< link-time address of each block
  DenseMap<uint64_t, uint32_t> IdAt;
  std::vector<uint8_t> Original; ///< each block's first byte
  /// The phase-end functions (the traced program's image only).
  std::optional<uint64_t> StartupEntry, FirstFrameEntry;

  explicit ImageState(TraceImage I) : Image(std::move(I)) {
    Blocks = Image.allBlocks();
    for (const TraceImage::BlockRef &B : Blocks)
      AddressOf.push_back(Image.Functions[B.Function].Address +
                          Image.Functions[B.Function]
                              .Blocks.Blocks[B.Block]
                              .Begin);
    for (uint32_t Id = 0; Id < Blocks.size(); ++Id)
      IdAt[AddressOf[Id]] = Id;
  }
};

/// One traced image in a process: the program, or a library (--libs).
struct Module {
  ImageState *Img = nullptr;
  uint64_t Bias = 0;
  BitVector Pending; ///< blocks whose int3 has not been hit here
  uint64_t MapStart = 0; ///< where its offset 0 is mapped (libraries)
  bool Gone = false;     ///< unloaded (dlclose): its hits stay recorded
};

/// A traced process: its memory, what is still patched, what it ran.
struct Process {
  pid_t Pid = 0;
  int MemFd = -1;
  uint64_t StartNs = 0; ///< its program's start (exec) on the run's clock
  bool Loaded = false;   ///< breakpoints are in (after the first exec)
  bool Detached = false; ///< exec'd: recorded no more
  /// The program first, then its libraries in load order (--libs); a
  /// hit's Module indexes this.
  std::vector<Module> Modules;
  bool MarkArmed = false;
  /// Where __pagelayout_mark is: in the program, or (--libs) in a library
  /// that defines it (the recorder's shared runtime).
  std::optional<uint64_t> MarkAt;
  /// The loader's _dl_debug_state (--libs): a breakpoint kept all run.
  std::optional<uint64_t> Hook;
  uint8_t HookByte = 0;
  TracedProcess Record;
  Module &program() { return Modules.front(); }
  ~Process() {
    if (MemFd >= 0)
      close(MemFd);
  }
};

struct Thread {
  Process *Proc = nullptr;
  /// Stepping over the original instruction of a breakpoint kept all run
  /// (the marker's, the loader hook's) at this address.
  std::optional<uint64_t> SteppingOver;
};

class Tracer {
public:
  Tracer(TraceImage Program, const TraceOptions &Opts,
         const BlockFinder &Finder, const WarningHandler &Warn)
      : Opts(Opts), Finder(Finder), Warn(Warn) {
    Images.push_back(std::make_unique<ImageState>(std::move(Program)));
    ImageState &Main = *Images.front();
    SmallString<256> Real;
    ImageByPath[sys::fs::real_path(Main.Image.Path, Real)
                    ? Main.Image.Path
                    : std::string(Real)] = &Main;
    if (const TracedFunction *F = find(Main.Image, Opts.StartupEndSymbol))
      Main.StartupEntry = F->Address;
    if (const TracedFunction *F = find(Main.Image, Opts.FirstFrameSymbol))
      Main.FirstFrameEntry = F->Address;
  }

  Expected<ProgramStatus> run(pid_t Pid);
  TraceRecording take();

private:
  static const TracedFunction *find(const TraceImage &Image, StringRef Name) {
    return Name.empty() ? nullptr : Image.find(Name);
  }
  uint64_t now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now() - Start)
        .count();
  }
  Process &newProcess(pid_t Pid) {
    Processes.push_back(std::make_unique<Process>());
    Process &P = *Processes.back();
    P.Pid = Pid;
    P.MemFd = open(("/proc/" + Twine(Pid) + "/mem").str().c_str(),
                   O_RDWR | O_CLOEXEC);
    Threads[Pid].Proc = &P;
    return P;
  }
  bool readByte(const Process &P, uint64_t Addr, uint8_t &B) const {
    return pread(P.MemFd, &B, 1, Addr) == 1;
  }
  bool writeByte(const Process &P, uint64_t Addr, uint8_t B) const {
    return pwrite(P.MemFd, &B, 1, Addr) == 1;
  }
  ImageState *imageFor(const std::string &Path, std::string &WhyNot,
                       bool Library = false);
  Error load(Process &P);
  Error patch(Process &P, Module &M);
  void armLoaderHook(Process &P);
  void onLoaderHook(pid_t Tid, Thread &T);
  void addLibraries(Process &P);
  void stepOver(pid_t Tid, Thread &T, uint64_t Addr) {
    T.SteppingOver = Addr;
    ptrace(PTRACE_SINGLESTEP, Tid, nullptr, nullptr);
  }
  void onExec(pid_t Tid, Process &P);
  pid_t onNewTask(pid_t Parent, unsigned Event);
  Error onStop(pid_t Tid, int Raw);
  bool onTrap(pid_t Tid, Thread &T);
  void onMark(pid_t Tid, Thread &T, user_regs_struct &Regs);
  void recordHit(Process &P, uint32_t Module, uint32_t Id, uint64_t Time);
  void resume(pid_t Tid, int Signal) {
    ptrace(PTRACE_CONT, Tid, nullptr, (void *)(long)Signal);
  }
  void detach(pid_t Tid) {
    ptrace(PTRACE_DETACH, Tid, nullptr, nullptr);
    Threads.erase(Tid);
  }

  const TraceOptions &Opts;
  const BlockFinder &Finder;
  const WarningHandler &Warn;
  std::vector<std::unique_ptr<ImageState>> Images; ///< the program's first
  std::map<std::string, ImageState *> ImageByPath; ///< null: not traceable
  std::map<std::string, ImageState *> LibraryByPath;
  std::optional<std::string> HookProblem; ///< noted once
  std::chrono::steady_clock::time_point Start;
  std::vector<std::unique_ptr<Process>> Processes;
  std::map<pid_t, Thread> Threads;
  std::map<pid_t, int> Parked; ///< stopped before their parent's event
  uint64_t Traps = 0, DetachedExecs = 0;
  std::vector<std::string> Notes;
  pid_t MainPid = 0;
};

/// Puts the breakpoints of the program (its module 0) into \p P, whose
/// exec just happened: the load bias is where the kernel put the entry
/// point (AT_ENTRY) minus e_entry (0 when not PIE).
Error Tracer::load(Process &P) {
  Module &M = P.program();
  const TraceImage &Image = M.Img->Image;
  std::optional<uint64_t> Entry = auxvValue(P.Pid, AT_ENTRY);
  if (!Entry)
    return createStringError("cannot read the auxiliary vector of the "
                             "traced program");
  M.Bias = *Entry - Image.Entry;
  if (!Image.PositionIndependent && M.Bias)
    return createStringError("the traced program's entry point is not "
                             "where its ELF header says; was it replaced "
                             "while starting?");
  if (Error E = patch(P, M))
    return E;
  if (Image.MarkFunction)
    P.MarkAt = *Image.MarkFunction + M.Bias;
  P.MarkArmed = P.MarkAt.has_value();
  P.Loaded = true;
  if (Opts.Libraries)
    armLoaderHook(P);
  return Error::success();
}

Error Tracer::patch(Process &P, Module &M) {
  ImageState &Img = *M.Img;
  const TraceImage &Image = Img.Image;
  // (Every process of one image reads the same original bytes.)
  Img.Original.assign(Img.Blocks.size(), 0);
  M.Pending.resize(Img.Blocks.size());
  // One read and one write per function: its bytes with an int3 on each
  // block start. Everything is read before anything is written, and a
  // failed write puts back what was written: a process that is let go
  // (an exec'd program) never keeps a breakpoint.
  std::vector<std::vector<uint8_t>> Code(Image.Functions.size());
  uint32_t Id = 0;
  for (size_t I = 0; I < Image.Functions.size(); ++I) {
    const TracedFunction &F = Image.Functions[I];
    Code[I].resize(F.Size);
    if (pread(P.MemFd, Code[I].data(), F.Size, F.Address + M.Bias) !=
        ssize_t(F.Size))
      return createStringError("cannot read the code of '" + F.Name +
                               "' in the traced process: " + strerror(errno));
    for (const TraceBlock &B : F.Blocks.Blocks)
      Img.Original[Id++] = Code[I][B.Begin];
  }
  Id = 0;
  for (size_t I = 0; I < Image.Functions.size(); ++I) {
    const TracedFunction &F = Image.Functions[I];
    if (F.Blocks.Blocks.empty())
      continue;
    std::vector<uint8_t> Patched = Code[I];
    for (const TraceBlock &B : F.Blocks.Blocks) {
      Patched[B.Begin] = Int3;
      M.Pending.set(Id++);
    }
    if (pwrite(P.MemFd, Patched.data(), F.Size, F.Address + M.Bias) !=
        ssize_t(F.Size)) {
      int Errno = errno;
      for (size_t J = 0; J <= I; ++J)
        pwrite(P.MemFd, Code[J].data(), Code[J].size(),
               Image.Functions[J].Address + M.Bias);
      M.Pending.reset();
      return createStringError("cannot write breakpoints into the traced "
                               "process: " +
                               Twine(strerror(Errno)));
    }
  }
  return Error::success();
}

/// --libs: a breakpoint on the loader's _dl_debug_state, where every
/// library is in place before any of its code runs (LoadedLibraries.cpp).
/// A static program has no loader and no libraries.
void Tracer::armLoaderHook(Process &P) {
  std::optional<uint64_t> Base = auxvValue(P.Pid, AT_BASE);
  if (!Base || !*Base)
    return;
  std::string Why;
  for (const MappedFile &F : mappedCodeFiles(P.Pid)) {
    if (F.Start != *Base)
      continue;
    Expected<uint64_t> Offset = loaderHookOffset(F.Path);
    uint8_t Byte = 0;
    if (!Offset)
      Why = toString(Offset.takeError());
    else if (!readByte(P, *Base + *Offset, Byte) ||
             !writeByte(P, *Base + *Offset, Int3))
      Why = "cannot write a breakpoint into the loader";
    else {
      P.Hook = *Base + *Offset;
      P.HookByte = Byte;
      return;
    }
  }
  if (Why.empty())
    Why = "the loader is not mapped where the auxiliary vector says";
  if (!HookProblem) {
    HookProblem = Why;
    Notes.push_back("--libs: the program's libraries are not traced: " + Why);
  }
}

/// The loader's list of objects is consistent: every library mapped now
/// and not traced yet gets its breakpoints; those gone are forgotten.
void Tracer::addLibraries(Process &P) {
  std::vector<MappedFile> Files = mappedCodeFiles(P.Pid);
  std::string Program = exePath(P.Pid);
  std::optional<uint64_t> Loader = auxvValue(P.Pid, AT_BASE);
  for (Module &M : P.Modules)
    if (&M != &P.Modules.front() &&
        none_of(Files, [&](const MappedFile &F) {
          return F.Start == M.MapStart && F.Path == M.Img->Image.Path;
        }))
      M.Gone = true;
  for (const MappedFile &F : Files) {
    if (F.Path == Program || F.Start == Loader)
      continue; // the program, the loader
    if (any_of(P.Modules, [&](const Module &M) {
          return !M.Gone && M.MapStart == F.Start;
        }))
      continue;
    std::string WhyNot;
    ImageState *Img = imageFor(F.Path, WhyNot, /*Library=*/true);
    if (!Img)
      continue;
    P.Modules.push_back(Module());
    Module &M = P.Modules.back();
    M.Img = Img;
    M.MapStart = F.Start;
    M.Bias = F.Start - Img->Image.LoadBase;
    if (Error E = patch(P, M)) {
      Notes.push_back("library '" + F.Path +
                      "' is not traced: " + toString(std::move(E)));
      M.Gone = true;
    } else if (!P.MarkAt && Img->Image.MarkFunction) {
      // The program marks its phases through a shared recorder runtime.
      P.MarkAt = *Img->Image.MarkFunction + M.Bias;
      P.MarkArmed = true;
    }
  }
}

void Tracer::onLoaderHook(pid_t Tid, Thread &T) {
  Process &P = *T.Proc;
  // Reading and patching libraries takes a while (libc has thousands of
  // functions): the process's clock does not count it, as it would not
  // run that long untraced.
  uint64_t Before = now();
  addLibraries(P);
  P.StartNs += now() - Before;
  // Step _dl_debug_state's own first instruction, then put the int3 back.
  writeByte(P, *P.Hook, P.HookByte);
  stepOver(Tid, T, *P.Hook);
}

void Tracer::recordHit(Process &P, uint32_t Mod, uint32_t Id,
                       uint64_t Time) {
  const ImageState &Img = *P.Modules[Mod].Img;
  P.Record.Hits.push_back({Id, Time, Mod});
  if (Mod != 0)
    return; // the phase-end symbols are the program's
  uint64_t Entry = Img.Image.Functions[Img.Blocks[Id].Function].Address;
  if (Img.AddressOf[Id] != Entry)
    return;
  auto Reached = [&](std::optional<uint64_t> Symbol, StringLiteral Name) {
    if (Symbol && *Symbol == Entry &&
        none_of(P.Record.Markers,
                [&](const Marker &M) { return M.Name == Name; }))
      P.Record.Markers.push_back({Name.str(), Time});
  };
  Reached(Img.StartupEntry, StartupEndMarker);
  Reached(Img.FirstFrameEntry, FirstFrameMarker);
}

void Tracer::onMark(pid_t Tid, Thread &T, user_regs_struct &Regs) {
  Process &P = *T.Proc;
  char Name[64] = {};
  ssize_t N = pread(P.MemFd, Name, sizeof(Name) - 1, Regs.rdi);
  if (N > 0) {
    Name[N] = 0;
    StringRef S(Name);
    if (!S.empty() &&
        none_of(P.Record.Markers, [&](const Marker &M) { return M.Name == S; }))
      P.Record.Markers.push_back({S.str(), now() - P.StartNs});
  }
  bool Both =
      any_of(P.Record.Markers,
             [](const Marker &M) { return M.Name == StartupEndMarker; }) &&
      any_of(P.Record.Markers,
             [](const Marker &M) { return M.Name == FirstFrameMarker; });
  if (Both) {
    P.MarkArmed = false; // the byte is back: no more stops here
    resume(Tid, 0);
    return;
  }
  // Step the original instruction, then put the int3 back.
  stepOver(Tid, T, *P.MarkAt);
}

/// A SIGTRAP: ours when the kernel raised it for an int3 we put there.
bool Tracer::onTrap(pid_t Tid, Thread &T) {
  siginfo_t Info;
  if (ptrace(PTRACE_GETSIGINFO, Tid, nullptr, &Info) != 0 ||
      Info.si_code != SI_KERNEL)
    return false;
  Process &P = *T.Proc;
  if (!P.Loaded)
    return false;
  user_regs_struct Regs;
  if (ptrace(PTRACE_GETREGS, Tid, nullptr, &Regs) != 0)
    return false;
  uint64_t Addr = Regs.rip - 1;
  if (P.Hook && Addr == *P.Hook) {
    Regs.rip = Addr;
    ptrace(PTRACE_SETREGS, Tid, nullptr, &Regs);
    onLoaderHook(Tid, T);
    return true;
  }
  uint32_t Mod = 0;
  DenseMap<uint64_t, uint32_t>::const_iterator It;
  for (; Mod < P.Modules.size(); ++Mod) {
    const Module &M = P.Modules[Mod];
    if (M.Gone)
      continue;
    It = M.Img->IdAt.find(Addr - M.Bias);
    if (It != M.Img->IdAt.end())
      break;
  }
  if (Mod == P.Modules.size())
    return false;
  Module &M = P.Modules[Mod];
  const ImageState &Img = *M.Img;
  uint32_t Id = It->second;
  uint8_t Now = 0;
  if (!readByte(P, Addr, Now))
    return false;
  // Another thread may have restored the byte already: then only rewind.
  if (Now == Int3 && Img.Original[Id] != Int3)
    writeByte(P, Addr, Img.Original[Id]);
  else if (Now != Img.Original[Id])
    return false; // not our byte any more (the program rewrote its code)
  ++Traps;
  Regs.rip = Addr;
  ptrace(PTRACE_SETREGS, Tid, nullptr, &Regs);
  if (M.Pending.test(Id)) {
    M.Pending.reset(Id);
    recordHit(P, Mod, Id, now() - P.StartNs);
  }
  if (P.MarkArmed && Addr == P.MarkAt) {
    onMark(Tid, T, Regs);
    return true;
  }
  resume(Tid, 0);
  return true;
}

/// The image of the program or library at \p Path, read once (a library
/// may be read by its dynamic symbols); null, with \p WhyNot, when it
/// cannot be traced (a library that cannot is noted once).
ImageState *Tracer::imageFor(const std::string &Path, std::string &WhyNot,
                             bool Library) {
  auto &Cache = Library ? LibraryByPath : ImageByPath;
  auto [It, New] = Cache.try_emplace(Path, nullptr);
  if (!New) {
    if (!It->second)
      WhyNot = "not traceable (see above)";
    return It->second;
  }
  Expected<TraceImage> Image = readTraceImage(Path, Finder, Library);
  if (!Image) {
    WhyNot = toString(Image.takeError());
    if (Library)
      Notes.push_back("--libs: library '" + Path + "' is not traced: " +
                      WhyNot);
    return nullptr;
  }
  reportBlockMap(*Image, Notes, Warn);
  Images.push_back(std::make_unique<ImageState>(std::move(*Image)));
  It->second = Images.back().get();
  return It->second;
}

/// \p P exec'd: its recording of the old program ends, and the new program
/// is recorded as a process of its own, or let go.
void Tracer::onExec(pid_t Tid, Process &P) {
  // The other threads are gone; the exec'ing thread has the process's pid.
  for (auto TI = Threads.begin(); TI != Threads.end();)
    TI = TI->second.Proc == &P && TI->first != Tid ? Threads.erase(TI)
                                                   : std::next(TI);
  uint64_t At = now();
  if (P.Loaded)
    P.Record.DurationNs = At - P.StartNs;
  P.Detached = true;
  std::string Path = exePath(Tid);
  std::string WhyNot;
  ImageState *Img = Path.empty() ? nullptr : imageFor(Path, WhyNot);
  if (!Img) {
    ++DetachedExecs;
    Notes.push_back("process " + std::to_string(Tid) + " exec'd '" +
                    (Path.empty() ? "?" : Path) +
                    "', which runs untraced: " +
                    (WhyNot.empty() ? "cannot read its path" : WhyNot));
    detach(Tid);
    return;
  }
  Process &N = newProcess(Tid); // a new memory: /proc/PID/mem anew
  N.Modules.push_back(Module());
  N.program().Img = Img;
  N.StartNs = At;
  if (Error E = load(N)) {
    ++DetachedExecs;
    N.Detached = true;
    Notes.push_back("process " + std::to_string(Tid) + " exec'd '" + Path +
                    "', which runs untraced: " + toString(std::move(E)));
    detach(Tid);
    return;
  }
  resume(Tid, 0);
}

/// The Tgid line of /proc/TID/status: which process a thread belongs to.
pid_t tgidOf(pid_t Tid) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> B =
      MemoryBuffer::getFileAsStream("/proc/" + Twine(Tid) + "/status");
  if (!B)
    return 0;
  for (StringRef Line : split((*B)->getBuffer(), '\n')) {
    pid_t Tgid = 0;
    if (Line.consume_front("Tgid:") && !Line.trim().getAsInteger(10, Tgid))
      return Tgid;
  }
  return 0;
}

pid_t Tracer::onNewTask(pid_t ParentTid, unsigned Event) {
  unsigned long NewTid = 0;
  ptrace(PTRACE_GETEVENTMSG, ParentTid, nullptr, &NewTid);
  Process &Parent = *Threads[ParentTid].Proc;
  pid_t New = pid_t(NewTid);
  if (Event == PTRACE_EVENT_CLONE && tgidOf(New) == Parent.Pid) {
    Threads[New].Proc = &Parent;
  } else {
    // A process of its own (fork, vfork, clone without CLONE_THREAD): it
    // starts with its parent's breakpoints and nothing recorded.
    Process &Child = newProcess(New);
    Child.StartNs = Parent.StartNs;
    Child.Modules = Parent.Modules;
    Child.Loaded = Parent.Loaded;
    Child.MarkArmed = Parent.MarkArmed;
    Child.MarkAt = Parent.MarkAt;
    Child.Hook = Parent.Hook;
    Child.HookByte = Parent.HookByte;
    Child.Record.Markers = Parent.Record.Markers;
  }
  return New;
}

/// One ptrace stop of task \p Tid (status \p Raw): ours or the program's.
Error Tracer::onStop(pid_t Tid, int Raw) {
  auto It = Threads.find(Tid);
  if (It == Threads.end()) {
    // A new task can report before its parent's clone/fork event: a thread
    // of a known process is adopted now, a new process waits for the event
    // (its stop is handled then).
    pid_t Tgid = tgidOf(Tid);
    Process *Owner = nullptr;
    for (auto &P : Processes)
      if (P->Pid == Tgid && Tgid != Tid && !P->Detached)
        Owner = P.get();
    if (!Owner) {
      Parked[Tid] = Raw;
      return Error::success();
    }
    It = Threads.try_emplace(Tid).first;
    It->second.Proc = Owner;
  }
  Thread &T = It->second;
  Process &P = *T.Proc;
  int Sig = WSTOPSIG(Raw);
  unsigned Event = unsigned(Raw) >> 16;
  if (std::optional<uint64_t> At = T.SteppingOver) {
    T.SteppingOver.reset();
    if ((P.MarkArmed && *At == P.MarkAt) || (P.Hook && *At == *P.Hook))
      writeByte(P, *At, Int3);
    siginfo_t Info;
    if (Sig == SIGTRAP && Event == 0 &&
        ptrace(PTRACE_GETSIGINFO, Tid, nullptr, &Info) == 0 &&
        Info.si_code == TRAP_TRACE) {
      resume(Tid, 0);
      return Error::success();
    }
  }
  if (Event == PTRACE_EVENT_STOP) {
    // The first stop of a new task, or a group stop (kept stopped, as
    // without us, until a SIGCONT).
    if (Sig == SIGTRAP)
      resume(Tid, 0);
    else
      ptrace(PTRACE_LISTEN, Tid, nullptr, nullptr);
    return Error::success();
  }
  if (Event == PTRACE_EVENT_EXEC) {
    if (!P.Loaded && P.Pid == MainPid) {
      if (Error E = load(P))
        return E;
      Start = std::chrono::steady_clock::now();
      resume(Tid, 0);
      return Error::success();
    }
    onExec(Tid, P);
    return Error::success();
  }
  if (Event == PTRACE_EVENT_CLONE || Event == PTRACE_EVENT_FORK ||
      Event == PTRACE_EVENT_VFORK) {
    pid_t New = onNewTask(Tid, Event);
    resume(Tid, 0);
    auto Held = Parked.find(New);
    if (Held != Parked.end()) {
      int HeldRaw = Held->second;
      Parked.erase(Held);
      return onStop(New, HeldRaw);
    }
    return Error::success();
  }
  if (Event) {
    resume(Tid, 0);
    return Error::success();
  }
  if (Sig == SIGTRAP && onTrap(Tid, T))
    return Error::success();
  resume(Tid, Sig); // the program's own signal, delivered as sent
  return Error::success();
}

Expected<ProgramStatus> Tracer::run(pid_t Pid) {
  MainPid = Pid;
  Start = std::chrono::steady_clock::now();
  newProcess(Pid).Modules.push_back(Module());
  Processes.front()->program().Img = Images.front().get();
  std::optional<ProgramStatus> Status;
  for (;;) {
    int Raw = 0;
    pid_t Tid = waitpid(-1, &Raw, __WALL);
    if (Tid < 0) {
      if (errno == EINTR)
        continue;
      if (errno == ECHILD)
        break;
      return createStringError(std::error_code(errno, std::generic_category()),
                               "cannot wait for the traced program: %s",
                               strerror(errno));
    }
    if (WIFEXITED(Raw) || WIFSIGNALED(Raw)) {
      auto It = Threads.find(Tid);
      if (It != Threads.end()) {
        Process &P = *It->second.Proc;
        if (P.Pid == Tid && !P.Detached)
          P.Record.DurationNs = now() - P.StartNs;
        Threads.erase(It);
      }
      if (Tid == Pid) {
        Status.emplace();
        if (WIFSIGNALED(Raw)) {
          Status->Signal = WTERMSIG(Raw);
          Status->CoreDumped = WCOREDUMP(Raw);
        } else {
          Status->ExitCode = WEXITSTATUS(Raw);
        }
      }
      continue;
    }
    if (!WIFSTOPPED(Raw))
      continue;
    if (Error E = onStop(Tid, Raw)) {
      kill(Pid, SIGKILL);
      return std::move(E);
    }
  }
  if (!Status)
    return createStringError("lost track of the traced program");
  return *Status;
}

TraceRecording Tracer::take() {
  TraceRecording R;
  R.Traps = Traps;
  R.DetachedExecs = DetachedExecs;
  R.Notes = std::move(Notes);
  for (auto &P : Processes) {
    // A child that only ran another program contributes nothing.
    if (P->Record.Hits.empty() && P.get() != Processes.front().get())
      continue;
    std::vector<const TraceImage *> Modules;
    for (const Module &M : P->Modules)
      Modules.push_back(&M.Img->Image);
    R.Profiles.push_back(buildTraceProfile(Modules, P->Record, Opts.Inference));
  }
  return R;
}

} // namespace

Expected<TraceRecording> recordWithTrace(ArrayRef<std::string> Command,
                                         const TraceOptions &Opts,
                                         const WarningHandler &Warn) {
  if (Command.empty())
    return createStringError("nothing to record: give a program after '--'");
  ErrorOr<std::string> Program = sys::findProgramByName(Command.front());
  if (!Program)
    return createStringError("cannot find program '" + Command.front() + "'");
  struct stat St;
  if (stat(Program->c_str(), &St) == 0 && (St.st_mode & (S_ISUID | S_ISGID)) &&
      geteuid() != 0)
    return createStringError(
        "cannot trace '" + *Program +
        "': it is set-user-ID or set-group-ID, and the kernel runs a traced "
        "program without those privileges, so it would not run as it does "
        "untraced. Record with --mode=perf, or trace a copy without the bit");
  Expected<BlockFinder> Finder = BlockFinder::create();
  if (!Finder)
    return Finder.takeError();
  Expected<TraceImage> Image = readTraceImage(*Program, *Finder);
  if (!Image)
    return Image.takeError();
  for (const std::string *Symbol :
       {&Opts.StartupEndSymbol, &Opts.FirstFrameSymbol})
    if (!Symbol->empty() && !Image->find(*Symbol))
      return createStringError("'" + *Program + "' has no function '" +
                               *Symbol +
                               "' (the phase end given with --startup-end or "
                               "--first-frame); check the name with llvm-nm");
  uint64_t Undecoded = 0, Partial = 0;
  for (const TracedFunction &F : Image->Functions) {
    Undecoded += F.Blocks.UndecodedBytes;
    Partial += F.Blocks.UndecodedBytes != 0;
  }
  if (Undecoded && Warn)
    Warn("warning: " + Twine(Undecoded) + " byte(s) in " + Twine(Partial) +
         " function(s) of '" + *Program +
         "' do not decode and are not observed (no breakpoint there)");

  std::vector<std::string> Notes;
  reportBlockMap(*Image, Notes, Warn);

  Tracer T(std::move(*Image), Opts, *Finder, Warn);
  RunOptions Run;
  Run.BeforeExec = [&](pid_t Pid) -> Error {
    if (ptrace(PTRACE_SEIZE, Pid, nullptr, (void *)TraceOptionsMask) != 0)
      return ptraceRefused(*Program, errno, yamaScope());
    return Error::success();
  };
  Run.Wait = [&](pid_t Pid) { return T.run(Pid); };
  Expected<ProgramStatus> Status = runProgram(Command, Run);
  if (!Status)
    return Status.takeError();
  TraceRecording R = T.take();
  R.Status = *Status;
  R.Notes.insert(R.Notes.begin(), Notes.begin(), Notes.end());
  return R;
}

} // namespace pagelayout

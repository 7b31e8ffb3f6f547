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
//  * exec: a child that execs another program is detached at the exec (it
//    runs unchanged; the new image has no breakpoints); so is the program
//    itself when it execs again. Exec'd programs are not recorded.
//  * Markers: if the program defines __pagelayout_mark (it links the
//    recorder runtime or defines its own), its entry keeps a breakpoint:
//    each hit reads the name (rdi), steps the original instruction and
//    puts the int3 back, until startup_end and first_frame are both seen.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/TraceRecorder.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
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

/// A traced process: its memory, what is still patched, what it ran.
struct Process {
  pid_t Pid = 0;
  int MemFd = -1;
  uint64_t Bias = 0;
  bool Loaded = false;   ///< breakpoints are in (after the first exec)
  bool Detached = false; ///< exec'd another program
  BitVector Pending;     ///< blocks whose int3 has not been hit here
  bool MarkArmed = false;
  TracedProcess Record;
  ~Process() {
    if (MemFd >= 0)
      close(MemFd);
  }
};

struct Thread {
  Process *Proc = nullptr;
  bool SteppingMark = false;
};

class Tracer {
public:
  Tracer(const TraceImage &Image, const TraceOptions &Opts)
      : Image(Image), Opts(Opts), Blocks(Image.allBlocks()) {
    for (uint32_t Id = 0; Id < Blocks.size(); ++Id)
      AddressOf.push_back(Image.Functions[Blocks[Id].Function].Address +
                          block(Id).Begin);
    for (uint32_t Id = 0; Id < Blocks.size(); ++Id)
      IdAt[AddressOf[Id]] = Id;
    if (const TracedFunction *F = find(Opts.StartupEndSymbol))
      StartupEntry = F->Address;
    if (const TracedFunction *F = find(Opts.FirstFrameSymbol))
      FirstFrameEntry = F->Address;
  }

  Expected<ProgramStatus> run(pid_t Pid);
  TraceRecording take();

private:
  const TracedFunction *find(StringRef Name) const {
    return Name.empty() ? nullptr : Image.find(Name);
  }
  const TraceBlock &block(uint32_t Id) const {
    return Image.Functions[Blocks[Id].Function].Blocks.Blocks[Blocks[Id].Block];
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
  Error load(Process &P);
  pid_t onNewTask(pid_t Parent, unsigned Event);
  Error onStop(pid_t Tid, int Raw);
  bool onTrap(pid_t Tid, Thread &T);
  void onMark(pid_t Tid, Thread &T, user_regs_struct &Regs);
  void recordHit(Process &P, uint32_t Id, uint64_t Time);
  void resume(pid_t Tid, int Signal) {
    ptrace(PTRACE_CONT, Tid, nullptr, (void *)(long)Signal);
  }
  void detach(pid_t Tid) {
    ptrace(PTRACE_DETACH, Tid, nullptr, nullptr);
    Threads.erase(Tid);
  }

  const TraceImage &Image;
  const TraceOptions &Opts;
  std::vector<TraceImage::BlockRef> Blocks;
  std::vector<uint64_t> AddressOf; ///< link-time address of each block
  DenseMap<uint64_t, uint32_t> IdAt;
  std::vector<uint8_t> Original; ///< each block's first byte
  std::optional<uint64_t> StartupEntry, FirstFrameEntry;
  std::chrono::steady_clock::time_point Start;
  std::vector<std::unique_ptr<Process>> Processes;
  std::map<pid_t, Thread> Threads;
  std::map<pid_t, int> Parked; ///< stopped before their parent's event
  uint64_t Traps = 0, DetachedExecs = 0;
  pid_t MainPid = 0;
};

/// Reads the program's auxiliary vector for AT_ENTRY: the load bias is
/// where the kernel put the entry point minus e_entry (0 when not PIE).
std::optional<uint64_t> entryOf(pid_t Pid) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> B =
      MemoryBuffer::getFileAsStream("/proc/" + Twine(Pid) + "/auxv");
  if (!B)
    return std::nullopt;
  StringRef Data = (*B)->getBuffer();
  for (size_t I = 0; I + 16 <= Data.size(); I += 16) {
    uint64_t Type, Value;
    memcpy(&Type, Data.data() + I, 8);
    memcpy(&Value, Data.data() + I + 8, 8);
    if (Type == AT_ENTRY)
      return Value;
  }
  return std::nullopt;
}

Error Tracer::load(Process &P) {
  std::optional<uint64_t> Entry = entryOf(P.Pid);
  if (!Entry)
    return createStringError("cannot read the auxiliary vector of the "
                             "traced program");
  P.Bias = *Entry - Image.Entry;
  if (!Image.PositionIndependent && P.Bias)
    return createStringError("the traced program's entry point is not "
                             "where its ELF header says; was it replaced "
                             "while starting?");
  Original.assign(Blocks.size(), 0);
  P.Pending.resize(Blocks.size());
  // One read and one write per function: its bytes with an int3 on each
  // block start.
  uint32_t Id = 0;
  for (const TracedFunction &F : Image.Functions) {
    std::vector<uint8_t> Code(F.Size);
    uint64_t At = F.Address + P.Bias;
    if (pread(P.MemFd, Code.data(), F.Size, At) != ssize_t(F.Size))
      return createStringError("cannot read the code of '" + F.Name +
                               "' in the traced program: " + strerror(errno));
    for (const TraceBlock &B : F.Blocks.Blocks) {
      Original[Id] = Code[B.Begin];
      Code[B.Begin] = Int3;
      P.Pending.set(Id);
      ++Id;
    }
    if (!F.Blocks.Blocks.empty() &&
        pwrite(P.MemFd, Code.data(), F.Size, At) != ssize_t(F.Size))
      return createStringError("cannot write breakpoints into the traced "
                               "program: " +
                               Twine(strerror(errno)));
  }
  P.MarkArmed = Image.MarkFunction.has_value();
  P.Loaded = true;
  return Error::success();
}

void Tracer::recordHit(Process &P, uint32_t Id, uint64_t Time) {
  P.Record.Hits.push_back({Id, Time});
  uint64_t Entry = Image.Functions[Blocks[Id].Function].Address;
  if (AddressOf[Id] != Entry)
    return;
  auto Reached = [&](std::optional<uint64_t> Symbol, StringLiteral Name) {
    if (Symbol && *Symbol == Entry &&
        none_of(P.Record.Markers,
                [&](const Marker &M) { return M.Name == Name; }))
      P.Record.Markers.push_back({Name.str(), Time});
  };
  Reached(StartupEntry, StartupEndMarker);
  Reached(FirstFrameEntry, FirstFrameMarker);
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
      P.Record.Markers.push_back({S.str(), now()});
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
  T.SteppingMark = true;
  ptrace(PTRACE_SINGLESTEP, Tid, nullptr, nullptr);
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
  auto It = IdAt.find(Addr - P.Bias);
  if (It == IdAt.end())
    return false;
  uint32_t Id = It->second;
  uint8_t Now = 0;
  if (!readByte(P, Addr, Now))
    return false;
  // Another thread may have restored the byte already: then only rewind.
  if (Now == Int3 && Original[Id] != Int3)
    writeByte(P, Addr, Original[Id]);
  else if (Now != Original[Id])
    return false; // not our byte any more (the program rewrote its code)
  ++Traps;
  Regs.rip = Addr;
  ptrace(PTRACE_SETREGS, Tid, nullptr, &Regs);
  if (P.Pending.test(Id)) {
    P.Pending.reset(Id);
    recordHit(P, Id, now());
  }
  if (P.MarkArmed && Image.MarkFunction &&
      Addr - P.Bias == *Image.MarkFunction) {
    onMark(Tid, T, Regs);
    return true;
  }
  resume(Tid, 0);
  return true;
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
    Child.Bias = Parent.Bias;
    Child.Loaded = Parent.Loaded;
    Child.Pending = Parent.Pending;
    Child.MarkArmed = Parent.MarkArmed;
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
  if (T.SteppingMark) {
    T.SteppingMark = false;
    if (P.MarkArmed)
      writeByte(P, *Image.MarkFunction + P.Bias, Int3);
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
    // Another program: it runs untraced and unrecorded.
    P.Detached = true;
    ++DetachedExecs;
    for (auto TI = Threads.begin(); TI != Threads.end();)
      TI = TI->second.Proc == &P && TI->first != Tid ? Threads.erase(TI)
                                                     : std::next(TI);
    detach(Tid);
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
  newProcess(Pid);
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
        if (P.Pid == Tid)
          P.Record.DurationNs = now();
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
  for (auto &P : Processes) {
    // A child that only ran another program contributes nothing.
    if (P->Record.Hits.empty() && P.get() != Processes.front().get())
      continue;
    R.Profiles.push_back(buildTraceProfile(Image, P->Record, Opts.Inference));
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

  Tracer T(*Image, Opts);
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
  return R;
}

} // namespace pagelayout

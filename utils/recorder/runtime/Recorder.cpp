//===- Recorder.cpp - The layout-profile recorder runtime -----------------===//
//
// Linked into an instrumented program, this records what the layout engine
// needs and writes it, raw, when the process exits (or on
// pagelayout_flush()). Two instrumentations feed it:
//
//  * first-call mode, -fsanitize-coverage=func,trace-pc-guard (add
//    bb,pc-table for block coverage): each guard is cleared after its first
//    hit, and on x86-64 the `call` that reached us is then patched into a
//    5-byte NOP (see patchOutCall), so the function never calls again. The
//    first hit stores (return address, time) in a preallocated array.
//  * flag mode, -fsanitize-coverage=func,inline-bool-flag,pc-table: the
//    compiler sets one byte per function (or block) inline, with no call.
//    A scanner thread notes newly set flags every millisecond (every 10 ms
//    once startup is over); markers and the final write scan synchronously,
//    so what ran before startup_end is exact and only the order inside one
//    scan interval is approximate (it follows the pc-table).
//  * full mode, -finstrument-functions: per-thread tables of call counts,
//    first/last call times and call-site -> callee counts. The call site
//    (the return address in the caller) names the caller offline, so no
//    shadow stack is kept and unwinding cannot unbalance one.
//
// A process stopped by a signal runs no atexit handler, so the runtime also
// writes the file when a signal that ends a process by default arrives
// (SIGINT, SIGTERM, SIGHUP, a crash, ...), then lets the signal take its
// course (see installSignalHandlers).
//
// Hot paths take no locks and allocate nothing: buffers are mmap'd once
// (at start-up, or when a thread first records) and bounded; when one
// fills, the file is marked truncated. Symbolisation happens offline in
// `pagelayout record`, from the module map written with the data.
//
// This file is compiled without instrumentation and with no exceptions or
// RTTI; it uses only libc and the raw format header.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/RawFormat.h"
#include <atomic>
#include <cstdint>
#include <cstring>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <type_traits>
#include <unistd.h>

#define NOINSTR __attribute__((no_instrument_function))
#define EXPORT extern "C" __attribute__((visibility("default"))) NOINSTR

using namespace pagelayout;

namespace {

// Capacities: bounded memory whatever the program does. Pages are only
// touched when used, so the reservations cost little.
constexpr uint64_t MaxFirstHits = 1u << 22; // 64 MiB reserved
constexpr uint32_t MaxMarkers = 256;
constexpr uint32_t MaxMarkerName = 63;
constexpr uint32_t MaxPcTables = 4096;
constexpr uint32_t FunctionSlots = 1u << 16; // per thread
constexpr uint32_t EdgeSlots = 1u << 18;     // per thread
constexpr uint32_t MaxProbe = 64;

struct FirstHit {
  uint64_t Pc, TimeNs;
};
struct MarkerRecord {
  uint64_t TimeNs;
  char Name[MaxMarkerName + 1];
};
struct PcTable {
  const uintptr_t *Begin, *End;
};
struct FlagTable {
  const uint8_t *Flags;
  uint64_t Count;
  const uintptr_t *Pcs; // set when the module's pc-table arrives
  uint8_t *Seen;
};
constexpr uint32_t MaxFlagTables = 4096;
// Scan periods: fine while the program starts, coarse afterwards.
constexpr uint64_t StartupScanNs = 1'000'000;
constexpr uint64_t SteadyScanNs = 10'000'000;

struct FunctionSlot {
  uint64_t Function, Calls, FirstNs, LastNs;
};
struct EdgeSlot {
  uint64_t Site, Callee, Calls;
};
struct ThreadState {
  uint32_t Tid;
  ThreadState *Next;
  FunctionSlot Functions[FunctionSlots];
  EdgeSlot Edges[EdgeSlots];
};

// All state lives in zero-initialised static storage: no constructor may run
// (instrumented modules call in before C++ dynamic initialisation would).
struct Recorder {
  std::atomic<bool> Initialized;
  uint64_t StartNs;
  uint32_t Flags;
  FirstHit *Hits;
  std::atomic<uint64_t> NumHits;
  MarkerRecord Markers[MaxMarkers];
  std::atomic<uint32_t> NumMarkers;
  PcTable PcTables[MaxPcTables];
  std::atomic<uint32_t> NumPcTables;
  std::atomic<ThreadState *> Threads;
  std::atomic<bool> Truncated;
  std::atomic<uint32_t> NextGuard;
  FlagTable FlagTables[MaxFlagTables];
  std::atomic<uint32_t> NumFlagTables;
  std::atomic<bool> ScannerRunning;
  std::atomic<bool> StartupOver;
};
static_assert(std::is_trivially_default_constructible_v<Recorder>,
              "the recorder state must need no constructor");

Recorder R;
__thread ThreadState *CurrentThread;
__thread bool InRecorder; // no recursion from libc calls we make
// A flag scan in progress (see scanFlags), and the thread writing the raw
// file now, 0 when none is (see claimWriter). A forked child starts with
// neither: the thread that held them is not in it.
std::atomic<bool> ScanBusy;
std::atomic<uint32_t> WriterTid;
static_assert(std::atomic<uint32_t>::is_always_lock_free,
              "claimed from signal handlers");

NOINSTR uint64_t monotonicNs() {
  timespec T;
  clock_gettime(CLOCK_MONOTONIC, &T);
  return uint64_t(T.tv_sec) * 1000000000ull + uint64_t(T.tv_nsec);
}

NOINSTR uint64_t nowNs() { return monotonicNs() - R.StartNs; }

NOINSTR void *reserve(size_t Bytes) {
  void *P = mmap(nullptr, Bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return P == MAP_FAILED ? nullptr : P;
}

NOINSTR void flushAtExit();
NOINSTR void installSignalHandlers();
NOINSTR void resetInChild();
NOINSTR void startScanner();
NOINSTR void scanFlags();

// Everything the hot paths need, set up once. Module constructors of
// instrumented code may run before ours, so every entry point calls this.
NOINSTR void ensureInitialized() {
  if (R.Initialized.load(std::memory_order_acquire))
    return;
  static std::atomic<bool> Claimed; // zero-initialised
  if (Claimed.exchange(true)) {
    while (!R.Initialized.load(std::memory_order_acquire)) {
    }
    return;
  }
  R.StartNs = monotonicNs();
  R.Hits = static_cast<FirstHit *>(reserve(sizeof(FirstHit) * MaxFirstHits));
  atexit(flushAtExit);
  installSignalHandlers();
  pthread_atfork(nullptr, nullptr, resetInChild);
  R.Initialized.store(true, std::memory_order_release);
}

__attribute__((constructor(101))) NOINSTR void initEarly() {
  ensureInitialized();
}

// A forked child writes its own file with fresh tables, but keeps the
// parent's time base: it continues the same program's timeline, so its
// first calls compare correctly with the parent's markers when the files
// are merged. Guards the parent already cleared stay cleared, so the
// child's first-call data holds only what the parent had not run yet.
NOINSTR void resetInChild() {
  R.NumHits.store(0);
  R.NumMarkers.store(0);
  R.Threads.store(nullptr);
  CurrentThread = nullptr;
  ScanBusy.store(false);
  WriterTid.store(0);
  // The scanner thread did not survive the fork; flags the parent saw stay
  // seen, as cleared guards stay cleared.
  if (R.NumFlagTables.load()) {
    R.ScannerRunning.store(false);
    startScanner();
  }
}

NOINSTR void recordFirstHit(uint64_t Pc) {
  uint64_t I = R.NumHits.fetch_add(1, std::memory_order_relaxed);
  if (R.Hits && I < MaxFirstHits)
    R.Hits[I] = {Pc, nowNs()};
  else
    R.Truncated.store(true, std::memory_order_relaxed);
}

/// Where retargeted calls go: returns at once.
extern "C" NOINSTR __attribute__((naked)) void returnStub() {
  __asm__ volatile("ret");
}

// After the first hit the call into the runtime is dead weight: rewrite it.
// Only a direct `call rel32` (E8) is rewritten, and only bytes inside one
// aligned 8-byte word change, replaced by a single atomic compare-and-swap,
// so a thread running the same code sees the old call (which returns at
// the cleared guard) or the new bytes, never a mix (the rule JITs use for
// patching live call sites):
//   - the call fits one word: a 5-byte NOP;
//   - only its first two bytes do: `jmp +3` over the rest of the call;
//   - else (it starts at a word's last byte) its 4-byte target, which fits
//     the next word, is pointed at a bare `ret`: still a call, but no PLT,
//     no guard load, no checks.
// PAGELAYOUT_NO_PATCH=1 keeps the calls (and the text pages unwritten).
NOINSTR void patchOutCall(uint64_t ReturnAddress) {
#if defined(__x86_64__)
  static int Disabled = -1;
  if (Disabled < 0)
    Disabled = getenv("PAGELAYOUT_NO_PATCH") != nullptr;
  uint64_t Call = ReturnAddress - 5;
  uint64_t Word = Call & ~uint64_t(7);
  unsigned Offset = unsigned(Call - Word);
  if (Disabled || *reinterpret_cast<volatile uint8_t *>(Call) != 0xE8)
    return;
  static const uint8_t Nop5[5] = {0x0F, 0x1F, 0x44, 0x00, 0x00};
  static const uint8_t Jmp3[2] = {0xEB, 0x03};
  uint8_t Rel32[4];
  const uint8_t *Patch = Nop5;
  size_t Length = 5;
  if (Offset >= 4 && Offset <= 6) {
    Patch = Jmp3, Length = 2;
  } else if (Offset == 7) {
    int64_t Delta = int64_t(uint64_t(&returnStub)) - int64_t(ReturnAddress);
    if (Delta < INT32_MIN || Delta > INT32_MAX)
      return;
    int32_t D = int32_t(Delta);
    memcpy(Rel32, &D, 4);
    if (memcmp(reinterpret_cast<const void *>(Call + 1), Rel32, 4) == 0)
      return; // already points at the stub
    Word += 8, Offset = 0, Patch = Rel32, Length = 4;
  }
  long Page = sysconf(_SC_PAGESIZE);
  uint64_t PageStart = Word & ~uint64_t(Page - 1);
  if (mprotect(reinterpret_cast<void *>(PageStart), size_t(Page),
               PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
    return;
  auto *Target = reinterpret_cast<uint64_t *>(Word);
  uint64_t Old = __atomic_load_n(Target, __ATOMIC_RELAXED);
  uint64_t New = Old;
  memcpy(reinterpret_cast<uint8_t *>(&New) + Offset, Patch, Length);
  __atomic_compare_exchange_n(Target, &Old, New, false, __ATOMIC_SEQ_CST,
                              __ATOMIC_RELAXED);
  mprotect(reinterpret_cast<void *>(PageStart), size_t(Page),
           PROT_READ | PROT_EXEC);
#else
  (void)ReturnAddress;
#endif
}

//===-- Flag mode: scanning inline-bool-flags ----------------------------===//

/// Records flags set since the last scan. Scans are serialised: the
/// scanner thread, markers and the final write may all call this.
NOINSTR void scanFlags() {
  std::atomic<bool> &Busy = ScanBusy;
  if (Busy.exchange(true, std::memory_order_acquire))
    return;
  uint64_t Now = nowNs();
  uint32_t Tables = R.NumFlagTables.load(std::memory_order_acquire);
  for (uint32_t T = 0; T < Tables && T < MaxFlagTables; ++T) {
    FlagTable &FT = R.FlagTables[T];
    if (!FT.Pcs || !FT.Seen)
      continue;
    for (uint64_t I = 0; I < FT.Count; ++I) {
      // Skip eight clear flags at a time: most are zero or already seen.
      if ((I & 7) == 0 && I + 8 <= FT.Count) {
        uint64_t Set, Seen;
        memcpy(&Set, FT.Flags + I, 8);
        memcpy(&Seen, FT.Seen + I, 8);
        if ((Set & ~Seen) == 0) {
          I += 7;
          continue;
        }
      }
      if (FT.Flags[I] && !FT.Seen[I]) {
        FT.Seen[I] = 1;
        uint64_t Slot = R.NumHits.fetch_add(1, std::memory_order_relaxed);
        if (R.Hits && Slot < MaxFirstHits)
          R.Hits[Slot] = {uint64_t(FT.Pcs[2 * I]) + 1, Now};
        else
          R.Truncated.store(true, std::memory_order_relaxed);
      }
    }
  }
  Busy.store(false, std::memory_order_release);
}

NOINSTR void *scannerMain(void *) {
  for (;;) {
    scanFlags();
    uint64_t Period = R.StartupOver.load(std::memory_order_relaxed)
                          ? SteadyScanNs
                          : StartupScanNs;
    timespec T{time_t(Period / 1000000000), long(Period % 1000000000)};
    nanosleep(&T, nullptr);
  }
  return nullptr;
}

NOINSTR void startScanner() {
  if (R.ScannerRunning.exchange(true))
    return;
  pthread_t Thread;
  pthread_attr_t Attr;
  pthread_attr_init(&Attr);
  pthread_attr_setdetachstate(&Attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&Attr, 64 * 1024);
  // The scanner takes no signals: the program's threads handle them, on
  // stacks the program chose.
  sigset_t All, Old;
  sigfillset(&All);
  pthread_sigmask(SIG_SETMASK, &All, &Old);
  if (pthread_create(&Thread, &Attr, scannerMain, nullptr) != 0)
    R.ScannerRunning.store(false);
  pthread_sigmask(SIG_SETMASK, &Old, nullptr);
  pthread_attr_destroy(&Attr);
}

NOINSTR uint64_t slotHash(uint64_t A, uint64_t B) {
  uint64_t H = (A ^ (B * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
  return H ^ (H >> 29);
}

NOINSTR ThreadState *threadState() {
  if (CurrentThread)
    return CurrentThread;
  auto *T = static_cast<ThreadState *>(reserve(sizeof(ThreadState)));
  if (!T)
    return nullptr;
  T->Tid = uint32_t(syscall(SYS_gettid));
  ThreadState *Head = R.Threads.load();
  do
    T->Next = Head;
  while (!R.Threads.compare_exchange_weak(Head, T));
  return CurrentThread = T;
}

NOINSTR void countCall(ThreadState *T, uint64_t Function, uint64_t Now) {
  uint64_t H = slotHash(Function, 0);
  for (uint32_t Probe = 0; Probe < MaxProbe; ++Probe) {
    FunctionSlot &S = T->Functions[(H + Probe) & (FunctionSlots - 1)];
    if (S.Function == Function || S.Function == 0) {
      if (S.Function == 0) {
        S.Function = Function;
        S.FirstNs = Now;
      }
      ++S.Calls;
      S.LastNs = Now;
      return;
    }
  }
  R.Truncated.store(true, std::memory_order_relaxed);
}

NOINSTR void countEdge(ThreadState *T, uint64_t Site, uint64_t Callee) {
  uint64_t H = slotHash(Site, Callee);
  for (uint32_t Probe = 0; Probe < MaxProbe; ++Probe) {
    EdgeSlot &S = T->Edges[(H + Probe) & (EdgeSlots - 1)];
    if ((S.Site == Site && S.Callee == Callee) || S.Site == 0) {
      S.Site = Site;
      S.Callee = Callee;
      ++S.Calls;
      return;
    }
  }
  R.Truncated.store(true, std::memory_order_relaxed);
}

//===-- Writing the raw file ----------------------------------------------===//

// The writer's buffers are static, not on the stack: the file may be
// written from a signal handler, on whatever (small) stack the interrupted
// thread has. Writes are serialised (see writeRawFile), so one set serves.
constexpr size_t WriteBufferSize = 1 << 16;
char WriteBuffer[WriteBufferSize];
char ExePath[4096];
char OutPath[4096], TempPath[4200];

/// Buffered writes to a file descriptor, through WriteBuffer.
class FileWriter {
public:
  explicit FileWriter(int Fd) : Fd(Fd) {}
  NOINSTR ~FileWriter() { flush(); }
  NOINSTR void bytes(const void *P, size_t N) {
    const char *C = static_cast<const char *>(P);
    while (N) {
      size_t Take = N < WriteBufferSize - Used ? N : WriteBufferSize - Used;
      memcpy(WriteBuffer + Used, C, Take);
      Used += Take, C += Take, N -= Take;
      if (Used == WriteBufferSize)
        flush();
    }
  }
  template <typename T> NOINSTR void put(T V) { bytes(&V, sizeof(V)); }
  NOINSTR void flush() {
    size_t Off = 0;
    while (Off < Used) {
      ssize_t W = write(Fd, WriteBuffer + Off, Used - Off);
      if (W < 0 && errno == EINTR)
        continue;
      if (W <= 0) {
        Failed = true;
        break;
      }
      Off += size_t(W);
    }
    Used = 0;
  }
  bool Failed = false;

private:
  int Fd;
  size_t Used = 0;
};

NOINSTR void chunkHeader(FileWriter &W, uint32_t Tag, uint32_t Count,
                         uint64_t Bytes) {
  W.put<uint32_t>(Tag);
  W.put<uint32_t>(Count);
  W.put<uint64_t>(Bytes);
}

struct ModuleVisit {
  FileWriter *W; // null: only count and size
  uint32_t Count;
  uint64_t Bytes;
};

NOINSTR const char *modulePath(const dl_phdr_info *Info, char *Buf,
                               size_t Size) {
  if (Info->dlpi_name && Info->dlpi_name[0])
    return Info->dlpi_name;
  // The main program has no name here.
  ssize_t N = readlink("/proc/self/exe", Buf, Size - 1);
  if (N <= 0)
    return "";
  Buf[N] = '\0';
  return Buf;
}

NOINSTR int visitModule(dl_phdr_info *Info, size_t, void *Data) {
  auto *V = static_cast<ModuleVisit *>(Data);
  const char *Path = modulePath(Info, ExePath, sizeof(ExePath));
  uint16_t Len = uint16_t(strnlen(Path, 4095));
  for (int I = 0; I < Info->dlpi_phnum; ++I) {
    const ElfW(Phdr) &P = Info->dlpi_phdr[I];
    if (P.p_type != PT_LOAD || !(P.p_flags & PF_X))
      continue;
    ++V->Count;
    V->Bytes += 8 * 3 + 2 + Len;
    if (!V->W)
      continue;
    V->W->put<uint64_t>(Info->dlpi_addr);
    V->W->put<uint64_t>(Info->dlpi_addr + P.p_vaddr);
    V->W->put<uint64_t>(Info->dlpi_addr + P.p_vaddr + P.p_memsz);
    V->W->put<uint16_t>(Len);
    V->W->bytes(Path, Len);
  }
  return 0;
}

NOINSTR void writeModules(FileWriter &W) {
  ModuleVisit Size{nullptr, 0, 0};
  dl_iterate_phdr(visitModule, &Size);
  chunkHeader(W, raw::TagModules, Size.Count, Size.Bytes);
  ModuleVisit Write{&W, 0, 0};
  dl_iterate_phdr(visitModule, &Write);
}

NOINSTR void writeMarkers(FileWriter &W) {
  uint32_t N = R.NumMarkers.load();
  N = N < MaxMarkers ? N : MaxMarkers;
  uint64_t Bytes = 0;
  for (uint32_t I = 0; I < N; ++I)
    Bytes += 8 + 2 + strlen(R.Markers[I].Name);
  chunkHeader(W, raw::TagMarkers, N, Bytes);
  for (uint32_t I = 0; I < N; ++I) {
    uint16_t Len = uint16_t(strlen(R.Markers[I].Name));
    W.put<uint64_t>(R.Markers[I].TimeNs);
    W.put<uint16_t>(Len);
    W.bytes(R.Markers[I].Name, Len);
  }
}

NOINSTR void writeHitsAndPcTables(FileWriter &W) {
  uint64_t N = R.NumHits.load();
  N = N < MaxFirstHits ? N : MaxFirstHits;
  chunkHeader(W, raw::TagFirstHits, uint32_t(N), N * 16);
  if (R.Hits)
    W.bytes(R.Hits, N * 16);
  uint32_t Tables = R.NumPcTables.load();
  Tables = Tables < MaxPcTables ? Tables : MaxPcTables;
  uint64_t Entries = 0;
  for (uint32_t I = 0; I < Tables; ++I)
    Entries += uint64_t(R.PcTables[I].End - R.PcTables[I].Begin) / 2;
  chunkHeader(W, raw::TagPcTable, uint32_t(Entries), Entries * 16);
  for (uint32_t I = 0; I < Tables; ++I)
    W.bytes(R.PcTables[I].Begin,
            size_t(R.PcTables[I].End - R.PcTables[I].Begin) * 8);
}

NOINSTR void writeCounts(FileWriter &W) {
  uint64_t Functions = 0, Edges = 0;
  for (ThreadState *T = R.Threads.load(); T; T = T->Next) {
    for (const FunctionSlot &S : T->Functions)
      Functions += S.Function != 0;
    for (const EdgeSlot &S : T->Edges)
      Edges += S.Site != 0;
  }
  chunkHeader(W, raw::TagFunctions, uint32_t(Functions), Functions * 40);
  for (ThreadState *T = R.Threads.load(); T; T = T->Next)
    for (const FunctionSlot &S : T->Functions)
      if (S.Function) {
        W.put<uint64_t>(S.Function), W.put<uint64_t>(S.Calls);
        W.put<uint64_t>(S.FirstNs), W.put<uint64_t>(S.LastNs);
        W.put<uint32_t>(T->Tid), W.put<uint32_t>(0);
      }
  chunkHeader(W, raw::TagEdges, uint32_t(Edges), Edges * 24);
  for (ThreadState *T = R.Threads.load(); T; T = T->Next)
    for (const EdgeSlot &S : T->Edges)
      if (S.Site) {
        W.put<uint64_t>(S.Site), W.put<uint64_t>(S.Callee);
        W.put<uint64_t>(S.Calls);
      }
}

/// PAGELAYOUT_OUT with every %p replaced by the pid.
NOINSTR void outputPath(char *Out, size_t Size) {
  const char *Pattern = getenv("PAGELAYOUT_OUT");
  if (!Pattern || !*Pattern)
    Pattern = "pagelayout.%p.raw";
  char Pid[24];
  int PidLen = 0;
  for (long V = long(getpid()); V; V /= 10)
    Pid[PidLen++] = char('0' + V % 10);
  size_t O = 0;
  for (const char *C = Pattern; *C && O + 24 < Size; ++C) {
    if (C[0] == '%' && C[1] == 'p') {
      for (int I = PidLen; I-- > 0;)
        Out[O++] = Pid[I];
      ++C;
    } else {
      Out[O++] = *C;
    }
  }
  Out[O] = '\0';
}

/// Claims the right to write the raw file: one write at a time (a flush,
/// the exit, a signal). Waits up to ~2 s for another thread's write to
/// finish; a signal that interrupted this thread's own write gives up.
NOINSTR bool claimWriter() {
  uint32_t Me = uint32_t(syscall(SYS_gettid));
  for (int Try = 0; Try < 2000; ++Try) {
    uint32_t Free = 0;
    if (WriterTid.compare_exchange_strong(Free, Me))
      return true;
    if (Free == Me)
      return false;
    timespec T{0, 1000000};
    nanosleep(&T, nullptr);
  }
  return false;
}

NOINSTR void releaseWriter() { WriterTid.store(0); }

NOINSTR void writeRawFile() {
  if (!R.Initialized.load())
    return;
  if (!claimWriter())
    return;
  bool WasInRecorder = InRecorder;
  InRecorder = true;
  int SavedErrno = errno;
  if (R.NumFlagTables.load())
    scanFlags(); // what ran since the last scan, stamped now
  char *Path = OutPath, *Temp = TempPath;
  outputPath(Path, sizeof(OutPath));
  // Write beside the destination, then rename: readers never see half a file.
  size_t Len = strlen(Path);
  memcpy(Temp, Path, Len);
  memcpy(Temp + Len, ".tmp", 5);
  int Fd = open(Temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (Fd >= 0) {
    bool Ok;
    {
      FileWriter W(Fd);
      uint32_t Flags = R.Flags | (R.Truncated.load() ? raw::FlagTruncated : 0);
      if (R.NumFlagTables.load())
        Flags |= raw::FlagFirstCall | raw::FlagScanned;
      if (R.Threads.load())
        Flags |= raw::FlagFull;
      W.bytes(raw::Magic, 8);
      W.put<uint32_t>(raw::Version);
      W.put<uint32_t>(uint32_t(getpid()));
      W.put<uint32_t>(uint32_t(getppid()));
      W.put<uint32_t>(Flags);
      W.put<uint64_t>(nowNs());
      writeModules(W);
      writeMarkers(W);
      writeHitsAndPcTables(W);
      writeCounts(W);
      W.flush();
      Ok = !W.Failed;
    }
    close(Fd);
    if (Ok)
      rename(Temp, Path);
    else
      unlink(Temp);
  }
  errno = SavedErrno;
  InRecorder = WasInRecorder;
  releaseWriter();
}

NOINSTR void flushAtExit() { writeRawFile(); }

//===-- Writing on a signal -----------------------------------------------===//
//
// Signals whose default action ends the process: the runtime writes the
// raw file, then the signal takes its course. Where the program (or a
// preloaded library) had a handler before the runtime started, that
// handler runs next, as if we were not there (its flags and mask are
// kept, so a program relying on EINTR still gets it); otherwise the
// default action is restored and the signal raised again, so the process
// dies of it and its parent sees the same status. Ignored signals stay
// ignored. A handler the program installs later replaces ours: the
// program then decides how it ends, and its exit writes the file; if it
// chains to the previous handler, that is ours, which writes the file and
// acts as the default would.

constexpr int FlushSignals[] = {SIGINT,  SIGTERM, SIGHUP,  SIGQUIT, SIGUSR1,
                                SIGUSR2, SIGPIPE, SIGALRM, SIGABRT, SIGSEGV,
                                SIGBUS,  SIGILL,  SIGFPE};
constexpr int NumFlushSignals = sizeof(FlushSignals) / sizeof(int);
struct sigaction PreviousActions[NumFlushSignals];

NOINSTR bool isHandler(const struct sigaction &A) {
  return A.sa_handler != SIG_DFL && A.sa_handler != SIG_IGN;
}

NOINSTR void onSignal(int Signal, siginfo_t *Info, void *Context) {
  int I = 0;
  while (I < NumFlushSignals && FlushSignals[I] != Signal)
    ++I;
  if (I == NumFlushSignals)
    return;
  int SavedErrno = errno;
  writeRawFile();
  const struct sigaction &Previous = PreviousActions[I];
  if (isHandler(Previous)) {
    errno = SavedErrno;
    if (Previous.sa_flags & SA_SIGINFO)
      Previous.sa_sigaction(Signal, Info, Context);
    else
      Previous.sa_handler(Signal);
    return;
  }
  struct sigaction Default;
  memset(&Default, 0, sizeof(Default));
  Default.sa_handler = SIG_DFL;
  sigaction(Signal, &Default, nullptr);
  sigset_t Only;
  sigemptyset(&Only);
  sigaddset(&Only, Signal);
  raise(Signal); // pending while this handler blocks it...
  sigprocmask(SIG_UNBLOCK, &Only, nullptr); // ...and delivered here
  errno = SavedErrno;
}

NOINSTR void installSignalHandlers() {
  for (int I = 0; I < NumFlushSignals; ++I) {
    struct sigaction &Previous = PreviousActions[I];
    if (sigaction(FlushSignals[I], nullptr, &Previous) != 0)
      continue;
    if (Previous.sa_handler == SIG_IGN)
      continue;
    bool Handled = isHandler(Previous);
    struct sigaction A;
    memset(&A, 0, sizeof(A));
    A.sa_sigaction = onSignal;
    // SA_ONSTACK: a crash from a stack overflow can still write, on the
    // program's alternate stack if it set one.
    A.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&A.sa_mask);
    if (Handled) {
      A.sa_flags |= Previous.sa_flags;
      A.sa_mask = Previous.sa_mask;
    }
    sigaction(FlushSignals[I], &A, nullptr);
  }
}

} // namespace

//===-- Entry points ------------------------------------------------------===//

EXPORT void __sanitizer_cov_trace_pc_guard_init(uint32_t *Start,
                                                uint32_t *Stop) {
  ensureInitialized();
  if (Start == Stop || *Start)
    return; // this module's guards are numbered already
  R.Flags |= raw::FlagFirstCall;
  for (uint32_t *G = Start; G < Stop; ++G)
    *G = R.NextGuard.fetch_add(1, std::memory_order_relaxed) + 1;
}

EXPORT void __sanitizer_cov_trace_pc_guard(uint32_t *Guard) {
  // This guard fired before: the call reaching us comes from a site not
  // patched yet (a second copy of the code, or a call that could not be
  // patched, which patchOutCall rejects before any system call).
  if (__builtin_expect(*Guard == 0, 1)) {
    patchOutCall(uint64_t(__builtin_return_address(0)));
    return;
  }
  if (__atomic_exchange_n(Guard, 0, __ATOMIC_RELAXED) == 0)
    return; // another thread won the first hit
  uint64_t Pc = uint64_t(__builtin_return_address(0));
  recordFirstHit(Pc);
  patchOutCall(Pc);
}

EXPORT void __sanitizer_cov_bool_flag_init(bool *Start, bool *Stop) {
  ensureInitialized();
  if (Start == Stop)
    return;
  uint32_t I = R.NumFlagTables.load();
  if (I >= MaxFlagTables) {
    R.Truncated.store(true);
    return;
  }
  R.FlagTables[I] = {reinterpret_cast<const uint8_t *>(Start),
                     uint64_t(Stop - Start), nullptr, nullptr};
  R.NumFlagTables.store(I + 1, std::memory_order_release);
}

EXPORT void __sanitizer_cov_pcs_init(const uintptr_t *Begin,
                                     const uintptr_t *End) {
  ensureInitialized();
  uint32_t I = R.NumPcTables.fetch_add(1);
  if (I >= MaxPcTables) {
    R.Truncated.store(true);
    return;
  }
  R.PcTables[I] = {Begin, End};
  // Flag mode: the module registered its flags just before its pc-table;
  // entry i of each belongs to the same function or block.
  uint32_t Flags = R.NumFlagTables.load();
  if (Flags && Flags <= MaxFlagTables) {
    FlagTable &FT = R.FlagTables[Flags - 1];
    if (!FT.Pcs && FT.Count == uint64_t(End - Begin) / 2) {
      FT.Seen = static_cast<uint8_t *>(reserve(FT.Count + 8));
      __atomic_store_n(&FT.Pcs, Begin, __ATOMIC_RELEASE);
      startScanner();
    }
  }
  // Entries are (pc, flags); a guard that is not a function entry means
  // the program was built with block coverage.
  for (const uintptr_t *P = Begin; P + 1 < End; P += 2)
    if (!(P[1] & 1)) {
      R.Flags |= raw::FlagBlocks;
      break;
    }
}

EXPORT void __cyg_profile_func_enter(void *Function, void *CallSite) {
  if (InRecorder)
    return;
  ensureInitialized();
  ThreadState *T = threadState();
  if (!T)
    return;
  countCall(T, uint64_t(Function), nowNs());
  if (CallSite)
    countEdge(T, uint64_t(CallSite), uint64_t(Function));
}

EXPORT void __cyg_profile_func_exit(void *, void *) {}

EXPORT void __pagelayout_mark(const char *Name) {
  ensureInitialized();
  uint32_t I = R.NumMarkers.fetch_add(1);
  if (I >= MaxMarkers) {
    R.Truncated.store(true);
    return;
  }
  MarkerRecord &M = R.Markers[I];
  M.TimeNs = nowNs();
  size_t Len = strnlen(Name, MaxMarkerName);
  memcpy(M.Name, Name, Len);
  M.Name[Len] = '\0';
  // Flag mode: everything that ran up to the marker is stamped before it.
  if (R.NumFlagTables.load()) {
    scanFlags();
    M.TimeNs = nowNs() + 1; // after every hit the scan stamped
    if (strcmp(M.Name, "startup_end") == 0)
      R.StartupOver.store(true, std::memory_order_relaxed);
  }
}

EXPORT void __pagelayout_flush(void) { writeRawFile(); }

//===- PerfSampler.cpp - Sample an uninstrumented program -----------------===//
//
// `pagelayout record --mode=perf` runs the program under a sampling
// perf_event (cycles, or the cpu-clock software event where the machine has
// no hardware counters), user space only, following every thread and forked
// child (inherit), enabled at exec. Each sample carries the IP and the call
// chain the kernel walked through frame pointers; executable mmap records
// give the modules, from which samples are symbolised like the recorder's
// raw files.
//
// Sampling sees where time goes: it finds steady and cold code and the call
// graph, but not short startup functions. The profile says so; merge it
// with an instrumented recording for startup.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/record/PerfSampler.h"
#include "pagelayout/record/ModuleFile.h"
#include "pagelayout/record/ProgramRunner.h"
#include "pagelayout/record/Symbolizer.h"
#include "pagelayout/schema/OrderedMap.h"
#include "llvm/Object/ELFObjectFile.h"
#include <cstring>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace llvm;

namespace pagelayout {
namespace {

// 1 + 2^6 pages (256 KiB): within the default perf_event_mlock_kb (516),
// drained every 50 ms, room for ~8000 samples between drains.
constexpr size_t RingPages = 64;

struct Sample {
  uint64_t Ip;
  std::vector<uint64_t> Chain; // return addresses, innermost caller first
  uint32_t Pid;
};

class Sampler {
public:
  Sampler(const PerfOptions &Opts) : Opts(Opts) {}
  ~Sampler() {
    for (Counter &C : Counters) {
      if (C.Ring)
        munmap(C.Ring, (RingPages + 1) * PageSize);
      if (C.Fd >= 0)
        close(C.Fd);
    }
  }
  Expected<ProgramStatus> run(ArrayRef<std::string> Command);
  std::vector<Sample> Samples;
  std::vector<RawModule> Modules;
  uint64_t PeriodNs = 0;
  bool Hardware = false;
  uint64_t Lost = 0;
  uint64_t FirstTime = 0, LastTime = 0;

private:
  struct Counter {
    int Fd = -1;
    uint8_t *Ring = nullptr;
  };
  Error open(pid_t Child);
  Error openOn(pid_t Child, int Cpu, perf_event_attr &A);
  void drain(Counter &C);
  void drainAll() {
    for (Counter &C : Counters)
      drain(C);
  }
  void handleRecord(const perf_event_header &H, const uint8_t *Body);
  void addModule(uint64_t Addr, uint64_t Len, uint64_t PgOff, StringRef Path);

  const PerfOptions &Opts;
  // One counter per CPU: the kernel cannot map the ring buffer of a
  // per-task counter that is inherited by threads and children.
  std::vector<Counter> Counters;
  size_t PageSize = size_t(sysconf(_SC_PAGESIZE));
};

Error Sampler::open(pid_t Child) {
  perf_event_attr A;
  memset(&A, 0, sizeof(A));
  A.size = sizeof(A);
  A.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                  PERF_SAMPLE_CALLCHAIN;
  A.disabled = 1;
  A.enable_on_exec = 1;
  A.inherit = 1;
  A.exclude_kernel = 1;
  A.exclude_hv = 1;
  A.exclude_callchain_kernel = 1;
  A.mmap = 1;
  A.mmap2 = 1;
  A.comm = 1;
  A.task = 1;
  A.sample_id_all = 1;
  A.freq = 1;
  A.sample_freq = Opts.FrequencyHz;
  A.wakeup_events = 64;
  // Hardware cycles first; VMs and containers often have none.
  A.type = PERF_TYPE_HARDWARE;
  A.config = PERF_COUNT_HW_CPU_CYCLES;
  int Probe =
      int(syscall(SYS_perf_event_open, &A, Child, 0, -1, PERF_FLAG_FD_CLOEXEC));
  Hardware = Probe >= 0;
  if (Probe >= 0)
    close(Probe);
  else
    A.type = PERF_TYPE_SOFTWARE, A.config = PERF_COUNT_SW_CPU_CLOCK;
  long Cpus = sysconf(_SC_NPROCESSORS_ONLN);
  for (int Cpu = 0; Cpu < Cpus; ++Cpu)
    if (Error E = openOn(Child, Cpu, A))
      return E;
  // cpu-clock periods are nanoseconds of CPU time.
  PeriodNs = Hardware ? 0 : 1000000000ull / Opts.FrequencyHz;
  return Error::success();
}

Error Sampler::openOn(pid_t Child, int Cpu, perf_event_attr &A) {
  Counter C;
  C.Fd = int(
      syscall(SYS_perf_event_open, &A, Child, Cpu, -1, PERF_FLAG_FD_CLOEXEC));
  if (C.Fd < 0)
    return createStringError(
        std::error_code(errno, std::generic_category()),
        "perf_event_open failed (%s); check /proc/sys/kernel/"
        "perf_event_paranoid (needs <= 2 for user-space sampling of your "
        "own processes) or record with an instrumented build",
        strerror(errno));
  void *M = mmap(nullptr, (RingPages + 1) * PageSize, PROT_READ | PROT_WRITE,
                 MAP_SHARED, C.Fd, 0);
  if (M == MAP_FAILED) {
    int Err = errno;
    close(C.Fd);
    return createStringError(std::error_code(Err, std::generic_category()),
                             "cannot map the perf ring buffer: %s (raise "
                             "/proc/sys/kernel/perf_event_mlock_kb)",
                             strerror(Err));
  }
  C.Ring = static_cast<uint8_t *>(M);
  Counters.push_back(C);
  return Error::success();
}

// The module's load bias: the mapping of file offset PgOff at Addr belongs
// to the PT_LOAD segment holding that offset.
void Sampler::addModule(uint64_t Addr, uint64_t Len, uint64_t PgOff,
                        StringRef Path) {
  if (Path.empty() || Path.starts_with("[") || Path.starts_with("//anon"))
    return;
  uint64_t Base = Addr - PgOff;
  // Executable mappings of what is not a module (a JIT's /dev/zero or
  // memfd) have no symbols: skip them. A module that is gone keeps the
  // file-offset base.
  Expected<object::OwningBinary<object::ObjectFile>> Obj = openModuleFile(Path);
  if (!Obj) {
    bool NotAModule = false;
    handleAllErrors(Obj.takeError(), [&](const ErrorInfoBase &E) {
      NotAModule = E.convertToErrorCode().category() != std::generic_category();
    });
    if (NotAModule)
      return;
  } else {
    if (auto *E = dyn_cast<object::ELF64LEObjectFile>(Obj->getBinary())) {
      Expected<ArrayRef<object::ELF64LE::Phdr>> Phdrs =
          E->getELFFile().program_headers();
      if (Phdrs) {
        for (const object::ELF64LE::Phdr &P : *Phdrs)
          if (P.p_type == ELF::PT_LOAD && PgOff >= P.p_offset &&
              PgOff < P.p_offset + P.p_filesz)
            Base = Addr - (P.p_vaddr + (PgOff - P.p_offset));
      } else {
        consumeError(Phdrs.takeError());
      }
    }
  }
  Modules.push_back({Base, Addr, Addr + Len, Path.str()});
}

void Sampler::handleRecord(const perf_event_header &H, const uint8_t *Body) {
  auto U64 = [&](size_t Off) {
    uint64_t V;
    memcpy(&V, Body + Off, 8);
    return V;
  };
  auto U32 = [&](size_t Off) {
    uint32_t V;
    memcpy(&V, Body + Off, 4);
    return V;
  };
  size_t Size = H.size - sizeof(H);
  switch (H.type) {
  case PERF_RECORD_SAMPLE: {
    // ip, pid/tid, time, nr, ips[nr]
    if (Size < 32)
      return;
    Sample S;
    S.Ip = U64(0);
    S.Pid = U32(8);
    uint64_t Time = U64(16);
    uint64_t Nr = U64(24);
    if (32 + Nr * 8 > Size)
      return;
    FirstTime = FirstTime ? std::min(FirstTime, Time) : Time;
    LastTime = std::max(LastTime, Time);
    bool SkippedIp = false;
    for (uint64_t I = 0; I < Nr; ++I) {
      uint64_t Ip = U64(32 + I * 8);
      if (Ip >= uint64_t(PERF_CONTEXT_MAX))
        continue; // a context marker (user, kernel)
      if (!SkippedIp) {
        SkippedIp = true; // the chain repeats the sampled IP first
        continue;
      }
      S.Chain.push_back(Ip);
    }
    Samples.push_back(std::move(S));
    return;
  }
  case PERF_RECORD_MMAP2: {
    // pid, tid, addr, len, pgoff, maj, min, ino, ino_gen, prot, flags, name
    if (Size < 64)
      return;
    if (!(U32(56) & PROT_EXEC))
      return;
    const char *Name = reinterpret_cast<const char *>(Body + 64);
    addModule(U64(8), U64(16), U64(24),
              StringRef(Name, strnlen(Name, Size - 64)));
    return;
  }
  case PERF_RECORD_MMAP: {
    if (Size < 32 || !(H.misc & PERF_RECORD_MISC_USER))
      return;
    const char *Name = reinterpret_cast<const char *>(Body + 32);
    addModule(U64(8), U64(16), U64(24),
              StringRef(Name, strnlen(Name, Size - 32)));
    return;
  }
  case PERF_RECORD_LOST:
    if (Size >= 16)
      Lost += U64(8);
    return;
  default:
    return;
  }
}

void Sampler::drain(Counter &C) {
  auto *Meta = reinterpret_cast<perf_event_mmap_page *>(C.Ring);
  uint8_t *Data = C.Ring + PageSize;
  uint64_t DataSize = RingPages * PageSize;
  uint64_t Head = __atomic_load_n(&Meta->data_head, __ATOMIC_ACQUIRE);
  uint64_t Tail = Meta->data_tail;
  std::vector<uint8_t> Record;
  while (Tail < Head) {
    perf_event_header H;
    for (size_t I = 0; I < sizeof(H); ++I)
      reinterpret_cast<uint8_t *>(&H)[I] = Data[(Tail + I) % DataSize];
    if (H.size < sizeof(H))
      break;
    Record.resize(H.size);
    for (size_t I = 0; I < H.size; ++I)
      Record[I] = Data[(Tail + I) % DataSize];
    handleRecord(H, Record.data() + sizeof(H));
    Tail += H.size;
  }
  __atomic_store_n(&Meta->data_tail, Tail, __ATOMIC_RELEASE);
}

Expected<ProgramStatus> Sampler::run(ArrayRef<std::string> Command) {
  // The counters attach before the program execs and start with it
  // (enable_on_exec); the ring buffers are drained while it runs.
  RunOptions Run;
  Run.BeforeExec = [&](pid_t Child) { return open(Child); };
  Run.Poll = [&] { drainAll(); };
  Expected<ProgramStatus> Status = runProgram(Command, Run);
  if (Status)
    drainAll();
  return Status;
}

} // namespace

Expected<PerfRecording> recordWithPerf(ArrayRef<std::string> Command,
                                       const PerfOptions &Opts,
                                       const WarningHandler &Warn) {
  Sampler S(Opts);
  Expected<ProgramStatus> Status = S.run(Command);
  if (!Status)
    return Status.takeError();
  PerfRecording Out;
  Out.Status = *Status;
  Out.SampleCount = S.Samples.size();
  Out.HardwareCycles = S.Hardware;
  if (S.Lost && Warn)
    Warn("warning: the perf ring buffer overflowed; " + Twine(S.Lost) +
         " samples lost");

  RawProcess Modules;
  Modules.Modules = S.Modules;
  Symbolizer Symbols(Warn);
  OrderedMap<std::string, FunctionProfile> Functions;
  EdgeCountMap Edges;
  auto Name = [&](uint64_t Address) -> std::optional<std::string> {
    std::optional<SymbolizedFunction> F = Symbols.lookup(Modules, Address);
    if (!F)
      return std::nullopt;
    return F->Name;
  };
  for (const Sample &Sm : S.Samples) {
    std::optional<std::string> Leaf = Name(Sm.Ip);
    std::optional<std::string> Callee = Leaf;
    if (Leaf) {
      FunctionProfile &F = Functions[*Leaf];
      F.Name = *Leaf;
      F.Samples = F.Samples.value_or(0) + 1;
      if (S.PeriodNs)
        F.SelfNs = F.SelfNs.value_or(0) + S.PeriodNs;
    }
    for (uint64_t Ret : Sm.Chain) {
      std::optional<std::string> Caller = Name(Ret - 1);
      if (Caller)
        Functions[*Caller].Name = *Caller;
      if (Caller && Callee && *Caller != *Callee)
        ++Edges[{*Caller, *Callee}];
      Callee = Caller;
    }
  }
  for (auto &[N, F] : Functions)
    Out.Result.Functions.push_back(std::move(F));
  for (auto &[Key, Count] : Edges)
    Out.Result.Edges.push_back(
        {Out.Result.intern(Key.first), Out.Result.intern(Key.second), Count});
  if (!S.Modules.empty()) {
    Out.Result.Metadata.BinaryPath = S.Modules.front().Path;
    Out.Result.Metadata.BuildId = Symbols.buildId(S.Modules.front().Path);
  }
  Out.Result.Metadata.DurationNs = S.LastTime - S.FirstTime;
  Out.Result.Metadata.Tool = S.Hardware
                                 ? "pagelayout record --mode=perf (cycles)"
                                 : "pagelayout record --mode=perf (cpu-clock)";
  return Out;
}

} // namespace pagelayout

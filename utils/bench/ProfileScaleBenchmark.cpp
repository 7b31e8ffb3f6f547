//===- ProfileScaleBenchmark.cpp - Read and plan a million functions ------===//
//
// Issue 16's benchmark: a profile of 1,000,000 functions and 5,000,000 call
// edges, read from a file and planned, in time and in peak memory. Peak
// memory is a process's, so each measurement runs in a child process of
// its own (this binary again, with --child): the parent writes the
// profile files once, then times the child and takes its peak resident
// set from wait4. The child builds the program's atoms (what a link has
// before it reads a profile; reported apart as atoms_mb), reads the
// profile (readProfileFile: the form is detected) and runs resolvePhases
// + computeLayout, and prints its read and plan times.
//
// The program is shaped as PlanBenchmark.cpp's, but every function is in
// the profile (2% startup, 1% first frame, 10% steady, the rest called a
// few times late in the run: cold), in one variant startup functions carry
// executed ranges (a trace profile: the engine packs by executed bytes),
// and names are Itanium-mangled-like, 40-50 bytes, as in a large C++
// program (short names would fit std::string's inline buffer and flatter
// the model).
//
// BM_Merge merges 10, 100 and 1,000 run profiles of a 50,000-function
// program as 'profile merge' does (streamed: one input in memory at a
// time) and, for 1,000, as it did before (every input read first).
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/LayoutEngine.h"
#include "pagelayout/schema/CompactProfile.h"
#include "pagelayout/schema/ProfileMerge.h"
#include "pagelayout/schema/ProfileReader.h"
#include "pagelayout/schema/ProfileWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <benchmark/benchmark.h>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <random>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unordered_set>

extern char **environ;

using namespace llvm;
using namespace pagelayout;

namespace {

std::string functionName(unsigned I) {
  std::string Ns = "subsystem_" + std::to_string(I % 1009);
  std::string Fn = "function_" + std::to_string(I) + "_impl";
  return "_ZN" + std::to_string(Ns.size()) + Ns + std::to_string(Fn.size()) +
         Fn + "Ev";
}

uint64_t atomSize(unsigned I) {
  // Log-uniform over 16 B .. 16 KB, a fixed function of the index.
  std::mt19937_64 Rng(I * 0x9e3779b97f4a7c15ull + 1);
  return uint64_t(16.0 * std::pow(1024.0, double(Rng() >> 11) / 0x1p53));
}

std::vector<Atom> makeAtoms(unsigned NumFunctions) {
  std::vector<Atom> Atoms(NumFunctions);
  uint64_t Offset = 0;
  for (unsigned I = 0; I < NumFunctions; ++I) {
    Atom &A = Atoms[I];
    A.Size = atomSize(I);
    A.Symbols.push_back({functionName(I), 0, A.Size});
    A.Alignment = 16;
    Offset = (Offset + 15) & ~uint64_t(15);
    A.OriginalOffset = Offset;
    Offset += A.Size;
  }
  return Atoms;
}

Profile makeProfile(unsigned NumFunctions, unsigned NumEdges, bool WithRanges,
                    uint64_t Seed) {
  Profile P;
  std::mt19937_64 Rng(Seed); // fixed: every run measures the same profile
  std::uniform_real_distribution<double> Unit(0.0, 1.0);
  P.Markers = {{"startup_end", 100'000'000}, {"first_frame", 300'000'000}};
  P.Metadata.DurationNs = 10'000'000'000;
  P.Metadata.Tool = "pagelayout-profile-bench";
  std::vector<unsigned> Ids(NumFunctions);
  for (unsigned I = 0; I < NumFunctions; ++I)
    Ids[I] = I;
  std::shuffle(Ids.begin(), Ids.end(), Rng);
  unsigned Startup = NumFunctions / 50, Frame = NumFunctions / 100,
           Steady = NumFunctions / 10;
  P.Functions.reserve(NumFunctions);
  for (unsigned K = 0; K < NumFunctions; ++K) {
    FunctionProfile F;
    F.Name = functionName(Ids[K]);
    bool IsStartup = K < Startup, IsFrame = !IsStartup && K < Startup + Frame,
         IsSteady = !IsStartup && !IsFrame && K < Startup + Frame + Steady;
    uint64_t Base = IsStartup ? 0 : IsFrame ? 100'000'000 : 300'000'000;
    uint64_t Window =
        IsStartup ? 100'000'000 : IsFrame ? 200'000'000 : 9'000'000'000;
    F.FirstCallNs = Base + uint64_t(Unit(Rng) * double(Window));
    F.Calls = IsStartup || IsFrame ? 1 + K % 7
              : IsSteady           ? 1000 + uint64_t(Unit(Rng) * 1e6)
                                   : 1 + K % 3;
    F.LastCallNs = *F.FirstCallNs + F.Calls * 1000;
    if (IsStartup && WithRanges) {
      uint64_t Size = atomSize(Ids[K]), Head = 1 + Size / 3;
      F.StartupRanges.push_back({0, Head});
      if (Size > Head + 8)
        F.StartupRanges.push_back({Head + 4, Size});
    }
    P.Functions.push_back(std::move(F));
  }
  // Zipf-like callees: a few receive most edges; each pair once.
  P.Edges.reserve(NumEdges);
  std::unordered_set<uint64_t> Seen;
  Seen.reserve(NumEdges);
  while (P.Edges.size() < NumEdges) {
    unsigned Caller = unsigned(Unit(Rng) * NumFunctions);
    unsigned Callee = unsigned(std::pow(Unit(Rng), 3.0) * NumFunctions);
    if (!Seen.insert(uint64_t(Caller) << 32 | Callee).second)
      continue;
    P.Edges.push_back({P.intern(P.Functions[Caller].Name),
                       P.intern(P.Functions[Callee].Name),
                       1 + uint64_t(Unit(Rng) * 1000)});
  }
  return P;
}

/// The directory the profiles are written to (PAGELAYOUT_BENCH_DIR or a
/// fresh one under the system temporary directory), removed at exit.
std::string benchDir() {
  static std::string Dir = [] {
    if (const char *D = getenv("PAGELAYOUT_BENCH_DIR"))
      return std::string(D);
    SmallString<128> P;
    if (sys::fs::createUniqueDirectory("pagelayout-profile-bench", P))
      abort();
    std::string S(P);
    // The children find the files here.
    setenv("PAGELAYOUT_BENCH_DIR", S.c_str(), 1);
    atexit([] { sys::fs::remove_directories(benchDir()); });
    return S;
  }();
  return Dir;
}

/// The profile of \p Functions / \p Edges in \p Form, written once.
std::string profileFile(unsigned Functions, unsigned Edges, bool WithRanges,
                        StringRef Form) {
  std::string Path = benchDir() + "/p-" + std::to_string(Functions) + "-" +
                     std::to_string(Edges) + (WithRanges ? "-ranges." : ".") +
                     Form.str();
  if (sys::fs::exists(Path))
    return Path;
  Profile P = makeProfile(Functions, Edges, WithRanges, 42);
  std::error_code EC;
  raw_fd_ostream OS(Path, EC);
  if (EC)
    abort();
  if (Form == "yaml")
    writeProfileYAML(P, OS);
  else if (Error E = writeCompactProfile(P, OS))
    abort();
  return Path;
}

struct ChildResult {
  std::map<std::string, double> Values; ///< what the child printed
};

/// Runs this binary with \p Args and collects its "key=value" lines.
ChildResult runChild(const std::vector<std::string> &Args) {
  std::string Out = benchDir() + "/child.out";
  std::vector<std::string> Argv = {"/proc/self/exe"};
  Argv.insert(Argv.end(), Args.begin(), Args.end());
  std::vector<char *> CArgv;
  for (std::string &A : Argv)
    CArgv.push_back(A.data());
  CArgv.push_back(nullptr);
  posix_spawn_file_actions_t Actions;
  posix_spawn_file_actions_init(&Actions);
  posix_spawn_file_actions_addopen(&Actions, 1, Out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t Pid;
  if (posix_spawn(&Pid, "/proc/self/exe", &Actions, nullptr, CArgv.data(),
                  environ))
    abort();
  posix_spawn_file_actions_destroy(&Actions);
  int Status;
  struct rusage Usage;
  if (wait4(Pid, &Status, 0, &Usage) != Pid || !WIFEXITED(Status) ||
      WEXITSTATUS(Status))
    abort();
  ChildResult R;
  auto Text = MemoryBuffer::getFile(Out);
  if (!Text)
    abort();
  SmallVector<StringRef> Lines;
  (*Text)->getBuffer().split(Lines, '\n', -1, false);
  for (StringRef L : Lines) {
    auto [K, V] = L.split('=');
    double D;
    if (!V.getAsDouble(D))
      R.Values[K.str()] = D;
  }
  return R;
}

/// This process's peak resident set so far (VmHWM: of its own address
/// space since exec; getrusage's ru_maxrss would include the parent's,
/// inherited through posix_spawn).
double peakMBSoFar() {
  auto Status = MemoryBuffer::getFileAsStream("/proc/self/status");
  if (!Status)
    abort();
  StringRef Text = (*Status)->getBuffer();
  size_t At = Text.find("VmHWM:");
  uint64_t KB = 0;
  if (At == StringRef::npos ||
      Text.substr(At + 6).ltrim().consumeInteger(10, KB))
    abort();
  return double(KB) / 1024.0;
}

double msSince(std::chrono::steady_clock::time_point T) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - T)
      .count();
}

/// The child: atoms, then read and plan, timed.
int readAndPlan(const char *Path, unsigned Functions) {
  std::vector<Atom> Atoms = makeAtoms(Functions);
  double AtomsMB = peakMBSoFar();
  auto T0 = std::chrono::steady_clock::now();
  Expected<Profile> P = readProfileFile(Path);
  if (!P) {
    errs() << toString(P.takeError()) << "\n";
    return 1;
  }
  double ReadMs = msSince(T0);
  double ReadMB = peakMBSoFar();
  auto T1 = std::chrono::steady_clock::now();
  ResolvedProfile RP = resolvePhases(*P);
  double ResolveMs = msSince(T1);
  // computeLayout's two steps, timed apart; the order is freed inside
  // the timing, as computeLayout frees it.
  double OrderMs, PackMs;
  LayoutPlan Plan;
  {
    auto T2 = std::chrono::steady_clock::now();
    LayoutOrder Order = orderLayout(Atoms, RP, LayoutConfig());
    OrderMs = msSince(T2);
    auto T3 = std::chrono::steady_clock::now();
    Plan = packLayout(Atoms, RP, Order, LayoutConfig());
    PackMs = msSince(T3);
  }
  double PlanMs = msSince(T1);
  outs() << "peak_mb=" << peakMBSoFar() << "\natoms_mb=" << AtomsMB
         << "\nread_peak_mb=" << ReadMB
         << "\nread_ms=" << ReadMs << "\nplan_ms=" << PlanMs
         << "\nresolve_ms=" << ResolveMs << "\norder_ms=" << OrderMs
         << "\npack_ms=" << PackMs
         << "\nstartup_pages=" << Plan.Startup.PagesTouched << "\n";
  return 0;
}

/// Reading alone, by hand: `pagelayout-profile-bench --child=read FILE`
/// prints the read time and the peak resident set of the reading.
int readOnly(const char *Path) {
  auto T0 = std::chrono::steady_clock::now();
  Expected<Profile> P = readProfileFile(Path);
  if (!P) {
    errs() << toString(P.takeError()) << "\n";
    return 1;
  }
  outs() << "read_ms=" << msSince(T0) << "\npeak_mb=" << peakMBSoFar()
         << "\nfunctions=" << P->Functions.size()
         << "\nedges=" << P->Edges.size() << "\n";
  return 0;
}

void BM_ReadAndPlan(benchmark::State &State, const char *Form) {
  unsigned Functions = unsigned(State.range(0)),
           Edges = unsigned(State.range(1));
  std::string Path = profileFile(Functions, Edges, State.range(2), Form);
  uint64_t FileSize = 0;
  sys::fs::file_size(Path, FileSize);
  for (auto _ : State) {
    ChildResult R = runChild({"--child=read-plan", Path,
                              std::to_string(Functions)});
    State.SetIterationTime((R.Values["read_ms"] + R.Values["plan_ms"]) / 1e3);
    State.counters["read_ms"] = R.Values["read_ms"];
    State.counters["plan_ms"] = R.Values["plan_ms"];
    State.counters["resolve_ms"] = R.Values["resolve_ms"];
    State.counters["order_ms"] = R.Values["order_ms"];
    State.counters["pack_ms"] = R.Values["pack_ms"];
    State.counters["peak_mb"] = R.Values["peak_mb"];
    State.counters["atoms_mb"] = R.Values["atoms_mb"];
    State.counters["read_peak_mb"] = R.Values["read_peak_mb"];
    State.counters["file_mb"] = double(FileSize) / (1 << 20);
    State.counters["startup_pages"] = R.Values["startup_pages"];
  }
}

// A fleet's run profiles: each run of a 50,000-function program calls
// 2,000 of them (half from a common core of 4,000, half anywhere), with
// the program's call edges among them and its own first-call times.
constexpr unsigned ProgramFunctions = 50'000, RunFunctions = 2'000,
                   RunEdges = 10'000;

Profile makeRunProfile(unsigned Run) {
  Profile P;
  std::mt19937_64 Rng(1000 + Run);
  std::uniform_real_distribution<double> Unit(0.0, 1.0);
  P.Markers = {{"startup_end", 90'000'000 + Run % 20 * 1'000'000}};
  P.Metadata.DurationNs = 5'000'000'000;
  std::unordered_set<unsigned> Chosen;
  std::vector<unsigned> Ids;
  while (Ids.size() < RunFunctions) {
    unsigned Id = Ids.size() % 2 ? unsigned(Unit(Rng) * 4'000)
                                 : unsigned(Unit(Rng) * ProgramFunctions);
    if (Chosen.insert(Id).second)
      Ids.push_back(Id);
  }
  for (unsigned Id : Ids) {
    FunctionProfile F;
    F.Name = functionName(Id);
    F.FirstCallNs = uint64_t(Unit(Rng) * 4e9);
    F.Calls = 1 + uint64_t(Unit(Rng) * 1e4);
    F.LastCallNs = *F.FirstCallNs + F.Calls;
    P.Functions.push_back(std::move(F));
  }
  // The program's call graph is fixed: function Id calls the functions
  // callee(Id, 0..7); a run has the edges of it between functions it ran,
  // so runs share most of their edges, as runs of one program do.
  auto Callee = [](unsigned Id, unsigned K) {
    uint64_t H = (uint64_t(Id) * 8 + K) * 0x9e3779b97f4a7c15ull;
    return unsigned((H >> 33) % (K < 4 ? 4'000 : ProgramFunctions));
  };
  for (unsigned A = 0; A < RunFunctions && P.Edges.size() < RunEdges; ++A)
    for (unsigned K = 0; K < 8; ++K) {
      unsigned B = Callee(Ids[A], K);
      if (Chosen.count(B) && B != Ids[A])
        P.Edges.push_back({P.intern(P.Functions[A].Name),
                           P.intern(functionName(B)),
                           1 + uint64_t(Unit(Rng) * 100)});
    }
  llvm::sort(P.Edges, [](const CallEdge &X, const CallEdge &Y) {
    return std::tie(X.Caller, X.Callee) < std::tie(Y.Caller, Y.Callee);
  });
  P.Edges.erase(std::unique(P.Edges.begin(), P.Edges.end(),
                            [](const CallEdge &X, const CallEdge &Y) {
                              return X.Caller == Y.Caller &&
                                     X.Callee == Y.Callee;
                            }),
                P.Edges.end());
  return P;
}

/// The first \p Runs run profiles, compact, written once.
std::vector<std::string> runProfiles(unsigned Runs) {
  std::vector<std::string> Paths;
  for (unsigned R = 0; R < Runs; ++R) {
    std::string Path = benchDir() + "/run-" + std::to_string(R) + ".prof";
    if (!sys::fs::exists(Path)) {
      std::error_code EC;
      raw_fd_ostream OS(Path, EC);
      if (EC || writeCompactProfile(makeRunProfile(R), OS))
        abort();
    }
    Paths.push_back(Path);
  }
  return Paths;
}

/// The child: merge \p Runs run profiles (streamed, as 'profile merge'
/// does, or all read first, as it did before) and write the result.
int mergeRuns(bool Streamed, unsigned Runs) {
  std::vector<std::string> Paths;
  for (unsigned R = 0; R < Runs; ++R)
    Paths.push_back(benchDir() + "/run-" + std::to_string(R) + ".prof");
  auto T0 = std::chrono::steady_clock::now();
  Profile Merged;
  if (Streamed) {
    ProfileMerger M;
    for (const std::string &Path : Paths) {
      Expected<Profile> P = readProfileFile(Path);
      if (!P)
        return 1;
      M.add({Path, &*P});
    }
    M.finish(Merged);
  } else {
    std::vector<Profile> All;
    std::vector<NamedProfile> Named;
    for (const std::string &Path : Paths) {
      Expected<Profile> P = readProfileFile(Path);
      if (!P)
        return 1;
      All.push_back(std::move(*P));
    }
    for (size_t I = 0; I < All.size(); ++I)
      Named.push_back({Paths[I], &All[I]});
    mergeProfiles(Named, Merged);
  }
  std::error_code EC;
  raw_fd_ostream OS(benchDir() + "/merged.prof", EC);
  if (EC || writeCompactProfile(Merged, OS))
    return 1;
  outs() << "peak_mb=" << peakMBSoFar() << "\nmerge_ms=" << msSince(T0)
         << "\nfunctions=" << Merged.Functions.size()
         << "\nedges=" << Merged.Edges.size() << "\n";
  return 0;
}

void BM_Merge(benchmark::State &State, bool Streamed) {
  unsigned Runs = unsigned(State.range(0));
  std::vector<std::string> Paths = runProfiles(Runs);
  uint64_t Bytes = 0;
  for (const std::string &P : Paths) {
    uint64_t Size = 0;
    sys::fs::file_size(P, Size);
    Bytes += Size;
  }
  for (auto _ : State) {
    ChildResult R = runChild({Streamed ? "--child=merge-stream"
                                       : "--child=merge-all",
                              std::to_string(Runs)});
    State.SetIterationTime(R.Values["merge_ms"] / 1e3);
    State.counters["merge_ms"] = R.Values["merge_ms"];
    State.counters["peak_mb"] = R.Values["peak_mb"];
    State.counters["inputs_mb"] = double(Bytes) / (1 << 20);
    State.counters["functions"] = R.Values["functions"];
    State.counters["edges"] = R.Values["edges"];
  }
}

} // namespace

BENCHMARK_CAPTURE(BM_Merge, streamed, true)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(BM_Merge, all_in_memory, false)
    ->Arg(1000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
// Third argument: startup functions carry executed ranges (a trace
// profile), which plans by executed bytes.
BENCHMARK_CAPTURE(BM_ReadAndPlan, compact, "compact")
    ->Args({200'000, 1'000'000, 0})
    ->Args({1'000'000, 5'000'000, 0})
    ->Args({1'000'000, 5'000'000, 1})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);
BENCHMARK_CAPTURE(BM_ReadAndPlan, yaml, "yaml")
    ->Args({200'000, 1'000'000, 0})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

int main(int Argc, char **Argv) {
  if (Argc == 4 && StringRef(Argv[1]) == "--child=read-plan")
    return readAndPlan(Argv[2], unsigned(std::stoul(Argv[3])));
  if (Argc == 3 && StringRef(Argv[1]) == "--child=read")
    return readOnly(Argv[2]);
  if (Argc == 3 && StringRef(Argv[1]).starts_with("--child=merge-"))
    return mergeRuns(StringRef(Argv[1]) == "--child=merge-stream",
                     unsigned(std::stoul(Argv[2])));
  benchmark::Initialize(&Argc, Argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

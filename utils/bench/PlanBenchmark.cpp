//===- PlanBenchmark.cpp - How fast is a plan for a huge program? ---------===//
//
// Builds a synthetic program the size of a large browser or game binary
// (1,000,000 functions) with a recorded profile of 5,000,000 call edges and
// times resolvePhases + computeLayout: the work ld.pagelayout and
// 'pagelayout reorder' do per link/rewrite. Profile parsing is not timed.
//
// The shape follows real profiles: a few percent of functions run during
// startup and first frame, about a tenth are steady, the rest never run;
// call edges concentrate on hot callees (Zipf-like). Sizes are drawn from a
// log-uniform range of 16 B .. 16 KB.
//
//===----------------------------------------------------------------------===//

#include "pagelayout/reorder/LayoutEngine.h"
#include <benchmark/benchmark.h>
#include <cmath>
#include <map>
#include <random>

using namespace pagelayout;

namespace {

struct Synthetic {
  std::vector<Atom> Atoms;
  Profile P;
};

Synthetic makeProgram(unsigned NumAtoms, unsigned NumEdges) {
  Synthetic S;
  std::mt19937_64 Rng(42); // fixed: every run measures the same program
  std::uniform_real_distribution<double> Unit(0.0, 1.0);
  S.Atoms.reserve(NumAtoms);
  uint64_t Offset = 0;
  for (unsigned I = 0; I < NumAtoms; ++I) {
    Atom A;
    A.Symbols.push_back({"fn_" + std::to_string(I), 0, 0});
    A.Size = uint64_t(16.0 * std::pow(1024.0, Unit(Rng)));
    A.Symbols[0].Size = A.Size;
    A.Alignment = 16;
    Offset = (Offset + 15) & ~uint64_t(15);
    A.OriginalOffset = Offset;
    Offset += A.Size;
    S.Atoms.push_back(std::move(A));
  }
  // 2% startup, 1% first frame, 10% steady; the rest are never run.
  unsigned Startup = NumAtoms / 50, Frame = NumAtoms / 100,
           Steady = NumAtoms / 10;
  unsigned Executed = Startup + Frame + Steady;
  std::vector<unsigned> Ids(NumAtoms);
  for (unsigned I = 0; I < NumAtoms; ++I)
    Ids[I] = I;
  std::shuffle(Ids.begin(), Ids.end(), Rng);
  S.P.Markers = {{"startup_end", 100'000'000}, {"first_frame", 300'000'000}};
  S.P.Metadata.DurationNs = 10'000'000'000;
  for (unsigned K = 0; K < Executed; ++K) {
    FunctionProfile F;
    F.Name = S.Atoms[Ids[K]].Symbols[0].Name;
    uint64_t Window = K < Startup           ? 100'000'000
                      : K < Startup + Frame ? 200'000'000
                                            : 9'000'000'000;
    uint64_t Base = K < Startup           ? 0
                    : K < Startup + Frame ? 100'000'000
                                          : 300'000'000;
    F.FirstCallNs = Base + uint64_t(Unit(Rng) * double(Window));
    F.Calls =
        K < Startup + Frame ? 1 + K % 7 : 1000 + uint64_t(Unit(Rng) * 1e6);
    S.P.Functions.push_back(std::move(F));
  }
  // Zipf-like callee choice: a few callees receive most edges.
  S.P.Edges.reserve(NumEdges);
  for (unsigned E = 0; E < NumEdges; ++E) {
    unsigned Caller = unsigned(Unit(Rng) * Executed);
    unsigned Callee = unsigned(std::pow(Unit(Rng), 3.0) * Executed);
    S.P.Edges.push_back({S.P.intern(S.P.Functions[Caller].Name),
                         S.P.intern(S.P.Functions[Callee].Name),
                         1 + uint64_t(Unit(Rng) * 1000)});
  }
  return S;
}

/// One program per size, built once outside the timed loop.
const Synthetic &programOfSize(unsigned Atoms, unsigned Edges) {
  static std::map<std::pair<unsigned, unsigned>, Synthetic> Cache;
  auto It = Cache.find({Atoms, Edges});
  if (It == Cache.end())
    It = Cache.emplace(std::make_pair(Atoms, Edges), makeProgram(Atoms, Edges))
             .first;
  return It->second;
}

void BM_Plan(benchmark::State &State) {
  const Synthetic &S =
      programOfSize(unsigned(State.range(0)), unsigned(State.range(1)));
  for (auto _ : State) {
    ResolvedProfile RP = resolvePhases(S.P);
    LayoutPlan Plan = computeLayout(S.Atoms, RP);
    benchmark::DoNotOptimize(Plan.TotalBytes);
    State.counters["startup_pages"] = double(Plan.Startup.PagesTouched);
    State.counters["startup_bound"] = double(Plan.Startup.FunctionBound);
    State.counters["input_startup_pages"] =
        double(Plan.OriginalStartup.PagesTouched);
  }
}

} // namespace

BENCHMARK(BM_Plan)
    ->Args({10'000, 50'000})
    ->Args({100'000, 500'000})
    ->Args({300'000, 1'500'000})
    ->Args({1'000'000, 5'000'000})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

BENCHMARK_MAIN();

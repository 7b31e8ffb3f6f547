//===- PhaseOrdering.cpp - Order the atoms inside each phase --------------===//
//
// Each phase wants a different order:
//
//  - startup and first_frame run once, front to back. Placing functions in
//    first-call order makes the pages fill in the order they are touched, so
//    a run that stops early (or a page fault pattern that reads ahead) pays
//    only for what it used. With several recorded runs the orders disagree;
//    balanced partitioning (Hoag et al., "Optimizing Function Layout for
//    Mobile Applications", 2023; LLVM's BalancedPartitioning) groups
//    functions so that every run's prefix lives on as few pages as possible.
//
//  - steady is a loop: what matters is which functions call each other, not
//    when they first ran. LLVM's cache-directed sort (cdsort, Lavaee et al.)
//    clusters the call graph for i-TLB/i-cache locality; lld and BOLT use it.
//
//    cdsort's cost grows quickly with edge count, and a recorded profile of
//    a large program has millions of edges. Most of the locality benefit
//    comes from each function's few heaviest edges (the observation behind
//    Ottoni and Maher's C3/hfsort, which keeps only the heaviest caller), so
//    the graph is first pruned to a few heaviest edges per node. cdsort also
//    removes every merged chain from a flat list, so its time grows with the
//    square of the hot nodes (100,000 nodes: ~10 s). It therefore sees the
//    hottest MaxCallGraphNodes functions by density (calls per byte); the
//    lukewarm rest follows by density, the key cdsort itself uses to order
//    the chains it could not merge.
//
//  - cold keeps the input order: it is never run, and a stable order keeps
//    diffs of binaries small and the layout deterministic.
//
//===----------------------------------------------------------------------===//

#include "PhaseOrdering.h"
#include "SortByKey.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ProfileData/InstrProf.h"

using namespace llvm;

namespace pagelayout {
namespace {

/// Each trace mapped to the member atoms it mentions, first occurrence only.
std::vector<TemporalProfTraceTy> tracesOverMembers(ArrayRef<unsigned> Members,
                                                   const AtomClassification &C,
                                                   const ResolvedProfile &RP) {
  DenseMap<unsigned, unsigned> IsMember;
  for (unsigned A : Members)
    IsMember[A] = 1;
  std::vector<TemporalProfTraceTy> Traces;
  for (const Trace &T : RP.Source->Traces) {
    TemporalProfTraceTy Mapped;
    Mapped.Weight = T.Weight;
    DenseMap<unsigned, unsigned> Seen;
    for (StringRef Name : T.Functions) {
      int FI = RP.find(Name);
      if (FI < 0 || C.AtomOfFunction[FI] < 0)
        continue;
      unsigned A = unsigned(C.AtomOfFunction[FI]);
      if (IsMember.count(A) && Seen.try_emplace(A, 1).second)
        Mapped.FunctionNameRefs.push_back(A);
    }
    if (!Mapped.FunctionNameRefs.empty())
      Traces.push_back(std::move(Mapped));
  }
  return Traces;
}

std::vector<unsigned> partitionTraces(ArrayRef<TemporalProfTraceTy> Traces,
                                      const LayoutConfig &Config) {
  std::vector<BPFunctionNode> Nodes;
  TemporalProfTraceTy::createBPFunctionNodes(Traces, Nodes,
                                             /*RemoveOutlierUNs=*/true);
  // BP's result depends on its input order: fix it by atom index.
  llvm::sort(Nodes, [](const BPFunctionNode &A, const BPFunctionNode &B) {
    return A.Id < B.Id;
  });
  BalancedPartitioning(Config.Partitioning).run(Nodes);
  std::vector<unsigned> Order;
  for (const BPFunctionNode &N : Nodes)
    Order.push_back(unsigned(N.Id));
  return Order;
}

} // namespace

std::vector<unsigned> orderTemporally(ArrayRef<unsigned> Members,
                                      const AtomClassification &C,
                                      const ResolvedProfile &RP,
                                      const LayoutConfig &Config) {
  std::vector<TemporalProfTraceTy> Traces = tracesOverMembers(Members, C, RP);
  std::vector<unsigned> Order;
  if (Traces.size() >= 2)
    Order = partitionTraces(Traces, Config);
  else if (Traces.size() == 1)
    for (uint64_t A : Traces.front().FunctionNameRefs)
      Order.push_back(unsigned(A));

  // Everything no trace mentions follows, by first call then input order.
  DenseMap<unsigned, unsigned> Placed;
  for (unsigned A : Order)
    Placed[A] = 1;
  std::vector<unsigned> Rest;
  for (unsigned A : Members)
    if (!Placed.count(A))
      Rest.push_back(A);
  stableSortByKey(Rest, [&](unsigned A) { return C.Atoms[A].FirstCallNs; });
  append_range(Order, Rest);
  return Order;
}

/// Keeps an edge only while both its caller and its callee have fewer than
/// MaxEdgesPerNode heavier edges kept: every node's degree stays bounded
/// (a hub callee can sit next to only a few callers anyway), which keeps
/// cdsort near-linear. Ties are broken by input position.
void pruneEdges(std::vector<codelayout::EdgeCount> &Edges,
                std::vector<uint64_t> &CallOffsets, size_t NumNodes,
                unsigned MaxEdgesPerNode) {
  if (Edges.size() <= NumNodes * MaxEdgesPerNode)
    return;
  std::vector<unsigned> ByWeight(Edges.size());
  for (unsigned I = 0; I < Edges.size(); ++I)
    ByWeight[I] = I;
  llvm::stable_sort(ByWeight, [&](unsigned X, unsigned Y) {
    return Edges[X].count > Edges[Y].count;
  });
  std::vector<unsigned> Out(NumNodes, 0), In(NumNodes, 0);
  std::vector<bool> Keep(Edges.size(), false);
  for (unsigned I : ByWeight) {
    const codelayout::EdgeCount &E = Edges[I];
    if (Out[E.src] < MaxEdgesPerNode && In[E.dst] < MaxEdgesPerNode) {
      Keep[I] = true;
      ++Out[E.src];
      ++In[E.dst];
    }
  }
  size_t W = 0;
  for (size_t I = 0; I < Edges.size(); ++I)
    if (Keep[I]) {
      Edges[W] = Edges[I];
      CallOffsets[W++] = CallOffsets[I];
    }
  Edges.resize(W);
  CallOffsets.resize(W);
}

/// Orders atoms by density (count per byte), hottest first; ties keep the
/// input order.
void sortByDensity(std::vector<unsigned> &Atoms, const std::vector<Atom> &All,
                   const AtomClassification &C) {
  struct Density {
    uint64_t Count, Size;
  };
  stableSortByKey(
      Atoms,
      [&](unsigned A) {
        return Density{C.Atoms[A].Count, std::max<uint64_t>(All[A].Size, 1)};
      },
      [](const Density &X, const Density &Y) {
        // Count_X / Size_X > Count_Y / Size_Y without division.
        return (unsigned __int128)X.Count * Y.Size >
               (unsigned __int128)Y.Count * X.Size;
      });
}

std::vector<unsigned> orderByCallGraph(ArrayRef<unsigned> AllMembers,
                                       const std::vector<Atom> &Atoms,
                                       const AtomClassification &C,
                                       const ResolvedProfile &RP,
                                       const LayoutConfig &Config) {
  std::vector<unsigned> Members(AllMembers.begin(), AllMembers.end());
  if (Members.size() <= 1)
    return Members;
  std::vector<unsigned> Lukewarm;
  if (Members.size() > Config.MaxCallGraphNodes) {
    sortByDensity(Members, Atoms, C);
    Lukewarm.assign(Members.begin() + Config.MaxCallGraphNodes, Members.end());
    Members.resize(Config.MaxCallGraphNodes);
    llvm::sort(Members); // back to input order for cdsort's tie-breaks
  }
  // Dense node ids for cdsort: position in Members (which is input order).
  std::vector<int> NodeOf(Atoms.size(), -1);
  for (unsigned I = 0; I < Members.size(); ++I)
    NodeOf[Members[I]] = int(I);

  std::vector<uint64_t> Sizes, Counts;
  Sizes.reserve(Members.size());
  Counts.reserve(Members.size());
  for (unsigned A : Members) {
    // cdsort divides by sizes; an empty atom still occupies a node.
    Sizes.push_back(std::max<uint64_t>(Atoms[A].Size, 1));
    Counts.push_back(C.Atoms[A].Count);
  }
  std::vector<codelayout::EdgeCount> Edges;
  std::vector<uint64_t> CallOffsets;
  const std::vector<CallEdge> &ProfileEdges = RP.Source->Edges;
  for (size_t I = 0; I < ProfileEdges.size(); ++I) {
    auto [FCaller, FCallee] = RP.EdgeEnds[I];
    if (FCaller < 0 || FCallee < 0)
      continue;
    int ACaller = C.AtomOfFunction[FCaller],
        ACallee = C.AtomOfFunction[FCallee];
    if (ACaller < 0 || ACallee < 0 || ACaller == ACallee)
      continue;
    int Src = NodeOf[ACaller], Dst = NodeOf[ACallee];
    uint64_t Count = ProfileEdges[I].Count;
    if (Src < 0 || Dst < 0 || Count == 0)
      continue;
    Edges.push_back({uint64_t(Src), uint64_t(Dst), Count});
    // Where in the caller the call sits is unknown: assume the middle.
    CallOffsets.push_back(Sizes[Src] / 2);
  }
  pruneEdges(Edges, CallOffsets, Members.size(), Config.MaxEdgesPerNode);
  std::vector<uint64_t> NodeOrder = codelayout::computeCacheDirectedLayout(
      Config.CDSort, Sizes, Counts, Edges, CallOffsets);
  std::vector<unsigned> Order;
  Order.reserve(NodeOrder.size() + Lukewarm.size());
  for (uint64_t N : NodeOrder)
    Order.push_back(Members[N]);
  append_range(Order, Lukewarm);
  return Order;
}

PhaseOrders orderPhases(const std::vector<Atom> &Atoms,
                        const AtomClassification &C, const ResolvedProfile &RP,
                        const LayoutConfig &Config) {
  PhaseOrders Members;
  std::vector<unsigned> ByOriginal(Atoms.size());
  for (unsigned I = 0; I < Atoms.size(); ++I)
    ByOriginal[I] = I;
  stableSortByKey(ByOriginal,
                  [&](unsigned A) { return Atoms[A].OriginalOffset; });
  for (unsigned A : ByOriginal)
    if (!C.Atoms[A].Pinned)
      Members[unsigned(C.Atoms[A].AtomPhase)].push_back(A);

  PhaseOrders Orders;
  for (Phase P : {Phase::Startup, Phase::FirstFrame})
    Orders[unsigned(P)] = orderTemporally(Members[unsigned(P)], C, RP, Config);
  Orders[unsigned(Phase::Steady)] =
      orderByCallGraph(Members[unsigned(Phase::Steady)], Atoms, C, RP, Config);
  Orders[unsigned(Phase::Cold)] = std::move(Members[unsigned(Phase::Cold)]);
  return Orders;
}

} // namespace pagelayout

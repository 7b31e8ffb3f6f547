//===- ProfileWriter.cpp - Write a layout profile as YAML -----------------===//
//
// yaml-cpp's emitter does the quoting (C++ names carry ':', '<', spaces);
// this file fixes the key order and leaves out what is unset, so output is
// canonical and diffs between recordings stay readable. The version written
// is the lowest that holds the content (Profile::neededVersion).
//
//===----------------------------------------------------------------------===//

#include "pagelayout/schema/ProfileWriter.h"
#include "llvm/ADT/StringExtras.h"
#include <algorithm>
#include <yaml-cpp/yaml.h>

namespace pagelayout {
namespace {

/// A string as YAML text. yaml-cpp leaves some control characters (a
/// carriage return) in a plain scalar, which then does not read back:
/// such strings are written double-quoted, with escapes.
struct Text {
  llvm::StringRef S;
};
YAML::Emitter &operator<<(YAML::Emitter &Out, Text T) {
  bool Control = std::any_of(T.S.begin(), T.S.end(), [](char C) {
    return (unsigned char)C < 0x20 || C == 0x7f;
  });
  if (Control)
    Out << YAML::DoubleQuoted;
  return Out << T.S.str();
}


void emitOptional(YAML::Emitter &Out, const char *Key,
                  const std::optional<uint64_t> &V) {
  if (V)
    Out << YAML::Key << Key << YAML::Value << *V;
}

void emitString(YAML::Emitter &Out, const char *Key, const std::string &V) {
  if (!V.empty())
    Out << YAML::Key << Key << YAML::Value << Text{V};
}

void emitMetadata(YAML::Emitter &Out, const ProfileMetadata &M) {
  bool Any = !M.BinaryPath.empty() || !M.BuildId.empty() || !M.Tool.empty() ||
             !M.Created.empty() || M.DurationNs || M.Runs != 1;
  if (!Any)
    return;
  Out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  emitString(Out, "binary", M.BinaryPath);
  emitString(Out, "build_id", M.BuildId);
  emitString(Out, "tool", M.Tool);
  emitString(Out, "created", M.Created);
  emitOptional(Out, "duration_ns", M.DurationNs);
  if (M.Runs != 1)
    Out << YAML::Key << "runs" << YAML::Value << M.Runs;
  Out << YAML::EndMap;
}

void emitRanges(YAML::Emitter &Out, const char *Key,
                const std::vector<ByteRange> &Ranges) {
  if (Ranges.empty())
    return;
  Out << YAML::Key << Key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const ByteRange &R : Ranges)
    Out << YAML::Flow << YAML::BeginSeq << R.Begin << R.End << YAML::EndSeq;
  Out << YAML::EndSeq;
}

void emitBlocks(YAML::Emitter &Out, const char *Key,
                const std::vector<uint32_t> &Ids) {
  if (Ids.empty())
    return;
  Out << YAML::Key << Key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (uint32_t Id : Ids)
    Out << Id;
  Out << YAML::EndSeq;
}

void emitFunction(YAML::Emitter &Out, const FunctionProfile &F) {
  Out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << Text{F.Name};
  if (F.ExplicitPhase)
    Out << YAML::Key << "phase" << YAML::Value
        << phaseName(*F.ExplicitPhase).str();
  if (F.Calls)
    Out << YAML::Key << "calls" << YAML::Value << F.Calls;
  emitOptional(Out, "first_call_ns", F.FirstCallNs);
  emitOptional(Out, "last_call_ns", F.LastCallNs);
  emitOptional(Out, "samples", F.Samples);
  emitOptional(Out, "self_ns", F.SelfNs);
  if (F.Pinned)
    Out << YAML::Key << "pinned" << YAML::Value << true;
  emitRanges(Out, "startup_ranges", F.StartupRanges);
  emitRanges(Out, "first_frame_ranges", F.FirstFrameRanges);
  emitRanges(Out, "steady_ranges", F.SteadyRanges);
  emitBlocks(Out, "startup_blocks", F.StartupBlocks);
  emitBlocks(Out, "first_frame_blocks", F.FirstFrameBlocks);
  emitBlocks(Out, "steady_blocks", F.SteadyBlocks);
  // A hash reads best in hex (YAML 1.2's 0x, which the reader takes).
  if (F.BlockHash)
    Out << YAML::Key << "block_hash" << YAML::Value
        << "0x" + llvm::utohexstr(*F.BlockHash, /*LowerCase=*/true, 16);
  Out << YAML::EndMap;
}

void emitTraces(YAML::Emitter &Out, const std::vector<Trace> &Traces) {
  Out << YAML::Key << "traces" << YAML::Value << YAML::BeginSeq;
  for (const Trace &T : Traces) {
    auto Names = [&] {
      Out << YAML::Flow << YAML::BeginSeq;
      for (llvm::StringRef Name : T.Functions)
        Out << Text{Name};
      Out << YAML::EndSeq;
    };
    if (T.Weight == 1) {
      Names();
      continue;
    }
    Out << YAML::BeginMap << YAML::Key << "weight" << YAML::Value << T.Weight
        << YAML::Key << "functions" << YAML::Value;
    Names();
    Out << YAML::EndMap;
  }
  Out << YAML::EndSeq;
}

} // namespace

void writeProfileYAML(const Profile &P, llvm::raw_ostream &OS) {
  YAML::Emitter Out;
  Out.SetBoolFormat(YAML::TrueFalseBool);
  // The lowest version that holds the content, whatever was read: a
  // profile without version-2 fields stays readable by older tools.
  Out << YAML::BeginMap << YAML::Key << "version" << YAML::Value
      << P.neededVersion();
  emitMetadata(Out, P.Metadata);
  if (!P.Markers.empty()) {
    Out << YAML::Key << "markers" << YAML::Value << YAML::BeginSeq;
    for (const Marker &M : P.Markers)
      Out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value
          << Text{M.Name} << YAML::Key << "time_ns" << YAML::Value << M.TimeNs
          << YAML::EndMap;
    Out << YAML::EndSeq;
  }
  if (!P.Functions.empty()) {
    Out << YAML::Key << "functions" << YAML::Value << YAML::BeginSeq;
    for (const FunctionProfile &F : P.Functions)
      emitFunction(Out, F);
    Out << YAML::EndSeq;
  }
  if (!P.Edges.empty()) {
    Out << YAML::Key << "edges" << YAML::Value << YAML::BeginSeq;
    for (const CallEdge &E : P.Edges)
      Out << YAML::Flow << YAML::BeginMap << YAML::Key << "caller"
          << YAML::Value << Text{E.Caller} << YAML::Key << "callee" << YAML::Value
          << Text{E.Callee} << YAML::Key << "count" << YAML::Value << E.Count
          << YAML::EndMap;
    Out << YAML::EndSeq;
  }
  if (!P.Rules.empty()) {
    Out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
    for (const PhaseRule &R : P.Rules)
      Out << YAML::Flow << YAML::BeginMap << YAML::Key << "pattern"
          << YAML::Value << Text{R.Pattern} << YAML::Key << "phase" << YAML::Value
          << phaseName(R.RulePhase).str() << YAML::EndMap;
    Out << YAML::EndSeq;
  }
  if (!P.Traces.empty())
    emitTraces(Out, P.Traces);
  Out << YAML::EndMap;
  OS << Out.c_str() << "\n";
}

} // namespace pagelayout

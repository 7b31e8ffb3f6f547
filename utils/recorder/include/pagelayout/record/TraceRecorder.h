//===- TraceRecorder.h - Exact traces of a release binary -------*- C++ -*-===//

#ifndef PAGELAYOUT_RECORD_TRACERECORDER_H
#define PAGELAYOUT_RECORD_TRACERECORDER_H

#include "pagelayout/record/BlockFinder.h"
#include "pagelayout/record/ProgramRunner.h"
#include "pagelayout/schema/Diagnostic.h"
#include "pagelayout/schema/PhaseInference.h"
#include "pagelayout/schema/Profile.h"

namespace pagelayout {

struct TraceOptions {
  /// Startup ends at the first execution of this function, when the
  /// program marks no startup_end itself (empty: not used).
  std::string StartupEndSymbol;
  /// The same for first_frame.
  std::string FirstFrameSymbol;
  /// The time windows used when neither marks a phase end.
  InferenceConfig Inference;
  /// --libs: trace the shared libraries the program loads, too.
  bool Libraries = false;
};

/// The first execution of one block, in the order the traps came.
struct TraceHit {
  uint32_t Block = 0;  ///< an index into its image's allBlocks()
  uint64_t TimeNs = 0; ///< since the program's exec
  /// The image: 0 the program, then its libraries in load order.
  uint32_t Module = 0;
};

/// One traced process (the program, or a child forked from it).
struct TracedProcess {
  std::vector<TraceHit> Hits;
  std::vector<Marker> Markers; ///< phase ends it marked or reached
  uint64_t DurationNs = 0;
};

struct TraceRecording {
  /// One profile per traced process, the program's first.
  std::vector<Profile> Profiles;
  ProgramStatus Status;
  uint64_t Traps = 0;
  /// Children that exec'd another program: detached, not recorded.
  uint64_t DetachedExecs = 0;
  /// What the caller should print as notes (what was traced how).
  std::vector<std::string> Notes;
};

/// Builds one process's profile: functions in first-execution order with
/// first_call_ns, the run's trace, and per function the bytes of the
/// blocks first executed in each phase (startup, first_frame, steady: the
/// phase ends are the process's markers, else the inference's windows).
Profile buildTraceProfile(const TraceImage &Image, const TracedProcess &Proc,
                          const InferenceConfig &Inference);

/// The same for a process with libraries: \p Modules are the program's
/// image and its libraries' in load order (a hit's Module). A library's
/// function keeps its name unless an earlier module has a function of
/// that name; then it is "FILE:NAME" (FILE the library's file name), so
/// names stay unique and say where the function is.
Profile buildTraceProfile(llvm::ArrayRef<const TraceImage *> Modules,
                          const TracedProcess &Proc,
                          const InferenceConfig &Inference);

/// Runs \p Command under ptrace with a one-shot breakpoint on every block
/// of its executable and returns what ran (see TraceRecorder.cpp).
llvm::Expected<TraceRecording>
recordWithTrace(llvm::ArrayRef<std::string> Command, const TraceOptions &Opts,
                const WarningHandler &Warn);

/// The error for a refused PTRACE_SEIZE (\p Errno), naming the reason
/// (Yama's ptrace_scope, \p YamaScope, or -1 when unknown) and the other
/// recording modes.
llvm::Error ptraceRefused(llvm::StringRef Program, int Errno, int YamaScope);

} // namespace pagelayout

#endif

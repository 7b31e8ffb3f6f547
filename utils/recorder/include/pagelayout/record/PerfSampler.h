//===- PerfSampler.h - Sample an uninstrumented program ---------*- C++ -*-===//

#ifndef PAGELAYOUT_RECORD_PERFSAMPLER_H
#define PAGELAYOUT_RECORD_PERFSAMPLER_H

#include "pagelayout/record/ProgramRunner.h"
#include "pagelayout/schema/Diagnostic.h"
#include "pagelayout/schema/Profile.h"

namespace pagelayout {

struct PerfOptions {
  /// Samples per second of CPU time per thread.
  uint64_t FrequencyHz = 4000;
};

struct PerfRecording {
  Profile Result;
  /// How the sampled program ended.
  ProgramStatus Status;
  uint64_t SampleCount = 0;
  /// True when hardware cycles were sampled, false for cpu-clock.
  bool HardwareCycles = false;
};

/// Runs \p Command under a user-space sampling perf_event (perf_event_open)
/// and builds a profile: samples and self time per function, caller ->
/// callee edges from frame-pointer call chains.
llvm::Expected<PerfRecording>
recordWithPerf(llvm::ArrayRef<std::string> Command, const PerfOptions &Opts,
               const WarningHandler &Warn);

} // namespace pagelayout

#endif

//===- ProfileBuilder.h - Raw process records to a layout profile -*- C++
//-*-===//

#ifndef PAGELAYOUT_RECORD_PROFILEBUILDER_H
#define PAGELAYOUT_RECORD_PROFILEBUILDER_H

#include "pagelayout/record/Symbolizer.h"
#include "pagelayout/schema/PhaseInference.h"
#include "pagelayout/schema/Profile.h"

namespace pagelayout {

/// Symbolises one process's records into a profile: markers, first-call
/// times, executed startup ranges (block mode), call counts and edges (full
/// mode). \p Inference gives the startup window used for ranges when the
/// process set no startup_end marker.
Profile buildProfile(const RawProcess &Raw, Symbolizer &Symbols,
                     const InferenceConfig &Inference,
                     const WarningHandler &Warn);

} // namespace pagelayout

#endif

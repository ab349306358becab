// Fitting an extended payload into the size the client asked for with
// /private/notify/outband/limit "size=N" (draft §11.3: bytes per payload).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "lnotify/core/result.h"
#include "lnotify/payload/xemn.h"

namespace lnotify {

// Turns facts into the final bytes (XML or JSON, signed, ...). The fitter
// measures what it returns, so whatever the encoder adds counts.
using XemnEncoder = std::function<Result<std::string>(const XemnFacts&)>;

struct FittedPayload {
  std::string bytes;
  std::string reductions;  // what was cut, for the log; empty when nothing was
};

// Encodes facts in at most limit bytes (SIZE_MAX: no limit), giving up detail in
// this order until it fits:
//   1. the snippet, cut at a character boundary (an ellipsis marks the cut),
//      then dropped;
//   2. a Sieve notification's message, likewise;
//   3. the subject, likewise;
//   4. the optional attributes sender, datetime, view, event, uid,
//      sequence-id, one by one.
// Returns no value when even mailbox and timestamp alone are too big; the
// caller then sends a plain EMN wake-up, which is always sent.
Result<std::optional<FittedPayload>> fit_to_size(const XemnFacts& facts, size_t limit,
                                                 const XemnEncoder& encode);

}  // namespace lnotify

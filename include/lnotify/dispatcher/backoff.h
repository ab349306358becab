// Exponential backoff with jitter for temporary failures.
#pragma once

#include <cstdint>

#include "lnotify/dispatcher/dispatch_policy.h"

namespace lnotify {

// The delay before attempt number failures+1, after `failures` temporary
// failures (1 or more): base * 2^(failures-1), at most max, of which a
// random half is taken off ("equal jitter"), so a gateway that comes back
// is not hit by every waiting notification in the same second.
// unit_random is a number in [0, 1).
int64_t backoff_delay_ms(const DispatchPolicy& policy, unsigned failures, double unit_random);

}  // namespace lnotify

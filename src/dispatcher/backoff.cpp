#include "lnotify/dispatcher/backoff.h"

#include <algorithm>

namespace lnotify {

int64_t backoff_delay_ms(const DispatchPolicy& policy, unsigned failures, double unit_random) {
  const int64_t base = int64_t{policy.retry_base_secs} * 1000;
  const int64_t max = std::max<int64_t>(int64_t{policy.retry_max_secs} * 1000, base);
  int64_t delay = base;
  for (unsigned i = 1; i < failures && delay < max; ++i) delay *= 2;
  delay = std::min(delay, max);
  const double jitter = std::clamp(unit_random, 0.0, 1.0);
  return delay / 2 + static_cast<int64_t>(static_cast<double>(delay / 2) * jitter);
}

}  // namespace lnotify

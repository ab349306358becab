// The per-user rate cap (setting rate_limit = N/S): a flood of mail must
// not become a flood of SMS. A sliding window, so "N per S seconds" holds
// for every window, not only on average.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "lnotify/dispatcher/dispatch_policy.h"

namespace lnotify {

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit);

  // When key may send its next notification: now_ms, or later when N were
  // sent within the last S seconds.
  int64_t next_allowed_ms(const std::string& key, int64_t now_ms) const;
  // Records a notification sent to key at now_ms.
  void record(const std::string& key, int64_t now_ms);
  // Forgets keys with nothing in their window, so memory follows the users
  // active in the last S seconds, not every user ever seen.
  void forget_idle(int64_t now_ms);

  size_t tracked_keys() const { return windows_.size(); }

 private:
  // Send times of the last `count` notifications: a ring once full.
  struct Window {
    std::vector<int64_t> times;
    size_t oldest = 0;
    int64_t newest() const { return times[(oldest + times.size() - 1) % times.size()]; }
  };

  RateLimit limit_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace lnotify

// Time and chance as the dispatcher sees them, injected so tests can move
// the clock and fix the jitter.
#pragma once

#include <cstdint>
#include <memory>

namespace lnotify {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the epoch (UTC). Wall-clock time, not monotonic:
  // deadlines outlive the process (a notification's expiry counts from
  // the event's timestamp, a daily limit from the UTC day).
  virtual int64_t now_ms() const = 0;
};

// CLOCK_REALTIME.
const Clock& system_clock();

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // A number in [0, 1).
  virtual double uniform() = 0;
};
using RandomSourcePtr = std::unique_ptr<RandomSource>;

// A Mersenne Twister seeded from the kernel.
RandomSourcePtr make_random_source();

}  // namespace lnotify

#include "lnotify/core/clock.h"

#include <time.h>

#include <random>

namespace lnotify {
namespace {

class SystemClock : public Clock {
 public:
  int64_t now_ms() const override {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
  }
};

class MersenneRandom : public RandomSource {
 public:
  MersenneRandom() : engine_(std::random_device{}()) {}
  double uniform() override { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

RandomSourcePtr make_random_source() { return std::make_unique<MersenneRandom>(); }

}  // namespace lnotify

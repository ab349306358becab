// Test doubles for the core's injected seams, kept in one place.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lnotify/dispatcher/channel.h"
#include "lnotify/core/clock.h"
#include "lnotify/core/log.h"

namespace lnotify::testing {

class RecordingLogger : public Logger {
 public:
  struct Event {
    std::string name, user, channel, reason, error;
    uint64_t sequence_id = 0;
    uint32_t attempts = 0;
  };

  void log(LogLevel level, std::string_view message) override {
    lines.push_back({level, std::string(message)});
  }
  void log_event(LogLevel level, const LogEvent& e, std::string_view message) override {
    events.push_back({std::string(e.name), std::string(e.user), std::string(e.channel),
                      std::string(e.reason), std::string(e.error), e.sequence_id, e.attempts});
    log(level, message);
  }
  bool contains(LogLevel level, std::string_view text) const {
    for (const auto& [l, m] : lines)
      if (l == level && m.find(text) != std::string::npos) return true;
    return false;
  }
  size_t count_events(std::string_view name, std::string_view reason = {}) const {
    size_t n = 0;
    for (const auto& e : events)
      if (e.name == name && (reason.empty() || e.reason == reason)) ++n;
    return n;
  }
  std::vector<std::pair<LogLevel, std::string>> lines;
  std::vector<Event> events;
};

struct SentDatagram {
  std::string host;
  uint16_t port;
  std::string bytes;
};

// Records datagrams instead of sending them; can be told to fail, always
// or per destination.
class FakeDatagramTransport : public DatagramTransport {
 public:
  explicit FakeDatagramTransport(std::vector<SentDatagram>& sent) : sent_(sent) {}
  Result<void> send_to(const std::string& host, uint16_t port, std::string_view bytes) override {
    ++attempts;
    if (before_send) before_send(host, port, bytes);
    if (fail_with) return *fail_with;
    if (fail_port == port && fail_port_with) return *fail_port_with;
    sent_.push_back({host, port, std::string(bytes)});
    if (after_send) after_send(host, port, bytes);
    return {};
  }
  std::optional<Error> fail_with;
  uint16_t fail_port = 0;
  std::optional<Error> fail_port_with;
  // Hooks for crash tests (they may _exit the process).
  std::function<void(const std::string&, uint16_t, std::string_view)> before_send, after_send;
  size_t attempts = 0;

 private:
  std::vector<SentDatagram>& sent_;
};

// A clock the test moves.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_ms) : now(start_ms) {}
  int64_t now_ms() const override { return now; }
  void advance_secs(double secs) { now += static_cast<int64_t>(secs * 1000); }
  int64_t now;
};

// Jitter fixed by the test.
class FixedRandom : public RandomSource {
 public:
  explicit FixedRandom(double value) : value_(value) {}
  double uniform() override { return value_; }

 private:
  double value_;
};

}  // namespace lnotify::testing

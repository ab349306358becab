// Test doubles for the core's injected seams, kept in one place.
#pragma once

#include <string>
#include <vector>

#include "lnotify/channel.h"
#include "lnotify/log.h"

namespace lnotify::testing {

class RecordingLogger : public Logger {
 public:
  void log(LogLevel level, std::string_view message) override {
    lines.push_back({level, std::string(message)});
  }
  bool contains(LogLevel level, std::string_view text) const {
    for (const auto& [l, m] : lines)
      if (l == level && m.find(text) != std::string::npos) return true;
    return false;
  }
  std::vector<std::pair<LogLevel, std::string>> lines;
};

struct SentDatagram {
  std::string host;
  uint16_t port;
  std::string bytes;
};

// Records datagrams instead of sending them; can be told to fail.
class FakeDatagramTransport : public DatagramTransport {
 public:
  explicit FakeDatagramTransport(std::vector<SentDatagram>& sent) : sent_(sent) {}
  Result<void> send_to(const std::string& host, uint16_t port, std::string_view bytes) override {
    if (fail_with) return *fail_with;
    sent_.push_back({host, port, std::string(bytes)});
    return {};
  }
  std::optional<Error> fail_with;

 private:
  std::vector<SentDatagram>& sent_;
};

}  // namespace lnotify::testing

// Logging seam: the core never writes to stderr or syslog itself. The Dovecot
// glue passes a Logger that forwards to Dovecot's log, so lines carry the
// process's prefix and land where the administrator configured.
#pragma once

#include <cstdint>
#include <string_view>

namespace lnotify {

enum class LogLevel { Debug, Info, Warning, Error };

// A named event about one notification. The glue turns it into a Dovecot
// event, so an administrator can count them with a metric block
// (filter = event=lnotify_notification_sent, group_by = channel ...).
struct LogEvent {
  std::string_view name{};     // lnotify_notification_sent, ..._retried, ...
  std::string_view user{};     // the account the notification is for
  std::string_view channel{};  // UDP, SMS, ...
  std::string_view reason{};   // a keyword: why it was dropped, held or retried
  std::string_view error{};    // the failure's text, when there was one
  uint64_t sequence_id = 0;
  uint32_t attempts = 0;
  // Sent notifications, in microseconds: the hand-over (the spool entry's
  // creation to its claim by the dispatcher), the queue (claim to the start
  // of the send) and the send itself.
  uint64_t handover_usecs = 0;
  uint64_t queue_usecs = 0;
  uint64_t send_usecs = 0;
};

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;
  // Logs message as the event; a logger without events just logs it.
  virtual void log_event(LogLevel level, const LogEvent& event, std::string_view message) {
    (void)event;
    log(level, message);
  }

  void debug(std::string_view m) { log(LogLevel::Debug, m); }
  void info(std::string_view m) { log(LogLevel::Info, m); }
  void warning(std::string_view m) { log(LogLevel::Warning, m); }
  void error(std::string_view m) { log(LogLevel::Error, m); }
};

}  // namespace lnotify

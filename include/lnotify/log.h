// Logging seam: the core never writes to stderr or syslog itself. The Dovecot
// glue passes a Logger that forwards to Dovecot's log, so lines carry the
// process's prefix and land where the administrator configured.
#pragma once

#include <string_view>

namespace lnotify {

enum class LogLevel { Debug, Info, Warning, Error };

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;

  void debug(std::string_view m) { log(LogLevel::Debug, m); }
  void info(std::string_view m) { log(LogLevel::Info, m); }
  void warning(std::string_view m) { log(LogLevel::Warning, m); }
  void error(std::string_view m) { log(LogLevel::Error, m); }
};

}  // namespace lnotify

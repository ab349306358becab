// A minimal JSON object writer for lnotify's flat payloads (internal header).
// No library: the objects are flat, and escaping is the only hard part.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lnotify::json {

// Appends text as a JSON string: sanitized to valid UTF-8 first (invalid
// bytes become U+FFFD, control characters are dropped), then '"', '\' and
// the remaining TAB/LF/CR escaped; U+2028/U+2029 are escaped too, so the
// text can also be embedded in JavaScript.
void append_string(std::string& out, std::string_view text);

// Writes {"k":v,...} with members in call order and no whitespace, so equal
// input gives equal bytes (signatures rely on it).
class ObjectWriter {
 public:
  ObjectWriter& string(std::string_view key, std::string_view value);
  ObjectWriter& number(std::string_view key, int64_t value);
  ObjectWriter& number(std::string_view key, uint64_t value);
  ObjectWriter& boolean(std::string_view key, bool value);
  // A value that is already JSON (a nested object another writer finished).
  ObjectWriter& raw(std::string_view key, std::string_view json);
  std::string finish();  // the writer is spent afterwards

 private:
  void key(std::string_view name);
  std::string out_ = "{";
};

}  // namespace lnotify::json

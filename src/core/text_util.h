// Small string helpers shared by the core's parsers (internal header).
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace lnotify::text {

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

inline bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Quotes a client-supplied value for an error message: printable ASCII as is,
// everything else as \xNN, and long values cut, so a log line or an IMAP
// response never carries raw control bytes.
std::string quote_for_message(std::string_view value, size_t max_len = 64);

// Bytes as lower-case hex, two digits each (digests, MACs, random tokens).
std::string to_hex(std::string_view bytes);

}  // namespace lnotify::text

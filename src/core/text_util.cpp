#include "core/text_util.h"

#include <cstdio>

namespace lnotify::text {

std::string quote_for_message(std::string_view value, size_t max_len) {
  std::string out = "\"";
  size_t shown = 0;
  for (unsigned char c : value) {
    if (shown++ == max_len) {
      out += "...";
      break;
    }
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\x%02X", c);
      out += buf;
    }
  }
  out += '"';
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace lnotify::text

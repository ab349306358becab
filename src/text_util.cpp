#include "text_util.h"

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

}  // namespace lnotify::text

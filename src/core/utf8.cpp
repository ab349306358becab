#include "core/utf8.h"

namespace lnotify::utf8 {

size_t decode_one(std::string_view s, char32_t& cp) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(0);
  size_t len;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {

// Printable ASCII, TAB, LF and CR: kept as they are.
bool plain_ascii(unsigned char c) {
  return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

bool is_clean(std::string_view text) {
  while (!text.empty()) {
    const auto c = static_cast<unsigned char>(text[0]);
    if (plain_ascii(c)) {
      text.remove_prefix(1);
      continue;
    }
    char32_t cp = 0;
    const size_t len = decode_one(text, cp);
    if (len == 0 || cp < 0x80 || cp <= 0x9F || cp == 0xFFFE || cp == 0xFFFF) return false;
    text.remove_prefix(len);
  }
  return true;
}

std::string sanitize(std::string_view text) {
  // Most header text is plain ASCII: copy runs of it at once, and decode
  // only what is not (this is on the payload encoders' hot path).
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    size_t run = 0;
    while (run < text.size() && plain_ascii(static_cast<unsigned char>(text[run]))) ++run;
    if (run > 0) {
      out.append(text.data(), run);
      text.remove_prefix(run);
      continue;
    }
    char32_t cp = 0;
    size_t len = decode_one(text, cp);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      text.remove_prefix(1);
      continue;
    }
    bool keep = cp >= 0x80 && cp > 0x9F && cp != 0xFFFE && cp != 0xFFFF;
    if (keep) out.append(text.substr(0, len));
    text.remove_prefix(len);
  }
  return out;
}

std::vector<size_t> cut_points(std::string_view valid_text) {
  std::vector<size_t> points;
  points.reserve(valid_text.size() + 1);
  for (size_t i = 0; i < valid_text.size(); ++i) {
    // Every byte that is not a continuation byte starts a character.
    if ((static_cast<unsigned char>(valid_text[i]) & 0xC0) != 0x80) points.push_back(i);
  }
  points.push_back(valid_text.size());
  return points;
}

}  // namespace lnotify::utf8

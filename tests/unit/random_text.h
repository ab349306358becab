// Hostile header and body text for property tests (test helper): random
// Unicode, control bytes, invalid UTF-8, RFC 2047 words good and broken,
// markup characters, 100 kB values and empty ones. Seeded, so a failure can
// be replayed.
#pragma once

#include <random>
#include <string>

namespace lnotify::testing {

class RandomText {
 public:
  explicit RandomText(uint32_t seed) : rng_(seed) {}

  std::string next() {
    switch (pick(10)) {
      case 0: return "";
      case 1: return huge();
      default: break;
    }
    std::string out;
    size_t pieces = pick(12);
    for (size_t i = 0; i < pieces; ++i) out += piece();
    return out;
  }

  uint32_t pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }

 private:
  std::string piece() {
    switch (pick(9)) {
      case 0: return ascii(1 + pick(20));
      case 1: return unicode(1 + pick(10));
      case 2: return controls(1 + pick(4));
      case 3: return invalid_utf8();
      case 4: return "<&>\"'";
      case 5: return "=?utf-8?q?J=C3=B6rg_=E2=82=AC?= ";
      case 6: return "=?iso-8859-1?b?" + std::string("SuRyZ2VuIJI=") + "?=";
      case 7: return "=?bogus-charset?q?x?= =?utf-8?b?!!!?= =?utf-8?q?=FF=FE=01?=";
      default: return "\r\n\t folded";
    }
  }
  std::string ascii(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += static_cast<char>(0x20 + pick(0x5F));
    return s;
  }
  std::string unicode(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) {
      char32_t cp;
      do cp = pick(3) == 0 ? 0x10000 + pick(0x100000) : pick(0x10000);
      while (cp >= 0xD800 && cp <= 0xDFFF);
      append(s, cp);
    }
    return s;
  }
  std::string controls(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += static_cast<char>(pick(3) == 0 ? 0x7F : pick(0x20));
    return s;
  }
  std::string invalid_utf8() {
    static const char* samples[] = {"\xff", "\xc3", "\xe2\x82", "\xc0\xaf", "\xed\xa0\x80",
                                    "\xf4\x90\x80\x80", "\x80\x80", "\xfe\xfe"};
    return samples[pick(8)];
  }
  std::string huge() {
    std::string s;
    while (s.size() < 100 * 1024) s += pick(4) == 0 ? unicode(8) : ascii(64);
    return s;
  }
  static void append(std::string& out, char32_t cp) {
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

  std::mt19937 rng_;
};

// True when text is valid UTF-8 without C0/C1 controls other than TAB/LF/CR
// (checked here independently of the code under test).
inline bool clean_utf8(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > text.size()) return false;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) {
      unsigned char d = static_cast<unsigned char>(text[i + k]);
      if ((d >> 6) != 2) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static const char32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if ((cp < 0x20 && cp != 9 && cp != 10 && cp != 13) || (cp >= 0x7F && cp <= 0x9F)) return false;
    i += len;
  }
  return true;
}

}  // namespace lnotify::testing

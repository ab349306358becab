// Paths of files in tests/data (test helper).
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#ifndef LNOTIFY_TEST_DATA_DIR
#error "tests/meson.build defines LNOTIFY_TEST_DATA_DIR"
#endif

namespace lnotify::testing {

inline std::string data_path(const std::string& name) {
  return std::string(LNOTIFY_TEST_DATA_DIR) + "/" + name;
}

inline std::string read_data(const std::string& name) {
  std::ifstream in(data_path(name), std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string from_hex(std::string_view hex) {
  std::string out;
  int nibbles = 0, acc = 0;
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;  // spaces and line breaks are for the reader
    acc = acc * 16 + v;
    if (++nibbles == 2) {
      out += static_cast<char>(acc);
      nibbles = acc = 0;
    }
  }
  return out;
}

inline std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

}  // namespace lnotify::testing

// A small, strict JSON reader for flat objects (test helper), written apart
// from lnotify's writer so the tests check the output against the grammar of
// RFC 8259, not against the writer's own idea of it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "random_text.h"

namespace lnotify::testing {

using JsonValue = std::variant<std::string, int64_t>;
using JsonObject = std::map<std::string, JsonValue>;

class FlatJsonReader {
 public:
  explicit FlatJsonReader(const std::string& text) : s_(text) {}

  // The object's members, or nothing when text is not exactly one JSON
  // object whose values are strings or integers.
  std::optional<JsonObject> read() {
    JsonObject out;
    if (!eat('{')) return std::nullopt;
    if (!eat('}')) {
      do {
        auto key = string();
        if (!key || !eat(':')) return std::nullopt;
        std::optional<JsonValue> value;
        if (peek() == '"') {
          if (auto v = string()) value = *v;
        } else if (auto n = integer()) {
          value = *n;
        }
        if (!value || out.count(*key)) return std::nullopt;
        out[*key] = *value;
      } while (eat(','));
      if (!eat('}')) return std::nullopt;
    }
    if (i_ != s_.size()) return std::nullopt;
    return out;
  }

 private:
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  std::optional<int64_t> integer() {
    size_t start = i_;
    if (peek() == '-') ++i_;
    if (!std::isdigit(static_cast<unsigned char>(peek()))) return std::nullopt;
    if (peek() == '0' && i_ + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_ + 1])))
      return std::nullopt;  // no leading zeros
    while (std::isdigit(static_cast<unsigned char>(peek()))) ++i_;
    return std::stoll(s_.substr(start, i_ - start));
  }
  std::optional<std::string> string() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (i_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return clean_utf8(out) ? std::optional<std::string>(out) : std::nullopt;
      if (c < 0x20) return std::nullopt;  // RFC 8259 §7: must be escaped
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      char e = peek();
      ++i_;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) return std::nullopt;
          char32_t cp = static_cast<char32_t>(std::stoul(s_.substr(i_, 4), nullptr, 16));
          i_ += 4;
          if (cp >= 0xD800 && cp <= 0xDFFF) return std::nullopt;  // lnotify never needs pairs
          append_utf8(out, cp);
          break;
        }
        default: return std::nullopt;
      }
    }
    return std::nullopt;
  }
  static void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  const std::string& s_;
  size_t i_ = 0;
};

inline std::optional<JsonObject> read_flat_json(const std::string& text) {
  return FlatJsonReader(text).read();
}

}  // namespace lnotify::testing

#include "core/json_writer.h"

#include <cstdio>

#include "core/utf8.h"

namespace lnotify::json {

void append_string(std::string& out, std::string_view text) {
  const std::string clean = utf8::sanitize(text);
  out += '"';
  for (size_t i = 0; i < clean.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(clean[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\t': out += "\\t"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      default: break;
    }
    if (c < 0x20) {  // sanitize() leaves none, but never emit one raw
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04X", c);
      out += buf;
    } else if (c == 0xE2 && i + 2 < clean.size() && static_cast<unsigned char>(clean[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(clean[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(clean[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(clean[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void ObjectWriter::key(std::string_view name) {
  if (out_.size() > 1) out_ += ',';
  append_string(out_, name);
  out_ += ':';
}

ObjectWriter& ObjectWriter::string(std::string_view name, std::string_view value) {
  key(name);
  append_string(out_, value);
  return *this;
}

ObjectWriter& ObjectWriter::number(std::string_view name, int64_t value) {
  key(name);
  out_ += std::to_string(value);
  return *this;
}

ObjectWriter& ObjectWriter::number(std::string_view name, uint64_t value) {
  key(name);
  out_ += std::to_string(value);
  return *this;
}

ObjectWriter& ObjectWriter::boolean(std::string_view name, bool value) {
  key(name);
  out_ += value ? "true" : "false";
  return *this;
}

ObjectWriter& ObjectWriter::raw(std::string_view name, std::string_view json) {
  key(name);
  out_ += json;
  return *this;
}

std::string ObjectWriter::finish() {
  out_ += '}';
  return std::move(out_);
}

}  // namespace lnotify::json

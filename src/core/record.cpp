#include "core/record.h"

namespace lnotify::record {
namespace {

constexpr std::string_view kEnd = "end";

}  // namespace

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\0': out += "\\0"; break;
      default: out += c;
    }
  }
}

Result<std::string> unescape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\') {
      out += value[i];
      continue;
    }
    if (++i == value.size()) return permanent_error("record ends inside an escape");
    switch (value[i]) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      default: return permanent_error("unknown escape in record");
    }
  }
  return out;
}

std::string encode(std::string_view header, const Fields& fields) {
  std::string out(header);
  out += '\n';
  for (const auto& [key, value] : fields) {
    out += key;
    out += '\t';
    append_escaped(out, value);
    out += '\n';
  }
  out += kEnd;
  out += '\n';
  return out;
}

Result<Parsed> decode(std::string_view header, std::string_view text) {
  size_t eol = text.find('\n');
  if (eol == std::string_view::npos || text.substr(0, eol) != header)
    return permanent_error("not a record of type \"" + std::string(header) + "\" (bad first line)");
  text.remove_prefix(eol + 1);

  Parsed fields;
  for (;;) {
    eol = text.find('\n');
    if (eol == std::string_view::npos) return permanent_error("record is truncated");
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    if (line == kEnd) {
      if (!text.empty()) return permanent_error("data after the end of the record");
      return fields;
    }
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) return permanent_error("record line without a value");
    auto value = unescape(line.substr(tab + 1));
    if (!value) return value.error();
    fields.insert_or_assign(std::string(line.substr(0, tab)), std::move(*value));
  }
}

Result<std::string> required(const Parsed& fields, const char* key) {
  auto it = fields.find(key);
  if (it == fields.end()) return permanent_error(std::string("record lacks ") + key);
  return it->second;
}

}  // namespace lnotify::record

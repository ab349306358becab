// The line-based record format of the spool's files (internal header): a
// header line naming the record type and version, "key<TAB>value" lines
// with TAB, LF, CR, NUL and backslash escaped, then "end". A record without
// "end" was cut short; unknown keys are kept for the caller to ignore.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lnotify/core/result.h"

namespace lnotify::record {

using Fields = std::vector<std::pair<std::string_view, std::string_view>>;
using Parsed = std::map<std::string, std::string>;

std::string encode(std::string_view header, const Fields& fields);
Result<Parsed> decode(std::string_view header, std::string_view text);

// The value escaping of records, for other line formats (the state journal).
void append_escaped(std::string& out, std::string_view value);
Result<std::string> unescape(std::string_view value);

// Looks up a field that must be present.
Result<std::string> required(const Parsed& fields, const char* key);

}  // namespace lnotify::record

// Converting header text in a declared charset to UTF-8 (internal header).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lnotify::charset {

// Converts bytes in the named charset (case-insensitive MIME name) to UTF-8.
// Bytes that are not valid in that charset become U+FFFD. UTF-8, US-ASCII,
// ISO-8859-1 and Windows-1252 are converted here; any other name is handed to
// glibc's iconv. Returns nothing when the charset is unknown, so the caller
// can keep the original text (RFC 2047 §6.2).
std::optional<std::string> to_utf8(std::string_view charset, std::string_view bytes);

}  // namespace lnotify::charset

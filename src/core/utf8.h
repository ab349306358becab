// UTF-8 helpers shared by the payload encoders (internal header).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lnotify::utf8 {

// Length of the valid UTF-8 sequence at the start of s, with its code point in
// cp, or 0 when it is not valid (overlong forms, surrogates and code points
// past U+10FFFF included). s must not be empty.
size_t decode_one(std::string_view s, char32_t& cp);

void append(std::string& out, char32_t cp);

// Makes text safe for XML 1.0 and JSON alike: invalid UTF-8 becomes U+FFFD,
// control characters other than TAB, LF and CR (C0, DEL, C1) and the
// non-characters U+FFFE/U+FFFF are dropped.
std::string sanitize(std::string_view text);
// Whether sanitize(text) == text, without building the copy.
bool is_clean(std::string_view text);

// Offsets at which a code point starts in valid UTF-8 text, plus text.size():
// the places where it can be cut without splitting a character.
std::vector<size_t> cut_points(std::string_view valid_text);

}  // namespace lnotify::utf8

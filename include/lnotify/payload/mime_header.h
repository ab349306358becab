// Turning a raw message header value (Subject, From) into display text for a
// notification payload.
#pragma once

#include <string>
#include <string_view>

namespace lnotify {

// Unfolds the value (RFC 5322 §2.2.3), decodes RFC 2047 encoded-words (B and
// Q; UTF-8, US-ASCII, ISO-8859-1 and Windows-1252 natively, other charsets
// through iconv), and returns well-formed UTF-8: invalid bytes become U+FFFD,
// control characters are dropped, TAB/CR/LF become spaces, and the ends are
// trimmed. Undecodable encoded-words (unknown charset, broken base64) stay as
// they are, as RFC 2047 §6.2 allows. Raw 8-bit text is kept when it is UTF-8
// (RFC 6532) and replaced character by character when it is not.
std::string decode_header_value(std::string_view raw);

}  // namespace lnotify

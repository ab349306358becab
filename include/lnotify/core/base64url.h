// base64url (RFC 4648 §5), the form Web Push keys and lnotify's signatures
// travel in: URL- and filename-safe alphabet, written without '=' padding.
#pragma once

#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify {

std::string base64url_encode(std::string_view bytes);

// Accepts the unpadded form and, because some clients send it, the padded one.
// Anything outside the alphabet (whitespace, '+', '/') is an error: a device
// key that arrives mangled must be refused, not guessed at.
Result<std::string> base64url_decode(std::string_view text);

}  // namespace lnotify

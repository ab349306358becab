// Test-only entry into RFC 8291 encryption with a chosen ephemeral key pair
// and salt, so RFC 8291 §5's published example can be reproduced byte for
// byte (internal header; production code calls encrypt_for_device, which
// draws both at random for every message).
#pragma once

#include "lnotify/payload/webpush_encryption.h"

namespace lnotify::testing_hook {

// sender_private: the 32-octet P-256 scalar; sender_public: its 65-octet
// uncompressed point; salt: 16 octets.
Result<std::string> encrypt_with_sender_key(std::string_view plaintext, const DeviceKeys& keys,
                                            std::string_view sender_private,
                                            std::string_view sender_public,
                                            std::string_view salt);

}  // namespace lnotify::testing_hook

// Payload encryption for devices that provisioned a Web Push-style key pair
// (/private/notify/security/p256dh and .../auth): RFC 8291 "Message
// Encryption for Web Push", i.e. ECDH on P-256 and HKDF-SHA256 feeding the
// "aes128gcm" content coding of RFC 8188. The result is exactly the RFC 8188
// byte string: the datagram, SMS payload or HTTP body.
//
//   header = salt(16) | rs(4) = 4096 | idlen(1) = 65 | keyid = sender's public key(65)
//   body   = header | AES-128-GCM(CEK, NONCE, plaintext | 0x02) incl. 16-octet tag
//
// RFC 8291 §4: "An application server MUST encrypt a push message with a
// single record", and the padding delimiter of that (last) record is 0x02.
// No padding is added beyond the delimiter.
#pragma once

#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify {

inline constexpr size_t kAes128gcmHeaderSize = 16 + 4 + 1 + 65;
inline constexpr size_t kAes128gcmOverhead = kAes128gcmHeaderSize + 1 + 16;  // + delimiter + tag
inline constexpr uint32_t kWebPushRecordSize = 4096;
// RFC 8291 §4: a push service need not take more than 4096 octets of body,
// "this equates to, at most, 3993 octets of plaintext". lnotify keeps every
// encrypted payload within that, whatever the channel.
inline constexpr size_t kMaxEncryptedBody = 4096;
inline constexpr size_t kMaxEncryptedPlaintext = kMaxEncryptedBody - kAes128gcmOverhead;

// The device's keys, decoded: an uncompressed P-256 point (65 octets,
// starting 0x04) and the 16-octet authentication secret.
struct DeviceKeys {
  std::string p256dh;
  std::string auth;
};

// Decodes and checks the base64url values a client stored; the point must
// lie on the curve.
Result<DeviceKeys> parse_device_keys(std::string_view p256dh_base64url,
                                     std::string_view auth_base64url);

// Encrypts with a fresh ephemeral key pair and a random salt (both single-use;
// reusing either would let an observer relate or attack messages).
Result<std::string> encrypt_for_device(std::string_view plaintext, const DeviceKeys& keys);

}  // namespace lnotify

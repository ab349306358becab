// VAPID (RFC 8292): the application server's P-256 key pair that identifies
// lnotify to Web Push services. A subscription is created with the public
// key (the client reads it as /private/notify/webpush/vapid-key), and every
// push request carries
//   Authorization: vapid t=<JWT>, k=<public key>
// where the JWT (RFC 7519) is signed with ES256 (RFC 7518 §3.4: ECDSA P-256
// with SHA-256, the signature as the 64-octet R || S).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify {

// RFC 8292 §2: "An application server MUST NOT include an expiration time
// that is more than 24 hours from the time of the request."
inline constexpr int64_t kVapidMaxLifetimeSecs = 24 * 3600;

class VapidKey {
 public:
  // A PEM private key (PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY") on
  // the P-256 curve; anything else is an error naming what was found.
  static Result<VapidKey> from_pem(std::string_view pem);
  static Result<VapidKey> load_pem_file(const std::string& path);

  VapidKey(VapidKey&&) noexcept;
  VapidKey& operator=(VapidKey&&) noexcept;
  ~VapidKey();

  // The public key as the uncompressed point (65 octets, 0x04 || X || Y),
  // base64url without padding: the "k" parameter and the
  // applicationServerKey a client subscribes with.
  const std::string& public_key() const { return public_key_; }

  // A signed JWT: header {"typ":"JWT","alg":"ES256"}, claims
  // {"aud":audience,"exp":expires,"sub":subject}.
  Result<std::string> sign_jwt(std::string_view audience, int64_t expires,
                               std::string_view subject) const;

 private:
  struct Key;
  VapidKey(std::unique_ptr<Key> key, std::string public_key);
  std::unique_ptr<Key> key_;
  std::string public_key_;
};

// The ES256 form of an ECDSA signature: DER SEQUENCE { r, s } to the
// 64-octet R || S of RFC 7518 §3.4, and back (for verifying with OpenSSL).
Result<std::string> ecdsa_der_to_jose(std::string_view der);
Result<std::string> ecdsa_jose_to_der(std::string_view jose);

// RFC 8292 §2.1: sub "SHOULD include a contact URI for the application
// server as either a 'mailto:' (email) or an 'https:' URI".
Result<void> validate_vapid_subject(std::string_view subject);

}  // namespace lnotify

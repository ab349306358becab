// Ed25519 signatures over notification payloads, so a client can tell a
// notification from its server from a forged one (draft §9.1 wants extended
// payloads protected; a datagram or an SMS proves nothing about its sender).
//
// The server's key is an Ed25519 private key in a PEM file (dispatcher
// setting signing_key). Its public half is published in the provision entry
// /private/notify/outband/credential as "ed25519:" + base64url(32 raw octets).
//
// Where the signature travels: inside the payload, as its last part, so it
// survives every channel (datagram, SMS, HTTP body, XMPP stanza) and, when the
// payload is encrypted (RFC 8291), is encrypted with it (sign, then encrypt).
//   XML (EMN, xemn): a processing instruction after the root element,
//     <?lnotify-signature ed25519:BASE64URL?>
//     It is allowed there by XML 1.0 (Misc after the element) and ignored by
//     parsers that do not know it. The signed bytes are the document up to
//     the first byte of "<?lnotify-signature".
//   JSON: a last member "signature":"ed25519:BASE64URL". The signed bytes
//     are the object without it: the text before ',"signature":' followed by
//     the closing '}'.
// Verifying is byte-level (no XML or JSON canonicalisation): cut the trailer
// off as above, verify Ed25519 over the rest with the published key.
// Binary WBXML/WSP wake-ups are not signed: handsets' push dispatchers
// refuse unknown WSP headers and could not check a signature anyway.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify {

inline constexpr std::string_view kSignatureAlgorithm = "ed25519";
inline constexpr size_t kEd25519SignatureSize = 64;
inline constexpr size_t kEd25519PublicKeySize = 32;

class PayloadSigner {
 public:
  // Reads a PEM private key ("-----BEGIN PRIVATE KEY-----", PKCS#8, as
  // `openssl genpkey -algorithm ed25519` writes it); any other key type is
  // refused.
  static Result<std::unique_ptr<PayloadSigner>> load_pem_file(const std::string& path);
  static Result<std::unique_ptr<PayloadSigner>> from_pem(std::string_view pem);

  ~PayloadSigner();
  PayloadSigner(const PayloadSigner&) = delete;
  PayloadSigner& operator=(const PayloadSigner&) = delete;

  // The 64-octet Ed25519 signature of message.
  Result<std::string> sign(std::string_view message) const;
  const std::string& public_key() const { return public_key_; }  // 32 raw octets
  // The value of /private/notify/outband/credential: "ed25519:<base64url>".
  std::string credential() const;

 private:
  struct Key;
  PayloadSigner(std::unique_ptr<Key> key, std::string public_key);

  std::unique_ptr<Key> key_;
  std::string public_key_;
};

// Checks an Ed25519 signature with a raw 32-octet public key.
Result<void> verify_ed25519(std::string_view public_key, std::string_view message,
                            std::string_view signature);

// Appends the signature trailer to an XML document / JSON object as above.
Result<std::string> sign_xml_document(std::string_view document, const PayloadSigner& signer);
Result<std::string> sign_json_object(std::string_view object, const PayloadSigner& signer);

// The verifier's side: splits a signed payload into the bytes that were
// signed and the raw signature. Fails when the trailer is missing or malformed.
struct SignedPayload {
  std::string signed_bytes;
  std::string signature;
};
Result<SignedPayload> split_signed_xml(std::string_view document);
Result<SignedPayload> split_signed_json(std::string_view object);

}  // namespace lnotify

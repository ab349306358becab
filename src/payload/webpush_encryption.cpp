#include "lnotify/payload/webpush_encryption.h"

#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "lnotify/core/base64url.h"
#include "core/openssl_util.h"
#include "payload/webpush_encryption_hook.h"

namespace lnotify {
namespace {

using ossl::u8;

constexpr size_t kSaltSize = 16;
constexpr size_t kAuthSecretSize = 16;
constexpr size_t kPointSize = 65;
constexpr size_t kScalarSize = 32;
constexpr char kPaddingDelimiterLast = 0x02;
constexpr const char* kCurve = "prime256v1";

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), u8(data), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

// HKDF (RFC 5869) with one output block, which is all RFC 8291 needs:
// every derived value is at most 32 octets.
std::string hkdf(std::string_view salt, std::string_view ikm, std::string_view info, size_t length) {
  std::string prk = hmac_sha256(salt, ikm);
  std::string t1 = hmac_sha256(prk, std::string(info) + '\x01');
  return t1.substr(0, length);
}

Result<ossl::PkeyPtr> p256_key(std::string_view public_point, std::string_view private_scalar) {
  ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) return permanent_error(ossl::error("OSSL_PARAM_BLD_new"));
  ossl::BnPtr priv;
  bool ok = OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kCurve, 0) &&
            OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                             public_point.data(), public_point.size());
  if (ok && !private_scalar.empty()) {
    priv.reset(BN_bin2bn(u8(private_scalar), static_cast<int>(private_scalar.size()), nullptr));
    ok = priv && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get());
  }
  ossl::ParamsPtr params(ok ? OSSL_PARAM_BLD_to_param(bld.get()) : nullptr);
  if (!params) return permanent_error(ossl::error("building P-256 key parameters"));

  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  int selection = private_scalar.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) <= 0)
    return permanent_error(ossl::error("not a P-256 public key"));
  ossl::PkeyPtr key(raw);

  // A point that is not on the curve would make ECDH leak the sender's key.
  ossl::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) <= 0)
    return permanent_error(ossl::error("P-256 public key is not a valid point"));
  return key;
}

Result<std::string> encoded_public_key(EVP_PKEY* key) {
  unsigned char buf[kPointSize];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, buf, sizeof(buf),
                                      &len) <= 0 ||
      len != kPointSize || buf[0] != 0x04)
    return permanent_error(ossl::error("cannot export the ephemeral public key"));
  return std::string(reinterpret_cast<char*>(buf), len);
}

Result<std::string> ecdh(EVP_PKEY* own, EVP_PKEY* peer) {
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer) <= 0 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) <= 0)
    return permanent_error(ossl::error("ECDH failed"));
  std::string secret(len, '\0');
  if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(secret.data()), &len) <= 0)
    return permanent_error(ossl::error("ECDH failed"));
  secret.resize(len);
  return secret;
}

Result<std::string> aes128gcm_seal(std::string_view key, std::string_view nonce,
                                   std::string_view plaintext) {
  ossl::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  std::string out(plaintext.size() + 16, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int len = 0, tail = 0;
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), EVP_aes_128_gcm(), u8(key), u8(nonce), nullptr) <= 0 ||
      EVP_EncryptUpdate(ctx.get(), o, &len, u8(plaintext), static_cast<int>(plaintext.size())) <= 0 ||
      EVP_EncryptFinal_ex(ctx.get(), o + len, &tail) <= 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, o + len + tail) <= 0)
    return permanent_error(ossl::error("AES-128-GCM encryption failed"));
  out.resize(static_cast<size_t>(len + tail) + 16);
  return out;
}

Result<std::string> encrypt(std::string_view plaintext, const DeviceKeys& keys, EVP_PKEY* sender,
                            std::string_view salt) {
  if (plaintext.size() > kMaxEncryptedPlaintext)
    return permanent_error("payload of " + std::to_string(plaintext.size()) +
                           " bytes is too big for one encrypted record (at most " +
                           std::to_string(kMaxEncryptedPlaintext) + ")");
  if (salt.size() != kSaltSize) return permanent_error("salt must be 16 octets");
  auto device = p256_key(keys.p256dh, {});
  if (!device) return device.error();
  auto sender_public = encoded_public_key(sender);
  if (!sender_public) return sender_public.error();
  auto ecdh_secret = ecdh(sender, device->get());
  if (!ecdh_secret) return ecdh_secret.error();

  // RFC 8291 §3.3-3.4:
  //   PRK_key = HMAC-SHA-256(auth_secret, ecdh_secret)
  //   key_info = "WebPush: info" || 0x00 || ua_public || as_public
  //   IKM = HMAC-SHA-256(PRK_key, key_info || 0x01)
  // then RFC 8188 §2.2-2.3 with that IKM and the salt:
  //   CEK = HKDF(salt, IKM, "Content-Encoding: aes128gcm" || 0x00, 16)
  //   NONCE = HKDF(salt, IKM, "Content-Encoding: nonce" || 0x00, 12)
  // (the record sequence number is 0, so NONCE is used as is).
  std::string key_info = std::string("WebPush: info") + '\0' + keys.p256dh + *sender_public;
  std::string ikm = hkdf(keys.auth, *ecdh_secret, key_info, 32);
  std::string cek = hkdf(salt, ikm, std::string("Content-Encoding: aes128gcm") + '\0', 16);
  std::string nonce = hkdf(salt, ikm, std::string("Content-Encoding: nonce") + '\0', 12);

  std::string record(plaintext);
  record += kPaddingDelimiterLast;
  auto sealed = aes128gcm_seal(cek, nonce, record);
  if (!sealed) return sealed.error();

  std::string out(salt);
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((kWebPushRecordSize >> shift) & 0xFF);
  out += static_cast<char>(kPointSize);
  out += *sender_public;
  out += *sealed;
  return out;
}

}  // namespace

Result<DeviceKeys> parse_device_keys(std::string_view p256dh_base64url,
                                     std::string_view auth_base64url) {
  auto point = base64url_decode(p256dh_base64url);
  if (!point) return permanent_error("p256dh: " + point.error().message);
  if (point->size() != kPointSize || (*point)[0] != '\x04')
    return permanent_error("p256dh must be an uncompressed P-256 point (65 octets starting 0x04)");
  if (auto key = p256_key(*point, {}); !key) return permanent_error("p256dh: " + key.error().message);
  auto auth = base64url_decode(auth_base64url);
  if (!auth) return permanent_error("auth: " + auth.error().message);
  if (auth->size() != kAuthSecretSize) return permanent_error("auth must be 16 octets");
  return DeviceKeys{std::move(*point), std::move(*auth)};
}

Result<std::string> encrypt_for_device(std::string_view plaintext, const DeviceKeys& keys) {
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", kCurve);
  if (raw == nullptr) return temporary_error(ossl::error("cannot generate an ephemeral P-256 key"));
  ossl::PkeyPtr sender(raw);
  unsigned char salt[kSaltSize];
  if (RAND_bytes(salt, sizeof(salt)) != 1)
    return temporary_error(ossl::error("no random bytes for the salt"));
  return encrypt(plaintext, keys, sender.get(),
                 std::string_view(reinterpret_cast<char*>(salt), sizeof(salt)));
}

namespace testing_hook {

Result<std::string> encrypt_with_sender_key(std::string_view plaintext, const DeviceKeys& keys,
                                            std::string_view sender_private,
                                            std::string_view sender_public,
                                            std::string_view salt) {
  if (sender_private.size() != kScalarSize) return permanent_error("sender key must be 32 octets");
  auto sender = p256_key(sender_public, sender_private);
  if (!sender) return sender.error();
  return encrypt(plaintext, keys, sender->get(), salt);
}

}  // namespace testing_hook
}  // namespace lnotify

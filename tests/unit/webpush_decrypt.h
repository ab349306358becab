// The receiving side of RFC 8291 (test helper), written from RFC 8291 §3 and
// RFC 8188 §2 with OpenSSL's own HKDF, apart from the code under test.
#pragma once

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace lnotify::testing {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

inline Pkey p256_private(std::string_view scalar, std::string_view point) {
  std::unique_ptr<OSSL_PARAM_BLD, void (*)(OSSL_PARAM_BLD*)> bld(OSSL_PARAM_BLD_new(),
                                                                   OSSL_PARAM_BLD_free);
  BIGNUM* priv = BN_bin2bn(reinterpret_cast<const unsigned char*>(scalar.data()),
                           static_cast<int>(scalar.size()), nullptr);
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), "group", "prime256v1", 0);
  OSSL_PARAM_BLD_push_BN(bld.get(), "priv", priv);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), "pub", point.data(), point.size());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld.get());
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_fromdata_init(ctx);
  EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  BN_free(priv);
  return Pkey(key);
}

inline Pkey p256_public(std::string_view point) {
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string("group", const_cast<char*>("prime256v1"), 0),
      OSSL_PARAM_construct_octet_string("pub", const_cast<char*>(point.data()), point.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_fromdata_init(ctx);
  EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  EVP_PKEY_CTX_free(ctx);
  return Pkey(key);
}

inline std::string hkdf(std::string_view salt, std::string_view ikm, std::string_view info, size_t len) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string("digest", const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string("salt", const_cast<char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_octet_string("key", const_cast<char*>(ikm.data()), ikm.size()),
      OSSL_PARAM_construct_octet_string("info", const_cast<char*>(info.data()), info.size()),
      OSSL_PARAM_construct_end()};
  std::string out(len, '\0');
  EXPECT_EQ(EVP_KDF_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), len, params), 1);
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  return out;
}

// Returns the plaintext, or nothing when anything does not check out.
inline std::optional<std::string> decrypt(std::string_view body, EVP_PKEY* ua_key, std::string_view ua_public,
                                   std::string_view auth) {
  if (body.size() < 86 + 17) return std::nullopt;
  std::string_view salt = body.substr(0, 16);
  uint32_t rs = (uint8_t(body[16]) << 24) | (uint8_t(body[17]) << 16) | (uint8_t(body[18]) << 8) |
                uint8_t(body[19]);
  if (rs != 4096 || uint8_t(body[20]) != 65) return std::nullopt;
  std::string_view as_public = body.substr(21, 65);
  std::string_view ciphertext = body.substr(86, body.size() - 86 - 16);
  std::string_view tag = body.substr(body.size() - 16);

  Pkey sender = p256_public(as_public);
  EVP_PKEY_CTX* dctx = EVP_PKEY_CTX_new_from_pkey(nullptr, ua_key, nullptr);
  std::string secret(32, '\0');
  size_t slen = secret.size();
  bool ok = sender && EVP_PKEY_derive_init(dctx) > 0 && EVP_PKEY_derive_set_peer(dctx, sender.get()) > 0 &&
            EVP_PKEY_derive(dctx, reinterpret_cast<unsigned char*>(secret.data()), &slen) > 0;
  EVP_PKEY_CTX_free(dctx);
  if (!ok) return std::nullopt;

  std::string key_info = std::string("WebPush: info") + '\0' + std::string(ua_public) + std::string(as_public);
  std::string ikm = hkdf(auth, secret, key_info, 32);
  std::string cek = hkdf(salt, ikm, std::string("Content-Encoding: aes128gcm") + '\0', 16);
  std::string nonce = hkdf(salt, ikm, std::string("Content-Encoding: nonce") + '\0', 12);

  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  std::string plain(ciphertext.size(), '\0');
  int len = 0, tail = 0;
  auto* p = reinterpret_cast<unsigned char*>(plain.data());
  ok = EVP_DecryptInit_ex2(c, EVP_aes_128_gcm(), reinterpret_cast<const unsigned char*>(cek.data()),
                           reinterpret_cast<const unsigned char*>(nonce.data()), nullptr) > 0 &&
       EVP_DecryptUpdate(c, p, &len, reinterpret_cast<const unsigned char*>(ciphertext.data()),
                         static_cast<int>(ciphertext.size())) > 0 &&
       EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, const_cast<char*>(tag.data())) > 0 &&
       EVP_DecryptFinal_ex(c, p + len, &tail) > 0;
  EVP_CIPHER_CTX_free(c);
  if (!ok) return std::nullopt;
  plain.resize(static_cast<size_t>(len + tail));
  // RFC 8188 §2: the last record's padding is 0x02 followed by zeros.
  while (!plain.empty() && plain.back() == '\0') plain.pop_back();
  if (plain.empty() || plain.back() != '\x02') return std::nullopt;
  plain.pop_back();
  return plain;
}

// A fresh P-256 device key and its uncompressed public point.
inline std::pair<Pkey, std::string> new_device_key() {
  Pkey device(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  unsigned char point[65];
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(device.get(), "encoded-pub-key", point, sizeof(point), &len);
  return {std::move(device), std::string(reinterpret_cast<char*>(point), len)};
}

}  // namespace lnotify::testing

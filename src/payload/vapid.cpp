#include "lnotify/payload/vapid.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>

#include "core/json_writer.h"
#include "lnotify/core/base64url.h"
#include "core/openssl_util.h"
#include "core/text_util.h"

namespace lnotify {
namespace {

using ossl::u8;

constexpr size_t kScalarSize = 32;
constexpr size_t kPointSize = 65;
// base64url of {"typ":"JWT","alg":"ES256"}, the header every token shares.
constexpr std::string_view kJwtHeader = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";

using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, ossl::Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

}  // namespace

struct VapidKey::Key {
  ossl::PkeyPtr pkey;
};

VapidKey::VapidKey(std::unique_ptr<Key> key, std::string public_key)
    : key_(std::move(key)), public_key_(std::move(public_key)) {}
VapidKey::VapidKey(VapidKey&&) noexcept = default;
VapidKey& VapidKey::operator=(VapidKey&&) noexcept = default;
VapidKey::~VapidKey() = default;

Result<VapidKey> VapidKey::from_pem(std::string_view pem) {
  std::unique_ptr<BIO, ossl::Deleter<BIO, BIO_free_all>> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return permanent_error(ossl::error("BIO_new_mem_buf"));
  ossl::PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return permanent_error(ossl::error("not a PEM private key"));
  char group[64] = "";
  size_t group_len = 0;
  if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_EC ||
      EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &group_len) <= 0 ||
      std::string_view(group) != "prime256v1") {
    ERR_clear_error();
    return permanent_error(
        "the VAPID key must be an EC key on P-256 (openssl ecparam -name prime256v1 -genkey "
        "-noout -out vapid.pem)");
  }
  // Uncompressed, whatever form the PEM file chose.
  if (EVP_PKEY_set_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                     "uncompressed") <= 0)
    return permanent_error(ossl::error("cannot select the uncompressed point form"));
  std::string point(kPointSize, '\0');
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                      reinterpret_cast<unsigned char*>(point.data()),
                                      point.size(), &len) <= 0 ||
      len != kPointSize || point[0] != '\x04')
    return permanent_error(ossl::error("cannot read the VAPID public key"));
  auto key = std::make_unique<Key>();
  key->pkey = std::move(pkey);
  return VapidKey(std::move(key), base64url_encode(point));
}

Result<VapidKey> VapidKey::load_pem_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return permanent_error("cannot read the VAPID key " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto key = from_pem(text.str());
  if (!key) return permanent_error(path + ": " + key.error().message);
  return key;
}

Result<std::string> VapidKey::sign_jwt(std::string_view audience, int64_t expires,
                                       std::string_view subject) const {
  // RFC 7515 §5.1: the signing input is BASE64URL(header) "." BASE64URL(claims).
  std::string claims = json::ObjectWriter()
                           .string("aud", audience)
                           .number("exp", expires)
                           .string("sub", subject)
                           .finish();
  std::string input = base64url_encode(kJwtHeader) + "." + base64url_encode(claims);

  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t der_len = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->pkey.get()) <= 0 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, u8(input), input.size()) <= 0)
    return permanent_error(ossl::error("ES256 signing"));
  std::string der(der_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &der_len,
                     u8(input), input.size()) <= 0)
    return permanent_error(ossl::error("ES256 signing"));
  der.resize(der_len);
  auto jose = ecdsa_der_to_jose(der);
  if (!jose) return jose.error();
  return input + "." + base64url_encode(*jose);
}

Result<std::string> ecdsa_der_to_jose(std::string_view der) {
  const unsigned char* p = u8(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return permanent_error(ossl::error("not a DER ECDSA signature"));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(2 * kScalarSize, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(r, bytes, kScalarSize) < 0 || BN_bn2binpad(s, bytes + kScalarSize, kScalarSize) < 0)
    return permanent_error("ECDSA signature values longer than 32 octets");
  return out;
}

Result<std::string> ecdsa_jose_to_der(std::string_view jose) {
  if (jose.size() != 2 * kScalarSize) return permanent_error("an ES256 signature is 64 octets");
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(u8(jose), kScalarSize, nullptr);
  BIGNUM* s = BN_bin2bn(u8(jose.substr(kScalarSize)), kScalarSize, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return permanent_error(ossl::error("ECDSA_SIG_set0"));
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return permanent_error(ossl::error("i2d_ECDSA_SIG"));
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<void> validate_vapid_subject(std::string_view subject) {
  const bool mailto = subject.size() > 7 && text::iequals(subject.substr(0, 7), "mailto:") &&
                      subject.find('@') != std::string_view::npos;
  const bool https = subject.size() > 8 && text::iequals(subject.substr(0, 8), "https://");
  if ((!mailto && !https) || subject.find_first_of(" \t\"\\") != std::string_view::npos)
    return permanent_error("the VAPID subject must be a mailto: or https: contact URI, e.g. "
                           "mailto:postmaster@example.org (RFC 8292 §2.1)");
  return {};
}

}  // namespace lnotify

#include "lnotify/payload/payload_signing.h"

#include <openssl/pem.h>

#include <fstream>
#include <sstream>

#include "lnotify/core/base64url.h"
#include "core/openssl_util.h"
#include "payload/xml_writer.h"

namespace lnotify {
namespace {

using ossl::u8;

constexpr std::string_view kPiTarget = "lnotify-signature";
constexpr std::string_view kJsonMember = ",\"signature\":\"";

std::string signature_value(std::string_view signature) {
  return std::string(kSignatureAlgorithm) + ":" + base64url_encode(signature);
}

Result<std::string> parse_signature_value(std::string_view value) {
  const std::string prefix = std::string(kSignatureAlgorithm) + ":";
  if (value.substr(0, prefix.size()) != prefix)
    return permanent_error("signature is not labelled " + prefix);
  auto raw = base64url_decode(value.substr(prefix.size()));
  if (!raw || raw->size() != kEd25519SignatureSize)
    return permanent_error("signature is not 64 octets of base64url");
  return std::move(*raw);
}

bool only_whitespace(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

struct PayloadSigner::Key {
  ossl::PkeyPtr pkey;
};

PayloadSigner::PayloadSigner(std::unique_ptr<Key> key, std::string public_key)
    : key_(std::move(key)), public_key_(std::move(public_key)) {}
PayloadSigner::~PayloadSigner() = default;

Result<std::unique_ptr<PayloadSigner>> PayloadSigner::from_pem(std::string_view pem) {
  std::unique_ptr<BIO, ossl::Deleter<BIO, BIO_free_all>> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return permanent_error(ossl::error("BIO_new_mem_buf"));
  ossl::PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return permanent_error(ossl::error("not a PEM private key"));
  if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519)
    return permanent_error("the signing key must be an Ed25519 key (openssl genpkey -algorithm ed25519)");
  std::string public_key(kEd25519PublicKeySize, '\0');
  size_t len = public_key.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char*>(public_key.data()),
                                  &len) <= 0 ||
      len != kEd25519PublicKeySize)
    return permanent_error(ossl::error("cannot read the Ed25519 public key"));
  auto key = std::make_unique<Key>();
  key->pkey = std::move(pkey);
  return std::unique_ptr<PayloadSigner>(new PayloadSigner(std::move(key), std::move(public_key)));
}

Result<std::unique_ptr<PayloadSigner>> PayloadSigner::load_pem_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return permanent_error("cannot read signing key " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto signer = from_pem(text.str());
  if (!signer) return permanent_error(path + ": " + signer.error().message);
  return signer;
}

Result<std::string> PayloadSigner::sign(std::string_view message) const {
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string signature(kEd25519SignatureSize, '\0');
  size_t len = signature.size();
  // Ed25519 hashes internally: no digest, one-shot EVP_DigestSign only.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) <= 0 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                     u8(message), message.size()) <= 0 ||
      len != kEd25519SignatureSize)
    return permanent_error(ossl::error("Ed25519 signing failed"));
  return signature;
}

std::string PayloadSigner::credential() const { return signature_value(public_key_); }

Result<void> verify_ed25519(std::string_view public_key, std::string_view message,
                            std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize)
    return permanent_error("wrong Ed25519 key or signature length");
  ossl::PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, u8(public_key),
                                                 public_key.size()));
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) <= 0)
    return permanent_error(ossl::error("cannot set up Ed25519 verification"));
  if (EVP_DigestVerify(ctx.get(), u8(signature), signature.size(), u8(message), message.size()) != 1) {
    ERR_clear_error();
    return permanent_error("Ed25519 signature does not match");
  }
  return {};
}

Result<std::string> sign_xml_document(std::string_view document, const PayloadSigner& signer) {
  auto signature = signer.sign(document);
  if (!signature) return signature.error();
  // The trailer is written by libxml2 like the document itself; it is a
  // complete piece of document-level markup, so appending it keeps the
  // document well-formed.
  xml::Writer trailer;
  trailer.processing_instruction(std::string(kPiTarget).c_str(), signature_value(*signature));
  auto pi = trailer.finish();
  if (!pi) return pi.error();
  return std::string(document) + *pi;
}

Result<std::string> sign_json_object(std::string_view object, const PayloadSigner& signer) {
  if (object.size() < 2 || object.front() != '{' || object.back() != '}' || object == "{}")
    return permanent_error("only a non-empty JSON object can carry a signature member");
  auto signature = signer.sign(object);
  if (!signature) return signature.error();
  std::string out(object.substr(0, object.size() - 1));
  out += kJsonMember;
  out += signature_value(*signature);  // base64url needs no JSON escaping
  out += "\"}";
  return out;
}

Result<SignedPayload> split_signed_xml(std::string_view document) {
  const std::string open = "<?" + std::string(kPiTarget) + " ";
  size_t at = document.rfind(open);
  if (at == std::string_view::npos) return permanent_error("no signature processing instruction");
  std::string_view rest = document.substr(at + open.size());
  size_t close = rest.find("?>");
  if (close == std::string_view::npos || !only_whitespace(rest.substr(close + 2)))
    return permanent_error("the signature processing instruction is not the document's end");
  auto signature = parse_signature_value(rest.substr(0, close));
  if (!signature) return signature.error();
  return SignedPayload{std::string(document.substr(0, at)), std::move(*signature)};
}

Result<SignedPayload> split_signed_json(std::string_view object) {
  size_t at = object.rfind(kJsonMember);
  if (at == std::string_view::npos || object.size() < 2 ||
      object.substr(object.size() - 2) != "\"}")
    return permanent_error("no signature member at the end of the object");
  std::string_view value =
      object.substr(at + kJsonMember.size(), object.size() - 2 - at - kJsonMember.size());
  auto signature = parse_signature_value(value);
  if (!signature) return signature.error();
  return SignedPayload{std::string(object.substr(0, at)) + "}", std::move(*signature)};
}

}  // namespace lnotify

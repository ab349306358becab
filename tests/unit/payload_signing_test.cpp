#include "lnotify/payload/payload_signing.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>

#include <gtest/gtest.h>

#include "json_check.h"
#include "lnotify/core/base64url.h"
#include "lnotify/payload/emn.h"
#include "lnotify/payload/xemn_json.h"
#include "temp_dir.h"
#include "test_data.h"
#include "xml_check.h"

namespace lnotify {
namespace {

using testing::data_path;
using testing::from_hex;

std::unique_ptr<PayloadSigner> rfc8032_signer() {
  auto signer = PayloadSigner::load_pem_file(data_path("ed25519-rfc8032-test1.pem"));
  EXPECT_TRUE(signer.has_value()) << signer.error().message;
  return std::move(*signer);
}

TEST(PayloadSigning, ReproducesRfc8032Test1) {
  // RFC 8032 §7.1, TEST 1: the key, and the signature of the empty message.
  auto signer = rfc8032_signer();
  EXPECT_EQ(signer->public_key(),
            from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  auto signature = signer->sign("");
  ASSERT_TRUE(signature.has_value());
  EXPECT_EQ(*signature, from_hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                                 "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"));
  EXPECT_EQ(signer->credential(), "ed25519:" + base64url_encode(signer->public_key()));
  EXPECT_EQ(signer->credential(), "ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
}

TEST(PayloadSigning, XmlTrailerVerifiesAndTamperingFails) {
  auto signer = rfc8032_signer();
  auto emn = encode_emn_xml({"mailat:joe@foo.com", 1077259200});
  ASSERT_TRUE(emn.has_value());
  auto signed_xml = sign_xml_document(*emn, *signer);
  ASSERT_TRUE(signed_xml.has_value());
  EXPECT_EQ(signed_xml->substr(0, emn->size()), *emn);
  EXPECT_EQ(signed_xml->substr(emn->size(), 28), "<?lnotify-signature ed25519:");
  EXPECT_EQ(signed_xml->substr(signed_xml->size() - 3), "?>\n");

  // Still an EMN document to any XML parser: the PI follows the root element.
  auto doc = testing::parse_xml(*signed_xml);
  ASSERT_TRUE(doc) << *signed_xml;
  EXPECT_EQ(testing::root_name(doc), "emn");

  auto parts = split_signed_xml(*signed_xml);
  ASSERT_TRUE(parts.has_value()) << parts.error().message;
  EXPECT_EQ(parts->signed_bytes, *emn);
  EXPECT_TRUE(verify_ed25519(signer->public_key(), parts->signed_bytes, parts->signature).has_value());

  for (size_t at : {size_t{0}, emn->find("joe"), emn->find("06:40"), emn->size() - 2}) {
    std::string tampered = *signed_xml;
    tampered[at] ^= 0x01;
    auto tampered_parts = split_signed_xml(tampered);
    ASSERT_TRUE(tampered_parts.has_value());
    EXPECT_FALSE(verify_ed25519(signer->public_key(), tampered_parts->signed_bytes,
                                tampered_parts->signature)
                     .has_value())
        << "byte " << at;
  }
}

TEST(PayloadSigning, JsonMemberVerifiesAndTamperingFails) {
  auto signer = rfc8032_signer();
  XemnFacts f;
  f.mailbox_uri = "mailat:joe@foo.com";
  f.timestamp = 1077259200;
  f.subject = "Quarterly \"numbers\"";
  const std::string json = encode_xemn_json(f);
  auto signed_json = sign_json_object(json, *signer);
  ASSERT_TRUE(signed_json.has_value());
  auto object = testing::read_flat_json(*signed_json);
  ASSERT_TRUE(object.has_value()) << *signed_json;
  EXPECT_EQ(std::get<std::string>(object->at("signature")).substr(0, 8), "ed25519:");
  EXPECT_EQ(std::get<std::string>(object->at("subject")), "Quarterly \"numbers\"");

  auto parts = split_signed_json(*signed_json);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->signed_bytes, json);
  EXPECT_TRUE(verify_ed25519(signer->public_key(), parts->signed_bytes, parts->signature).has_value());

  std::string tampered = *signed_json;
  tampered[tampered.find("Quarterly")] = 'q';
  auto tampered_parts = split_signed_json(tampered);
  ASSERT_TRUE(tampered_parts.has_value());
  EXPECT_FALSE(verify_ed25519(signer->public_key(), tampered_parts->signed_bytes,
                              tampered_parts->signature)
                   .has_value());
}

TEST(PayloadSigning, AnotherKeyDoesNotVerify) {
  auto signer = rfc8032_signer();
  auto signature = signer->sign("payload");
  ASSERT_TRUE(signature.has_value());
  std::string other_key = signer->public_key();
  other_key[0] ^= 0x40;
  EXPECT_FALSE(verify_ed25519(other_key, "payload", *signature).has_value());
  EXPECT_FALSE(verify_ed25519(signer->public_key(), "payload", signature->substr(1)).has_value());
}

TEST(PayloadSigning, SplittingRefusesUnsignedOrMangledPayloads) {
  EXPECT_FALSE(split_signed_xml("<emn/>").has_value());
  EXPECT_FALSE(split_signed_xml("<emn/><?lnotify-signature ed25519:AAAA?>").has_value());
  EXPECT_FALSE(split_signed_xml("<emn/><?lnotify-signature rsa:AAAA?>").has_value());
  EXPECT_FALSE(split_signed_json("{\"a\":\"b\"}").has_value());
  EXPECT_FALSE(split_signed_json("{\"a\":\"b\",\"signature\":\"ed25519:AAAA\"}").has_value());
  EXPECT_FALSE(sign_json_object("{}", *rfc8032_signer()).has_value());
  EXPECT_FALSE(sign_json_object("[1]", *rfc8032_signer()).has_value());
}

TEST(PayloadSigning, LoadingRefusesWhatIsNotAnEd25519Key) {
  testing::TempDir dir;
  auto missing = PayloadSigner::load_pem_file(dir.path() + "/none.pem");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("none.pem"), std::string::npos);

  EXPECT_FALSE(PayloadSigner::from_pem("not a key").has_value());

  // A perfectly good P-256 key is still the wrong kind.
  EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio, ec, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  auto wrong = PayloadSigner::from_pem(std::string_view(data, static_cast<size_t>(len)));
  BIO_free(bio);
  EVP_PKEY_free(ec);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message.find("Ed25519"), std::string::npos);
}

}  // namespace
}  // namespace lnotify

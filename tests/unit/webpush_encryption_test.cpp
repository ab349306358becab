#include "lnotify/payload/webpush_encryption.h"

#include <gtest/gtest.h>

#include "lnotify/core/base64url.h"
#include "webpush_decrypt.h"
#include "payload/webpush_encryption_hook.h"

namespace lnotify {
namespace {

using testing::decrypt;
using testing::p256_private;
using testing::Pkey;

std::string b64(std::string_view text) { return *base64url_decode(text); }

// RFC 8291 §5 and Appendix A.
constexpr std::string_view kPlaintext = "When I grow up, I want to be a watermelon";
constexpr std::string_view kUaPublic =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr std::string_view kUaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
constexpr std::string_view kAuthSecret = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr std::string_view kAsPublic =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
constexpr std::string_view kAsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
constexpr std::string_view kSalt = "DGv6ra1nlYgDCS1FRnbzlw";
constexpr std::string_view kEncrypted =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS"
    "6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Q"
    "ulcy4a-fN";

DeviceKeys rfc_device() { return *parse_device_keys(kUaPublic, kAuthSecret); }

TEST(WebPushEncryption, ReproducesRfc8291Example) {
  auto body = testing_hook::encrypt_with_sender_key(kPlaintext, rfc_device(), b64(kAsPrivate),
                                                    b64(kAsPublic), b64(kSalt));
  ASSERT_TRUE(body.has_value()) << body.error().message;
  EXPECT_EQ(base64url_encode(*body), kEncrypted);
  EXPECT_EQ(body->size(), kPlaintext.size() + kAes128gcmOverhead);
}

TEST(WebPushEncryption, TheTestDecrypterOpensTheRfcExample) {
  // Checks the decrypter the round trip below relies on.
  Pkey ua = p256_private(b64(kUaPrivate), b64(kUaPublic));
  ASSERT_TRUE(ua);
  auto plain = decrypt(b64(kEncrypted), ua.get(), b64(kUaPublic), b64(kAuthSecret));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(*plain, kPlaintext);
}

TEST(WebPushEncryption, RoundTripWithAFreshDeviceKey) {
  Pkey device(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_TRUE(device);
  unsigned char point[65];
  size_t point_len = 0;
  ASSERT_EQ(EVP_PKEY_get_octet_string_param(device.get(), "encoded-pub-key", point, sizeof(point),
                                            &point_len), 1);
  const std::string ua_public(reinterpret_cast<char*>(point), point_len);
  const std::string auth = "0123456789abcdef";
  auto keys = parse_device_keys(base64url_encode(ua_public), base64url_encode(auth));
  ASSERT_TRUE(keys.has_value()) << keys.error().message;

  const std::string message = "<xemn mailbox=\"mailat:joe@foo.com\"/>";
  auto first = encrypt_for_device(message, *keys);
  auto second = encrypt_for_device(message, *keys);
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_NE(*first, *second) << "salt and ephemeral key are fresh each time";
  EXPECT_NE(first->substr(0, 16), second->substr(0, 16));
  EXPECT_NE(first->substr(21, 65), second->substr(21, 65));

  auto plain = decrypt(*first, device.get(), ua_public, auth);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(*plain, message);

  // Tampering is detected by the GCM tag.
  std::string tampered = *first;
  tampered[90] ^= 0x01;
  EXPECT_FALSE(decrypt(tampered, device.get(), ua_public, auth).has_value());
  // The wrong auth secret opens nothing.
  EXPECT_FALSE(decrypt(*first, device.get(), ua_public, "fedcba9876543210").has_value());
}

TEST(WebPushEncryption, OneRecordAtMost4096Bytes) {
  const DeviceKeys keys = rfc_device();
  auto largest = encrypt_for_device(std::string(kMaxEncryptedPlaintext, 'x'), keys);
  ASSERT_TRUE(largest.has_value());
  EXPECT_EQ(largest->size(), kMaxEncryptedBody);
  EXPECT_EQ(kMaxEncryptedPlaintext, 3993u);  // RFC 8291 §4
  auto too_big = encrypt_for_device(std::string(kMaxEncryptedPlaintext + 1, 'x'), keys);
  ASSERT_FALSE(too_big.has_value());
  EXPECT_FALSE(too_big.error().temporary());
}

TEST(WebPushEncryption, RefusesBrokenDeviceKeys) {
  EXPECT_FALSE(parse_device_keys("", kAuthSecret).has_value());
  EXPECT_FALSE(parse_device_keys(kUaPublic, "").has_value());
  EXPECT_FALSE(parse_device_keys(kUaPublic, "BTBZMqHH6r4Tts7J_aSI").has_value());  // 15 octets
  EXPECT_FALSE(parse_device_keys("not base64!", kAuthSecret).has_value());
  // 65 octets starting 0x04, but not a point on P-256.
  std::string off_curve = b64(kUaPublic);
  off_curve[64] ^= 0x01;
  auto bad = parse_device_keys(base64url_encode(off_curve), kAuthSecret);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("p256dh"), std::string::npos);
  // A compressed point is not what Web Push subscriptions carry.
  std::string compressed = "\x03" + b64(kUaPublic).substr(1, 32);
  EXPECT_FALSE(parse_device_keys(base64url_encode(compressed), kAuthSecret).has_value());
}

}  // namespace
}  // namespace lnotify

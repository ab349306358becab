#include "lnotify/core/base64url.h"

#include <gtest/gtest.h>

namespace lnotify {
namespace {

TEST(Base64url, EncodesRfc4648Vectors) {
  // RFC 4648 §10, in the URL alphabet without padding.
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");
}

TEST(Base64url, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(*base64url_decode("Zm9vYg"), "foob");
  EXPECT_EQ(*base64url_decode("Zm9vYg=="), "foob");
  EXPECT_EQ(*base64url_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(*base64url_decode("-_-_"), "\xfb\xff\xbf");
  EXPECT_EQ(*base64url_decode(""), "");
}

TEST(Base64url, RefusesWhatIsNotBase64url) {
  EXPECT_FALSE(base64url_decode("Zm9v+g").has_value());  // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm9v/g").has_value());
  EXPECT_FALSE(base64url_decode("Zm 9v").has_value());
  EXPECT_FALSE(base64url_decode("Zm9vY").has_value());  // 4n+1 characters
  EXPECT_FALSE(base64url_decode("Zm=9").has_value());
}

TEST(Base64url, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    auto decoded = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, bytes);
    bytes += static_cast<char>(i * 37);
  }
}

}  // namespace
}  // namespace lnotify

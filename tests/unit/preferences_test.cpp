#include "lnotify/metadata/preferences.h"

#include <gtest/gtest.h>

namespace lnotify {
namespace {

struct ChannelCase {
  const char* value;
  bool valid;
  bool none;
  ChannelKind channel;
  PayloadFormat format;
};

class ChannelPreferenceTest : public ::testing::TestWithParam<ChannelCase> {};

TEST_P(ChannelPreferenceTest, Parses) {
  const ChannelCase& c = GetParam();
  auto parsed = parse_channel_preference(c.value);
  ASSERT_EQ(parsed.has_value(), c.valid) << c.value;
  if (!c.valid) {
    EXPECT_FALSE(parsed.error().message.empty());
    EXPECT_FALSE(parsed.error().temporary());
    return;
  }
  ASSERT_EQ(!parsed->has_value(), c.none) << c.value;
  if (!c.none) {
    EXPECT_EQ((*parsed)->channel, c.channel);
    EXPECT_EQ((*parsed)->format, c.format);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Values, ChannelPreferenceTest,
    ::testing::Values(
        ChannelCase{"NONE", true, true, {}, {}}, ChannelCase{"none", true, true, {}, {}},
        ChannelCase{"UDP=WAKEUP", true, false, ChannelKind::Udp, PayloadFormat::Wakeup},
        ChannelCase{"udp=wakeup", true, false, ChannelKind::Udp, PayloadFormat::Wakeup},
        ChannelCase{"SMS=EXTENDED", true, false, ChannelKind::Sms, PayloadFormat::Extended},
        ChannelCase{"SIP=WAKEUP", true, false, ChannelKind::Sip, PayloadFormat::Wakeup},
        ChannelCase{"XMPP=EXTENDED", true, false, ChannelKind::Xmpp, PayloadFormat::Extended},
        ChannelCase{"MMS=WAKEUP", true, false, ChannelKind::Mms, PayloadFormat::Wakeup},
        ChannelCase{"WEBPUSH=EXTENDED", true, false, ChannelKind::WebPush,
                    PayloadFormat::Extended},
        ChannelCase{"", false, false, {}, {}}, ChannelCase{"UDP", false, false, {}, {}},
        ChannelCase{"UDP=", false, false, {}, {}}, ChannelCase{"=WAKEUP", false, false, {}, {}},
        ChannelCase{"FAX=WAKEUP", false, false, {}, {}},
        ChannelCase{"UDP=SOON", false, false, {}, {}},
        ChannelCase{" UDP=WAKEUP", false, false, {}, {}},
        ChannelCase{"UDP = WAKEUP", false, false, {}, {}},
        ChannelCase{"UDP=WAKEUP SMS=WAKEUP", false, false, {}, {}},
        ChannelCase{"NONE UDP=WAKEUP", false, false, {}, {}}));

TEST(ChannelPreference, ErrorSaysWhatIsAllowed) {
  auto parsed = parse_channel_preference("FAX=WAKEUP");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().message.find("\"FAX\""), std::string::npos);
  EXPECT_NE(parsed.error().message.find("SMS MMS SIP XMPP UDP WEBPUSH"), std::string::npos);
}

TEST(ChannelPreference, ErrorQuotesControlBytesSafely) {
  auto parsed = parse_channel_preference("bad\x01\xff");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().message.find("\\x01\\xFF"), std::string::npos);
}

struct UdpCase {
  const char* value;
  bool valid;
  const char* host;
  uint16_t port;
};

class UdpAddressTest : public ::testing::TestWithParam<UdpCase> {};

TEST_P(UdpAddressTest, Parses) {
  const UdpCase& c = GetParam();
  auto parsed = parse_udp_address(c.value);
  ASSERT_EQ(parsed.has_value(), c.valid) << c.value;
  if (c.valid) {
    EXPECT_EQ(parsed->host, c.host);
    EXPECT_EQ(parsed->port, c.port);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Values, UdpAddressTest,
    ::testing::Values(UdpCase{"127.0.0.1:2948", true, "127.0.0.1", 2948},
                      UdpCase{"phone.example.org:1", true, "phone.example.org", 1},
                      UdpCase{"[2001:db8::7]:65535", true, "2001:db8::7", 65535},
                      UdpCase{"127.0.0.1:0", false, "", 0},
                      UdpCase{"127.0.0.1:65536", false, "", 0},
                      UdpCase{"127.0.0.1:+80", false, "", 0},
                      UdpCase{"127.0.0.1:80x", false, "", 0},
                      UdpCase{"127.0.0.1", false, "", 0}, UdpCase{":2948", false, "", 0},
                      UdpCase{"host name:2948", false, "", 0},
                      UdpCase{"[2001:db8::7:2948", false, "", 0},
                      UdpCase{"[]:2948", false, "", 0}, UdpCase{"", false, "", 0}));

TEST(Address, ValidatedPerChannel) {
  EXPECT_TRUE(validate_address(ChannelKind::Sms, "+15551234567").has_value());
  EXPECT_FALSE(validate_address(ChannelKind::Sms, "15551234567").has_value());
  EXPECT_FALSE(validate_address(ChannelKind::Sms, "+05551234567").has_value());
  EXPECT_FALSE(validate_address(ChannelKind::Sms, "+1234567890123456").has_value());
  EXPECT_TRUE(validate_address(ChannelKind::Sip, "sip:alice@example.org").has_value());
  EXPECT_FALSE(validate_address(ChannelKind::Sip, "alice@example.org").has_value());
  EXPECT_TRUE(validate_address(ChannelKind::Xmpp, "alice@example.org").has_value());
  EXPECT_FALSE(validate_address(ChannelKind::Xmpp, "@example.org").has_value());
  EXPECT_TRUE(validate_address(ChannelKind::Udp, "127.0.0.1:9").has_value());
  EXPECT_TRUE(validate_address(ChannelKind::WebPush, "https://push.example/abc").has_value());
  // plain http is syntax here; the administrator's list decides (metadata, driver)
  EXPECT_TRUE(validate_address(ChannelKind::WebPush, "http://push.example/abc").has_value());
  EXPECT_FALSE(validate_address(ChannelKind::WebPush, "ftp://push.example/abc").has_value());
}

TEST(Address, SipUriNamesAUserAndCanBeARequestUri) {
  for (const char* good : {"sip:alice@example.org", "sips:alice@example.org:5061",
                           "SIP:alice@192.0.2.7", "sip:alice@[2001:db8::7]:5070",
                           "sip:+1-212-555-1212;phone-context=x@example.org;user=phone",
                           "sip:alice%20b@example.org;transport=udp;lr"})
    EXPECT_TRUE(validate_address(ChannelKind::Sip, good).has_value()) << good;
  for (const char* bad : {"sip:", "sip:example.org", "sip:@example.org", "sip:alice@",
                          "sip:alice@example.org?subject=hi", "sip:al ice@example.org",
                          "sip:alice@example.org:0", "sip:alice@example.org:", "sip:alice@exa_mple.org",
                          "sip:alice@example.org;=x", "sip:alice@example.org;a=",
                          "tel:+15551234567", "sip:alice%2@example.org", "sip:alice@[::1"})
    EXPECT_FALSE(validate_address(ChannelKind::Sip, bad).has_value()) << bad;
}

TEST(Address, XmppJid) {
  for (const char* good : {"alice@example.org", "alice@example.org/phone 1",
                           "j\xC3\xB6rg@b\xC3\xBC" "cher.example", "alice@[2001:db8::7]"})
    EXPECT_TRUE(validate_address(ChannelKind::Xmpp, good).has_value()) << good;
  for (const char* bad : {"example.org", "@example.org", "alice@", "alice@example.org/",
                          "al ice@example.org", "al:ice@example.org", "alice@exa mple.org",
                          "alice@@example.org", "alice@example.org/a\tb"})
    EXPECT_FALSE(validate_address(ChannelKind::Xmpp, bad).has_value()) << bad;
}

TEST(ChannelNames, RoundTrip) {
  for (auto kind : {ChannelKind::Sms, ChannelKind::Mms, ChannelKind::Sip, ChannelKind::Xmpp,
                    ChannelKind::Udp, ChannelKind::WebPush}) {
    auto back = channel_from_name(channel_name(kind));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, kind);
  }
}

}  // namespace
}  // namespace lnotify

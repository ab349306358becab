#include "lnotify/payload/payload.h"

#include <gtest/gtest.h>

#include "json_check.h"
#include "lnotify/core/base64url.h"
#include "lnotify/payload/webpush_encryption.h"
#include "lnotify/payload/wbxml_emn.h"
#include "lnotify/payload/xemn_json.h"
#include "random_text.h"
#include "test_data.h"
#include "webpush_decrypt.h"
#include "xml_check.h"

namespace lnotify {
namespace {

using testing::attr;
using testing::data_path;
using testing::parse_xml;
using testing::to_hex;

NotificationRequest request(ChannelKind channel, PayloadFormat format) {
  NotificationRequest r;
  r.user = "alice";
  r.account = "alice@example.test";
  r.mailbox = "INBOX";
  r.event = "MessageNew";
  r.uid = 42;
  r.uidvalidity = 1180000000;
  r.timestamp = 1180692000;  // 2007-06-01T10:00:00Z
  r.channel = channel;
  r.format = format;
  r.address = "127.0.0.1:2948";
  r.sender = "=?utf-8?q?J=C3=B6rg?= <joerg@example.test>";
  r.subject = "=?iso-8859-1?q?R=E9union?= on\r\n Friday";
  r.snippet = "Bring the slides.";
  r.datetime = 1180691880;  // 09:58:00
  r.sequence_id = 7;
  return r;
}

PayloadOptions imap_options() {
  PayloadOptions o;
  o.mailbox_uri = MailboxUriStyle::Imap;
  o.imap_host = "mail.example.test";
  return o;
}

std::unique_ptr<PayloadSigner> signer() {
  return PayloadSigner::load_pem_file(data_path("ed25519-rfc8032-test1.pem")).value();
}

TEST(BuildPayload, UdpWakeupIsTheEmnDocument) {
  auto p = build_payload(request(ChannelKind::Udp, PayloadFormat::Wakeup));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->content_type, "text/vnd.wap.emn+xml");
  EXPECT_EQ(p->bytes,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<!DOCTYPE emn PUBLIC \"-//WAPFORUM//DTD EMN 1.0//EN\" "
            "\"http://www.wapforum.org/DTD/emn.dtd\">"
            "<emn mailbox=\"mailat:alice@example.test\" timestamp=\"2007-06-01T10:00:00Z\"/>\n");
  EXPECT_FALSE(p->wsp_push);
  EXPECT_EQ(p->content_encoding, "");
}

TEST(BuildPayload, ImapUrlWhenConfigured) {
  auto r = request(ChannelKind::Udp, PayloadFormat::Wakeup);
  r.mailbox = "Lists/d\xC3\xA9v";
  auto p = build_payload(r, imap_options());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(attr(parse_xml(p->bytes), "mailbox"),
            "imap://alice@mail.example.test/Lists/d%C3%A9v;UIDVALIDITY=1180000000");
}

TEST(BuildPayload, BinaryWakeupOverUdpWhenConfigured) {
  PayloadOptions o;
  o.udp_wakeup = UdpWakeupForm::Wsp;
  auto p = build_payload(request(ChannelKind::Udp, PayloadFormat::Wakeup), o);
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->wsp_push);
  EXPECT_EQ(p->content_type, "application/vnd.wap.emn+wbxml");
  // TID = sequence-id 7, then the EMN push header of doc/payloads.md (Test vectors).
  EXPECT_EQ(to_hex(p->bytes.substr(0, 9)), "07 06 06 03 02 03 0a af 89");
  EXPECT_EQ(p->bytes.substr(9), encode_emn_wbxml({"mailat:alice@example.test", 1180692000}));
}

TEST(BuildPayload, SmsWakeupIsTheWspPushInOneSms) {
  auto r = request(ChannelKind::Sms, PayloadFormat::Wakeup);
  auto p = build_payload(r);
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->wsp_push);
  auto sms = build_sms_wakeup(r, PayloadOptions{}, 0x11);
  ASSERT_TRUE(sms.has_value());
  ASSERT_EQ(sms->size(), 1u);
  EXPECT_EQ(to_hex((*sms)[0].udh), "06 05 04 0b 84 23 f0");
  EXPECT_EQ((*sms)[0].data, p->bytes);
  auto to_imap_port = build_sms_wakeup(r, PayloadOptions{}, 0x11, kImapPort);
  EXPECT_EQ(to_hex((*to_imap_port)[0].udh), "06 05 04 00 8f 23 f0");
}

PayloadOptions xmpp_json() {
  PayloadOptions o;
  o.xmpp = XmppPayloadForm::Json;
  return o;
}

TEST(BuildPayload, XmppCarriesTheDraftsXmlByDefault) {
  // doc/payloads.md: EMN XML for WAKEUP, xemn XML for EXTENDED on XMPP.
  auto wakeup = build_payload(request(ChannelKind::Xmpp, PayloadFormat::Wakeup));
  ASSERT_TRUE(wakeup.has_value());
  EXPECT_EQ(wakeup->content_type, "text/vnd.wap.emn+xml");
  EXPECT_EQ(wakeup->bytes, build_payload(request(ChannelKind::Udp, PayloadFormat::Wakeup))->bytes);
  auto extended = build_payload(request(ChannelKind::Xmpp, PayloadFormat::Extended));
  ASSERT_TRUE(extended.has_value());
  EXPECT_EQ(extended->content_type, "application/vnd.lnotify.xemn+xml");
  auto doc = parse_xml(extended->bytes);
  ASSERT_TRUE(doc) << extended->bytes;
  EXPECT_EQ(testing::root_name(doc), "xemn");
  EXPECT_EQ(attr(doc, "subject"), "R\xC3\xA9union on Friday");
}

TEST(BuildPayload, JsonChannelsGetJson) {
  // XMPP with xmpp_payload = json, the explicit choice of the JSON binding
  auto wakeup = build_payload(request(ChannelKind::Xmpp, PayloadFormat::Wakeup), xmpp_json());
  ASSERT_TRUE(wakeup.has_value());
  EXPECT_EQ(wakeup->bytes,
            "{\"mailbox\":\"mailat:alice@example.test\",\"timestamp\":\"2007-06-01T10:00:00Z\"}");
  auto extended = build_payload(request(ChannelKind::Xmpp, PayloadFormat::Extended), xmpp_json());
  ASSERT_TRUE(extended.has_value());
  EXPECT_EQ(extended->content_type, "application/vnd.lnotify.xemn+json");
  EXPECT_EQ(extended->bytes,
            "{\"event\":\"MessageNew\",\"mailbox\":\"mailat:alice@example.test\",\"view\":\"INBOX\","
            "\"uidvalidity\":1180000000,\"uid\":42,\"sequence-id\":7,"
            "\"sender\":\"J\xC3\xB6rg <joerg@example.test>\",\"subject\":\"R\xC3\xA9union on Friday\","
            "\"snippet\":\"Bring the slides.\",\"datetime\":\"2007-06-01T09:58:00Z\","
            "\"timestamp\":\"2007-06-01T10:00:00Z\"}");
  // The same through the driver-facing entry point, for any channel.
  auto via_udp = build_json_payload(request(ChannelKind::Udp, PayloadFormat::Extended), {});
  ASSERT_TRUE(via_udp.has_value());
  EXPECT_EQ(via_udp->bytes, extended->bytes);
}

TEST(BuildPayload, ExtendedXmlCarriesTheDecodedFacts) {
  auto p = build_payload(request(ChannelKind::Udp, PayloadFormat::Extended));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->content_type, "application/vnd.lnotify.xemn+xml");
  auto doc = parse_xml(p->bytes);
  ASSERT_TRUE(doc) << p->bytes;
  EXPECT_EQ(attr(doc, "mailbox"), "mailat:alice@example.test");
  EXPECT_EQ(attr(doc, "timestamp"), "2007-06-01T10:00:00Z");
  EXPECT_EQ(attr(doc, "event"), "MessageNew");
  EXPECT_EQ(attr(doc, "view"), "INBOX");
  EXPECT_EQ(attr(doc, "sequence-id"), "7");
  EXPECT_EQ(attr(doc, "uid"), "42");
  EXPECT_EQ(attr(doc, "sender"), "J\xC3\xB6rg <joerg@example.test>");
  EXPECT_EQ(attr(doc, "datetime"), "2007-06-01T09:58:00Z");
  EXPECT_EQ(attr(doc, "subject"), "R\xC3\xA9union on Friday");
  EXPECT_EQ(testing::root_text(doc), "Bring the slides.");
  EXPECT_TRUE(testing::valid_against(doc, data_path("xemn.dtd")));

  auto r = request(ChannelKind::Udp, PayloadFormat::Extended);
  r.view = "Work";
  EXPECT_EQ(attr(parse_xml(build_payload(r)->bytes), "view"), "Work");
}

TEST(BuildPayload, SizeLimitCutsAndNotes) {
  auto r = request(ChannelKind::Udp, PayloadFormat::Extended);
  r.snippet = std::string(500, 's');
  r.size_limit = 400;
  auto p = build_payload(r);
  ASSERT_TRUE(p.has_value());
  EXPECT_LE(p->bytes.size(), 400u);
  EXPECT_EQ(testing::root_name(parse_xml(p->bytes)), "xemn");
  EXPECT_NE(p->note.find("cut to fit size=400: snippet cut to"), std::string::npos) << p->note;
}

TEST(BuildPayload, SieveMessageIsCutAfterTheSnippet) {
  auto r = request(ChannelKind::Udp, PayloadFormat::Extended);
  r.message = "Sieve says: " + std::string(500, 'm');
  r.importance = 1;
  r.size_limit = 400;
  auto p = build_payload(r);
  ASSERT_TRUE(p.has_value());
  EXPECT_LE(p->bytes.size(), 400u);
  auto doc = parse_xml(p->bytes);
  ASSERT_TRUE(doc) << p->bytes;
  EXPECT_EQ(testing::root_text(doc).rfind("Sieve says: mmm", 0), 0u) << p->bytes;
  EXPECT_EQ(attr(doc, "subject"), "R\xC3\xA9union on Friday");
  EXPECT_NE(p->note.find("message cut to"), std::string::npos) << p->note;
}

TEST(BuildPayload, WakeupWhenNothingFits) {
  auto r = request(ChannelKind::Udp, PayloadFormat::Extended);
  r.size_limit = 20;
  auto p = build_payload(r);
  ASSERT_TRUE(p.has_value());
  // A wake-up is always sent, even above the limit.
  EXPECT_EQ(testing::root_name(parse_xml(p->bytes)), "emn");
  EXPECT_GT(p->bytes.size(), 20u);
  EXPECT_EQ(p->note, "extended payload does not fit size=20; sent a wake-up instead");
  // On SMS the wake-up is the binary one.
  r.channel = ChannelKind::Sms;
  p = build_payload(r);
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->wsp_push);
}

TEST(BuildPayload, SignedWhenTheServerHasAKey) {
  PayloadOptions o;
  o.signer = signer();
  for (auto [channel, format] : {std::pair{ChannelKind::Udp, PayloadFormat::Wakeup},
                                 std::pair{ChannelKind::Udp, PayloadFormat::Extended}}) {
    auto p = build_payload(request(channel, format), o);
    ASSERT_TRUE(p.has_value());
    ASSERT_TRUE(parse_xml(p->bytes));
    auto parts = split_signed_xml(p->bytes);
    ASSERT_TRUE(parts.has_value()) << p->bytes;
    EXPECT_TRUE(verify_ed25519(o.signer->public_key(), parts->signed_bytes, parts->signature).has_value());
  }
  o.xmpp = XmppPayloadForm::Json;
  auto json = build_payload(request(ChannelKind::Xmpp, PayloadFormat::Extended), o);
  ASSERT_TRUE(json.has_value());
  auto parts = split_signed_json(json->bytes);
  ASSERT_TRUE(parts.has_value());
  EXPECT_TRUE(verify_ed25519(o.signer->public_key(), parts->signed_bytes, parts->signature).has_value());
  // Binary wake-ups stay as handsets take them.
  auto wsp = build_payload(request(ChannelKind::Sms, PayloadFormat::Wakeup), o);
  EXPECT_EQ(wsp->bytes, build_payload(request(ChannelKind::Sms, PayloadFormat::Wakeup))->bytes);
}

TEST(BuildPayload, EncryptedForAProvisionedDevice) {
  auto [device, ua_public] = testing::new_device_key();
  const std::string auth = "sixteen byte key";
  auto r = request(ChannelKind::Udp, PayloadFormat::Extended);
  r.device_p256dh = base64url_encode(ua_public);
  r.device_auth = base64url_encode(auth);
  PayloadOptions o;
  o.signer = signer();
  auto p = build_payload(r, o);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->content_encoding, "aes128gcm");
  EXPECT_EQ(p->content_type, "application/vnd.lnotify.xemn+xml");
  auto plain = testing::decrypt(p->bytes, device.get(), ua_public, auth);
  ASSERT_TRUE(plain.has_value());
  // Signed, then encrypted.
  auto parts = split_signed_xml(*plain);
  ASSERT_TRUE(parts.has_value());
  EXPECT_TRUE(verify_ed25519(o.signer->public_key(), parts->signed_bytes, parts->signature).has_value());
  EXPECT_EQ(attr(parse_xml(*plain), "uid"), "42");

  // Wake-ups stay in clear except on Web Push, whose bodies must be encrypted.
  r.format = PayloadFormat::Wakeup;
  EXPECT_EQ(build_payload(r)->content_encoding, "");
  r.channel = ChannelKind::WebPush;
  auto webpush = build_payload(r);
  ASSERT_TRUE(webpush.has_value());
  EXPECT_EQ(webpush->content_encoding, "aes128gcm");
  // doc/payloads.md: the draft's EMN on Web Push...
  auto emn = testing::decrypt(webpush->bytes, device.get(), ua_public, auth);
  ASSERT_TRUE(emn.has_value());
  EXPECT_EQ(webpush->content_type, kEmnXmlContentType);
  EXPECT_EQ(attr(parse_xml(*emn), "mailbox"), "mailat:alice@example.test");
  EXPECT_EQ(attr(parse_xml(*emn), "timestamp"), "2007-06-01T10:00:00Z");
  // ...and JSON only when the administrator chose it.
  PayloadOptions json;
  json.webpush_json = true;
  auto wakeup_json = build_payload(r, json);
  ASSERT_TRUE(wakeup_json.has_value());
  EXPECT_EQ(*testing::decrypt(wakeup_json->bytes, device.get(), ua_public, auth),
            "{\"mailbox\":\"mailat:alice@example.test\",\"timestamp\":\"2007-06-01T10:00:00Z\"}");
}

TEST(BuildPayload, WebPushExtendedIsXemnXmlUnlessJsonIsChosen) {
  auto [device, ua_public] = testing::new_device_key();
  const std::string auth = "sixteen byte key";
  auto r = request(ChannelKind::WebPush, PayloadFormat::Extended);
  r.device_p256dh = base64url_encode(ua_public);
  r.device_auth = base64url_encode(auth);
  auto xml = build_payload(r);
  ASSERT_TRUE(xml.has_value()) << xml.error().message;
  EXPECT_EQ(xml->content_type, kXemnContentType);
  auto plain = testing::decrypt(xml->bytes, device.get(), ua_public, auth);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(attr(parse_xml(*plain), "uid"), "42");
  EXPECT_EQ(attr(parse_xml(*plain), "event"), "MessageNew");
  PayloadOptions o;
  o.webpush_json = true;
  auto json = build_payload(r, o);
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(json->content_type, kXemnJsonContentType);
  auto text = testing::decrypt(json->bytes, device.get(), ua_public, auth);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->front(), '{');
  EXPECT_NE(text->find("\"uid\":42"), std::string::npos) << *text;
}

TEST(BuildPayload, ValidationPushIsItsTextEncrypted) {
  auto [device, ua_public] = testing::new_device_key();
  const std::string auth = "sixteen byte key";
  auto r = request(ChannelKind::WebPush, PayloadFormat::Wakeup);
  r.validation = "ACKWEBPUSH \"phone\" \"00112233\"";
  r.device_p256dh = base64url_encode(ua_public);
  r.device_auth = base64url_encode(auth);
  auto p = build_payload(r);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->content_encoding, "aes128gcm");
  EXPECT_EQ(*testing::decrypt(p->bytes, device.get(), ua_public, auth), r.validation);
  // never in clear
  r.device_auth.clear();
  EXPECT_FALSE(build_payload(r).has_value());
  r.device_auth = base64url_encode(auth);
  r.channel = ChannelKind::Udp;
  EXPECT_FALSE(build_payload(r).has_value());
}

TEST(BuildPayload, EncryptedPayloadsRespectTheLimitToo) {
  auto [device, ua_public] = testing::new_device_key();
  auto r = request(ChannelKind::Udp, PayloadFormat::Extended);
  r.device_p256dh = base64url_encode(ua_public);
  r.device_auth = base64url_encode("sixteen byte key");
  r.snippet = std::string(10000, 'x');
  auto unlimited = build_payload(r);
  ASSERT_TRUE(unlimited.has_value());
  EXPECT_LE(unlimited->bytes.size(), kMaxEncryptedBody);  // RFC 8291 §4's 4096
  EXPECT_NE(unlimited->note.find("one encrypted record"), std::string::npos);
  r.size_limit = 300;
  auto limited = build_payload(r);
  ASSERT_TRUE(limited.has_value());
  EXPECT_LE(limited->bytes.size(), 300u);
  EXPECT_EQ(limited->content_encoding, "aes128gcm");
  r.size_limit = kAes128gcmOverhead + 10;
  auto wakeup = build_payload(r);
  ASSERT_TRUE(wakeup.has_value());
  EXPECT_EQ(wakeup->content_encoding, "");
  EXPECT_EQ(testing::root_name(parse_xml(wakeup->bytes)), "emn");
}

TEST(BuildPayload, UnusableDeviceKeysGiveAWakeupNotClearText) {
  auto r = request(ChannelKind::Udp, PayloadFormat::Extended);
  r.device_p256dh = "not-a-key";
  r.device_auth = "AAAAAAAAAAAAAAAAAAAAAA";
  auto p = build_payload(r);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(testing::root_name(parse_xml(p->bytes)), "emn");
  EXPECT_NE(p->note.find("device keys unusable"), std::string::npos);
  EXPECT_EQ(p->bytes.find("union"), std::string::npos);
}

// Property: hostile headers and bodies, every channel's document form and a
// spread of limits. XML parses (and xemn is valid per the draft's DTD), JSON
// reads back, and the size bound holds unless the result is the wake-up.
TEST(BuildPayload, HostileFactsKeepEveryPromise) {
  testing::RandomText random(20070424);
  for (int i = 0; i < 60; ++i) {
    auto r = request(ChannelKind::Udp, PayloadFormat::Extended);
    r.sender = random.next();
    r.subject = random.next();
    r.snippet = random.next();
    r.view = random.next();
    r.mailbox = random.next();
    r.account = random.next();
    for (uint32_t limit : {0u, 1u, 60u, 120u, 133u, 200u, 350u, 700u, 1500u, 5000u}) {
      r.size_limit = limit;
      r.channel = ChannelKind::Udp;
      auto xml = build_payload(r, i % 2 ? imap_options() : PayloadOptions{});
      ASSERT_TRUE(xml.has_value());
      auto doc = parse_xml(xml->bytes);
      ASSERT_TRUE(doc) << "case " << i << " limit " << limit;
      if (testing::root_name(doc) == "xemn") {
        EXPECT_TRUE(limit == 0 || xml->bytes.size() <= limit);
        EXPECT_TRUE(testing::valid_against(doc, data_path("xemn.dtd")));
      } else {
        ASSERT_EQ(testing::root_name(doc), "emn");
        EXPECT_NE(limit, 0u);
      }
      r.channel = ChannelKind::Xmpp;
      auto json = build_payload(r, xmpp_json());
      ASSERT_TRUE(json.has_value());
      ASSERT_TRUE(testing::read_flat_json(json->bytes).has_value()) << json->bytes;
      EXPECT_TRUE(limit == 0 || json->bytes.size() <= limit || !json->note.empty());
    }
  }
}

}  // namespace
}  // namespace lnotify

// The XMPP channel's pieces that need no server: the stanza it sends, how
// it reads a bounced message, its settings. The connection itself is tested
// against a real Prosody (tests/integration/test_channel_xmpp.py).
#include <strophe.h>

#include <gtest/gtest.h>

#include "channels/xmpp/xmpp_driver.h"
#include "channels/xmpp/xmpp_stanza.h"
#include "service/dispatcher_config.h"

namespace lnotify {
namespace {

struct Ctx {
  Ctx() {
    xmpp_initialize();
    ctx = xmpp_ctx_new(nullptr, nullptr);
  }
  ~Ctx() { xmpp_ctx_free(ctx); }
  xmpp_ctx_t* ctx;
};

std::string text_of(xmpp_ctx_t* ctx, xmpp_stanza_t* stanza) {
  char* buf = nullptr;
  size_t len = 0;
  if (xmpp_stanza_to_text(stanza, &buf, &len) != XMPP_EOK) return {};
  std::string text(buf, len);
  xmpp_free(ctx, buf);
  return text;
}

Delivery json_delivery() {
  Delivery d;
  d.request.address = "bob@example.org/phone";
  d.request.mailbox = "INBOX";
  d.request.event = "MessageNew";
  d.payload.content_type = "application/vnd.lnotify.xemn+json";
  d.payload.bytes = R"({"event":"MessageNew","subject":"a<b & \"c\""})";
  return d;
}

TEST(XmppStanza, NormalMessageWithBodyAndNamespacedPayload) {
  Ctx c;
  auto stanza = xmpp::build_notification(c.ctx, json_delivery(), "lnotify-7");
  ASSERT_TRUE(stanza);
  EXPECT_STREQ(xmpp_stanza_get_name(stanza.get()), "message");
  EXPECT_STREQ(xmpp_stanza_get_type(stanza.get()), "normal");
  EXPECT_STREQ(xmpp_stanza_get_to(stanza.get()), "bob@example.org/phone");
  EXPECT_STREQ(xmpp_stanza_get_id(stanza.get()), "lnotify-7");
  char* body = xmpp_message_get_body(stanza.get());
  ASSERT_NE(body, nullptr);
  EXPECT_STREQ(body, "New mail in INBOX");
  xmpp_free(c.ctx, body);
  xmpp_stanza_t* payload =
      xmpp_stanza_get_child_by_ns(stanza.get(), xmpp::kNotificationNamespace);
  ASSERT_NE(payload, nullptr);
  EXPECT_STREQ(xmpp_stanza_get_name(payload), "notification");
  EXPECT_STREQ(xmpp_stanza_get_attribute(payload, "type"), "application/vnd.lnotify.xemn+json");
  EXPECT_EQ(xmpp_stanza_get_attribute(payload, "encoding"), nullptr);
  char* text = xmpp_stanza_get_text(payload);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(std::string(text), json_delivery().payload.bytes);
  xmpp_free(c.ctx, text);
  // the JSON's markup characters are escaped on the wire, not pasted
  std::string wire = text_of(c.ctx, stanza.get());
  EXPECT_NE(wire.find("a&lt;b &amp; "), std::string::npos) << wire;
  EXPECT_NE(wire.find("xmlns=\"urn:ietf:params:xml:ns:lemonade-notifications\""),
            std::string::npos)
      << wire;
}

TEST(XmppStanza, SieveMessageIsTheBody) {
  Ctx c;
  Delivery d = json_delivery();
  d.request.message = "Boss wrote";
  auto stanza = xmpp::build_notification(c.ctx, d, "x");
  char* body = xmpp_message_get_body(stanza.get());
  EXPECT_STREQ(body, "Boss wrote");
  xmpp_free(c.ctx, body);
}

TEST(XmppStanza, EncryptedPayloadIsBase64urlAndTheBodyTellsNothing) {
  Ctx c;
  Delivery d = json_delivery();
  d.request.message = "secret subject";
  d.request.event = "FlagsSet";
  d.request.mailbox = "Work";
  d.payload.content_encoding = "aes128gcm";
  d.payload.bytes = std::string("\x00\xff\x10 binary", 10);
  auto stanza = xmpp::build_notification(c.ctx, d, "x");
  ASSERT_TRUE(stanza);
  char* body = xmpp_message_get_body(stanza.get());
  EXPECT_STREQ(body, "FlagsSet in Work");
  xmpp_free(c.ctx, body);
  xmpp_stanza_t* payload = xmpp_stanza_get_child_by_ns(stanza.get(), xmpp::kNotificationNamespace);
  ASSERT_NE(payload, nullptr);
  EXPECT_STREQ(xmpp_stanza_get_attribute(payload, "encoding"), "aes128gcm");
  EXPECT_STREQ(xmpp_stanza_get_attribute(payload, "transfer"), "base64url");
  char* text = xmpp_stanza_get_text(payload);
  EXPECT_STREQ(text, "AP8QIGJpbmFyeQ");
  xmpp_free(c.ctx, text);
}

TEST(XmppStanza, PingToOwnServer) {
  Ctx c;
  auto ping = xmpp::build_ping(c.ctx, "lnotify-3-ack", "example.org");
  ASSERT_TRUE(ping);
  EXPECT_STREQ(xmpp_stanza_get_name(ping.get()), "iq");
  EXPECT_STREQ(xmpp_stanza_get_type(ping.get()), "get");
  EXPECT_STREQ(xmpp_stanza_get_id(ping.get()), "lnotify-3-ack");
  EXPECT_STREQ(xmpp_stanza_get_to(ping.get()), "example.org");
  xmpp_stanza_t* child = xmpp_stanza_get_children(ping.get());
  ASSERT_NE(child, nullptr);
  EXPECT_STREQ(xmpp_stanza_get_name(child), "ping");
  EXPECT_STREQ(xmpp_stanza_get_ns(child), "urn:xmpp:ping");
}

Error outcome_of(const char* xml) {
  Ctx c;
  xmpp::StanzaPtr stanza(xmpp_stanza_new_from_string(c.ctx, xml));
  EXPECT_TRUE(stanza) << xml;
  return xmpp::stanza_error_outcome(stanza.get());
}

TEST(XmppStanza, BounceTypeDecidesRetry) {
  Error cancel = outcome_of(
      "<message type='error' id='lnotify-1'><error type='cancel'>"
      "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
  EXPECT_FALSE(cancel.temporary());
  EXPECT_NE(cancel.message.find("service-unavailable (type cancel)"), std::string::npos)
      << cancel.message;
  Error wait = outcome_of(
      "<message type='error' id='lnotify-1'><error type='wait'>"
      "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>busy</text>"
      "<resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
  EXPECT_TRUE(wait.temporary());
  EXPECT_NE(wait.message.find("resource-constraint"), std::string::npos) << wait.message;
  Error bare = outcome_of("<message type='error' id='lnotify-1'/>");
  EXPECT_TRUE(bare.temporary());
  EXPECT_NE(bare.message.find("no error condition"), std::string::npos) << bare.message;
}

TEST(XmppConfig, ParsedAndChecked) {
  auto config = parse_dispatcher_config(
      "channels = UDP XMPP\nxmpp_jid = notify@example.org\nxmpp_password = s3cret = x\n"
      "xmpp_server = [::1]:5223\nxmpp_tls_verify = no\nxmpp_ca_file = /etc/ssl/ca.pem\n"
      "xmpp_require_tls = no\n");
  ASSERT_TRUE(config) << config.error().message;
  const XmppConfig& xmpp = config->driver_as<xmpp::XmppDriver>(ChannelKind::Xmpp)->settings();
  EXPECT_EQ(xmpp.jid, "notify@example.org");
  EXPECT_EQ(xmpp.password, "s3cret = x");
  EXPECT_EQ(xmpp.server_host, "::1");
  EXPECT_EQ(xmpp.server_port, 5223);
  EXPECT_FALSE(xmpp.verify_tls);
  EXPECT_FALSE(xmpp.require_tls);
  EXPECT_EQ(xmpp.ca_file, "/etc/ssl/ca.pem");

  auto host_only = parse_dispatcher_config("xmpp_server = xmpp.example.org\n");
  ASSERT_TRUE(host_only);
  const XmppConfig& host_xmpp = host_only->driver_as<xmpp::XmppDriver>(ChannelKind::Xmpp)->settings();
  EXPECT_EQ(host_xmpp.server_host, "xmpp.example.org");
  EXPECT_EQ(host_xmpp.server_port, 0);
  EXPECT_TRUE(host_xmpp.require_tls);
  EXPECT_TRUE(host_xmpp.verify_tls);
}

TEST(XmppConfig, BadValuesStopTheService) {
  for (const char* text :
       {"xmpp_jid = example.org\n", "xmpp_server = host:0\n", "xmpp_server = host:99999\n",
        "xmpp_server = [::1\n", "xmpp_server = a b:5222\n", "xmpp_tls_verify = maybe\n",
        "xmpp_ca_file = relative.pem\n", "xmpp_password =\n",
        "channels = XMPP\nxmpp_jid = a@example.org\n"}) {
    auto config = parse_dispatcher_config(text);
    EXPECT_FALSE(config) << text;
  }
  auto missing = parse_dispatcher_config("channels = XMPP\n");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("xmpp_jid and xmpp_password"), std::string::npos);
}

}  // namespace
}  // namespace lnotify

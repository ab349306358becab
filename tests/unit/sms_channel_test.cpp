// The SMS channel with the gateway played by the test (GatewayHttp fake):
// the requests it makes for each format, how it reads the gateway's
// replies, and its settings. The real Kannel is in
// tests/integration/test_channel_sms.py.
#include <condition_variable>
#include <mutex>
#include <optional>

#include <gtest/gtest.h>

#include "channels/sms/sms_driver.h"
#include "service/dispatcher_config.h"
#include "service/registry.h"
#include "channels/sms/gateway_reply.h"
#include "channels/sms/sms_channel.h"
#include "channels/sms/sms_request.h"
#include "service/dispatcher_config.h"
#include "channels/sms/sms_driver.h"
#include "lnotify/payload/payload.h"
#include "channels/sms/sms_config.h"

namespace lnotify::sms {
namespace {

class ScriptedGateway : public GatewayHttp {
 public:
  Result<GatewayReply> get(const std::string& url) override {
    std::lock_guard<std::mutex> lock(mutex);
    urls.push_back(url);
    if (replies.empty()) return GatewayReply{202, "0: Accepted for delivery", "", ""};
    auto next = replies.front();
    replies.erase(replies.begin());
    return next;
  }
  std::mutex mutex;
  std::vector<std::string> urls;
  std::vector<Result<GatewayReply>> replies;
};

SmsConfig kannel_config() {
  SmsConfig c;
  c.gateway_url = "http://127.0.0.1:13013/cgi-bin/sendsms";
  c.username = "tester";
  c.password = "p&ss word";
  return c;
}

NotificationRequest request(PayloadFormat format, std::string account = "alice@example.test") {
  NotificationRequest r;
  r.user = "alice";
  r.account = std::move(account);
  r.mailbox = "INBOX";
  r.event = "MessageNew";
  r.uid = 7;
  r.uidvalidity = 1;
  r.timestamp = 1700000000;
  r.channel = ChannelKind::Sms;
  r.format = format;
  r.address = "+15551234567";
  r.sequence_id = 0x1234;
  r.subject = "Hello";
  return r;
}

// Sends one delivery through the channel's worker and waits for the outcome.
Result<void> send(SmsChannel& channel, NotificationRequest r) {
  auto payload = build_payload(r);
  EXPECT_TRUE(payload.has_value());
  std::mutex m;
  std::condition_variable cv;
  std::optional<Result<void>> outcome;
  channel.deliver(Delivery{std::move(r), std::move(*payload)}, [&](Result<void> o) {
    std::lock_guard<std::mutex> lock(m);
    outcome = std::move(o);
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(m);
  cv.wait_for(lock, std::chrono::seconds(5), [&] { return outcome.has_value(); });
  if (!outcome) return permanent_error("no outcome");
  return *outcome;
}

std::string query_value(const std::string& url, const std::string& name) {
  size_t at = url.find("&" + name + "=");
  if (at == std::string::npos) at = url.find("?" + name + "=");
  if (at == std::string::npos) return "<absent>";
  at += name.size() + 2;
  return url.substr(at, url.find('&', at) - at);
}

TEST(SmsChannel, WakeupIsOneBinarySmsWithTheWapPushUdh) {
  auto http = std::make_unique<ScriptedGateway>();
  auto* gateway = http.get();
  SmsChannel channel(kannel_config(), "lnotify", PayloadOptions{}, std::move(http));
  ASSERT_TRUE(send(channel, request(PayloadFormat::Wakeup)).has_value());
  ASSERT_EQ(gateway->urls.size(), 1u);
  const std::string& url = gateway->urls[0];
  EXPECT_TRUE(url.starts_with("http://127.0.0.1:13013/cgi-bin/sendsms?username=tester&"));
  EXPECT_EQ(query_value(url, "password"), "p%26ss%20word");
  EXPECT_EQ(query_value(url, "to"), "%2B15551234567");
  EXPECT_EQ(query_value(url, "from"), "lnotify");
  EXPECT_EQ(query_value(url, "coding"), "1");
  // UDHL 6, port addressing 16 bit: 2948 <- 9200
  EXPECT_EQ(query_value(url, "udh"), "%06%05%04%0B%84%23%F0");
  auto segments = build_sms_wakeup(request(PayloadFormat::Wakeup), PayloadOptions{}, 0x34);
  ASSERT_TRUE(segments.has_value());
  EXPECT_EQ(query_value(url, "text"), percent_encode((*segments)[0].data));
}

TEST(SmsChannel, SmsPortSetsTheDestinationPort) {
  auto http = std::make_unique<ScriptedGateway>();
  auto* gateway = http.get();
  SmsConfig config = kannel_config();
  config.port = 143;  // draft Appendix A
  SmsChannel channel(config, "lnotify", PayloadOptions{}, std::move(http));
  ASSERT_TRUE(send(channel, request(PayloadFormat::Wakeup)).has_value());
  ASSERT_EQ(gateway->urls.size(), 1u);
  // UDHL 6, port addressing 16 bit: 143 <- 9200
  EXPECT_EQ(query_value(gateway->urls[0], "udh"), "%06%05%04%00%8F%23%F0");
}

TEST(SmsChannel, LongWakeupIsConcatenatedOneRequestPerPart) {
  auto http = std::make_unique<ScriptedGateway>();
  auto* gateway = http.get();
  SmsChannel channel(kannel_config(), "", PayloadOptions{}, std::move(http));
  auto r = request(PayloadFormat::Wakeup, std::string(300, 'a') + "@example.test");
  ASSERT_TRUE(send(channel, r).has_value());
  auto segments = build_sms_wakeup(r, PayloadOptions{}, 0x34);
  ASSERT_TRUE(segments.has_value());
  ASSERT_GT(segments->size(), 1u);
  ASSERT_EQ(gateway->urls.size(), segments->size());
  for (size_t i = 0; i < segments->size(); ++i) {
    EXPECT_EQ(query_value(gateway->urls[i], "udh"), percent_encode((*segments)[i].udh));
    EXPECT_EQ(query_value(gateway->urls[i], "text"), percent_encode((*segments)[i].data));
    EXPECT_EQ(query_value(gateway->urls[i], "from"), "<absent>");  // no identity
  }
}

TEST(SmsChannel, ExtendedGoesAsTheWakeupUnlessAllowedAsText) {
  auto http = std::make_unique<ScriptedGateway>();
  auto* gateway = http.get();
  SmsChannel channel(kannel_config(), "", PayloadOptions{}, std::move(http));
  ASSERT_TRUE(send(channel, request(PayloadFormat::Extended)).has_value());
  ASSERT_EQ(gateway->urls.size(), 1u);
  EXPECT_EQ(query_value(gateway->urls[0], "coding"), "1");
  EXPECT_EQ(query_value(gateway->urls[0], "udh"), "%06%05%04%0B%84%23%F0");
}

TEST(SmsChannel, ExtendedAsTextCarriesTheXemn) {
  auto http = std::make_unique<ScriptedGateway>();
  auto* gateway = http.get();
  SmsConfig config = kannel_config();
  config.extended_as_text = true;
  config.max_parts = 8;
  SmsChannel channel(config, "", PayloadOptions{}, std::move(http));
  auto r = request(PayloadFormat::Extended);
  ASSERT_TRUE(send(channel, r).has_value());
  ASSERT_EQ(gateway->urls.size(), 1u);
  EXPECT_EQ(query_value(gateway->urls[0], "udh"), "<absent>");
  EXPECT_EQ(query_value(gateway->urls[0], "charset"), "UTF-8");
  EXPECT_EQ(query_value(gateway->urls[0], "text"), percent_encode(build_payload(r)->bytes));
}

TEST(SmsChannel, TextBeyondMaxPartsIsTooLargeSoTheDispatcherSendsTheWakeup) {
  auto http = std::make_unique<ScriptedGateway>();
  auto* gateway = http.get();
  SmsConfig config = kannel_config();
  config.extended_as_text = true;
  config.max_parts = 1;
  SmsChannel channel(config, "", PayloadOptions{}, std::move(http));
  auto outcome = send(channel, request(PayloadFormat::Extended));
  ASSERT_FALSE(outcome.has_value());
  EXPECT_TRUE(outcome.error().too_large);
  EXPECT_FALSE(outcome.error().temporary());
  EXPECT_NE(outcome.error().message.find("sms_max_parts = 1"), std::string::npos);
  EXPECT_TRUE(gateway->urls.empty());
}

TEST(SmsChannel, RepliesDecideTheOutcome) {
  struct Case {
    Result<GatewayReply> reply;
    bool ok, temporary;
    const char* text;
  };
  std::vector<Case> cases;
  cases.push_back({GatewayReply{202, "0: Accepted for delivery", "", ""}, true, false, ""});
  cases.push_back({GatewayReply{202, "3: Queued for later delivery", "", ""}, true, false, ""});
  cases.push_back({GatewayReply{403, "Authorization failed for sendsms", "", ""}, false, false,
                   "HTTP 403: \"Authorization failed for sendsms\""});
  cases.push_back({GatewayReply{400, "Missing receiver number, rejected", "", ""}, false, false,
                   "HTTP 400"});
  cases.push_back({GatewayReply{503, "Temporal failure, try again later.", "", ""}, false, true,
                   "HTTP 503"});
  cases.push_back({GatewayReply{200, "<html>hello</html>", "", ""}, false, true,
                   "not a Kannel sendsms acceptance"});
  cases.push_back({GatewayReply{302, "", "", "https://elsewhere.example/"}, false, true,
                   "does not follow"});
  cases.push_back({temporary_error("Couldn't connect to server"), false, true,
                   "SMS gateway 127.0.0.1:13013: Couldn't connect"});
  for (auto& c : cases) {
    auto http = std::make_unique<ScriptedGateway>();
    http->replies.push_back(c.reply);
    SmsChannel channel(kannel_config(), "", PayloadOptions{}, std::move(http));
    auto outcome = send(channel, request(PayloadFormat::Wakeup));
    ASSERT_EQ(outcome.has_value(), c.ok) << c.text;
    if (c.ok) continue;
    EXPECT_EQ(outcome.error().temporary(), c.temporary) << outcome.error().message;
    EXPECT_NE(outcome.error().message.find(c.text), std::string::npos) << outcome.error().message;
    EXPECT_EQ(outcome.error().message.find("p&ss"), std::string::npos);
  }
}

TEST(SmsChannel, FailedPartStopsTheRestAndSaysWhich) {
  auto http = std::make_unique<ScriptedGateway>();
  auto* gateway = http.get();
  http->replies.push_back(GatewayReply{202, "0: Accepted for delivery", "", ""});
  http->replies.push_back(GatewayReply{503, "Temporal failure, try again later.", "120", ""});
  SmsChannel channel(kannel_config(), "", PayloadOptions{}, std::move(http));
  auto outcome = send(channel, request(PayloadFormat::Wakeup, std::string(400, 'b') + "@x.test"));
  ASSERT_FALSE(outcome.has_value());
  EXPECT_TRUE(outcome.error().temporary());
  EXPECT_EQ(outcome.error().retry_after_ms, 120000);
  EXPECT_NE(outcome.error().message.find("SMS 2 of "), std::string::npos) << outcome.error().message;
  EXPECT_EQ(gateway->urls.size(), 2u);
}

TEST(SmsChannel, TemplateFillsPlaceholders) {
  auto http = std::make_unique<ScriptedGateway>();
  auto* gateway = http.get();
  http->replies.push_back(GatewayReply{200, "OK id=5", "", ""});
  SmsConfig config;
  config.gateway = SmsGatewayKind::Template;
  config.template_url =
      "https://sms.example/api?u={username}&to={to_digits}&udh={udh_hex}&d={text_hex}&c={coding}";
  config.username = "me";
  ASSERT_TRUE(validate_template_url(config.template_url).has_value());
  SmsChannel channel(config, "", PayloadOptions{}, std::move(http));
  ASSERT_TRUE(send(channel, request(PayloadFormat::Wakeup)).has_value());
  ASSERT_EQ(gateway->urls.size(), 1u);
  const std::string& url = gateway->urls[0];
  EXPECT_TRUE(url.starts_with("https://sms.example/api?u=me&to=15551234567&udh=0605040b8423f0&d="))
      << url;
  EXPECT_TRUE(url.ends_with("&c=1")) << url;
}

TEST(SmsReply, GenericMapping) {
  EXPECT_TRUE(interpret_generic_reply({204, "", "", ""}).has_value());
  EXPECT_FALSE(interpret_generic_reply({404, "no", "", ""}).error().temporary());
  EXPECT_TRUE(interpret_generic_reply({429, "slow", "30", ""}).error().temporary());
  EXPECT_EQ(interpret_generic_reply({429, "slow", "30", ""}).error().retry_after_ms, 30000);
  EXPECT_TRUE(interpret_generic_reply({413, "", "", ""}).error().too_large);
  EXPECT_TRUE(interpret_generic_reply({500, "", "", ""}).error().temporary());
  EXPECT_TRUE(interpret_generic_reply({0, "", "", ""}).error().temporary());
  // An interim status is no acceptance, whatever the body says.
  EXPECT_TRUE(interpret_generic_reply({121, "0: Accepted", "", ""}).error().temporary());
  EXPECT_TRUE(interpret_kannel_reply({100, "0: Accepted", "", ""}).error().temporary());
  EXPECT_EQ(retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT"), 0);
  EXPECT_EQ(retry_after_ms("99999999999"), 0);
  EXPECT_EQ(retry_after_ms("100000"), 86400000);
}

TEST(SmsReply, BodyIsQuotedNotCopied) {
  auto e = interpret_kannel_reply({403, std::string("bad\x01\x1b[31m\nsecond line"), "", ""});
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().message.find('\x1b'), std::string::npos);
  EXPECT_EQ(e.error().message.find("second line"), std::string::npos);
}

TEST(SmsRequest, TextCodingAndParts) {
  EXPECT_EQ(text_message("plain <xemn/> text").coding, 0u);
  EXPECT_EQ(text_message("caf\xc3\xa9").coding, 2u);
  EXPECT_EQ(text_message("tab\there").coding, 2u);
  EXPECT_EQ(text_parts(text_message(std::string(160, 'a'))), 1u);
  EXPECT_EQ(text_parts(text_message(std::string(161, 'a'))), 2u);
  EXPECT_EQ(text_parts(text_message(std::string(80, '{'))), 1u);  // 160 septets
  EXPECT_EQ(text_parts(text_message(std::string(81, '{'))), 2u);  // escape septets
  std::string e70;
  for (int i = 0; i < 70; ++i) e70 += "\xc3\xa9";
  EXPECT_EQ(text_parts(text_message(e70)), 1u);
  EXPECT_EQ(text_parts(text_message(e70 + "x")), 2u);
  EXPECT_EQ(percent_encode(std::string("a+ \x00\xff~", 6)), "a%2B%20%00%FF~");
}

TEST(SmsRequest, GatewayName) {
  EXPECT_EQ(gateway_name("http://127.0.0.1:13013/cgi-bin/sendsms"), "127.0.0.1:13013");
  EXPECT_EQ(gateway_name("https://sms.example?x={to}"), "sms.example");
}

TEST(SmsConfigTest, SettingsParse) {
  auto config = parse_dispatcher_config(
      "channels = UDP SMS\n"
      "sms_gateway_url = http://127.0.0.1:13013/cgi-bin/sendsms\n"
      "sms_username = tester\nsms_password = testpw\nsms_from = 12345\n"
      "sms_extended_as_text = yes\nsms_max_parts = 6\nsms_timeout = 5\n");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const SmsConfig& sms = config->driver_as<SmsDriver>(ChannelKind::Sms)->settings();
  EXPECT_EQ(sms.gateway, SmsGatewayKind::Kannel);
  EXPECT_EQ(sms.gateway_url, "http://127.0.0.1:13013/cgi-bin/sendsms");
  EXPECT_EQ(sms.username, "tester");
  EXPECT_EQ(sms.password, "testpw");
  EXPECT_EQ(sms.from, "12345");
  EXPECT_TRUE(sms.extended_as_text);
  EXPECT_EQ(sms.max_parts, 6u);
  EXPECT_EQ(sms.timeout_secs, 5u);
  EXPECT_TRUE(check_sms_config(sms).has_value());
}

TEST(SmsConfigTest, BadSettingsStopWithAClearMessage) {
  auto check = [](const char* text, const char* expected) {
    auto config = parse_dispatcher_config(text);
    ASSERT_FALSE(config.has_value()) << text;
    EXPECT_NE(config.error().message.find(expected), std::string::npos) << config.error().message;
  };
  check("sms_gateway_url = ftp://x/\n", "line 1: sms_gateway_url: \"ftp://x/\" is not an http");
  check("sms_gateway_url = http://u:p@x/\n", "use sms_username and sms_password");
  check("sms_gateway_url = http://:13013/\n", "has no host");
  check("sms_gateway_url = http://x:99999/\n", "port must be a number from 1 to 65535");
  check("sms_gateway_url = 127.0.0.1:13013\n", "not an http");
  check("sms_gateway = smpp\n", "sms_gateway must be kannel or template");
  check("sms_template_url = http://x/?to={to}&t={body}\n", "unknown placeholder {\"body\"}");
  check("sms_template_url = http://x/?t={text}\n", "needs {to}");
  check("sms_template_url = http://{to}/\n", "must not be placeholders");
  check("sms_template_url = http://x/?to={to\n", "without '}'");
  check("sms_max_parts = 0\n", "sms_max_parts must be a number");
  check("sms_extended_as_text = maybe\n", "yes or no");
  check("sms_from = two words\n", "sms_from");
  check("sms_colour = blue\n", "unknown setting \"sms_colour\"");

  SmsConfig missing;
  EXPECT_NE(check_sms_config(missing).error().message.find("sms_gateway_url is not set"),
            std::string::npos);
  missing.gateway = SmsGatewayKind::Template;
  EXPECT_NE(check_sms_config(missing).error().message.find("sms_template_url"),
            std::string::npos);
}

TEST(SmsConfigTest, MakeChannelRefusesAnIncompleteConfiguration) {
  auto config = parse_dispatcher_config("channels = SMS\n");
  ASSERT_TRUE(config.has_value());
  auto channel = make_channel(ChannelKind::Sms, *config);
  ASSERT_FALSE(channel.has_value());
  EXPECT_NE(channel.error().message.find("sms_gateway_url"), std::string::npos);
}

}  // namespace
}  // namespace lnotify::sms

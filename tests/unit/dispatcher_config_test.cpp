#include "service/dispatcher_config.h"
#include "channels/sms/sms_driver.h"
#include "channels/webpush/webpush_driver.h"

#include <gtest/gtest.h>

namespace lnotify {
namespace {

TEST(DispatcherConfig, DefaultsWhenEmpty) {
  auto config = parse_dispatcher_config("");
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->spool_dir, "/var/spool/lnotify");
  EXPECT_EQ(config->scan_interval_secs, 30u);
  EXPECT_EQ(config->channels, std::vector<ChannelKind>{ChannelKind::Udp});
}

TEST(DispatcherConfig, ParsesEverySetting) {
  auto config = parse_dispatcher_config(
      "# comment\n\n  spool_dir = /srv/spool # trailing comment\nscan_interval=5\n"
      "channels = udp, SMS\n");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->spool_dir, "/srv/spool");
  EXPECT_EQ(config->scan_interval_secs, 5u);
  EXPECT_EQ(config->channels, (std::vector<ChannelKind>{ChannelKind::Udp, ChannelKind::Sms}));
}

TEST(DispatcherConfig, ErrorsNameTheLine) {
  auto check = [](const char* text, const char* expected) {
    auto config = parse_dispatcher_config(text);
    ASSERT_FALSE(config.has_value()) << text;
    EXPECT_NE(config.error().message.find(expected), std::string::npos) << config.error().message;
  };
  check("spool_dir = relative\n", "line 1: spool_dir must be an absolute path");
  check("\nscan_interval = 0\n", "line 2: scan_interval");
  check("scan_interval = 10s\n", "scan_interval");
  check("channels = UDP FAX\n", "unknown channel \"FAX\"");
  check("spool-dir = /x\n", "unknown setting \"spool-dir\"");
  check("just words\n", "expected key = value");
}

TEST(DispatcherConfig, PayloadSettings) {
  auto defaults = parse_dispatcher_config("");
  ASSERT_TRUE(defaults.has_value());
  EXPECT_EQ(defaults->mailbox_uri, MailboxUriStyle::Mailat);
  EXPECT_EQ(defaults->imap_host, "");
  EXPECT_EQ(defaults->udp_payload, UdpWakeupForm::Xml);
  EXPECT_EQ(defaults->signing_key, "");

  auto config = parse_dispatcher_config(
      "mailbox_uri = IMAP\nimap_host = imap.example.test:993\nudp_payload = wsp\n"
      "signing_key = /etc/dovecot/lnotify-signing.pem\n");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->mailbox_uri, MailboxUriStyle::Imap);
  EXPECT_EQ(config->imap_host, "imap.example.test:993");
  EXPECT_EQ(config->udp_payload, UdpWakeupForm::Wsp);
  EXPECT_EQ(config->signing_key, "/etc/dovecot/lnotify-signing.pem");
}

TEST(DispatcherConfig, PayloadSettingErrors) {
  auto check = [](const char* text, const char* expected) {
    auto config = parse_dispatcher_config(text);
    ASSERT_FALSE(config.has_value()) << text;
    EXPECT_NE(config.error().message.find(expected), std::string::npos) << config.error().message;
  };
  check("mailbox_uri = pop\n", "line 1: mailbox_uri must be mailat or imap");
  check("mailbox_uri = imap\n", "mailbox_uri = imap needs imap_host");
  check("imap_host = imap example\n", "line 1: imap_host \"imap example\": not a host name");
  check("imap_host = imap.example.test:0\n", "port must be a number from 1 to 65535");
  check("udp_payload = wbxml\n", "udp_payload must be xml or wsp");
  check("signing_key = key.pem\n", "signing_key must be an absolute path");
}

TEST(DispatcherConfig, WebPushSettings) {
  auto config = parse_dispatcher_config(
      "channels = UDP WEBPUSH\nwebpush_vapid_key = /etc/dovecot/vapid.pem\n"
      "webpush_subject = mailto:postmaster@example.test\nwebpush_ttl = 600\n"
      "webpush_timeout = 5\nwebpush_allow_http_hosts = LocalHost 127.0.0.1 ::1\n");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const auto& webpush = config->driver_as<webpush::WebPushDriver>(ChannelKind::WebPush)->settings();
  EXPECT_EQ(webpush.vapid_key, "/etc/dovecot/vapid.pem");
  EXPECT_EQ(webpush.subject, "mailto:postmaster@example.test");
  EXPECT_EQ(webpush.ttl_secs, 600u);
  EXPECT_EQ(webpush.timeout_secs, 5u);
  EXPECT_EQ(webpush.allow_http_hosts,
            (std::vector<std::string>{"localhost", "127.0.0.1", "::1"}));

  auto check = [](const char* text, const char* expected) {
    auto bad = parse_dispatcher_config(text);
    ASSERT_FALSE(bad.has_value()) << text;
    EXPECT_NE(bad.error().message.find(expected), std::string::npos) << bad.error().message;
  };
  check("channels = WEBPUSH\nwebpush_subject = mailto:a@example.test\n",
        "channel WEBPUSH needs webpush_vapid_key");
  check("channels = WEBPUSH\nwebpush_vapid_key = /k.pem\n", "channel WEBPUSH needs webpush_subject");
  check("webpush_vapid_key = vapid.pem\n", "webpush_vapid_key must be an absolute path");
  check("webpush_subject = postmaster\n", "mailto: or https:");
  check("webpush_timeout = 0\n", "webpush_timeout must be a number of seconds from 1 to 120");
  check("webpush_allow_http_hosts = bad_host\n", "not a host name or address: \"bad_host\"");
}

TEST(DispatcherConfig, PayloadOptionsLoadTheSigningKey) {
  DispatcherConfig config;
  config.mailbox_uri = MailboxUriStyle::Imap;
  config.imap_host = "imap.example.test";
  config.udp_payload = UdpWakeupForm::Wsp;
  config.signing_key = LNOTIFY_TEST_DATA_DIR "/ed25519-rfc8032-test1.pem";
  auto options = make_payload_options(config);
  ASSERT_TRUE(options.has_value()) << options.error().message;
  EXPECT_EQ(options->mailbox_uri, MailboxUriStyle::Imap);
  EXPECT_EQ(options->imap_host, "imap.example.test");
  EXPECT_EQ(options->udp_wakeup, UdpWakeupForm::Wsp);
  ASSERT_NE(options->signer, nullptr);
  EXPECT_EQ(options->signer->credential(), "ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");

  config.signing_key = "/nonexistent/key.pem";
  auto missing = make_payload_options(config);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("signing_key: cannot read signing key /nonexistent/key.pem"),
            std::string::npos)
      << missing.error().message;

  config.signing_key.clear();
  EXPECT_EQ(make_payload_options(config)->signer, nullptr);
}

TEST(DispatcherConfig, MissingFileIsAnError) {
  auto config = load_dispatcher_config("/nonexistent/lnotify-dispatch.conf");
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("/nonexistent/lnotify-dispatch.conf"), std::string::npos);
}

}  // namespace
}  // namespace lnotify

namespace lnotify {
namespace {

TEST(DispatcherConfig, QueueSettingsDefaults) {
  auto config = parse_dispatcher_config("");
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->state_dir, "/var/lib/lnotify");
  EXPECT_EQ(config->policy.unanswered_limit, 10u);
  EXPECT_EQ(config->policy.wakeup_interval_secs, 3600u);
  EXPECT_EQ(config->policy.rate_limit.count, 30u);
  EXPECT_EQ(config->policy.rate_limit.per_secs, 60u);
  EXPECT_TRUE(config->policy.coalesce);
  EXPECT_EQ(config->policy.retry_base_secs, 30u);
  EXPECT_EQ(config->policy.retry_max_secs, 3600u);
  EXPECT_EQ(config->policy.expire_secs, 86400u);
  EXPECT_EQ(config->policy.reminder_interval_secs, 1800u);
  EXPECT_EQ(config->policy.reminder_limit, 2u);
  EXPECT_EQ(config->xmpp_payload, XmppPayloadForm::Xml);
  EXPECT_EQ(config->driver_as<sms::SmsDriver>(ChannelKind::Sms)->settings().port, 2948u);
}

TEST(DispatcherConfig, ReminderXmppPayloadAndSmsPortSettings) {
  auto config = parse_dispatcher_config(
      "reminder_interval = 0\nreminder_limit = 5\nxmpp_payload = JSON\nsms_port = 143\n");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->policy.reminder_interval_secs, 0u);
  EXPECT_EQ(config->policy.reminder_limit, 5u);
  EXPECT_EQ(config->xmpp_payload, XmppPayloadForm::Json);
  EXPECT_EQ(config->driver_as<sms::SmsDriver>(ChannelKind::Sms)->settings().port, 143u);
  for (auto [text, expected] :
       {std::pair{"reminder_interval = soon\n", "reminder_interval must be a number"},
        std::pair{"reminder_limit = -2\n", "reminder_limit must be a number"},
        std::pair{"xmpp_payload = binary\n", "xmpp_payload must be xml or json"},
        std::pair{"sms_port = 0\n", "sms_port must be a port number from 1 to 65535"}}) {
    auto bad = parse_dispatcher_config(text);
    ASSERT_FALSE(bad.has_value()) << text;
    EXPECT_NE(bad.error().message.find(expected), std::string::npos) << bad.error().message;
  }
}

TEST(DispatcherConfig, QueueSettings) {
  auto config = parse_dispatcher_config(
      "state_dir = /srv/lnotify\nunanswered_limit = 0\nwakeup_interval = 600\n"
      "rate_limit = 5/10\ncoalesce = no\nretry_base = 2\nretry_max = 20\nexpire = 300\n");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->state_dir, "/srv/lnotify");
  EXPECT_EQ(config->policy.unanswered_limit, 0u);
  EXPECT_EQ(config->policy.wakeup_interval_secs, 600u);
  EXPECT_EQ(config->policy.rate_limit.count, 5u);
  EXPECT_EQ(config->policy.rate_limit.per_secs, 10u);
  EXPECT_FALSE(config->policy.coalesce);
  EXPECT_EQ(config->policy.retry_base_secs, 2u);
  EXPECT_EQ(config->policy.retry_max_secs, 20u);
  EXPECT_EQ(config->policy.expire_secs, 300u);
  auto off = parse_dispatcher_config("rate_limit = 0\n");
  ASSERT_TRUE(off.has_value());
  EXPECT_FALSE(off->policy.rate_limit.enabled());
}

TEST(DispatcherConfig, QueueSettingErrors) {
  auto check = [](const char* text, const char* expected) {
    auto config = parse_dispatcher_config(text);
    ASSERT_FALSE(config.has_value()) << text;
    EXPECT_NE(config.error().message.find(expected), std::string::npos) << config.error().message;
  };
  check("state_dir = var/lib\n", "line 1: state_dir must be an absolute path");
  check("unanswered_limit = -1\n", "unanswered_limit must be a number");
  check("wakeup_interval = 0\n", "wakeup_interval must be a number of seconds from 1");
  check("rate_limit = 30 per minute\n", "rate_limit must be N/S");
  check("coalesce = maybe\n", "coalesce must be yes or no");
  check("retry_base = 60\nretry_max = 30\n", "retry_max (30) must not be less than retry_base (60)");
  check("expire = 1d\n", "expire must be a number of seconds");
}

}  // namespace
}  // namespace lnotify

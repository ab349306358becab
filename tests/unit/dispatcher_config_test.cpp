#include "lnotify/dispatcher_config.h"

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

TEST(DispatcherConfig, MissingFileIsAnError) {
  auto config = load_dispatcher_config("/nonexistent/lnotify-dispatch.conf");
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("/nonexistent/lnotify-dispatch.conf"), std::string::npos);
}

}  // namespace
}  // namespace lnotify

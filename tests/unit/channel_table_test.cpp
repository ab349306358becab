// The driver table: a channel is one folder (tests/unit/toy_channel/) and
// one row; its settings are its own, checked when the file is read.
#include <gtest/gtest.h>

#include "channels/udp/udp_driver.h"
#include "lnotify/payload/payload.h"
#include "service/dispatcher_config.h"
#include "service/registry.h"
#include "toy_channel/toy_driver.h"

namespace lnotify {
namespace {

constexpr DriverFactory kWithToy[] = {udp::make_driver, toy::make_driver};

TEST(ChannelTable, AToyChannelIsOneFolderAndOneRow) {
  auto config = parse_dispatcher_config("channels = UDP MMS\ntoy_greeting = ahoy\n", kWithToy);
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_NE(config->driver(ChannelKind::Mms), nullptr);
  EXPECT_TRUE(config->runs(*config->driver(ChannelKind::Mms)));

  auto channel = make_channel(ChannelKind::Mms, *config);
  ASSERT_TRUE(channel) << channel.error().message;
  NotificationRequest request;
  request.channel = ChannelKind::Mms;
  request.address = "toy:1";
  auto payload = build_payload(request);
  ASSERT_TRUE(payload) << payload.error().message;
  toy::sent().clear();
  bool done = false;
  (*channel)->deliver(Delivery{request, *payload}, [&](Result<void> outcome) {
    EXPECT_TRUE(outcome.has_value());
    done = true;
  });
  EXPECT_TRUE(done);
  ASSERT_EQ(toy::sent().size(), 1u);
  EXPECT_EQ(toy::sent()[0], "ahoy toy:1 " + payload->content_type);
}

TEST(ChannelTable, ADriversSettingsAreCheckedWhenTheFileIsRead) {
  auto bad = parse_dispatcher_config("toy_greeting =\n", kWithToy);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("line 1: toy_greeting must not be empty"), std::string::npos)
      << bad.error().message;
}

TEST(ChannelTable, WithoutItsRowTheChannelDoesNotExist) {
  auto unknown = parse_dispatcher_config("toy_greeting = ahoy\n");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown setting \"toy_greeting\""), std::string::npos)
      << unknown.error().message;
  auto config = parse_dispatcher_config("channels = MMS\n");
  ASSERT_TRUE(config) << config.error().message;
  auto channel = make_channel(ChannelKind::Mms, *config);
  ASSERT_FALSE(channel);
  EXPECT_NE(channel.error().message.find("no driver for channel MMS"), std::string::npos)
      << channel.error().message;
}

}  // namespace
}  // namespace lnotify

// The C seam as the Dovecot glue uses it.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "lnotify/lnotify.h"
#include "lnotify/notification.h"
#include "lnotify/spool.h"
#include "temp_dir.h"

namespace {

TEST(CApi, ParsesChannelPreference) {
  lnotify_channel_pref pref{};
  lnotify_error error{};
  ASSERT_EQ(lnotify_parse_channel_pref("udp=extended", &pref, &error), 0);
  EXPECT_EQ(pref.channel, LNOTIFY_CHANNEL_UDP);
  EXPECT_EQ(pref.format, LNOTIFY_FORMAT_EXTENDED);
  ASSERT_EQ(lnotify_parse_channel_pref("NONE", &pref, &error), 0);
  EXPECT_EQ(pref.channel, LNOTIFY_CHANNEL_NONE);
  EXPECT_EQ(lnotify_parse_channel_pref("bogus", &pref, &error), -1);
  EXPECT_NE(std::string(error.message).find("expected NONE or CHANNEL=FORMAT"), std::string::npos);
  EXPECT_EQ(lnotify_parse_channel_pref(nullptr, &pref, &error), -1);
}

TEST(CApi, ValidatesAddress) {
  lnotify_error error{};
  EXPECT_EQ(lnotify_validate_address(LNOTIFY_CHANNEL_UDP, "127.0.0.1:9", &error), 0);
  EXPECT_EQ(lnotify_validate_address(LNOTIFY_CHANNEL_UDP, "127.0.0.1", &error), -1);
  EXPECT_EQ(lnotify_validate_address(LNOTIFY_CHANNEL_NONE, "127.0.0.1:9", &error), -1);
}

TEST(CApi, LongErrorsAreTruncatedNotOverflowed) {
  lnotify_channel_pref pref{};
  lnotify_error error{};
  std::string huge(10000, 'A');
  EXPECT_EQ(lnotify_parse_channel_pref(huge.c_str(), &pref, &error), -1);
  EXPECT_LT(std::strlen(error.message), sizeof(error.message));
}

TEST(CApi, SubmitsToTheSpool) {
  lnotify::testing::TempDir dir;
  ASSERT_TRUE(lnotify::Spool(dir.path()).prepare().has_value());
  lnotify_request request{};
  request.user = "alice";
  request.account = "alice@example.test";
  request.mailbox = "INBOX";
  request.event = "MessageNew";
  request.uid = 3;
  request.channel = LNOTIFY_CHANNEL_UDP;
  request.address = "127.0.0.1:9";
  char entry[128];
  lnotify_error error{};
  ASSERT_EQ(lnotify_spool_submit(dir.path().c_str(), &request, true, entry, sizeof(entry), &error),
            0)
      << error.message;
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/incoming/" + entry));

  request.channel = LNOTIFY_CHANNEL_NONE;
  EXPECT_EQ(lnotify_spool_submit(dir.path().c_str(), &request, true, entry, sizeof(entry), &error),
            -1);
  request.channel = LNOTIFY_CHANNEL_UDP;
  EXPECT_EQ(lnotify_spool_submit((dir.path() + "/missing").c_str(), &request, false, entry,
                                 sizeof(entry), &error),
            -1);
  EXPECT_NE(std::string(error.message).find("missing"), std::string::npos);
}

TEST(CApi, SubmitsASieveMessageAndImportance) {
  lnotify::testing::TempDir dir;
  ASSERT_TRUE(lnotify::Spool(dir.path()).prepare().has_value());
  lnotify_request request{};
  request.user = "alice";
  request.account = "alice@example.test";
  request.mailbox = "INBOX";
  request.event = "MessageNew";
  request.channel = LNOTIFY_CHANNEL_SIP;
  request.address = "sip:bob@example.org";
  request.message = "boss wrote";
  request.importance = 1;
  char entry[128];
  lnotify_error error{};
  ASSERT_EQ(lnotify_spool_submit(dir.path().c_str(), &request, false, entry, sizeof(entry), &error),
            0)
      << error.message;
  std::ifstream in(dir.path() + "/incoming/" + entry);
  std::string record((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto decoded = lnotify::decode_request(record);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->message, "boss wrote");
  EXPECT_EQ(decoded->importance, 1u);
  EXPECT_EQ(decoded->channel, lnotify::ChannelKind::Sip);

  request.importance = 4;
  EXPECT_EQ(lnotify_spool_submit(dir.path().c_str(), &request, false, entry, sizeof(entry), &error),
            -1);
  EXPECT_NE(std::string(error.message).find("importance"), std::string::npos);
}

}  // namespace

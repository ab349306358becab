// The C seam as the Dovecot glue uses it.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "lnotify/lnotify.h"
#include "lnotify/request/notification.h"
#include "lnotify/spool/spool.h"
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

TEST(CApi, CarriesTheDailyLimitAndTheTestFlag) {
  lnotify::testing::TempDir dir;
  lnotify::Spool spool(dir.path());
  ASSERT_TRUE(spool.prepare().has_value());
  lnotify_request request{};
  request.user = "alice";
  request.account = "alice@example.test";
  request.mailbox = "INBOX";
  request.event = "";
  request.channel = LNOTIFY_CHANNEL_UDP;
  request.address = "127.0.0.1:9";
  request.daily_limit = 50;
  request.test = true;
  char entry[128];
  lnotify_error error{};
  ASSERT_EQ(lnotify_spool_submit(dir.path().c_str(), &request, false, entry, sizeof(entry), &error),
            0)
      << error.message;
  auto claimed = spool.claim_incoming();
  ASSERT_TRUE(claimed.has_value());
  auto record = spool.read_active(entry);
  ASSERT_TRUE(record.has_value());
  auto decoded = lnotify::decode_request(*record);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->daily_limit, 50u);
  EXPECT_TRUE(decoded->test);
}

TEST(CApi, SubmitsAReaction) {
  lnotify::testing::TempDir dir;
  lnotify::Spool spool(dir.path());
  ASSERT_TRUE(spool.prepare().has_value());
  lnotify_error error{};
  ASSERT_EQ(lnotify_spool_submit_reaction(dir.path().c_str(), "alice@example.test", "select", &error),
            0)
      << error.message;
  auto claimed = spool.claim_incoming();
  ASSERT_TRUE(claimed.has_value());
  ASSERT_EQ(claimed->size(), 1u);
  auto record = spool.read_active(claimed->front());
  ASSERT_TRUE(record.has_value());
  auto reaction = lnotify::decode_reaction(*record);
  ASSERT_TRUE(reaction.has_value());
  EXPECT_EQ(reaction->account, "alice@example.test");
  EXPECT_EQ(reaction->how, "select");
  EXPECT_GT(reaction->timestamp, 1700000000);

  EXPECT_EQ(lnotify_spool_submit_reaction(dir.path().c_str(), "", "login", &error), -1);
  EXPECT_EQ(lnotify_spool_submit_reaction(nullptr, "alice", "login", &error), -1);
  EXPECT_EQ(lnotify_spool_submit_reaction((dir.path() + "/missing").c_str(), "alice", "login", &error),
            -1);
}

}  // namespace

#include "lnotify/notification.h"

#include <gtest/gtest.h>

namespace lnotify {
namespace {

NotificationRequest sample() {
  NotificationRequest r;
  r.user = "alice";
  r.account = "alice@example.test";
  r.mailbox = "Lists/dovecot\twith\ntricky\\chars";
  r.event = "MessageNew";
  r.uid = 4294967295u;
  r.uidvalidity = 1795993184;
  r.timestamp = 1795993184;
  r.channel = ChannelKind::Udp;
  r.format = PayloadFormat::Extended;
  r.address = "127.0.0.1:2948";
  return r;
}

TEST(RequestRecord, RoundTripsEveryField) {
  const NotificationRequest r = sample();
  auto decoded = decode_request(encode_request(r));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->user, r.user);
  EXPECT_EQ(decoded->account, r.account);
  EXPECT_EQ(decoded->mailbox, r.mailbox);
  EXPECT_EQ(decoded->event, r.event);
  EXPECT_EQ(decoded->uid, r.uid);
  EXPECT_EQ(decoded->uidvalidity, r.uidvalidity);
  EXPECT_EQ(decoded->timestamp, r.timestamp);
  EXPECT_EQ(decoded->channel, r.channel);
  EXPECT_EQ(decoded->format, r.format);
  EXPECT_EQ(decoded->address, r.address);
}

TEST(RequestRecord, EscapesSeparators) {
  const std::string record = encode_request(sample());
  EXPECT_NE(record.find("mailbox\tLists/dovecot\\twith\\ntricky\\\\chars\n"), std::string::npos);
}

TEST(RequestRecord, IgnoresUnknownKeys) {
  std::string record = encode_request(sample());
  record.insert(record.find('\n') + 1, "future-field\tsomething\n");
  EXPECT_TRUE(decode_request(record).has_value());
}

TEST(RequestRecord, RefusesDamage) {
  const std::string good = encode_request(sample());
  EXPECT_FALSE(decode_request("").has_value());
  EXPECT_FALSE(decode_request("something else\n").has_value());
  // cut anywhere before the end marker
  for (size_t cut : {good.size() - 1, good.size() - 4, good.size() / 2, size_t{20}})
    EXPECT_FALSE(decode_request(good.substr(0, cut)).has_value()) << cut;
  EXPECT_FALSE(decode_request(good + "extra\n").has_value());

  std::string bad_uid = good;
  bad_uid.replace(bad_uid.find("uid\t4294967295"), 14, "uid\t4294967296");
  EXPECT_FALSE(decode_request(bad_uid).has_value());

  std::string bad_channel = good;
  bad_channel.replace(bad_channel.find("channel\tUDP"), 11, "channel\tFAX");
  EXPECT_FALSE(decode_request(bad_channel).has_value());

  std::string bad_escape = good;
  bad_escape.replace(bad_escape.find("\\t"), 2, "\\q");
  EXPECT_FALSE(decode_request(bad_escape).has_value());
}

}  // namespace
}  // namespace lnotify

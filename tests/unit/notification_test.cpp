#include "lnotify/request/notification.h"

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

NotificationRequest with_optional_facts() {
  NotificationRequest r = sample();
  r.sender = "=?utf-8?q?J=C3=B6rg?= <joerg@example.test>";
  r.subject = "Line one\r\n continued\tand a \\ backslash";
  static constexpr char kSnippet[] = "body with\0nul and \xff";
  r.snippet = std::string(kSnippet, sizeof(kSnippet) - 1);  // the NUL inside included
  r.datetime = -86400;  // a Date header before 1970 is possible
  r.view = "Work/Urgent";
  r.sequence_id = 18446744073709551615ull;
  r.size_limit = 140;
  r.device_p256dh = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
  r.device_auth = "BTBZMqHH6r4Tts7J_aSIgg";
  return r;
}

TEST(RequestRecord, RoundTripsTheOptionalFacts) {
  const NotificationRequest r = with_optional_facts();
  auto decoded = decode_request(encode_request(r));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->sender, r.sender);
  EXPECT_EQ(decoded->subject, r.subject);
  EXPECT_EQ(decoded->snippet, r.snippet);
  EXPECT_EQ(decoded->datetime, r.datetime);
  EXPECT_EQ(decoded->view, r.view);
  EXPECT_EQ(decoded->sequence_id, r.sequence_id);
  EXPECT_EQ(decoded->size_limit, r.size_limit);
  EXPECT_EQ(decoded->device_p256dh, r.device_p256dh);
  EXPECT_EQ(decoded->device_auth, r.device_auth);
  EXPECT_EQ(decoded->uid, r.uid);
}

TEST(RequestRecord, RoundTripsASieveMessageAndImportance) {
  NotificationRequest r = sample();
  r.message = "From the boss:\tread\nnow \\ please";
  r.importance = 1;
  auto decoded = decode_request(encode_request(r));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->message, r.message);
  EXPECT_EQ(decoded->importance, 1u);
}

TEST(RequestRecord, RefusesAnImportanceOutsideOneToThree) {
  NotificationRequest r = sample();
  r.importance = 3;
  const std::string good = encode_request(r);
  ASSERT_TRUE(decode_request(good).has_value());
  for (const char* bad : {"importance\t4", "importance\t-1", "importance\t256", "importance\tx"}) {
    std::string record = good;
    record.replace(record.find("importance\t3"), 12, bad);
    EXPECT_FALSE(decode_request(record).has_value()) << bad;
  }
}

TEST(RequestRecord, OptionalFactsAreWrittenOnlyWhenKnown) {
  const std::string record = encode_request(sample());
  for (const char* key : {"sender\t", "subject\t", "snippet\t", "datetime\t", "view\t",
                          "sequence-id\t", "size-limit\t", "p256dh\t", "auth\t", "message\t",
                          "importance\t"})
    EXPECT_EQ(record.find(std::string("\n") + key), std::string::npos) << key;
}

TEST(RequestRecord, ReadsARecordFromBeforeTheOptionalFacts) {
  // Written by the first plugin version: none of the optional keys.
  const std::string old_record =
      "lnotify-request 1\nuser\talice\naccount\talice@example.test\nmailbox\tINBOX\n"
      "event\tMessageNew\nuid\t9\nuidvalidity\t3\ntimestamp\t1077259200\nchannel\tUDP\n"
      "format\tWAKEUP\naddress\t127.0.0.1:2948\nend\n";
  auto decoded = decode_request(old_record);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->uid, 9u);
  EXPECT_EQ(decoded->subject, "");
  EXPECT_EQ(decoded->datetime, 0);
  EXPECT_EQ(decoded->sequence_id, 0u);
  EXPECT_EQ(decoded->size_limit, 0u);
  EXPECT_EQ(decoded->device_p256dh, "");
  EXPECT_EQ(decoded->message, "");
  EXPECT_EQ(decoded->importance, 0u);
}

TEST(RequestRecord, RefusesDamagedOptionalNumbers) {
  const std::string good = encode_request(with_optional_facts());
  for (auto [key, bad] : {std::pair{"size-limit\t140", "size-limit\t-1"},
                          std::pair{"size-limit\t140", "size-limit\t4294967296"},
                          std::pair{"datetime\t-86400", "datetime\t1e9"},
                          std::pair{"sequence-id\t18446744073709551615", "sequence-id\t"}}) {
    std::string record = good;
    record.replace(record.find(key), std::string(key).size(), bad);
    EXPECT_FALSE(decode_request(record).has_value()) << bad;
  }
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

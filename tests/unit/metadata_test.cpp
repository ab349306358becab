#include "lnotify/metadata/metadata.h"

#include <gtest/gtest.h>

#include "lnotify/spool/provision.h"
#include "temp_dir.h"

namespace lnotify {
namespace {

const MetadataWriteContext kUdpOffered{"NONE UDP=WAKEUP UDP=EXTENDED", std::nullopt,
                                       "127.0.0.0/8 ::1", ""};

struct WriteCase {
  EntryScope scope;
  const char* entry;
  const char* value;  // nullptr: removal
  bool accepted;
  const char* message_part = "";
};

class MetadataWrite : public ::testing::TestWithParam<WriteCase> {};

TEST_P(MetadataWrite, IsCheckedAgainstTheSchema) {
  const WriteCase& c = GetParam();
  std::optional<std::string_view> value;
  if (c.value) value = c.value;
  auto result = check_metadata_write(c.scope, c.entry, value, kUdpOffered);
  EXPECT_EQ(result.has_value(), c.accepted) << c.entry << " = " << (c.value ? c.value : "NIL");
  if (!result.has_value()) {
    EXPECT_NE(result.error().message.find(c.message_part), std::string::npos)
        << result.error().message;
    EXPECT_EQ(result.error().message.rfind(c.entry, 0), 0u) << "names the entry first";
  }
}

constexpr auto M = EntryScope::Mailbox;
constexpr auto S = EntryScope::Server;

INSTANTIATE_TEST_SUITE_P(
    Preferences, MetadataWrite,
    ::testing::Values(
        WriteCase{M, "/private/notify/outband/channel", "UDP=WAKEUP", true},
        WriteCase{M, "/private/notify/outband/channel", "udp=extended", true},
        WriteCase{M, "/private/notify/outband/channel", "NONE", true},
        WriteCase{M, "/private/notify/outband/channel", nullptr, true},
        WriteCase{M, "/private/notify/outband/channel", "SMS=WAKEUP", false, "not offered"},
        WriteCase{M, "/private/notify/outband/channel", "UDP=SOON", false, "unknown format"},
        WriteCase{M, "/private/notify/outband/address", "127.0.0.1:2948", true},
        WriteCase{M, "/private/notify/outband/address", "+15551234567", true},
        WriteCase{M, "/private/notify/outband/address", "nothing", false, "no channel's address"},
        WriteCase{M, "/private/notify/outband/address", "192.0.2.7:2948", false,
                  "\"192.0.2.7\" is not an allowed destination on this server (allowed: 127.0.0.0/8 ::1)"},
        WriteCase{M, "/private/notify/outband/address", "intranet.example:53", false,
                  "not an allowed destination"},
        WriteCase{M, "/private/notify/outband/limit", "size=1024", true},
        WriteCase{M, "/private/notify/outband/limit", "total=50", true},
        WriteCase{M, "/private/notify/outband/limit", "SIZE=1024 TOTAL=50", true},
        WriteCase{M, "/private/notify/outband/limit", "total=1 size=4294967295", true},
        WriteCase{M, "/private/notify/outband/limit", "size=0", false, "size=N and/or total=N"},
        WriteCase{M, "/private/notify/outband/limit", "size=4294967296", false, "not a limit"},
        WriteCase{M, "/private/notify/outband/limit", "size=01", false, "not a limit"},
        WriteCase{M, "/private/notify/outband/limit", "size=1 size=2", false, "not a limit"},
        WriteCase{M, "/private/notify/outband/limit", "size=1 ", false, "not a limit"},
        WriteCase{M, "/private/notify/outband/limit", "size=1  total=2", false, "not a limit"},
        WriteCase{M, "/private/notify/outband/limit", "count=1", false, "not a limit"},
        WriteCase{M, "/private/notify/outband/limit", "", false, "not a limit"},
        WriteCase{M, "/private/notify/outband/filter", "important", true},
        WriteCase{M, "/private/notify/outband/filter", "two names", false, "filter name"},
        WriteCase{M, "/private/notify/view", "work family.2", true},
        WriteCase{M, "/private/notify/view", "work  family", false, "list of filter names"},
        WriteCase{M, "/private/notify/view", "caf\xc3\xa9", false, "list of filter names"},
        WriteCase{M, "/private/notify/inband/msgformat", "(UID FLAGS ENVELOPE)", true},
        WriteCase{M, "/private/notify/inband/msgformat", "(UID FLAGS", false, "fetch-att"},
        WriteCase{M, "/private/notify/inband/push", "PUSH", true},
        WriteCase{M, "/private/notify/inband/push", "pull", true},
        WriteCase{M, "/private/notify/inband/push", "poll", false, "neither push nor pull"},
        WriteCase{M, "/private/notify/event/filter", "all", true},
        WriteCase{M, "/private/notify/event/filter", "NEW", true},
        WriteCase{M, "/private/notify/event/filter", "NONE", true},
        WriteCase{M, "/private/notify/event/filter", "SOME", false, "ALL, NEW or NONE"},
        WriteCase{M, "/private/notify/outband/credential", "x", false, "not an lnotify entry"},
        WriteCase{M, "/private/notify/unknown", "x", false, "writable entries there"},
        WriteCase{M, "/PRIVATE/NOTIFY/EVENT/FILTER", "ALL", true}));

INSTANTIATE_TEST_SUITE_P(
    ServerEntries, MetadataWrite,
    ::testing::Values(
        WriteCase{S, "/private/notify/outband/channel", "NONE", false, "provided by the server"},
        WriteCase{S, "/private/notify/outband/channel", nullptr, false, "provided by the server"},
        WriteCase{S, "/private/notify/outband/credential", "me", false, "provided by the server"},
        WriteCase{S, "/shared/notify/inband/push", "x", false, "provided by the server"},
        WriteCase{S, "/private/notify/security/algorithms", "x", false, "provided by the server"},
        WriteCase{S, "/private/notify/webpush/vapid-key", "x", false, "provided by the server"},
        // RFC 8291 §5's example receiver key and auth secret
        WriteCase{S, "/private/notify/security/p256dh",
                  "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
                  true},
        WriteCase{S, "/private/notify/security/p256dh", "AAAA", false, "not a 65-byte"},
        WriteCase{S, "/private/notify/security/p256dh", "not base64!", false, "outside its alphabet"},
        WriteCase{S, "/private/notify/security/auth", "BTBZMqHH6r4Tts7J_aSIgg", true},
        WriteCase{S, "/private/notify/security/auth", "BTBZMqHH6r4Tts7J_aSIgg==", true},
        WriteCase{S, "/private/notify/security/auth", "BTBZMqHH6r4T", false, "not 16"},
        WriteCase{S, "/private/filters/values/boss", "FROM boss", true},
        WriteCase{S, "/private/filters/values/boss", "  ", false, "search program is empty"},
        WriteCase{S, "/private/filters/values/bad name", "ALL", false, "invalid filter name"},
        WriteCase{S, "/private/filters/descriptions/boss", "Mail from my boss", true},
        WriteCase{S, "/private/notify/view", "x", false, "not an lnotify entry on the server"}));

TEST(MetadataWrite, AddressFollowsTheCurrentChannel) {
  MetadataWriteContext sms{"NONE SMS=WAKEUP UDP=WAKEUP", ChannelKind::Sms, "", ""};
  EXPECT_TRUE(check_metadata_write(M, "/private/notify/outband/address", "+15551234567", sms));
  auto refused = check_metadata_write(M, "/private/notify/outband/address", "127.0.0.1:9", sms);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("E.164"), std::string::npos);
}

TEST(MetadataWrite, WebPushEndpointNeedsHttpsOrAListedHttpHost) {
  MetadataWriteContext webpush{"NONE WEBPUSH=EXTENDED", ChannelKind::WebPush,
                               "push.example.net localhost", "localhost"};
  const char* address = "/private/notify/outband/address";
  EXPECT_TRUE(check_metadata_write(M, address, "https://push.example.net/s/1", webpush));
  EXPECT_TRUE(check_metadata_write(M, address, "http://localhost:8090/notify/x", webpush));
  auto http = check_metadata_write(M, address, "http://push.example.net/s/1", webpush);
  ASSERT_FALSE(http.has_value());
  EXPECT_NE(http.error().message.find("plain http:// is not allowed for \"push.example.net\""),
            std::string::npos);
  auto elsewhere = check_metadata_write(M, address, "https://other.example.net/s/1", webpush);
  ASSERT_FALSE(elsewhere.has_value());
  EXPECT_NE(elsewhere.error().message.find("not an allowed destination"), std::string::npos);
  // no channel chosen yet: an endpoint is still checked like one
  MetadataWriteContext none{"NONE WEBPUSH=EXTENDED", std::nullopt, "push.example.net", ""};
  EXPECT_FALSE(check_metadata_write(M, address, "http://push.example.net/s/1", none));
  EXPECT_TRUE(check_metadata_write(M, address, "https://push.example.net/s/1", none));
  // the status is the dispatcher's
  auto status = check_metadata_write(S, "/private/notify/webpush/status", "ok", webpush);
  ASSERT_FALSE(status.has_value());
  EXPECT_NE(status.error().message.find("provided by the server"), std::string::npos);
}

TEST(MetadataWrite, NothingOfferedMeansOnlyNone) {
  MetadataWriteContext none{"", std::nullopt, "", ""};
  EXPECT_TRUE(check_metadata_write(M, "/private/notify/outband/channel", "NONE", none));
  auto refused = check_metadata_write(M, "/private/notify/outband/channel", "UDP=WAKEUP", none);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("it offers: NONE"), std::string::npos);
}

TEST(MetadataNames, LnotifyTrees) {
  EXPECT_TRUE(is_lnotify_entry_name("/private/notify/view"));
  EXPECT_TRUE(is_lnotify_entry_name("/Shared/Notify/x"));
  EXPECT_TRUE(is_lnotify_entry_name("/private/filters/values/x"));
  EXPECT_FALSE(is_lnotify_entry_name("/private/notifyx"));
  EXPECT_FALSE(is_lnotify_entry_name("/private/comment"));
  EXPECT_FALSE(is_lnotify_entry_name("/shared/vendor/x"));
}

TEST(OfferedChannels, RoundTrip) {
  std::string value = offered_channels_value({ChannelKind::Udp, ChannelKind::Sip});
  EXPECT_EQ(value, "NONE UDP=WAKEUP UDP=EXTENDED SIP=WAKEUP SIP=EXTENDED");
  auto parsed = parse_offered_channels(value);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->size(), 4u);
  EXPECT_FALSE(parse_offered_channels("NONE FAX=WAKEUP").has_value());
  EXPECT_TRUE(parse_offered_channels("").has_value());
}

TEST(Provision, RoundTripsThroughTheSpool) {
  testing::TempDir dir;
  Provision p{"NONE UDP=WAKEUP", "mail.example.test", "aes128gcm", "", "127.0.0.1",
              "ums=MessageNew,Login mwi=MWI", "INBOX", "localhost", "yes", "50"};
  ASSERT_TRUE(write_provision(dir.path(), p).has_value());
  auto read = read_provision(dir.path());
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->channels, p.channels);
  EXPECT_EQ(read->credential, p.credential);
  EXPECT_EQ(read->security, p.security);
  EXPECT_EQ(read->vapid_key, "");
  EXPECT_EQ(read->s2s, p.s2s);
  EXPECT_EQ(read->mwi_mailboxes, "INBOX");
  EXPECT_EQ(read->webpush_http_hosts, "localhost");
  auto missing = read_provision(dir.path() + "/none");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("lnotify-dispatch writes it"), std::string::npos);
}

}  // namespace
}  // namespace lnotify

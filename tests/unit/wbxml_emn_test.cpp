#include "lnotify/payload/wbxml_emn.h"

#include <gtest/gtest.h>

#include "test_data.h"

namespace lnotify {
namespace {

using testing::from_hex;
using testing::to_hex;

// The byte sequences of doc/payloads.md (Test vectors), which libwbxml 0.11.8
// produced from the same documents, with its value tokens (".org" 0x88,
// ".com" 0x85) written out as inline strings, as lnotify does.
TEST(WbxmlEmn, MatchesTheMailatVector) {
  auto wbxml = encode_emn_wbxml({"mailat:user@wapforum.org", 1018939200});  // 2002-04-16T06:40:00Z
  EXPECT_EQ(to_hex(wbxml), to_hex(from_hex("03 0D 6A 00 85 07"
                                            "03 75 73 65 72 40 77 61 70 66 6f 72 75 6d 2e 6f 72 67 00"
                                            "05 C3 06 20 02 04 16 06 40 01")));
}

TEST(WbxmlEmn, MatchesTheSecondMailatVector) {
  auto wbxml = encode_emn_wbxml({"mailat:alice@example.com", 1180692000});  // 2007-06-01T10:00:00Z
  EXPECT_EQ(to_hex(wbxml), to_hex(from_hex("03 0D 6A 00 85 07 03") + "alice@example.com" +
                                  from_hex("00 05 C3 05 20 07 06 01 10 01")));
}

TEST(WbxmlEmn, MatchesTheImapVector) {
  auto wbxml = encode_emn_wbxml(
      {"imap://alice@mail.example.com/INBOX;UIDVALIDITY=1180000000", 1180692330});
  EXPECT_EQ(to_hex(wbxml), to_hex(from_hex("03 0D 6A 00 85 09 03") +
                                  "alice@mail.example.com/INBOX;UIDVALIDITY=1180000000" +
                                  from_hex("00 05 C3 07 20 07 06 01 10 05 30 01")));
}

TEST(WbxmlEmn, PicksTheLongestMailboxPrefixToken) {
  auto start_token = [](const char* uri) {
    return static_cast<unsigned char>(encode_emn_wbxml({uri, 0})[5]);
  };
  EXPECT_EQ(start_token("pop://u;auth=1@pop.example"), 0x08);
  EXPECT_EQ(start_token("http://example.org/mail"), 0x0A);
  EXPECT_EQ(start_token("http://www.example.org/"), 0x0B);
  EXPECT_EQ(start_token("https://example.org/"), 0x0C);
  EXPECT_EQ(start_token("https://www.example.org/"), 0x0D);
  EXPECT_EQ(start_token("tel:+15551234567"), 0x06);  // plain mailbox=, all inline
  auto plain = encode_emn_wbxml({"tel:+1", 0});
  EXPECT_EQ(plain.substr(5, 9), from_hex("06 03") + "tel:+1" + std::string(1, '\0'));
}

TEST(WbxmlEmn, DropsEveryTrailingZeroOctetOfTheTime) {
  // 2000-01-01T00:00:00Z packs to 20 00 01 01 00 00 00; the zeros go.
  auto wbxml = encode_emn_wbxml({"mailat:a@b", 946684800});
  EXPECT_EQ(wbxml.substr(wbxml.size() - 8), from_hex("05 C3 04 20 00 01 01 01"));
}

TEST(WbxmlEmn, InlineStringsNeverContainNul) {
  auto wbxml = encode_emn_wbxml({std::string("mailat:a\0b\x01@c\xFF", 15), 0});
  const std::string expected_string = "a" "b" "@c\xEF\xBF\xBD";
  EXPECT_EQ(wbxml.substr(6, 1 + expected_string.size() + 1),
            "\x03" + expected_string + std::string(1, '\0'));
}

}  // namespace
}  // namespace lnotify

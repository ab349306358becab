#include "lnotify/payload/mime_header.h"

#include <chrono>

#include <gtest/gtest.h>

#include "random_text.h"

namespace lnotify {
namespace {

TEST(MimeHeader, PlainTextPassesThrough) {
  EXPECT_EQ(decode_header_value("Lunch on Friday?"), "Lunch on Friday?");
  EXPECT_EQ(decode_header_value(""), "");
}

TEST(MimeHeader, DecodesRfc2047Examples) {
  // RFC 2047 §8.
  EXPECT_EQ(decode_header_value("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"),
            "Keith Moore <moore@cs.utk.edu>");
  EXPECT_EQ(decode_header_value("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>"),
            "Keld J\xC3\xB8rn Simonsen <keld@dkuug.dk>");
  EXPECT_EQ(decode_header_value("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>"),
            "Andr\xC3\xA9 Pirard <PIRARD@vm1.ulg.ac.be>");
  EXPECT_EQ(decode_header_value("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= "
                                "=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="),
            "If you can read this you understand the example.");
  // §8's table: white space between adjacent encoded-words is dropped,
  // white space elsewhere is kept.
  EXPECT_EQ(decode_header_value("(=?ISO-8859-1?Q?a?=)"), "(a)");
  EXPECT_EQ(decode_header_value("(=?ISO-8859-1?Q?a?= b)"), "(a b)");
  EXPECT_EQ(decode_header_value("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header_value("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header_value("(=?ISO-8859-1?Q?a_b?=)"), "(a b)");
  EXPECT_EQ(decode_header_value("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"), "(a b)");
}

TEST(MimeHeader, DecodesTheRequiredCharsets) {
  EXPECT_EQ(decode_header_value("=?utf-8?b?SsO2cmcg4oKs?="), "J\xC3\xB6rg \xE2\x82\xAC");
  EXPECT_EQ(decode_header_value("=?UTF-8?Q?J=C3=B6rg?="), "J\xC3\xB6rg");
  // Windows-1252's 0x80 (euro) and 0x92 (right quote); ISO-8859-1 labels get
  // the same reading because that is what mislabelled mail means.
  EXPECT_EQ(decode_header_value("=?windows-1252?q?=80_5_it=92s?="),
            "\xE2\x82\xAC 5 it\xE2\x80\x99s");
  EXPECT_EQ(decode_header_value("=?iso-8859-1?q?=80?="), "\xE2\x82\xAC");
  EXPECT_EQ(decode_header_value("=?us-ascii?q?caf=E9?="), "caf\xEF\xBF\xBD");
  // Through iconv: KOI8-R and ISO-2022-JP.
  EXPECT_EQ(decode_header_value("=?koi8-r?b?8NLJ18XU?="), "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  EXPECT_EQ(decode_header_value("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?="),
            "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
  // RFC 2231 §5 language suffix.
  EXPECT_EQ(decode_header_value("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore");
}

TEST(MimeHeader, JoinsCharactersSplitAcrossWords) {
  // "€" (E2 82 AC) split over two encoded-words, as some mailers do.
  EXPECT_EQ(decode_header_value("=?utf-8?q?=E2=82?= =?utf-8?q?=AC?="), "\xE2\x82\xAC");
}

TEST(MimeHeader, KeepsWhatItCannotDecode) {
  EXPECT_EQ(decode_header_value("=?x-unknown?q?abc?="), "=?x-unknown?q?abc?=");
  EXPECT_EQ(decode_header_value("=?utf-8?b?!!!?="), "=?utf-8?b?!!!?=");
  EXPECT_EQ(decode_header_value("=?utf-8?x?abc?="), "=?utf-8?x?abc?=");
  EXPECT_EQ(decode_header_value("=?utf-8?q?abc"), "=?utf-8?q?abc");
  // A charset name with iconv's "//" suffix syntax is not handed to iconv.
  EXPECT_EQ(decode_header_value("=?utf-8//TRANSLIT?q?a?="), "=?utf-8//TRANSLIT?q?a?=");
}

TEST(MimeHeader, CleansBrokenText) {
  // Invalid UTF-8 (raw or decoded) becomes U+FFFD; controls are dropped;
  // TAB/CR/LF become spaces; the ends are trimmed.
  EXPECT_EQ(decode_header_value("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(decode_header_value("=?utf-8?q?a=FFb=00c=01?="), "a\xEF\xBF\xBD" "bc");
  EXPECT_EQ(decode_header_value("  one\ttwo\r\nthree \x7F"), "one two three");
  EXPECT_EQ(decode_header_value("folded\r\n subject"), "folded subject");
  // Raw UTF-8 (RFC 6532) stays.
  EXPECT_EQ(decode_header_value("Gr\xC3\xBC\xC3\x9F" "e"), "Gr\xC3\xBC\xC3\x9F" "e");
}

TEST(MimeHeader, PathologicalHeadersTakeLinearTime) {
  // Many word starts with no end: a scan to the end of the value from each
  // start would take minutes on 100 kB.
  std::string unterminated, starts;
  while (unterminated.size() < 100 * 1024) unterminated += "=?a?q?x ";
  while (starts.size() < 100 * 1024) starts += "=?";
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(decode_header_value(unterminated).size(), unterminated.size() - 1);  // trailing space trimmed
  EXPECT_EQ(decode_header_value(starts), starts);
  // Linear: a few milliseconds; the quadratic scan this replaced took over a second.
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(300));
}

TEST(MimeHeader, AnyInputGivesCleanUtf8) {
  testing::RandomText random(20070401);
  for (int i = 0; i < 300; ++i) {
    const std::string raw = random.next();
    const std::string decoded = decode_header_value(raw);
    ASSERT_TRUE(testing::clean_utf8(decoded)) << "input #" << i;
    EXPECT_EQ(decoded.find_first_of("\t\r\n"), std::string::npos);
  }
}

}  // namespace
}  // namespace lnotify

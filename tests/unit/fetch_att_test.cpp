#include "lnotify/metadata/fetch_att.h"

#include <gtest/gtest.h>

namespace lnotify {
namespace {

class ValidFetchAtt : public ::testing::TestWithParam<const char*> {};

TEST_P(ValidFetchAtt, Parses) {
  auto parsed = parse_fetch_att_list(GetParam());
  EXPECT_TRUE(parsed.has_value()) << GetParam() << ": " << parsed.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc3501, ValidFetchAtt,
    ::testing::Values("ALL", "fast", "FULL", "UID", "(UID)", "(UID FLAGS ENVELOPE)",
                      "(uid flags internaldate rfc822.size bodystructure)", "BODY", "BODY[]",
                      "BODY.PEEK[]", "BODY[TEXT]", "BODY[HEADER]", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]",
                      "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM DATE)]",
                      "BODY.PEEK[HEADER.FIELDS.NOT (RECEIVED \"X-Spam\")]", "BODY[1]",
                      "BODY[1.2.3]", "BODY[1.MIME]", "BODY[2.HEADER]", "BODY[1.TEXT]",
                      "BODY.PEEK[1]<0.1024>", "BODY[]<0.100>", "RFC822", "RFC822.HEADER",
                      "RFC822.TEXT", "BINARY[1]", "BINARY.PEEK[]", "BINARY.SIZE[2]", "MODSEQ",
                      "PREVIEW", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)] PREVIEW)"));

class InvalidFetchAtt : public ::testing::TestWithParam<const char*> {};

TEST_P(InvalidFetchAtt, IsRefused) {
  auto parsed = parse_fetch_att_list(GetParam());
  ASSERT_FALSE(parsed.has_value()) << GetParam();
  EXPECT_NE(parsed.error().message.find("fetch-att"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc3501, InvalidFetchAtt,
    ::testing::Values("", "(", "()", "(UID", "UID)", "(UID  FLAGS)", " UID", "UID ",
                      "(ALL)", "BOGUS", "(UID BOGUS)", "BODY[", "BODY[HEADER", "BODY.PEEK",
                      "BODY[0]", "BODY[1.0]", "BODY[MIME]", "BODY[HEADER.FIELDS]",
                      "BODY[HEADER.FIELDS ()]", "BODY[HEADER.FIELDS (A:B)]",
                      "BODY[]<0>", "BODY[]<0.0>", "BODY[]<a.1>", "BODY[]<0.99999999999>",
                      "BINARY[TEXT]", "BINARY", "(UID FLAGS)x", "UID\r\nFLAGS",
                      "BODY[HEADER.FIELDS (\"unterminated)]"));

TEST(FetchAtt, ReturnsNormalisedItems) {
  auto parsed = parse_fetch_att_list("(uid body.peek[header.fields (Subject)]<0.10>)");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, (std::vector<std::string>{"UID", "BODY.PEEK[HEADER.FIELDS (Subject)]<0.10>"}));
}

TEST(FetchAtt, ErrorSaysWhere) {
  auto parsed = parse_fetch_att_list("(UID FLAGZ)");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().message.find("offset 5"), std::string::npos) << parsed.error().message;
  EXPECT_NE(parsed.error().message.find("\"FLAGZ\""), std::string::npos);
}

}  // namespace
}  // namespace lnotify

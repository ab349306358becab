#include "lnotify/payload/payload_size.h"

#include <gtest/gtest.h>

#include "lnotify/payload/xemn_json.h"
#include "random_text.h"
#include "xml_check.h"

namespace lnotify {
namespace {

XemnFacts facts() {
  XemnFacts f;
  f.mailbox_uri = "mailat:joe@foo.com";
  f.timestamp = 1077259200;
  f.event = "MessageNew";
  f.view = "INBOX";
  f.sequence_id = 7;
  f.uid = 42;
  f.sender = "Joe <joe@foo.com>";
  f.datetime = 1077259080;
  f.subject = "A subject of some length";
  f.snippet = "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC and then some more text of the body";
  return f;
}

const XemnEncoder xml = [](const XemnFacts& f) { return encode_xemn_xml(f); };

std::string encoded(const XemnFacts& f) { return *encode_xemn_xml(f); }

TEST(PayloadSize, NoCutWhenItFits) {
  auto fitted = fit_to_size(facts(), SIZE_MAX, xml);
  ASSERT_TRUE(fitted.has_value());
  ASSERT_TRUE(fitted->has_value());
  EXPECT_EQ((*fitted)->bytes, encoded(facts()));
  EXPECT_EQ((*fitted)->reductions, "");
}

TEST(PayloadSize, CutsTheSnippetFirstOnACharacterBoundary) {
  const XemnFacts f = facts();
  XemnFacts without_snippet = f;
  without_snippet.snippet.clear();
  // Element content costs the text plus 6 bytes (">" + "</xemn>" instead of
  // "/>"); leave room for 6 bytes of text: the snippet is cut, the subject
  // untouched.
  const size_t limit = encoded(without_snippet).size() + 6 + 6;
  auto fitted = fit_to_size(f, limit, xml);
  ASSERT_TRUE(fitted.has_value() && fitted->has_value());
  EXPECT_LE((*fitted)->bytes.size(), limit);
  auto doc = testing::parse_xml((*fitted)->bytes);
  ASSERT_TRUE(doc);
  EXPECT_EQ(testing::attr(doc, "subject"), f.subject);
  // One euro sign (3 bytes) fits with the ellipsis (3 bytes), two do not.
  EXPECT_EQ(testing::root_text(doc), "\xE2\x82\xAC\xE2\x80\xA6");
  EXPECT_EQ((*fitted)->reductions, "snippet cut to 3 bytes");
}

TEST(PayloadSize, ThenTheSubjectThenTheOptionalAttributes) {
  const XemnFacts f = facts();
  XemnFacts bare;
  bare.mailbox_uri = f.mailbox_uri;
  bare.timestamp = f.timestamp;
  const size_t minimum = encoded(bare).size();

  XemnFacts no_text = f;
  no_text.snippet.clear();
  no_text.subject.clear();
  auto fitted = fit_to_size(f, encoded(no_text).size(), xml);
  ASSERT_TRUE(fitted.has_value() && fitted->has_value());
  EXPECT_EQ((*fitted)->bytes, encoded(no_text));
  EXPECT_EQ((*fitted)->reductions, "snippet dropped, subject dropped");

  fitted = fit_to_size(f, encoded(no_text).size() - 1, xml);
  ASSERT_TRUE(fitted.has_value() && fitted->has_value());
  auto doc = testing::parse_xml((*fitted)->bytes);
  EXPECT_FALSE(testing::has_attr(doc, "sender"));
  EXPECT_TRUE(testing::has_attr(doc, "datetime"));
  EXPECT_EQ((*fitted)->reductions, "snippet dropped, subject dropped, sender dropped");

  fitted = fit_to_size(f, minimum, xml);
  ASSERT_TRUE(fitted.has_value() && fitted->has_value());
  EXPECT_EQ((*fitted)->bytes, encoded(bare));
  EXPECT_EQ((*fitted)->reductions,
            "snippet dropped, subject dropped, sender dropped, datetime dropped, view dropped, "
            "event dropped, uid dropped, sequence-id dropped");

  fitted = fit_to_size(f, minimum - 1, xml);
  ASSERT_TRUE(fitted.has_value());
  EXPECT_FALSE(fitted->has_value()) << "nothing fits: the caller sends a wake-up";
}

TEST(PayloadSize, EncoderErrorsReachTheCaller) {
  const XemnEncoder failing = [](const XemnFacts&) -> Result<std::string> {
    return temporary_error("encoder broke");
  };
  auto fitted = fit_to_size(facts(), 100, failing);
  ASSERT_FALSE(fitted.has_value());
  EXPECT_EQ(fitted.error().message, "encoder broke");
}

// Property: for random hostile facts and every limit, the result is within
// the limit (or absent only when the bare element is bigger), and is XML
// that libxml2 parses, or JSON respectively.
TEST(PayloadSize, BoundHoldsForEveryLimit) {
  testing::RandomText random(5423);
  const XemnEncoder json = [](const XemnFacts& f) -> Result<std::string> {
    return encode_xemn_json(f);
  };
  for (int i = 0; i < 16; ++i) {
    XemnFacts f = facts();
    f.sender = random.next();
    f.subject = random.next();
    f.snippet = random.next();
    f.view = random.next();
    XemnFacts bare;
    bare.mailbox_uri = f.mailbox_uri;
    bare.timestamp = f.timestamp;
    const bool big = f.subject.size() + f.snippet.size() + f.sender.size() > 4096;
    // Every limit around the bare element's size (about 110 bytes) and the
    // usual SMS and datagram sizes, then a sparser sweep up to 3000.
    for (size_t limit = 1; limit < 3000; limit += big ? 97 : limit < 400 ? 1 : 23) {
      auto fitted = fit_to_size(f, limit, xml);
      ASSERT_TRUE(fitted.has_value());
      if (!fitted->has_value()) {
        EXPECT_GT(encoded(bare).size(), limit);
        continue;
      }
      ASSERT_LE((*fitted)->bytes.size(), limit) << "case " << i;
      ASSERT_TRUE(testing::parse_xml((*fitted)->bytes)) << (*fitted)->bytes;

      auto fitted_json = fit_to_size(f, limit, json);
      ASSERT_TRUE(fitted_json.has_value());
      if (fitted_json->has_value()) {
        EXPECT_LE((*fitted_json)->bytes.size(), limit);
      }
    }
  }
}

}  // namespace
}  // namespace lnotify

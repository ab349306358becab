#include "lnotify/payload/xemn.h"

#include <gtest/gtest.h>

#include "lnotify/payload/emn.h"
#include "test_data.h"
#include "xml_check.h"

namespace lnotify {
namespace {

using testing::attr;
using testing::data_path;
using testing::has_attr;
using testing::parse_xml;
using testing::read_data;

XemnFacts full_facts() {
  XemnFacts f;
  f.mailbox_uri = "mailat:joe@foo.com";
  f.timestamp = 1077259200;  // 2004-02-20T06:40:00Z
  f.event = "MessageNew";
  f.view = "INBOX";
  f.sequence_id = 7;
  f.uid = 42;
  f.uidvalidity = 1077000000;
  f.sender = "J\xC3\xB6rg <joerg@foo.com>";
  f.datetime = 1077259080;  // 06:38:00
  f.subject = "Lunch & <games>";
  f.snippet = "See you at \"noon\".\nJ.";
  return f;
}

TEST(XemnXml, MatchesTheGoldenDocument) {
  auto xml = encode_xemn_xml(full_facts());
  ASSERT_TRUE(xml.has_value());
  EXPECT_EQ(*xml, read_data("xemn-full.xml"));
}

TEST(XemnXml, CarriesEveryDraftAttributeAndTheSnippet) {
  auto xml = encode_xemn_xml(full_facts());
  ASSERT_TRUE(xml.has_value());
  auto doc = parse_xml(*xml);
  ASSERT_TRUE(doc) << *xml;
  EXPECT_EQ(testing::root_name(doc), "xemn");
  EXPECT_EQ(attr(doc, "mailbox"), "mailat:joe@foo.com");
  EXPECT_EQ(attr(doc, "timestamp"), "2004-02-20T06:40:00Z");
  EXPECT_EQ(attr(doc, "event"), "MessageNew");
  EXPECT_EQ(attr(doc, "view"), "INBOX");
  EXPECT_EQ(attr(doc, "sequence-id"), "7");
  EXPECT_EQ(attr(doc, "uid"), "42");
  EXPECT_EQ(attr(doc, "sender"), "J\xC3\xB6rg <joerg@foo.com>");
  EXPECT_EQ(attr(doc, "datetime"), "2004-02-20T06:38:00Z");
  EXPECT_EQ(attr(doc, "subject"), "Lunch & <games>");
  EXPECT_EQ(testing::root_text(doc), "See you at \"noon\".\nJ.");
  EXPECT_TRUE(testing::valid_against(doc, data_path("xemn.dtd")));
}

TEST(XemnXml, ASieveMessageIsTheTextToDisplay) {
  XemnFacts f = full_facts();
  f.message = "The boss wrote: <lunch>";
  f.importance = 1;
  auto xml = encode_xemn_xml(f);
  ASSERT_TRUE(xml.has_value());
  auto doc = parse_xml(*xml);
  ASSERT_TRUE(doc) << *xml;
  EXPECT_EQ(testing::root_text(doc), "The boss wrote: <lunch>");
  EXPECT_EQ(attr(doc, "subject"), "Lunch & <games>");
  // the draft's DTD still holds: no attribute was invented
  EXPECT_TRUE(testing::valid_against(doc, data_path("xemn.dtd")));
}

TEST(XemnXml, LeavesOutUnknownFacts) {
  XemnFacts f;
  f.mailbox_uri = "mailat:joe@foo.com";
  f.timestamp = 1077259200;
  auto xml = encode_xemn_xml(f);
  ASSERT_TRUE(xml.has_value());
  EXPECT_EQ(*xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<xemn mailbox=\"mailat:joe@foo.com\" timestamp=\"2004-02-20T06:40:00Z\"/>\n");
  auto doc = parse_xml(*xml);
  for (const char* name : {"event", "view", "sequence-id", "uid", "sender", "datetime", "subject"})
    EXPECT_FALSE(has_attr(doc, name)) << name;
  EXPECT_TRUE(testing::valid_against(doc, data_path("xemn.dtd")));
}

TEST(XemnXml, DatetimeOutsideTheFormatIsLeftOut) {
  XemnFacts f = full_facts();
  f.datetime = -1;
  EXPECT_FALSE(has_attr(parse_xml(*encode_xemn_xml(f)), "datetime"));
  f.datetime = kLatestEmnTime + 1;
  EXPECT_FALSE(has_attr(parse_xml(*encode_xemn_xml(f)), "datetime"));
}

TEST(XemnXml, TheDtdRefusesWhatTheDraftForbids) {
  // The DTD is a real check: a document without the #REQUIRED mailbox, or
  // with an attribute the draft does not define, is invalid.
  auto no_mailbox = parse_xml("<xemn timestamp=\"2004-02-20T06:40:00Z\"/>");
  ASSERT_TRUE(no_mailbox);
  EXPECT_FALSE(testing::valid_against(no_mailbox, data_path("xemn.dtd")));
  auto extra = parse_xml("<xemn mailbox=\"mailat:a@b\" colour=\"red\"/>");
  ASSERT_TRUE(extra);
  EXPECT_FALSE(testing::valid_against(extra, data_path("xemn.dtd")));
}

}  // namespace
}  // namespace lnotify

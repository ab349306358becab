#include "lnotify/payload/emn.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <gtest/gtest.h>

#include "lnotify/payload/payload.h"

namespace lnotify {
namespace {

// Parses with libxml2's reader (independent of the writer that produced the
// text) and returns the document, or null when it is not well-formed.
xmlDocPtr parse(const std::string& text) {
  return xmlReadMemory(text.data(), static_cast<int>(text.size()), "emn.xml", nullptr,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

std::string attr(xmlNodePtr node, const char* name) {
  xmlChar* v = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}

TEST(EmnTimestamp, IsUtcInOmaFormat) {
  EXPECT_EQ(emn_timestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(emn_timestamp(1077259200), "2004-02-20T06:40:00Z");
}

TEST(EmnXml, MatchesTheOmaDocument) {
  auto xml = encode_emn_xml({"mailat:joe@foo.com", 1077259200});
  ASSERT_TRUE(xml.has_value());
  EXPECT_EQ(*xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<!DOCTYPE emn PUBLIC \"-//WAPFORUM//DTD EMN 1.0//EN\" "
            "\"http://www.wapforum.org/DTD/emn.dtd\">"
            "<emn mailbox=\"mailat:joe@foo.com\" timestamp=\"2004-02-20T06:40:00Z\"/>\n");

  xmlDocPtr doc = parse(*xml);
  ASSERT_NE(doc, nullptr);
  xmlDtdPtr dtd = xmlGetIntSubset(doc);
  ASSERT_NE(dtd, nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(dtd->ExternalID), "-//WAPFORUM//DTD EMN 1.0//EN");
  xmlNodePtr root = xmlDocGetRootElement(doc);
  EXPECT_STREQ(reinterpret_cast<const char*>(root->name), "emn");
  EXPECT_EQ(attr(root, "mailbox"), "mailat:joe@foo.com");
  xmlFreeDoc(doc);
}

TEST(EmnXml, HostileAccountStaysWellFormed) {
  const std::string account = "a\"<&>'b\x01\xff\xc3\xa9@example.test";
  auto xml = encode_emn_xml({mailat_uri(account), 0});
  ASSERT_TRUE(xml.has_value());
  xmlDocPtr doc = parse(*xml);
  ASSERT_NE(doc, nullptr) << *xml;
  EXPECT_EQ(attr(xmlDocGetRootElement(doc), "mailbox"),
            "mailat:a\"<&>'b\xEF\xBF\xBD\xc3\xa9@example.test");
  xmlFreeDoc(doc);
}

TEST(Payload, WakeupIsEmnAndExtendedIsXemn) {
  NotificationRequest r;
  r.account = "alice@example.test";
  r.event = "MessageNew";
  r.uid = 42;
  r.timestamp = 1077259200;
  r.format = PayloadFormat::Wakeup;
  auto wakeup = build_payload(r);
  ASSERT_TRUE(wakeup.has_value());
  EXPECT_EQ(wakeup->content_type, "text/vnd.wap.emn+xml");
  EXPECT_NE(wakeup->bytes.find("<emn mailbox=\"mailat:alice@example.test\""), std::string::npos);

  r.format = PayloadFormat::Extended;
  auto extended = build_payload(r);
  ASSERT_TRUE(extended.has_value());
  xmlDocPtr doc = parse(extended->bytes);
  ASSERT_NE(doc, nullptr);
  xmlNodePtr root = xmlDocGetRootElement(doc);
  EXPECT_STREQ(reinterpret_cast<const char*>(root->name), "xemn");
  EXPECT_EQ(attr(root, "event"), "MessageNew");
  EXPECT_EQ(attr(root, "uid"), "42");
  EXPECT_EQ(attr(root, "timestamp"), "2004-02-20T06:40:00Z");
  xmlFreeDoc(doc);
}

}  // namespace
}  // namespace lnotify

// The XML writer reuses one libxml2 xmlTextWriter per thread: each document
// must come out as a fresh xmlTextWriter would write it, whatever the
// documents before it (hostile text, failures half-way) left behind, and
// must parse back to the sanitized text it was given.
#include "payload/xml_writer.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include <gtest/gtest.h>

#include "random_text.h"
#include "core/utf8.h"

namespace lnotify {
namespace {

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

// The document both write: <r a="ATTR"><c/>TEXT<?pi TEXT?></r>
std::string with_libxml2(const std::string& attr, const std::string& text, bool pi) {
  xmlBufferPtr buffer = xmlBufferCreate();
  xmlTextWriterPtr w = xmlNewTextWriterMemory(buffer, 0);
  xmlTextWriterStartDocument(w, "1.0", "UTF-8", nullptr);
  xmlTextWriterWriteDTD(w, x("r"), x("-//lnotify//test//EN"), x("http://example.org/r.dtd"),
                        nullptr);
  xmlTextWriterStartElement(w, x("r"));
  xmlTextWriterWriteAttribute(w, x("a"), x(utf8::sanitize(attr).c_str()));
  xmlTextWriterStartElement(w, x("c"));
  xmlTextWriterEndElement(w);
  std::string clean = utf8::sanitize(text);
  if (!clean.empty()) xmlTextWriterWriteString(w, x(clean.c_str()));
  if (pi) xmlTextWriterWritePI(w, x("pi"), x(clean.c_str()));
  xmlTextWriterEndElement(w);
  xmlTextWriterEndDocument(w);
  xmlTextWriterFlush(w);
  std::string out(reinterpret_cast<const char*>(xmlBufferContent(buffer)),
                  static_cast<size_t>(xmlBufferLength(buffer)));
  xmlFreeTextWriter(w);
  xmlBufferFree(buffer);
  return out;
}

std::string with_writer(const std::string& attr, const std::string& text, bool pi) {
  xml::Writer w;
  w.start_document().doctype("r", "-//lnotify//test//EN", "http://example.org/r.dtd");
  w.start_element("r").attribute("a", attr).start_element("c").end_element().text(text);
  if (pi) w.processing_instruction("pi", text);
  w.end_element();
  auto out = w.finish();
  return out ? *out : "ERROR";
}

// The attribute and text of <r> as a parser reads them back.
std::pair<std::string, std::string> parse_back(const std::string& document) {
  xmlDocPtr doc = xmlReadMemory(document.data(), static_cast<int>(document.size()), "r.xml",
                                nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) return {"NOT WELL-FORMED", ""};
  xmlNodePtr root = xmlDocGetRootElement(doc);
  xmlChar* a = xmlGetProp(root, x("a"));
  std::string text;
  for (xmlNodePtr n = root->children; n != nullptr; n = n->next)
    if (n->type == XML_TEXT_NODE) text += reinterpret_cast<const char*>(n->content);
  std::pair<std::string, std::string> out{a ? reinterpret_cast<const char*>(a) : "", text};
  xmlFree(a);
  xmlFreeDoc(doc);
  return out;
}

TEST(XmlWriter, EachDocumentIsWhatAFreshLibxml2WriterWritesForHostileText) {
  testing::RandomText random(20261130);
  for (int i = 0; i < 2000; ++i) {
    const std::string attr = random.next(), text = random.next();
    const bool pi = utf8::sanitize(text).find("?>") == std::string::npos;
    const std::string written = with_writer(attr, text, pi);
    ASSERT_EQ(written, with_libxml2(attr, text, pi)) << "case " << i;
    ASSERT_EQ(parse_back(written), std::make_pair(utf8::sanitize(attr), utf8::sanitize(text)))
        << "case " << i << ": " << written;
    if (i % 7 == 0) {  // a document that fails half-way must not spoil the next
      xml::Writer failing;
      failing.start_document().start_element("r").text("t").attribute("a", "v");
      ASSERT_FALSE(failing.finish().has_value());
    }
  }
}

TEST(XmlWriter, TwoDocumentsAtOnceOnOneThread) {
  xml::Writer outer;
  outer.start_document().start_element("outer");
  {
    xml::Writer inner;
    inner.start_document().start_element("inner").attribute("a", "1");
    auto doc = inner.finish();
    ASSERT_TRUE(doc.has_value());
    EXPECT_EQ(*doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<inner a=\"1\"/>\n");
  }
  outer.attribute("b", "2");
  auto doc = outer.finish();
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(*doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<outer b=\"2\"/>\n");
}

TEST(XmlWriter, RefusesAProcessingInstructionItCannotWrite) {
  xml::Writer w;
  w.start_document().start_element("r").processing_instruction("pi", "a ?> b");
  EXPECT_FALSE(w.finish().has_value());
}

TEST(XmlWriter, RefusesMisuse) {
  xml::Writer attribute_after_content;
  attribute_after_content.start_document().start_element("r").text("t").attribute("a", "v");
  EXPECT_FALSE(attribute_after_content.finish().has_value());
  xml::Writer unbalanced;
  unbalanced.start_document().end_element();
  EXPECT_FALSE(unbalanced.finish().has_value());
}

}  // namespace
}  // namespace lnotify

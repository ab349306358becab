// The XML writer against libxml2's xmlTextWriter, which it replaced on the
// hot path: for hostile text, the same bytes.
#include "xml_writer.h"

#include <libxml/xmlwriter.h>

#include <gtest/gtest.h>

#include "random_text.h"
#include "utf8.h"

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

TEST(XmlWriter, WritesWhatLibxml2WritesForHostileText) {
  testing::RandomText random(20261130);
  for (int i = 0; i < 2000; ++i) {
    const std::string attr = random.next(), text = random.next();
    const bool pi = utf8::sanitize(text).find("?>") == std::string::npos;
    ASSERT_EQ(with_writer(attr, text, pi), with_libxml2(attr, text, pi)) << "case " << i;
  }
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

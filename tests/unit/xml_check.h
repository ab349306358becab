// Independent checks of XML output with libxml2's parser and DTD validator
// (test helper): the writer side never takes part in them.
#pragma once

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>

#include <memory>
#include <string>

namespace lnotify::testing {

struct XmlDocFree {
  void operator()(xmlDocPtr d) const { xmlFreeDoc(d); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocFree>;

// Null when text is not a well-formed XML document. No network, no recovery.
inline XmlDoc parse_xml(const std::string& text) {
  return XmlDoc(xmlReadMemory(text.data(), static_cast<int>(text.size()), "payload.xml", nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

inline std::string root_name(const XmlDoc& doc) {
  xmlNodePtr root = xmlDocGetRootElement(doc.get());
  return root ? reinterpret_cast<const char*>(root->name) : "";
}

inline bool has_attr(const XmlDoc& doc, const char* name) {
  return xmlHasProp(xmlDocGetRootElement(doc.get()), reinterpret_cast<const xmlChar*>(name)) !=
         nullptr;
}

inline std::string attr(const XmlDoc& doc, const char* name) {
  xmlChar* v = xmlGetProp(xmlDocGetRootElement(doc.get()), reinterpret_cast<const xmlChar*>(name));
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}

inline std::string root_text(const XmlDoc& doc) {
  xmlChar* v = xmlNodeGetContent(xmlDocGetRootElement(doc.get()));
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}

// Validates doc against the DTD file at dtd_path.
inline bool valid_against(const XmlDoc& doc, const std::string& dtd_path) {
  std::unique_ptr<xmlDtd, void (*)(xmlDtdPtr)> dtd(
      xmlParseDTD(nullptr, reinterpret_cast<const xmlChar*>(dtd_path.c_str())), xmlFreeDtd);
  if (!dtd) return false;
  std::unique_ptr<xmlValidCtxt, void (*)(xmlValidCtxtPtr)> ctxt(xmlNewValidCtxt(), xmlFreeValidCtxt);
  ctxt->error = nullptr;
  ctxt->warning = nullptr;
  return xmlValidateDtd(ctxt.get(), doc.get(), dtd.get()) == 1;
}

}  // namespace lnotify::testing

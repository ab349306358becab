#include "xml_writer.h"

#include "utf8.h"

namespace lnotify::xml {
namespace {

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

}  // namespace

std::string sanitize_utf8(std::string_view text) { return utf8::sanitize(text); }

Writer::Writer() : buffer_(xmlBufferCreate()) {
  if (buffer_) writer_.reset(xmlNewTextWriterMemory(buffer_.get(), 0));
  ok_ = buffer_ != nullptr && writer_ != nullptr;
}

Writer& Writer::start_document() {
  if (ok_) check(xmlTextWriterStartDocument(writer_.get(), "1.0", "UTF-8", nullptr));
  return *this;
}

Writer& Writer::doctype(const char* root, std::string_view public_id, std::string_view system_id) {
  if (ok_) {
    std::string pub(public_id), sys(system_id);
    check(xmlTextWriterWriteDTD(writer_.get(), x(root), x(pub.c_str()), x(sys.c_str()), nullptr));
  }
  return *this;
}

Writer& Writer::start_element(const char* name) {
  if (ok_) check(xmlTextWriterStartElement(writer_.get(), x(name)));
  return *this;
}

Writer& Writer::attribute(const char* name, std::string_view value) {
  if (ok_) {
    std::string clean = sanitize_utf8(value);
    check(xmlTextWriterWriteAttribute(writer_.get(), x(name), x(clean.c_str())));
  }
  return *this;
}

Writer& Writer::text(std::string_view value) {
  if (ok_) {
    std::string clean = sanitize_utf8(value);
    check(xmlTextWriterWriteString(writer_.get(), x(clean.c_str())));
  }
  return *this;
}

Writer& Writer::processing_instruction(const char* target, std::string_view content) {
  if (ok_) {
    std::string clean = sanitize_utf8(content);
    // "?>" would end the instruction early; libxml2 does not escape it.
    if (clean.find("?>") != std::string::npos) ok_ = false;
    else check(xmlTextWriterWritePI(writer_.get(), x(target), x(clean.c_str())));
  }
  return *this;
}

Writer& Writer::end_element() {
  if (ok_) check(xmlTextWriterEndElement(writer_.get()));
  return *this;
}

Result<std::string> Writer::finish() {
  if (ok_) check(xmlTextWriterEndDocument(writer_.get()));
  if (ok_) check(xmlTextWriterFlush(writer_.get()));
  if (!ok_) return permanent_error("libxml2 could not write the document");
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer_.get())),
                     static_cast<size_t>(xmlBufferLength(buffer_.get())));
}

}  // namespace lnotify::xml

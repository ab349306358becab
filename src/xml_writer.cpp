#include "xml_writer.h"

namespace lnotify::xml {
namespace {

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

// Length of the valid UTF-8 sequence at s[0..], or 0 when it is not valid
// (overlong forms, surrogates and code points past U+10FFFF included).
size_t utf8_sequence_length(std::string_view s, char32_t& cp) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(0);
  size_t len;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    char32_t cp = 0;
    size_t len = utf8_sequence_length(text, cp);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      text.remove_prefix(1);
      continue;
    }
    bool xml_char = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp != 0x7F &&
                                                            (cp < 0x80 || cp > 0x9F) &&
                                                            cp != 0xFFFE && cp != 0xFFFF);
    if (xml_char) out.append(text.substr(0, len));
    text.remove_prefix(len);
  }
  return out;
}

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

#include "payload/xml_writer.h"

#include <libxml/xmlwriter.h>

#include "core/utf8.h"

namespace lnotify::xml {

// One libxml2 writer and the memory buffer it writes into.
struct LibxmlSession {
  xmlBufferPtr buffer = nullptr;
  xmlTextWriterPtr writer = nullptr;
  bool busy = false;
  std::string scratch;  // libxml2 wants NUL-terminated text; reused, no malloc per call

  // value, NUL-terminated and sanitized (most values are clean already)
  const xmlChar* terminated(std::string_view value) {
    if (utf8::is_clean(value)) scratch.assign(value);
    else scratch = utf8::sanitize(value);
    return reinterpret_cast<const xmlChar*>(scratch.c_str());
  }

  bool open() {
    buffer = xmlBufferCreate();
    if (buffer != nullptr) writer = xmlNewTextWriterMemory(buffer, 0);
    return writer != nullptr;
  }
  void close() {
    if (writer != nullptr) xmlFreeTextWriter(writer);  // does not free the buffer
    if (buffer != nullptr) xmlBufferFree(buffer);
    writer = nullptr;
    buffer = nullptr;
  }
};

namespace {

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

// The thread's reusable session. A writer that finished its document cleanly
// (libxml2's element stack empty again) is handed to the next document; one
// that failed half-way is thrown away, so no state carries over.
struct ThreadSession {
  LibxmlSession session;
  ~ThreadSession() { session.close(); }
};
thread_local ThreadSession thread_session;

}  // namespace

std::string sanitize_utf8(std::string_view text) { return utf8::sanitize(text); }

Writer::Writer() {
  LibxmlSession& shared = thread_session.session;
  if (!shared.busy) {
    session_ = &shared;
    if (session_->writer == nullptr && !session_->open()) session_->close();
  } else {
    // Two documents at once on one thread (a writer kept alive while
    // another is made): the second gets its own.
    session_ = new LibxmlSession;
    if (!session_->open()) session_->close();
  }
  session_->busy = true;
  ok_ = session_->writer != nullptr;
}

Writer::~Writer() {
  const bool reusable = ok_ && finished_;
  if (session_ != &thread_session.session) {
    session_->close();
    delete session_;
    return;
  }
  if (!reusable) session_->close();
  else xmlBufferEmpty(session_->buffer);
  session_->busy = false;
}

Writer& Writer::start_document() {
  if (ok_) check(xmlTextWriterStartDocument(session_->writer, "1.0", "UTF-8", nullptr));
  return *this;
}

Writer& Writer::doctype(const char* root, std::string_view public_id, std::string_view system_id) {
  if (ok_) {
    std::string pub(public_id), sys(system_id);
    check(xmlTextWriterWriteDTD(session_->writer, x(root), x(pub.c_str()), x(sys.c_str()),
                                nullptr));
  }
  return *this;
}

Writer& Writer::start_element(const char* name) {
  if (ok_) check(xmlTextWriterStartElement(session_->writer, x(name)));
  return *this;
}

Writer& Writer::attribute(const char* name, std::string_view value) {
  if (ok_) check(xmlTextWriterWriteAttribute(session_->writer, x(name), session_->terminated(value)));
  return *this;
}

Writer& Writer::text(std::string_view value) {
  if (ok_) {
    const xmlChar* clean = session_->terminated(value);
    // libxml2 refuses an empty string; nothing to write is not an error.
    if (*clean != '\0') check(xmlTextWriterWriteString(session_->writer, clean));
  }
  return *this;
}

Writer& Writer::processing_instruction(const char* target, std::string_view content) {
  if (ok_) {
    const std::string clean = utf8::sanitize(content);
    // "?>" would end the instruction early; nothing can escape it.
    if (clean.find("?>") != std::string::npos) ok_ = false;
    else check(xmlTextWriterWritePI(session_->writer, x(target), x(clean.c_str())));
  }
  return *this;
}

Writer& Writer::end_element() {
  if (ok_) check(xmlTextWriterEndElement(session_->writer));
  return *this;
}

Result<std::string> Writer::finish() {
  if (ok_) check(xmlTextWriterEndDocument(session_->writer));
  if (ok_) check(xmlTextWriterFlush(session_->writer));
  finished_ = true;
  if (!ok_) return permanent_error("libxml2 could not write the XML document");
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(session_->buffer)),
                     static_cast<size_t>(xmlBufferLength(session_->buffer)));
}

}  // namespace lnotify::xml

// A thin RAII wrapper over libxml2's xmlTextWriter (internal header). All
// lnotify XML goes through it: never build XML by pasting strings.
#pragma once

#include <libxml/xmlwriter.h>

#include <memory>
#include <string>
#include <string_view>

#include "lnotify/result.h"

namespace lnotify::xml {

// Makes text safe for an XML 1.0 document: invalid UTF-8 becomes U+FFFD and
// control characters other than TAB, LF and CR are dropped (utf8::sanitize).
std::string sanitize_utf8(std::string_view text);

class Writer {
 public:
  Writer();
  bool ok() const { return ok_; }

  Writer& start_document();
  Writer& doctype(const char* root, std::string_view public_id, std::string_view system_id);
  Writer& start_element(const char* name);
  Writer& attribute(const char* name, std::string_view value);  // value is sanitized
  Writer& text(std::string_view value);                         // value is sanitized
  Writer& processing_instruction(const char* target, std::string_view content);  // sanitized
  Writer& end_element();
  Result<std::string> finish();

 private:
  void check(int rc) { ok_ = ok_ && rc >= 0; }

  struct BufferFree {
    void operator()(xmlBufferPtr b) const { xmlBufferFree(b); }
  };
  struct WriterFree {
    void operator()(xmlTextWriterPtr w) const { xmlFreeTextWriter(w); }
  };
  std::unique_ptr<xmlBuffer, BufferFree> buffer_;
  std::unique_ptr<xmlTextWriter, WriterFree> writer_;
  bool ok_ = true;
};

}  // namespace lnotify::xml

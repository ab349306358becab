// The XML serializer all lnotify XML goes through (internal header): a thin
// wrapper over libxml2's xmlTextWriter (doc/payloads.md: "All XML is produced
// with libxml2 (never by string pasting)"). Payload encoding is on the
// dispatcher's hot path (issue 9, BENCHMARKS.md "Encoders"), and a new
// xmlTextWriter per document (its dictionary, its UTF-8 encoder, its
// buffers) cost more than writing the document; so each thread keeps one
// writer and reuses it document after document.
#pragma once

#include <string>
#include <string_view>

#include "lnotify/core/result.h"

namespace lnotify::xml {

// Makes text safe for an XML 1.0 document: invalid UTF-8 becomes U+FFFD and
// control characters other than TAB, LF and CR are dropped (utf8::sanitize).
std::string sanitize_utf8(std::string_view text);

struct LibxmlSession;

class Writer {
 public:
  Writer();
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  bool ok() const { return ok_; }

  Writer& start_document();
  Writer& doctype(const char* root, std::string_view public_id, std::string_view system_id);
  Writer& start_element(const char* name);
  Writer& attribute(const char* name, std::string_view value);  // value is sanitized
  Writer& text(std::string_view value);                         // value is sanitized
  Writer& processing_instruction(const char* target, std::string_view content);  // sanitized
  Writer& end_element();
  // Closes what is open; the document ends with a newline.
  Result<std::string> finish();

 private:
  void check(int rc) { ok_ = ok_ && rc >= 0; }

  LibxmlSession* session_;  // the thread's writer, or a private one if that is in use
  bool finished_ = false;
  bool ok_ = true;
};

}  // namespace lnotify::xml

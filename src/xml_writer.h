// The XML serializer all lnotify XML goes through (internal header): never
// build XML by pasting strings elsewhere. It writes into one string, with
// the escaping libxml2's xmlTextWriter uses (the byte-for-byte same output,
// checked by xml_writer_test against libxml2), without its per-document
// allocations: payload encoding is on the dispatcher's hot path (issue 9,
// BENCHMARKS.md "Encoders").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lnotify/result.h"

namespace lnotify::xml {

// Makes text safe for an XML 1.0 document: invalid UTF-8 becomes U+FFFD and
// control characters other than TAB, LF and CR are dropped (utf8::sanitize).
std::string sanitize_utf8(std::string_view text);

class Writer {
 public:
  Writer() { out_.reserve(512); }
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
  void close_start_tag();

  std::string out_;
  std::vector<const char*> open_;  // element names (string literals)
  bool start_tag_open_ = false;
  bool ok_ = true;
};

}  // namespace lnotify::xml
